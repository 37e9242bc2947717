
// SS1: the transfer carries the input's type.
shard.grid @sp(shape = 2)
func.func @shift_start_ss1(%x: tensor<1x1x4x2xf32>) {
  // expected-error @+1 {{transfer must carry the input type 'tensor<1x1x4x2xf32>', got '!dattn.transfer<tensor<1x1x4x2xbf16>>'}}
  %h = dattn.shift_start %x on @sp axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x1x4x2xbf16>>
  return
}

