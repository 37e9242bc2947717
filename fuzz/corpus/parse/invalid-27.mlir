
// 8: the scale is finite and positive.
func.func @micro_attention_ma8(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{scale must be finite and positive, got -1}}
  %s = dattn.micro_attention %q, %k, %v scale(-1.0) : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> !dattn.state<1x8x16x64>
  return
}

