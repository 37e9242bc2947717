
// 2: q, k and v share one element type.
func.func @attention_a2_mixed(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xbf16>, %v: tensor<1x2x16x64xbf16>) {
  // expected-error @+1 {{q, k and v must share one element type, got 'f32', 'bf16' and 'bf16'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16> -> tensor<1x8x16x64xf32>
  return
}

