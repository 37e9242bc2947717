// Causal prefill attention of one Llama-3-8B layer (32 query heads, 8 KV
// heads, head_dim 128, bf16) over 512 tokens: the bundled example that the
// README's Quick start compiles and checks.
func.func @llama3_8b_prefill(%q: tensor<1x32x512x128xbf16>, %k: tensor<1x8x512x128xbf16>, %v: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x32x512x128xbf16>, tensor<1x8x512x128xbf16>, tensor<1x8x512x128xbf16> -> tensor<1x32x512x128xbf16>
  return %o : tensor<1x32x512x128xbf16>
}
