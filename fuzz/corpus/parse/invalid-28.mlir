
// 9: positions of the last row and column fit in 64 bits.
func.func @micro_attention_ma9(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{mask positions of the last row or column overflow 64 bits}}
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 0 + 1000000000000000000 * i>) : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> !dattn.state<1x8x16x64>
  return
}

