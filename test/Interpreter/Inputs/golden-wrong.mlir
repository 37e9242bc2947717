// Golden cases (test/golden/attention.txt) computed wrongly, one mistake
// each; ../golden.mlir checks that dattn-run --golden rejects every one.

// The kv heads swapped: q heads 0-3 read kv head 1, 4-7 kv head 0.
func.func @gqa4_causal_chunk_s7x64_d16(%q: tensor<1x8x7x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>) -> tensor<1x8x7x16xf32> {
  %k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 1, 64, 16] [1, 1, 1, 1] : tensor<1x2x64x16xf32> to tensor<1x1x64x16xf32>
  %k1 = tensor.extract_slice %k[0, 1, 0, 0] [1, 1, 64, 16] [1, 1, 1, 1] : tensor<1x2x64x16xf32> to tensor<1x1x64x16xf32>
  %v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 1, 64, 16] [1, 1, 1, 1] : tensor<1x2x64x16xf32> to tensor<1x1x64x16xf32>
  %v1 = tensor.extract_slice %v[0, 1, 0, 0] [1, 1, 64, 16] [1, 1, 1, 1] : tensor<1x2x64x16xf32> to tensor<1x1x64x16xf32>
  %ks = tensor.concat dim(1) %k1, %k0 : (tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32>) -> tensor<1x2x64x16xf32>
  %vs = tensor.concat dim(1) %v1, %v0 : (tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32>) -> tensor<1x2x64x16xf32>
  %o = dattn.attention %q, %ks, %vs mask(<causal, q = 57 + 1 * i>) scale(0.2) : tensor<1x8x7x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32> -> tensor<1x8x7x16xf32>
  return %o : tensor<1x8x7x16xf32>
}

// The default scale where the case has scale 0.3.
func.func @mha_full_b2_s7x64_d8(%q: tensor<2x2x7x8xf32>, %k: tensor<2x2x64x8xf32>, %v: tensor<2x2x64x8xf32>) -> tensor<2x2x7x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<2x2x7x8xf32>, tensor<2x2x64x8xf32>, tensor<2x2x64x8xf32> -> tensor<2x2x7x8xf32>
  return %o : tensor<2x2x7x8xf32>
}

// The query one position early: it misses the last key.
func.func @gqa4_decode_b2_s1x17_d64(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x17x64xf32>, %v: tensor<2x2x17x64xf32>) -> tensor<2x8x1x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 15 + 1 * i>) : tensor<2x8x1x64xf32>, tensor<2x2x17x64xf32>, tensor<2x2x17x64xf32> -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

// k_end one key too far: key 50 is visible.
func.func @striped_causal_kend_d8(%q: tensor<1x2x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>) -> (tensor<1x2x16x8xf32>, tensor<1x2x16xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 1 + 4 * i, k = 2 + 4 * j, k_end = 54>) : tensor<1x2x16x8xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32> -> !dattn.state<1x2x16x8>
  %o, %lse = dattn.finalize %s : !dattn.state<1x2x16x8> -> tensor<1x2x16x8xf32>, tensor<1x2x16xf32>
  return %o, %lse : tensor<1x2x16x8xf32>, tensor<1x2x16xf32>
}

// The right out with the lse of another scale: lse is checked too.
func.func @gqa2_causal_s64_d16(%q: tensor<1x2x64x16xf32>, %k: tensor<1x1x64x16xf32>, %v: tensor<1x1x64x16xf32>) -> (tensor<1x2x64x16xf32>, tensor<1x2x64xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal>) : tensor<1x2x64x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32> -> !dattn.state<1x2x64x16>
  %t = dattn.micro_attention %q, %k, %v mask(<causal>) scale(0.5) : tensor<1x2x64x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32> -> !dattn.state<1x2x64x16>
  %o = dattn.finalize %s : !dattn.state<1x2x64x16> -> tensor<1x2x64x16xf32>
  %unused, %lse = dattn.finalize %t : !dattn.state<1x2x64x16> -> tensor<1x2x64x16xf32>, tensor<1x2x64xf32>
  return %o, %lse : tensor<1x2x64x16xf32>, tensor<1x2x64xf32>
}

// q of the wrong head_dim for the case.
func.func @gqa4_single_token_d8(%q: tensor<1x4x1x16xf32>, %k: tensor<1x1x1x16xf32>, %v: tensor<1x1x1x16xf32>) -> tensor<1x4x1x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x1x16xf32>, tensor<1x1x1x16xf32>, tensor<1x1x1x16xf32> -> tensor<1x4x1x16xf32>
  return %o : tensor<1x4x1x16xf32>
}

// NaN everywhere (what a read of an unwritten buffer gives): no error norm
// may let it through.
func.func @mha_full_kend_s7x33_d16(%q: tensor<1x2x7x16xf32>, %k: tensor<1x2x33x16xf32>, %v: tensor<1x2x33x16xf32>) -> tensor<1x2x7x16xf32> {
  %nan = arith.constant dense<0x7FC00000> : tensor<1x2x7x16xf32>
  return %nan : tensor<1x2x7x16xf32>
}

// A function no case is named after.
func.func @not_a_case(%q: tensor<1x1x1x8xf32>, %k: tensor<1x1x1x8xf32>, %v: tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x1x1x8xf32>, tensor<1x1x1x8xf32>, tensor<1x1x1x8xf32> -> tensor<1x1x1x8xf32>
  return %o : tensor<1x1x1x8xf32>
}
