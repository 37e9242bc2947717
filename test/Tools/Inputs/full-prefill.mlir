// Non-causal attention (an encoder's): every key visible to every query.
func.func @full(%q: tensor<1x4x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x4x37x16xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x4x37x16xf32>
  return %o : tensor<1x4x37x16xf32>
}
