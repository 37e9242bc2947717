// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=6 head-parallel=3" -verify-diagnostics

// The KV heads must split evenly.
func.func @uneven(%q: tensor<1x8x16x16xf32>, %k: tensor<1x4x16x16xf32>, %v: tensor<1x4x16x16xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+1 {{head-parallel=3 does not divide the 4 KV heads}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x16xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32> -> tensor<1x8x16x16xf32>
  return %o : tensor<1x8x16x16xf32>
}
