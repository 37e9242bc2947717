// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8 head-parallel=2" --dattn-overlap --cse | FileCheck %s
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=6 head-parallel=4" 2>&1 | FileCheck %s --check-prefix=RANKS
// RUN: not dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-prefill="head-parallel=2" 2>&1 | FileCheck %s --check-prefix=AUTO

// Head-parallel x zigzag: a [4, 2] grid. Each rank holds half of each of its
// zigzag chunks (64 tokens of 128) with every head; an
// all-to-all over its head group (grid axis 1, inside a node: Ulysses)
// trades heads for rows, so it runs the zigzag ring over axis 0 on half of
// the heads with whole chunks, and the inverse all-to-all returns its rows
// on every head.
// CHECK: shard.grid @sp(shape = 4x2)
// CHECK-LABEL: func.func @prefill
// CHECK-DAG: %[[R:.+]] = shard.process_multi_index on @sp axes = [0] : index
// CHECK-DAG: %[[G:.+]] = shard.process_multi_index on @sp axes = [1] : index
// CHECK: %[[SUB:.+]] = arith.muli %[[G]], %[[C64:.+]] : index
// CHECK: %[[QFIRST:.+]] = arith.addi %{{.+}}, %[[SUB]] : index
// CHECK: %[[QPART:.+]] = tensor.extract_slice %{{.+}}[0, 0, %[[QFIRST]], 0] [1, 32, 64, 128]
// CHECK: shard.all_to_all %[[QPART]] on @sp grid_axes = [1] split_axis = 1 concat_axis = 2 : tensor<1x32x64x128xbf16> -> tensor<1x16x128x128xbf16>
// CHECK: shard.all_to_all %{{.+}} on @sp grid_axes = [1] split_axis = 1 concat_axis = 2 : tensor<1x8x64x128xbf16> -> tensor<1x4x128x128xbf16>
// CHECK: scf.for
// CHECK: dattn.shift_start %{{.+}} on @sp axis = 0 offset = 1 rotate : tensor<1x4x128x128xbf16>
// CHECK: dattn.micro_attention {{.*}} : tensor<1x16x128x128xbf16>, tensor<1x4x128x128xbf16>, tensor<1x4x128x128xbf16>
// CHECK: %[[BACK:.+]] = shard.all_to_all %{{.+}} on @sp grid_axes = [1] split_axis = 2 concat_axis = 1 : tensor<1x16x128x128xbf16> -> tensor<1x32x64x128xbf16>
// CHECK: tensor.insert_slice %[[BACK]] into %{{.+}}[0, 0, %{{.+}}, 0] [1, 32, 64, 128] [1, 1, 1, 1] : tensor<1x32x64x128xbf16> into tensor<1x32x1024x128xbf16>
// CHECK: shard.all_reduce %{{.+}} on @sp grid_axes = [0, 1]

// RANKS: error: dattn-plan-prefill: head-parallel=4 must be at least 1 and divide the 6 ranks
// AUTO: error: dattn-plan-prefill: strategy=auto chooses the head parallelism itself; drop head-parallel or pick a strategy
func.func @prefill(%q: tensor<1x32x1024x128xbf16>, %k: tensor<1x8x1024x128xbf16>, %v: tensor<1x8x1024x128xbf16>) -> tensor<1x32x1024x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x32x1024x128xbf16>, tensor<1x8x1024x128xbf16>, tensor<1x8x1024x128xbf16> -> tensor<1x32x1024x128xbf16>
  return %o : tensor<1x32x1024x128xbf16>
}
