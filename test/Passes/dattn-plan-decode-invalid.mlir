// RUN: dattn-opt %s --dattn-plan-decode="ranks=4 budget=8" -split-input-file -verify-diagnostics
// RUN: not dattn-opt %s --dattn-plan-decode=ranks=-1 2>&1 | FileCheck %s --check-prefix=RANKS
// RUN: not dattn-opt %s --dattn-plan-decode 2>&1 | FileCheck %s --check-prefix=NOTOPO
// RUN: not dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-decode=ranks=9 2>&1 | FileCheck %s --check-prefix=TOOMANY
// TOOMANY: error: dattn-plan-decode: ranks=9 but the topology (h100-1x8-nvlink) has 8 GPUs
// RANKS: error: dattn-plan-decode: ranks and budget must not be negative, got ranks=-1 budget=0
// NOTOPO: error: dattn-plan-decode: give ranks=N or attach a topology (--dattn-topology) to choose them

// 40 tokens do not fit 4 ranks of 8.
func.func @too_long(%q: tensor<1x8x1x16xf32>, %k: tensor<1x8x40x16xf32>, %v: tensor<1x8x40x16xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{the KV of 40 tokens needs 5 ranks at a budget of 8 tokens each; only 4 given}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x1x16xf32>, tensor<1x8x40x16xf32>, tensor<1x8x40x16xf32> -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @shifted_keys(%q: tensor<1x8x1x16xf32>, %k: tensor<1x8x16x16xf32>, %v: tensor<1x8x16x16xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{decode plans need keys at positions 0, 1, 2, ...; shifted, strided or limited key positions are not implemented yet}}
  %o = dattn.attention %q, %k, %v mask(<causal, q = 99 + 1 * i, k = 50 + 1 * j>) : tensor<1x8x1x16xf32>, tensor<1x8x16x16xf32>, tensor<1x8x16x16xf32> -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}
