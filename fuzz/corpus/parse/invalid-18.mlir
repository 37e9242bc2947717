
// 1: operands are rank-4 tensors.
func.func @micro_attention_ma1_rank(%q: tensor<16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'q' must be a rank-4 tensor [batch, heads, seq, head_dim], got 'tensor<16x64xf32>'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> !dattn.state<1x1x1x1>
  return
}

