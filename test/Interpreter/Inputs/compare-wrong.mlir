// Wrong versions of the functions in ../compare.mlir (not a test itself).

// The causal 16 x 16 attention in 8-blocks with the fully visible
// lower-left tile forgotten.
func.func @dropped_tile(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %q0 = tensor.extract_slice %q[0, 0, 0, 0] [1, 2, 8, 32] [1, 1, 1, 1] : tensor<1x2x16x32xf32> to tensor<1x2x8x32xf32>
  %q1 = tensor.extract_slice %q[0, 0, 8, 0] [1, 2, 8, 32] [1, 1, 1, 1] : tensor<1x2x16x32xf32> to tensor<1x2x8x32xf32>
  %k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 2, 8, 32] [1, 1, 1, 1] : tensor<1x2x16x32xf32> to tensor<1x2x8x32xf32>
  %k1 = tensor.extract_slice %k[0, 0, 8, 0] [1, 2, 8, 32] [1, 1, 1, 1] : tensor<1x2x16x32xf32> to tensor<1x2x8x32xf32>
  %v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 2, 8, 32] [1, 1, 1, 1] : tensor<1x2x16x32xf32> to tensor<1x2x8x32xf32>
  %v1 = tensor.extract_slice %v[0, 0, 8, 0] [1, 2, 8, 32] [1, 1, 1, 1] : tensor<1x2x16x32xf32> to tensor<1x2x8x32xf32>
  %s00 = dattn.micro_attention %q0, %k0, %v0 mask(<causal>) : tensor<1x2x8x32xf32>, tensor<1x2x8x32xf32>, tensor<1x2x8x32xf32> -> !dattn.state<1x2x8x32>
  %s11 = dattn.micro_attention %q1, %k1, %v1 mask(<causal, q = 8 + 1 * i, k = 8 + 1 * j>) : tensor<1x2x8x32xf32>, tensor<1x2x8x32xf32>, tensor<1x2x8x32xf32> -> !dattn.state<1x2x8x32>
  %o0 = dattn.finalize %s00 : !dattn.state<1x2x8x32> -> tensor<1x2x8x32xf32>
  %o1 = dattn.finalize %s11 : !dattn.state<1x2x8x32> -> tensor<1x2x8x32xf32>
  %o = tensor.concat dim(2) %o0, %o1 : (tensor<1x2x8x32xf32>, tensor<1x2x8x32xf32>) -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}

// The diagonal shifted by one: each row also sees the next token.
func.func @shifted_diagonal(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 1 + 1 * i>) : tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32> -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}

// 0.126 instead of 0.125.
func.func @scale_off_by_a_little(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %o = dattn.attention %q, %k, %v scale(0.126) : tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32> -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}

func.func @same(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32> -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}
