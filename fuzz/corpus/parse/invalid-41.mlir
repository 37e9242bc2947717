
// AS1: out is the state's f32 partial output.
func.func @as_state_as1(%o: tensor<1x32x1x128xbf16>, %l: tensor<1x32x1xf32>) {
  // expected-error @+1 {{out must be 'tensor<1x32x1x128xf32>', got 'tensor<1x32x1x128xbf16>'}}
  %s = dattn.as_state %o, %l : tensor<1x32x1x128xbf16>, tensor<1x32x1xf32> -> !dattn.state<1x32x1x128>
  return
}

