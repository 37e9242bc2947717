// A decode plan of a full (non-causal) attention verifies: a full tile's
// query positions decide nothing, so they are not held against its rows.
// An unplanned attention is refused by the timeline (it has no tiles to
// follow), not run on data the simulation does not have.
// RUN: dattn-opt %s --dattn-plan-decode="ranks=4" --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s
// RUN: not dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-simulate-timeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNPLANNED

// CHECK: dattn-verify-plan: @decode_full on 4 rank(s): every visible (q, k) pair is computed exactly once
// UNPLANNED: error: this attention is not planned into tiles yet; run dattn-plan-prefill, dattn-plan-decode or dattn-decompose first
func.func @decode_full(%q: tensor<2x4x1x8xf32>, %k: tensor<2x2x240x8xf32>, %v: tensor<2x2x240x8xf32>) -> tensor<2x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<full>) : tensor<2x4x1x8xf32>, tensor<2x2x240x8xf32>, tensor<2x2x240x8xf32> -> tensor<2x4x1x8xf32>
  return %o : tensor<2x4x1x8xf32>
}
