
// 5: q and k have the same head_dim.
func.func @micro_attention_ma5(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x128xf32>, %v: tensor<1x2x16x128xf32>) {
  // expected-error @+1 {{head_dim differs: q has 64, k has 128}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x128xf32>, tensor<1x2x16x128xf32> -> !dattn.state<1x8x16x64>
  return
}

