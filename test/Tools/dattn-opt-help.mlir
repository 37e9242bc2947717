// dattn-opt lists distattn's passes and their options.
// RUN: dattn-opt --help | FileCheck %s

// CHECK: --dattn-decompose
// CHECK-SAME: Decompose dattn.attention into micro-attention tiles
// CHECK-DAG: --kv-block=<long>
// CHECK-DAG: --max-tiles=<long>
// CHECK-DAG: --q-block=<long>
// CHECK-DAG: --report
