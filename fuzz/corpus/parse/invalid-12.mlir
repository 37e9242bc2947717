
// 4: k and v have the same shape.
func.func @attention_a4(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x8x64xf32>) {
  // expected-error @+1 {{k and v must have the same shape, got 'tensor<1x2x16x64xf32>' and 'tensor<1x2x8x64xf32>'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x8x64xf32> -> tensor<1x8x16x64xf32>
  return
}

