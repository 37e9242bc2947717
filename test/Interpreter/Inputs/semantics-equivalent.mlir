// Independent formulations of the functions in ../semantics.mlir.

func.func @merge_with_identity(%q: tensor<1x2x8x16xf32>, %k: tensor<1x1x8x16xf32>, %v: tensor<1x1x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

func.func @rows_are_independent(%q: tensor<1x2x12x16xf32>, %k: tensor<1x2x12x16xf32>, %v: tensor<1x2x12x16xf32>) -> tensor<1x2x12x16xf32> {
  %q0 = tensor.extract_slice %q[0, 0, 0, 0] [1, 2, 8, 16] [1, 1, 1, 1] : tensor<1x2x12x16xf32> to tensor<1x2x8x16xf32>
  %q1 = tensor.extract_slice %q[0, 0, 8, 0] [1, 2, 4, 16] [1, 1, 1, 1] : tensor<1x2x12x16xf32> to tensor<1x2x4x16xf32>
  %a = dattn.attention %q0, %k, %v mask(<causal>) : tensor<1x2x8x16xf32>, tensor<1x2x12x16xf32>, tensor<1x2x12x16xf32> -> tensor<1x2x8x16xf32>
  %b = dattn.attention %q1, %k, %v mask(<causal, q = 8 + 1 * i>) : tensor<1x2x4x16xf32>, tensor<1x2x12x16xf32>, tensor<1x2x12x16xf32> -> tensor<1x2x4x16xf32>
  %o = tensor.concat dim(2) %a, %b : (tensor<1x2x8x16xf32>, tensor<1x2x4x16xf32>) -> tensor<1x2x12x16xf32>
  return %o : tensor<1x2x12x16xf32>
}

func.func @lse_of_split_keys(%q: tensor<2x4x5x16xf32>, %k: tensor<2x2x10x16xf32>, %v: tensor<2x2x10x16xf32>) -> (tensor<2x4x5x16xf32>, tensor<2x4x5xf32>) {
  %k0 = tensor.extract_slice %k[0, 0, 0, 0] [2, 2, 7, 16] [1, 1, 1, 1] : tensor<2x2x10x16xf32> to tensor<2x2x7x16xf32>
  %v0 = tensor.extract_slice %v[0, 0, 0, 0] [2, 2, 7, 16] [1, 1, 1, 1] : tensor<2x2x10x16xf32> to tensor<2x2x7x16xf32>
  %k1 = tensor.extract_slice %k[0, 0, 7, 0] [2, 2, 3, 16] [1, 1, 1, 1] : tensor<2x2x10x16xf32> to tensor<2x2x3x16xf32>
  %v1 = tensor.extract_slice %v[0, 0, 7, 0] [2, 2, 3, 16] [1, 1, 1, 1] : tensor<2x2x10x16xf32> to tensor<2x2x3x16xf32>
  %s0 = dattn.micro_attention %q, %k0, %v0 mask(<causal, q = 5 + 1 * i>) : tensor<2x4x5x16xf32>, tensor<2x2x7x16xf32>, tensor<2x2x7x16xf32> -> !dattn.state<2x4x5x16>
  %s1 = dattn.micro_attention %q, %k1, %v1 mask(<causal, q = 5 + 1 * i, k = 7 + 1 * j>) : tensor<2x4x5x16xf32>, tensor<2x2x3x16xf32>, tensor<2x2x3x16xf32> -> !dattn.state<2x4x5x16>
  %m = dattn.merge %s1, %s0 : !dattn.state<2x4x5x16>
  %o, %lse = dattn.finalize %m : !dattn.state<2x4x5x16> -> tensor<2x4x5x16xf32>, tensor<2x4x5xf32>
  return %o, %lse : tensor<2x4x5x16xf32>, tensor<2x4x5xf32>
}

func.func @insert_slice_assembles_rows(%q: tensor<1x1x6x16xf32>, %k: tensor<1x1x6x16xf32>, %v: tensor<1x1x6x16xf32>) -> tensor<1x1x6x16xf32> {
  %q0 = tensor.extract_slice %q[0, 0, 0, 0] [1, 1, 2, 16] [1, 1, 1, 1] : tensor<1x1x6x16xf32> to tensor<1x1x2x16xf32>
  %q1 = tensor.extract_slice %q[0, 0, 2, 0] [1, 1, 4, 16] [1, 1, 1, 1] : tensor<1x1x6x16xf32> to tensor<1x1x4x16xf32>
  %a = dattn.attention %q0, %k, %v : tensor<1x1x2x16xf32>, tensor<1x1x6x16xf32>, tensor<1x1x6x16xf32> -> tensor<1x1x2x16xf32>
  %b = dattn.attention %q1, %k, %v : tensor<1x1x4x16xf32>, tensor<1x1x6x16xf32>, tensor<1x1x6x16xf32> -> tensor<1x1x4x16xf32>
  %e = tensor.empty() : tensor<1x1x6x16xf32>
  %o0 = tensor.insert_slice %b into %e[0, 0, 2, 0] [1, 1, 4, 16] [1, 1, 1, 1] : tensor<1x1x4x16xf32> into tensor<1x1x6x16xf32>
  %o = tensor.insert_slice %a into %o0[0, 0, 0, 0] [1, 1, 2, 16] [1, 1, 1, 1] : tensor<1x1x2x16xf32> into tensor<1x1x6x16xf32>
  return %o : tensor<1x1x6x16xf32>
}

func.func @constant() -> tensor<1x1x2x2xf32> {
  %c = arith.constant dense<[[[[1.5, 1.5], [1.5, 1.5]]]]> : tensor<1x1x2x2xf32>
  return %c : tensor<1x1x2x2xf32>
}

func.func @as_state_inverts_finalize(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x2x4x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 2 + 1 * i>) : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32> -> tensor<1x2x4x16xf32>
  return %o : tensor<1x2x4x16xf32>
}
