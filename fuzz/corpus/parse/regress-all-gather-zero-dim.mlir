
// AG1: the gathered type multiplies the gather dimension only.
shard.grid @sp(shape = 2)
func.func @all_gather_start_ag1(%x: tensor<0x1x4x2xf32>) {
  // expected-error @+1 {{gathered type 'tensor<1xer dimension 3 multiplied}}
  %h = dattn.all_gather_start %x on @sp axis = 0 gather_axis = 00 : tensor<0x1x4x2xf32> -> !dattn.transfer<tensor<1x2x8x2xf32>>
  return
}
