// 16 requests of Llama-3-8B attention decoding against 128K cached tokens each.
func.func @decode(%q: tensor<16x32x1x128xbf16>, %k: tensor<16x8x131072x128xbf16>, %v: tensor<16x8x131072x128xbf16>) -> tensor<16x32x1x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 131071 + 1 * i>) : tensor<16x32x1x128xbf16>, tensor<16x8x131072x128xbf16>, tensor<16x8x131072x128xbf16> -> tensor<16x32x1x128xbf16>
  return %o : tensor<16x32x1x128xbf16>
}
