
// 2: the element type is f16, bf16 or f32.
func.func @attention_a2_type(%q: tensor<1x8x16x64xf64>, %k: tensor<1x2x16x64xf64>, %v: tensor<1x2x16x64xf64>) {
  // expected-error @+1 {{element type must be f16, bf16 or f32, got 'f64'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf64>, tensor<1x2x16x64xf64>, tensor<1x2x16x64xf64> -> tensor<1x8x16x64xf64>
  return
}

