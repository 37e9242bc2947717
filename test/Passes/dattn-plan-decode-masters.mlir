// Several masters in one batch (masters=true): 4 requests on 2 ranks, each
// rank masters 2 and holds their queries. The query blocks go around the
// ring: at step t a rank attends master (r - t) mod 2's queries to that
// master's requests' KV in its 19-token shard and keeps the partial (out,
// lse) at the master's place in the batch; then each request's partials go
// to its master alone (all-to-all: split over the batch, rank j's partial
// in row block j), which merges them.
// RUN: dattn-opt %s --dattn-plan-decode="ranks=2 masters=true" --cse | FileCheck %s
// dattn-overlap ships the next master's queries while this one's tiles
// run, and peels the last step (nothing sent after it).
// RUN: dattn-opt %s --dattn-plan-decode="ranks=2 masters=true" --dattn-overlap --cse | FileCheck %s --check-prefix=OVERLAP
// RUN: dattn-opt %s --dattn-plan-decode="ranks=4 masters=true" --dattn-overlap --dattn-verify-schedule -o /dev/null
// The verifier proves coverage and counts what moves: per rank the three
// other masters' queries (3 x 128 bytes) and 3/4 of its partial states
// leave and as much arrives, where the shared plan gathers every rank's
// whole partial state.
// RUN: dattn-opt %s --dattn-plan-decode="ranks=4 masters=true" --dattn-overlap --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: dattn-opt %s --dattn-plan-decode="ranks=4" --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=SHARED
// The cost model: 16 requests x 128K tokens on 4 InfiniBand nodes. The
// shared plan ring-gathers every rank's whole fp32 partial state (15 hops,
// after the KV reads); with masters the query hops run under the KV reads
// and only the states' all-to-all (15/16 of them, the messages in flight at
// once) follows them.
// RUN: dattn-opt %S/Inputs/decode-batch16-128k.mlir --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-decode=masters=false --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=COSTSHARED
// RUN: dattn-opt %S/Inputs/decode-batch16-128k.mlir --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-decode=masters=true --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=COSTMASTERS
// COSTSHARED: remark: auto: KV-parallel decode on 16 ranks: 0.347 ms (KV read 0.178 ms, gather 0.169 ms
// COSTMASTERS: remark: auto: KV-parallel decode on 16 ranks, masters: 0.189 ms (KV read 0.178 ms, gather 0.011 ms
// masters=auto (the default) weighs both for every rank count and takes
// the masters; the remark lists what it passed over.
// RUN: dattn-opt %S/Inputs/decode-batch16-128k.mlir --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-decode --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=COSTAUTO
// COSTAUTO: remark: auto: KV-parallel decode on 16 ranks, masters: 0.189 ms
// COSTAUTO-SAME: 16 ranks: 0.347 ms
// COSTAUTO-SAME: 32 ranks, masters:
// With ranks given, auto weighs the two plans at that count.
// RUN: dattn-opt %S/Inputs/decode-batch16-128k.mlir --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-decode=ranks=16 --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=COSTRANKS
// COSTRANKS: remark: auto: KV-parallel decode on 16 ranks, masters: 0.189 ms {{.*}}; also considered: 16 ranks: 0.347 ms
// A batch that does not divide over the ranks: 4 requests on 3 masters,
// padded to 6 (two a master, the last master's two are padding), the
// padding's rows dropped at the end.
// RUN: dattn-opt %s --dattn-plan-decode="ranks=3 masters=true" --cse | FileCheck %s --check-prefix=UNEVEN
// RUN: dattn-opt %s --dattn-plan-decode="ranks=3 masters=true" --dattn-overlap --dattn-verify-schedule --dattn-verify-plan=report=none -o /dev/null
// An unknown value is refused.
// RUN: not dattn-opt %s --dattn-plan-decode="ranks=3 masters=maybe" 2>&1 | FileCheck %s --check-prefix=BADMASTERS

// CHECK: %[[R:.+]] = shard.process_linear_index on @sp
// CHECK: %[[KEY0:.+]] = arith.muli %[[R]], %[[C19:.+]] : index
// CHECK: %[[KSHARD:.+]] = tensor.extract_slice %{{.+}}[0, 0, %[[KEY0]], 0] [4, 2, 19, 8]
// CHECK: %[[FIRST:.+]] = arith.muli %[[R]], %[[C2:.+]] : index
// CHECK: %[[MINE:.+]] = tensor.extract_slice %arg0[%[[FIRST]], 0, 0, 0] [2, 4, 1, 8]
// CHECK: scf.for %[[T:.+]] = {{.+}} iter_args(%[[QS:.+]] = %[[MINE]], %[[OUTS:.+]] = %{{.+}}, %[[LSES:.+]] = %{{.+}})
// CHECK:   %[[A:.+]] = arith.addi %[[R]], %[[C2]]
// CHECK:   %[[B:.+]] = arith.subi %[[A]], %[[T]]
// CHECK:   %[[MASTER:.+]] = arith.remui %[[B]], %[[C2]]
// CHECK:   %[[AT:.+]] = arith.muli %[[MASTER]], %[[C2]]
// CHECK:   %[[K:.+]] = tensor.extract_slice %[[KSHARD]][%[[AT]], 0, 0, 0] [2, 2, 19, 8]
// CHECK:   %[[TILE:.+]] = dattn.micro_attention %[[QS]], %[[K]], {{.*}} : tensor<2x4x1x8xf32>, tensor<2x2x19x8xf32>, tensor<2x2x19x8xf32> -> !dattn.state<2x4x1x8>
// CHECK:   %[[OUT:.+]], %[[LSE:.+]] = dattn.finalize %[[TILE]]
// CHECK:   %[[NEXT:.+]] = shard.shift %[[QS]] on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate
// CHECK:   tensor.insert_slice %[[OUT]] into %[[OUTS]][%[[AT]], 0, 0, 0] [2, 4, 1, 8]
// CHECK:   tensor.insert_slice %[[LSE]] into %[[LSES]][%[[AT]], 0, 0] [2, 4, 1]
// CHECK:   scf.yield %[[NEXT]]
// CHECK: %[[ALLOUTS:.+]] = shard.all_to_all %{{.+}}#1 on @sp grid_axes = [0] split_axis = 0 concat_axis = 2 : tensor<4x4x1x8xf32> -> tensor<2x4x2x8xf32>
// CHECK: %[[ALLLSES:.+]] = shard.all_to_all %{{.+}}#2 on @sp grid_axes = [0] split_axis = 0 concat_axis = 2 : tensor<4x4x1xf32> -> tensor<2x4x2xf32>
// CHECK: scf.for
// CHECK:   tensor.extract_slice %[[ALLLSES]]
// CHECK:   tensor.extract_slice %[[ALLOUTS]]
// CHECK:   dattn.as_state {{.*}} -> !dattn.state<2x4x1x8>
// CHECK:   dattn.merge
// CHECK: dattn.finalize {{.*}} -> tensor<2x4x1x8xf32>
// CHECK: tensor.insert_slice {{.*}}[%[[FIRST]], 0, 0, 0] [2, 4, 1, 8]

// OVERLAP: scf.for {{.+}} iter_args(%[[QS:.+]] = {{.+}}, %{{.+}} = {{.+}}, %{{.+}} = {{.+}})
// OVERLAP-NEXT: %[[SEND:.+]] = dattn.shift_start %[[QS]] on @sp axis = 0 offset = 1 rotate
// OVERLAP: dattn.micro_attention %[[QS]]
// OVERLAP: dattn.wait %[[SEND]]
// OVERLAP: scf.yield
// OVERLAP: dattn.micro_attention
// OVERLAP-NOT: dattn.shift_start
// OVERLAP: shard.all_to_all

// VERIFY: every visible (q, k) pair is computed exactly once
// VERIFY: 0 4 0 40 40 816 816 5120
// SHARED: 0 1 0 10 10 1728 1728 5120
// The shard is cut before the batch is padded: only its own keys are
// copied for the empty requests.
// UNEVEN: %[[KSEQ:.+]] = tensor.pad %arg1 low[0, 0, 0, 0] high[0, 0, 2, 0]
// UNEVEN: %[[KCUT:.+]] = tensor.extract_slice %[[KSEQ]][0, 0, %{{.+}}, 0] [4, 2, 13, 8]
// UNEVEN: tensor.pad %[[KCUT]] low[0, 0, 0, 0] high[2, 0, 0, 0]
// UNEVEN: tensor.pad %arg2 low[0, 0, 0, 0] high[0, 0, 2, 0]
// UNEVEN: %[[Q:.+]] = tensor.pad %arg0 low[0, 0, 0, 0] high[2, 0, 0, 0]
// UNEVEN: tensor.extract_slice %[[Q]][%{{.+}}, 0, 0, 0] [2, 4, 1, 8]
// UNEVEN: scf.for
// UNEVEN: shard.all_to_all {{.*}} : tensor<6x4x1x8xf32> -> tensor<2x4x3x8xf32>
// UNEVEN: %[[ALL:.+]] = shard.all_reduce {{.*}} : tensor<6x4x1x8xf32> -> tensor<6x4x1x8xf32>
// UNEVEN: tensor.extract_slice %[[ALL]][%{{.+}}, 0, 0, 0] [4, 4, 1, 8]
// BADMASTERS: error: dattn-plan-decode: masters must be auto, true or false, got 'maybe'
func.func @d(%q: tensor<4x4x1x8xf32>, %k: tensor<4x2x37x8xf32>, %v: tensor<4x2x37x8xf32>) -> tensor<4x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<4x4x1x8xf32>, tensor<4x2x37x8xf32>, tensor<4x2x37x8xf32> -> tensor<4x4x1x8xf32>
  return %o : tensor<4x4x1x8xf32>
}
