// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8 head-parallel=2" --dattn-overlap --cse | FileCheck %s
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=6 head-parallel=4" 2>&1 | FileCheck %s --check-prefix=RANKS
// RUN: not dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-prefill="head-parallel=2" 2>&1 | FileCheck %s --check-prefix=AUTO

// Head-parallel x zigzag: a [4, 2] grid; each rank takes half of the heads
// (grid axis 1) and runs the zigzag ring over axis 0 on them.
// CHECK: shard.grid @sp(shape = 4x2)
// CHECK-LABEL: func.func @prefill
// CHECK-DAG: %[[R:.+]] = shard.process_multi_index on @sp axes = [0] : index
// CHECK-DAG: %[[G:.+]] = shard.process_multi_index on @sp axes = [1] : index
// CHECK: tensor.extract_slice %{{.+}}[0, %{{.+}}, 0, 0] [1, 16, 1024, 128] [1, 1, 1, 1] : tensor<1x32x1024x128xbf16> to tensor<1x16x1024x128xbf16>
// CHECK: tensor.extract_slice %{{.+}}[0, %{{.+}}, 0, 0] [1, 4, 1024, 128] [1, 1, 1, 1] : tensor<1x8x1024x128xbf16> to tensor<1x4x1024x128xbf16>
// CHECK: scf.for
// CHECK: dattn.shift_start %{{.+}} on @sp axis = 0 offset = 1 rotate : tensor<1x4x128x128xbf16>
// CHECK: dattn.micro_attention {{.*}} : tensor<1x16x128x128xbf16>, tensor<1x4x128x128xbf16>, tensor<1x4x128x128xbf16>
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, %{{.+}}, 0, 0] [1, 16, 1024, 128] [1, 1, 1, 1] : tensor<1x16x1024x128xbf16> into tensor<1x32x1024x128xbf16>
// CHECK: shard.all_reduce %{{.+}} on @sp grid_axes = [0, 1]

// RANKS: error: dattn-plan-prefill: head-parallel=4 must be at least 1 and divide the 6 ranks
// AUTO: error: dattn-plan-prefill: strategy=auto chooses the head parallelism itself; drop head-parallel or pick a strategy
func.func @prefill(%q: tensor<1x32x1024x128xbf16>, %k: tensor<1x8x1024x128xbf16>, %v: tensor<1x8x1024x128xbf16>) -> tensor<1x32x1024x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x32x1024x128xbf16>, tensor<1x8x1024x128xbf16>, tensor<1x8x1024x128xbf16> -> tensor<1x32x1024x128xbf16>
  return %o : tensor<1x32x1024x128xbf16>
}
