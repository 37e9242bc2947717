
// 3: q, k and v agree on batch.
func.func @micro_attention_ma3(%q: tensor<1x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) {
  // expected-error @+1 {{batch sizes differ: q has 1, k and v have 2}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> !dattn.state<1x8x16x64>
  return
}

