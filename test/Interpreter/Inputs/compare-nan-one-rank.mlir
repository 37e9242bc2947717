// A plan on two ranks whose shift does not rotate: the rank at the open end
// receives nothing (NaN in the evaluator), the other its neighbour's copy of
// the input, equal to its own. Only one rank's output holds NaN.
shard.grid @sp(shape = 2)

func.func @nan_on_one_rank(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %y = shard.shift %x on @sp grid_axes = [0] shift_axis = 0 offset = 1 : tensor<1x1x2x3xf32> -> tensor<1x1x2x3xf32>
  return %y : tensor<1x1x2x3xf32>
}

// The other way round: the last rank receives nothing.
func.func @nan_on_last_rank(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %y = shard.shift %x on @sp grid_axes = [0] shift_axis = 0 offset = -1 : tensor<1x1x2x3xf32> -> tensor<1x1x2x3xf32>
  return %y : tensor<1x1x2x3xf32>
}
