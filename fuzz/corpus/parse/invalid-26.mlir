
// 7: the state covers q's rows.
func.func @micro_attention_ma7(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{result state must have q's shape [1, 8, 16, 64], got '!dattn.state<1x8x8x64>'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> !dattn.state<1x8x8x64>
  return
}

