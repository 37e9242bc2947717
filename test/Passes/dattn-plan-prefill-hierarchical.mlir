// The hierarchical ring order (inner-ring=G): 12 ranks as 3 nodes of 4 ring
// positions. The outer loop passes each node's blocks to the next node
// (grid axis 0), the inner loop passes them around the node (axis 1); the
// tile at (outer o, inner i) has the keys of ring position
// ((node - o) mod 3) * 4 + (gpu - i) mod 4.
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=12 inner-ring=4" --cse | FileCheck %s
// After dattn-overlap each loop is pipelined: the hop to the next node
// starts at the top of the outer step and is waited for after the whole
// inner ring; the inner hops start at the top of each inner step; the last
// step of each loop is peeled and sends nothing.
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=12 inner-ring=4" --dattn-overlap --cse | FileCheck %s --check-prefix=OVERLAP
// With the heads split 2 ways the grid gets a third axis.
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=24 inner-ring=4 head-parallel=2" --cse | FileCheck %s --check-prefix=HEADS
// The verifier proves the reordered plan's coverage; its balance is the
// flat ring's (the same tiles, in another order). It holds two more K/V
// blocks than the flat ring (the node's, pinned while it goes to the next
// node, and the next node's, arriving): 2 x (K and V) x 6 rows x 4 heads x
// 8 x 4 bytes = 3072 bytes more.
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=12 inner-ring=4" --dattn-overlap --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=12" --dattn-overlap --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=FLAT

// CHECK: shard.grid @sp(shape = 3x4)
// CHECK: %[[NODE:.+]] = shard.process_multi_index on @sp axes = [0] : index
// CHECK: %[[GPU:.+]] = shard.process_multi_index on @sp axes = [1] : index
// CHECK: %[[BASE:.+]] = arith.muli %[[NODE]], %[[C4:.+]] : index
// CHECK: %[[POS:.+]] = arith.addi %[[BASE]], %[[GPU]] : index
// CHECK: scf.for %[[O:.+]] = %{{.+}} to %[[C3:.+]] step {{.+}} iter_args(%[[K0:[^ ]+]] = {{.+}}, %[[V0:[^ ]+]] = {{.+}}, %{{.+}} = {{.+}})
// CHECK:   %[[N1:.+]] = arith.addi %[[NODE]], %[[C3]]
// CHECK:   %[[N2:.+]] = arith.subi %[[N1]], %[[O]]
// CHECK:   %[[ONODE:.+]] = arith.remui %[[N2]], %[[C3]]
// CHECK:   %[[FIRST:.+]] = arith.muli %[[ONODE]], %[[C4]]
// CHECK:   scf.for %[[I:.+]] = %{{.+}} to %[[C4]] step {{.+}} iter_args(%[[K:[^ ]+]] = %[[K0]], %[[V:[^ ]+]] = %[[V0]], %{{.+}} = {{.+}})
// CHECK:     %[[G1:.+]] = arith.addi %[[GPU]], %[[C4]]
// CHECK:     %[[G2:.+]] = arith.subi %[[G1]], %[[I]]
// CHECK:     %[[OGPU:.+]] = arith.remui %[[G2]], %[[C4]]
// CHECK:     %[[OWNER:.+]] = arith.addi %[[FIRST]], %[[OGPU]]
// CHECK:     dattn.micro_attention %{{.+}}, %[[K]], %[[V]] mask(<causal, k_end = 64>)
// CHECK:     dattn.merge
// CHECK:     shard.shift %[[K]] on @sp grid_axes = [1] shift_axis = 1 offset = 1 rotate
// CHECK:     shard.shift %[[V]] on @sp grid_axes = [1] shift_axis = 1 offset = 1 rotate
// CHECK:     scf.yield
// CHECK:   shard.shift %[[K0]] on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate
// CHECK:   shard.shift %[[V0]] on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate
// CHECK:   scf.yield
// CHECK: shard.all_reduce %{{.+}} on @sp grid_axes = [0, 1]

// OVERLAP: scf.for %{{.+}} = %{{.+}} to %c2 step {{.+}} iter_args(%[[K0:[^ ]+]] = {{.+}}, %[[V0:[^ ]+]] = {{.+}}, %{{.+}} = {{.+}})
// OVERLAP-NEXT: %[[OUTK:.+]] = dattn.shift_start %[[K0]] on @sp axis = 0 offset = 1 rotate
// OVERLAP-NEXT: %[[OUTV:.+]] = dattn.shift_start %[[V0]] on @sp axis = 0 offset = 1 rotate
// OVERLAP: scf.for %{{.+}} = %{{.+}} to %c3{{.*}} step {{.+}} iter_args(%[[K:[^ ]+]] = %[[K0]], %[[V:[^ ]+]] = %[[V0]],
// OVERLAP-NEXT: %[[INK:.+]] = dattn.shift_start %[[K]] on @sp axis = 1 offset = 1 rotate
// OVERLAP-NEXT: %[[INV:.+]] = dattn.shift_start %[[V]] on @sp axis = 1 offset = 1 rotate
// OVERLAP: dattn.micro_attention
// OVERLAP: dattn.wait %[[INK]]
// OVERLAP: dattn.wait %[[INV]]
// OVERLAP: scf.yield
// The inner ring's last step, peeled, then the wait for the next node's blocks.
// OVERLAP: dattn.micro_attention
// OVERLAP: dattn.merge
// OVERLAP-NEXT: dattn.wait %[[OUTK]]
// OVERLAP-NEXT: dattn.wait %[[OUTV]]
// OVERLAP-NEXT: scf.yield
// The outer ring's last step, peeled: its inner ring still passes blocks
// around the node, and nothing leaves it.
// OVERLAP: scf.for
// OVERLAP: dattn.shift_start %{{[^ ]+}} on @sp axis = 1
// OVERLAP-NOT: axis = 0
// OVERLAP: shard.all_reduce

// HEADS: shard.grid @sp(shape = 3x4x2)
// HEADS: %[[GROUP:.+]] = shard.process_multi_index on @sp axes = [2] : index
// HEADS: arith.muli %[[GROUP]]
// HEADS: scf.for
// HEADS: scf.for
// HEADS-COUNT-4: dattn.micro_attention {{.*}} : tensor<1x2x{{[0-9]+}}x8xf32>, tensor<1x2x{{[0-9]+}}x8xf32>
// HEADS-COUNT-4: shard.shift {{.*}} grid_axes = [1] shift_axis = 1
// HEADS: scf.yield
// HEADS-COUNT-4: shard.shift {{.*}} grid_axes = [0] shift_axis = 0
// HEADS: shard.all_reduce %{{.+}} on @sp grid_axes = [0, 1, 2]

// VERIFY: @p on 12 rank(s): every visible (q, k) pair is computed exactly once
// VERIFY: work imbalance (max/mean pairs): 1.1296
// VERIFY: peak working set per rank: 9504 bytes
// FLAT: work imbalance (max/mean pairs): 1.1296
// FLAT: peak working set per rank: 6432 bytes
func.func @p(%q: tensor<1x4x64x8xf32>, %k: tensor<1x4x64x8xf32>, %v: tensor<1x4x64x8xf32>) -> tensor<1x4x64x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x64x8xf32>, tensor<1x4x64x8xf32>, tensor<1x4x64x8xf32> -> tensor<1x4x64x8xf32>
  return %o : tensor<1x4x64x8xf32>
}
