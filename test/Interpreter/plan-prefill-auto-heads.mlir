// strategy=auto weighs head parallelism and the ring's order too: on 32
// GPUs of 4 InfiniBand nodes, 8 tokens a GPU cannot hide a ring's
// transfers; splitting the heads 4 ways inside each node leaves each node 2
// ring positions, and the hierarchical order passes the blocks between
// them over NVLink and crosses InfiniBand once per outer step (all-to-all
// charged). The plan it picks matches unpartitioned attention on all 32
// simulated ranks.
// RUN: dattn-run %s --compare-pipeline="dattn-topology{file=%S/../../examples/topologies/h100-4x8-ib400.json},dattn-plan-prefill{ranks=32},dattn-overlap" 2>&1 | FileCheck %s

// CHECK: remark: auto: head-parallel=4 x striped (inner rings of 2) on 32 ranks
// CHECK: @prefill: 1 result(s) x 32 ranks, rel_err {{.*}} (tol 1e-09): ok
func.func @prefill(%q: tensor<1x16x256x16xf32>, %k: tensor<1x8x256x16xf32>, %v: tensor<1x8x256x16xf32>) -> tensor<1x16x256x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x16x256x16xf32>, tensor<1x8x256x16xf32>, tensor<1x8x256x16xf32> -> tensor<1x16x256x16xf32>
  return %o : tensor<1x16x256x16xf32>
}
