// A numerics test whose checks pass whether or not anything is planned:
// the rank count is optional. Not a test: lit skips Inputs folders.

// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=2}' | FileCheck %s --check-prefix=N2

// N2-COUNT-1: @causal: 1 result(s){{( x 2 ranks)?}}, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok

func.func @causal(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}
