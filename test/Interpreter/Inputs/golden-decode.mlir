// Golden cases (test/golden/attention.txt) that dattn-plan-decode plans;
// run by ../golden.mlir.

// Decode: one token per sequence at position 16, GQA 4:1, D = 64.
func.func @gqa4_decode_b2_s1x17_d64(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x17x64xf32>, %v: tensor<2x2x17x64xf32>) -> tensor<2x8x1x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 16 + 1 * i>) : tensor<2x8x1x64xf32>, tensor<2x2x17x64xf32>, tensor<2x2x17x64xf32> -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

// Two sequences, 7 queries against 64 keys, no mask, explicit scale.
func.func @mha_full_b2_s7x64_d8(%q: tensor<2x2x7x8xf32>, %k: tensor<2x2x64x8xf32>, %v: tensor<2x2x64x8xf32>) -> tensor<2x2x7x8xf32> {
  %o = dattn.attention %q, %k, %v scale(0.3) : tensor<2x2x7x8xf32>, tensor<2x2x64x8xf32>, tensor<2x2x64x8xf32> -> tensor<2x2x7x8xf32>
  return %o : tensor<2x2x7x8xf32>
}

// A chunk of 7 queries at the end of 64 keys (bottom-right causal).
func.func @gqa4_causal_chunk_s7x64_d16(%q: tensor<1x8x7x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>) -> tensor<1x8x7x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 57 + 1 * i>) scale(0.2) : tensor<1x8x7x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32> -> tensor<1x8x7x16xf32>
  return %o : tensor<1x8x7x16xf32>
}
