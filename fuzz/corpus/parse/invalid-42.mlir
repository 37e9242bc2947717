
// AS2: lse is [B, H, Q] in f32.
func.func @as_state_as2(%o: tensor<1x32x1x128xf32>, %l: tensor<1x32x2xf32>) {
  // expected-error @+1 {{lse must be 'tensor<1x32x1xf32>', got 'tensor<1x32x2xf32>'}}
  %s = dattn.as_state %o, %l : tensor<1x32x1x128xf32>, tensor<1x32x2xf32> -> !dattn.state<1x32x1x128>
  return
}

