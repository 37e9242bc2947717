
// F2: the output element type is f16, bf16 or f32.
func.func @finalize_f2(%s: !dattn.state<1x8x16x64>) {
  // expected-error @+1 {{output element type must be f16, bf16 or f32, got 'i8'}}
  %o = dattn.finalize %s : !dattn.state<1x8x16x64> -> tensor<1x8x16x64xi8>
  return
}

