
// 2: the element type is f16, bf16 or f32.
func.func @micro_attention_ma2_type(%q: tensor<1x8x16x64xf64>, %k: tensor<1x2x16x64xf64>, %v: tensor<1x2x16x64xf64>) {
  // expected-error @+1 {{element type must be f16, bf16 or f32, got 'f64'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf64>, tensor<1x2x16x64xf64>, tensor<1x2x16x64xf64> -> !dattn.state<1x8x16x64>
  return
}

