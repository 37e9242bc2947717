// strategy=auto: the cost model on the module's topology picks the strategy
// (and, with ranks=0, the rank count) and says why in a remark.

// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-prefill -verify-diagnostics=only-expected | FileCheck %s --check-prefix=NODE
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-prefill --mlir-print-op-on-diagnostic=false 2>&1 -o /dev/null | FileCheck %s --check-prefix=CLUSTER
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-prefill=ranks=32 --mlir-print-op-on-diagnostic=false 2>&1 -o /dev/null | FileCheck %s --check-prefix=FORCED
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-prefill=strategy=ring | FileCheck %s --check-prefix=ALLGPUS
// RUN: not dattn-opt %s --dattn-plan-prefill 2>&1 | FileCheck %s --check-prefix=NOTOPO
// RUN: not dattn-opt %s --dattn-topology=file=%S/Inputs/tiny-memory.json --dattn-plan-prefill --mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=NOFIT

// Causal prefill of 8K tokens, Llama-3-8B heads. On one NVLink node striped
// hides its transfers; zigzag's four messages a step pay the link latency
// four times and do not quite hide under its 1K-token steps, ring pays for
// the causal imbalance, all-gather for its unhidden gather.
// NODE: shard.grid @sp(shape = 8)
// NODE: scf.for
// NODE: dattn.micro_attention {{.*}} mask(<causal, q = 0 + 8 * i, k = 0 + 8 * j>)
// On 4 nodes over InfiniBand, 256 tokens a GPU cannot hide a flat ring's
// block transfer, which every step waits for where the ring leaves a node.
// auto takes 2 nodes (16 GPUs), the heads split 2 ways inside each, and the
// ring in the hierarchical order: inner rings of a node's 4 ring positions
// over NVLink, one InfiniBand hop per outer step under 4 steps of compute.
// That beats one node's 8 GPUs (striped, 0.139 ms) and the flat rings.
// CLUSTER: remark: auto: head-parallel=2 x striped (inner rings of 4) on 16 ranks: 0.112 ms{{.*}}; also considered: zigzag on 16 ranks{{.*}} striped on 16 ranks: 0.813 ms{{.*}} striped (inner rings of 8) on 16 ranks: 0.158 ms{{.*}} fewer ranks are faster than all 32: the transfers would not hide under the compute
// Forced onto all 32 GPUs, transfers are exposed whatever the strategy;
// head parallelism cuts the ring, the hierarchical order hides most hops
// under inner rings, and the pair wins in spite of the unhidden
// all-to-all.
// FORCED: remark: auto: head-parallel={{[24]}} x striped (inner rings of {{[24]}}) on 32 ranks: {{.*}} exposed transfer 0.{{[1-9][0-9]*}} ms{{.*}}; also considered: zigzag on 32 ranks
// ALLGPUS: shard.grid @sp(shape = 8)
// NOTOPO: error: dattn-plan-prefill: strategy=auto needs the cluster: attach one with --dattn-topology=file=<topology.json>
// NOFIT: error: 'dattn.attention' op no prefill strategy fits T memory (10 MiB) on up to 2 ranks; the smallest needs: {{.*}}does not fit)
func.func @prefill(%q: tensor<1x32x8192x128xbf16>, %k: tensor<1x8x8192x128xbf16>, %v: tensor<1x8x8192x128xbf16>) -> tensor<1x32x8192x128xbf16> {
  // expected-remark @+1 {{auto: striped on 8 ranks}}
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x32x8192x128xbf16>, tensor<1x8x8192x128xbf16>, tensor<1x8x8192x128xbf16> -> tensor<1x32x8192x128xbf16>
  return %o : tensor<1x32x8192x128xbf16>
}
