
// 5: q and k have the same head_dim.
func.func @attention_a5(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x128xf32>, %v: tensor<1x2x16x128xf32>) {
  // expected-error @+1 {{head_dim differs: q has 64, k has 128}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x128xf32>, tensor<1x2x16x128xf32> -> tensor<1x8x16x64xf32>
  return
}

