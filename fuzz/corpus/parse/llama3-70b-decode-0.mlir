// One decode step of a Llama-3-70B layer (64 query heads, 8 KV heads,
// head_dim 128, bf16): one new token at position 131071 attending to a
// 128K-token KV cache.
func.func @llama3_70b_decode(%q: tensor<1x64x1x128xbf16>, %k: tensor<1x8x131072x128xbf16>, %v: tensor<1x8x131072x128xbf16>) -> tensor<1x64x1x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 131071 + 1 * i>) : tensor<1x64x1x128xbf16>, tensor<1x8x131072x128xbf16>, tensor<1x8x131072x128xbf16> -> tensor<1x64x1x128xbf16>
  return %o : tensor<1x64x1x128xbf16>
}
