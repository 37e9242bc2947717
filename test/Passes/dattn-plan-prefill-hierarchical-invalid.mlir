// What inner-ring=G refuses, with the reason.
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=6 inner-ring=4" 2>&1 | FileCheck %s --check-prefix=DIVIDE
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=8 inner-ring=4 head-parallel=4" 2>&1 | FileCheck %s --check-prefix=HEADS
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=8 inner-ring=4" 2>&1 | FileCheck %s --check-prefix=GATHER
// RUN: not dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-prefill="ranks=16 inner-ring=8" 2>&1 | FileCheck %s --check-prefix=AUTO
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8 inner-ring=0" 2>&1 | FileCheck %s --check-prefix=ZERO

// DIVIDE: error: dattn-plan-prefill: inner-ring=4 must divide the ring of 6 ranks
// HEADS: error: dattn-plan-prefill: inner-ring=4 must divide the ring of 2 ranks (ranks / head-parallel)
// GATHER: error: dattn-plan-prefill: inner-ring=4 orders a ring; all-gather has none
// AUTO: error: dattn-plan-prefill: inner-ring=8 is chosen by strategy=auto itself; drop inner-ring or pick a strategy
// ZERO: error: dattn-plan-prefill: inner-ring=0 must be at least 1
func.func @p(%q: tensor<1x4x64x8xf32>, %k: tensor<1x4x64x8xf32>, %v: tensor<1x4x64x8xf32>) -> tensor<1x4x64x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x64x8xf32>, tensor<1x4x64x8xf32>, tensor<1x4x64x8xf32> -> tensor<1x4x64x8xf32>
  return %o : tensor<1x4x64x8xf32>
}
