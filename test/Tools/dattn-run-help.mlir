// dattn-run explains itself.
// RUN: dattn-run --help | FileCheck %s

// CHECK: distattn reference evaluator
// CHECK-DAG: --compare-pipeline=<string>
// CHECK-DAG: --compare-with=<string>
// CHECK-DAG: --entry=<string>
// CHECK-DAG: --golden=<string>
// CHECK-DAG: --seed=<ulong>
// CHECK-DAG: --tol=<number>
