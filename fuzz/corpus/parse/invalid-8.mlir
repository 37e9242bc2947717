
// 1: shapes are static (dynamic shapes are not supported yet).
func.func @attention_a1_dynamic(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) {
  // expected-error @+1 {{dynamic shapes are not supported yet: 'k' has type 'tensor<1x2x?x64xf32>'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32> -> tensor<1x8x16x64xf32>
  return
}

