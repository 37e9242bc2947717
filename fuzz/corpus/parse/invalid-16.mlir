
// 8: the scale is finite and positive.
func.func @attention_a8(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{scale must be finite and positive, got -1}}
  %o = dattn.attention %q, %k, %v scale(-1.0) : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> tensor<1x8x16x64xf32>
  return
}

