
// F1: the output has the state's shape.
func.func @finalize_f1(%s: !dattn.state<1x8x16x64>) {
  // expected-error @+1 {{output must have the state's shape, got 'tensor<1x8x16x128xf32>' for '!dattn.state<1x8x16x64>'}}
  %o = dattn.finalize %s : !dattn.state<1x8x16x64> -> tensor<1x8x16x128xf32>
  return
}

