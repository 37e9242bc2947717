func.func @f(%q: tensor<1x4x4x8xf32>, %k: tensor<1x0x4x8xf32>, %v: tensor<1x0x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x4x8xf32>, tensor<1x0x4x8xf32>, tensor<1x0x4x8xf32> -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}
