
// 7: the result has q's type.
func.func @attention_a7(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{result must have q's type 'tensor<1x8x16x64xf32>', got 'tensor<1x8x16x64xbf16>'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> tensor<1x8x16x64xbf16>
  return
}

