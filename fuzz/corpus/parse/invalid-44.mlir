
// W1: the wait yields the transferred type.
func.func @wait_w1(%h: !dattn.transfer<tensor<1x1x4x2xf32>>) {
  // expected-error @+1 {{result must be the transferred type 'tensor<1x1x4x2xf32>', got 'tensor<1x1x2x2xf32>'}}
  %a = dattn.wait %h : !dattn.transfer<tensor<1x1x4x2xf32>> -> tensor<1x1x2x2xf32>
  return
}

