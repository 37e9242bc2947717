// Golden cases (test/golden/attention.txt) of tiles with strided or limited
// key positions; run by ../golden.mlir.

// A striped tile of 4 ranks (queries 1 + 4i, keys 2 + 4j) of a 50-token
// sequence; row 0 sees no key.
func.func @striped_causal_kend_d8(%q: tensor<1x2x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 1 + 4 * i, k = 2 + 4 * j, k_end = 50>) : tensor<1x2x16x8xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// Keys at 20 and later are padding.
func.func @mha_full_kend_s7x33_d16(%q: tensor<1x2x7x16xf32>, %k: tensor<1x2x33x16xf32>, %v: tensor<1x2x33x16xf32>) -> tensor<1x2x7x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<full, k_end = 20>) scale(0.17) : tensor<1x2x7x16xf32>, tensor<1x2x33x16xf32>, tensor<1x2x33x16xf32> -> tensor<1x2x7x16xf32>
  return %o : tensor<1x2x7x16xf32>
}
