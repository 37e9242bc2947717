// Several masters in one batch (masters=true): 4 requests on 2 ranks, each
// rank masters 2. Its queries go to every KV holder (all-gather over the
// batch), every rank attends all 4 requests to the 19 tokens it holds, and
// each request's partial (out, lse) goes to its master alone (all-to-all:
// split over the batch, rank j's partial in row block j), which merges them.
// RUN: dattn-opt %s --dattn-plan-decode="ranks=2 masters=true" --cse | FileCheck %s
// The verifier proves coverage and counts what moves: per rank 3/4 of its
// partial states leave and as much arrives, plus the query shipping, where
// the shared plan gathers every rank's whole partial state.
// RUN: dattn-opt %s --dattn-plan-decode="ranks=4 masters=true" --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: dattn-opt %s --dattn-plan-decode="ranks=4" --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=SHARED
// The cost model: 16 requests x 128K tokens on 4 InfiniBand nodes. The
// shared plan ring-gathers every rank's whole fp32 partial state (15 hops);
// with masters the queries are ring-gathered (1/16 each) and the states
// exchanged all-to-all (15/16 of them, the messages in flight at once).
// RUN: dattn-opt %S/Inputs/decode-batch16-128k.mlir --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-decode --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=COSTSHARED
// RUN: dattn-opt %S/Inputs/decode-batch16-128k.mlir --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-decode=masters=true --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=COSTMASTERS
// COSTSHARED: remark: auto: KV-parallel decode on 16 ranks: 0.347 ms (KV read 0.178 ms, gather 0.169 ms
// COSTMASTERS: remark: auto: KV-parallel decode on 16 ranks: 0.281 ms (KV read 0.178 ms, gather 0.103 ms
// The batch must divide over the ranks.
// RUN: not dattn-opt %s --dattn-plan-decode="ranks=3 masters=true" 2>&1 | FileCheck %s --check-prefix=UNEVEN

// CHECK: %[[R:.+]] = shard.process_linear_index on @sp
// CHECK: %[[FIRST:.+]] = arith.muli %[[R]], %[[C2:.+]] : index
// CHECK: %[[MINE:.+]] = tensor.extract_slice %arg0[%[[FIRST]], 0, 0, 0] [2, 4, 1, 8]
// CHECK: %[[QS:.+]] = shard.all_gather %[[MINE]] on @sp grid_axes = [0] gather_axis = 0 : tensor<2x4x1x8xf32> -> tensor<4x4x1x8xf32>
// CHECK: %[[TILE:.+]] = dattn.micro_attention %[[QS]], {{.*}} : tensor<4x4x1x8xf32>, tensor<4x2x19x8xf32>, tensor<4x2x19x8xf32> -> !dattn.state<4x4x1x8>
// CHECK: %[[OUT:.+]], %[[LSE:.+]] = dattn.finalize %[[TILE]]
// CHECK: %[[OUTS:.+]] = shard.all_to_all %[[OUT]] on @sp grid_axes = [0] split_axis = 0 concat_axis = 2 : tensor<4x4x1x8xf32> -> tensor<2x4x2x8xf32>
// CHECK: %[[LSES:.+]] = shard.all_to_all %[[LSE]] on @sp grid_axes = [0] split_axis = 0 concat_axis = 2 : tensor<4x4x1xf32> -> tensor<2x4x2xf32>
// CHECK: scf.for
// CHECK:   tensor.extract_slice %[[LSES]]
// CHECK:   tensor.extract_slice %[[OUTS]]
// CHECK:   dattn.as_state {{.*}} -> !dattn.state<2x4x1x8>
// CHECK:   dattn.merge
// CHECK: dattn.finalize {{.*}} -> tensor<2x4x1x8xf32>
// CHECK: tensor.insert_slice {{.*}}[%[[FIRST]], 0, 0, 0] [2, 4, 1, 8]

// VERIFY: every visible (q, k) pair is computed exactly once
// VERIFY: 0 1 0 10 10 816 816 5120
// SHARED: 0 1 0 10 10 1728 1728 5120
// UNEVEN: error: 'dattn.attention' op masters=true gives each of the 3 ranks the same number of requests to master; the batch of 4 does not divide
func.func @d(%q: tensor<4x4x1x8xf32>, %k: tensor<4x2x37x8xf32>, %v: tensor<4x2x37x8xf32>) -> tensor<4x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<4x4x1x8xf32>, tensor<4x2x37x8xf32>, tensor<4x2x37x8xf32> -> tensor<4x4x1x8xf32>
  return %o : tensor<4x4x1x8xf32>
}
