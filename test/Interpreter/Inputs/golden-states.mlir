// Every golden case (test/golden/attention.txt) as a state: out and lse;
// run by ../golden.mlir.

// GQA 4:1, causal from position 0.
func.func @gqa4_causal_s33_d16(%q: tensor<1x4x33x16xf32>, %k: tensor<1x1x33x16xf32>, %v: tensor<1x1x33x16xf32>) -> (tensor<1x4x33x16xf32>, tensor<1x4x33xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal>) : tensor<1x4x33x16xf32>, tensor<1x1x33x16xf32>, tensor<1x1x33x16xf32> -> !dattn.state<1x4x33x16>
  %o, %lse = dattn.finalize %s : !dattn.state<1x4x33x16> -> tensor<1x4x33x16xf32>, tensor<1x4x33xf32>
  return %o, %lse : tensor<1x4x33x16xf32>, tensor<1x4x33xf32>
}

// Two sequences, 7 queries against 64 keys, no mask, explicit scale.
func.func @mha_full_b2_s7x64_d8(%q: tensor<2x2x7x8xf32>, %k: tensor<2x2x64x8xf32>, %v: tensor<2x2x64x8xf32>) -> (tensor<2x2x7x8xf32>, tensor<2x2x7xf32>) {
  %s = dattn.micro_attention %q, %k, %v scale(0.3) : tensor<2x2x7x8xf32>, tensor<2x2x64x8xf32>, tensor<2x2x64x8xf32> -> !dattn.state<2x2x7x8>
  %o, %lse = dattn.finalize %s : !dattn.state<2x2x7x8> -> tensor<2x2x7x8xf32>, tensor<2x2x7xf32>
  return %o, %lse : tensor<2x2x7x8xf32>, tensor<2x2x7xf32>
}

// Decode: one token per sequence at position 16, GQA 4:1, D = 64.
func.func @gqa4_decode_b2_s1x17_d64(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x17x64xf32>, %v: tensor<2x2x17x64xf32>) -> (tensor<2x8x1x64xf32>, tensor<2x8x1xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 16 + 1 * i>) : tensor<2x8x1x64xf32>, tensor<2x2x17x64xf32>, tensor<2x2x17x64xf32> -> !dattn.state<2x8x1x64>
  %o, %lse = dattn.finalize %s : !dattn.state<2x8x1x64> -> tensor<2x8x1x64xf32>, tensor<2x8x1xf32>
  return %o, %lse : tensor<2x8x1x64xf32>, tensor<2x8x1xf32>
}

// A chunk of 7 queries at the end of 64 keys (bottom-right causal).
func.func @gqa4_causal_chunk_s7x64_d16(%q: tensor<1x8x7x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>) -> (tensor<1x8x7x16xf32>, tensor<1x8x7xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 57 + 1 * i>) scale(0.2) : tensor<1x8x7x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32> -> !dattn.state<1x8x7x16>
  %o, %lse = dattn.finalize %s : !dattn.state<1x8x7x16> -> tensor<1x8x7x16xf32>, tensor<1x8x7xf32>
  return %o, %lse : tensor<1x8x7x16xf32>, tensor<1x8x7xf32>
}

// A striped tile of 4 ranks (queries 1 + 4i, keys 2 + 4j) of a 50-token
// sequence; row 0 sees no key.
func.func @striped_causal_kend_d8(%q: tensor<1x2x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>) -> (tensor<1x2x16x8xf32>, tensor<1x2x16xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 1 + 4 * i, k = 2 + 4 * j, k_end = 50>) : tensor<1x2x16x8xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32> -> !dattn.state<1x2x16x8>
  %o, %lse = dattn.finalize %s : !dattn.state<1x2x16x8> -> tensor<1x2x16x8xf32>, tensor<1x2x16xf32>
  return %o, %lse : tensor<1x2x16x8xf32>, tensor<1x2x16xf32>
}

// One token against one key.
func.func @gqa4_single_token_d8(%q: tensor<1x4x1x8xf32>, %k: tensor<1x1x1x8xf32>, %v: tensor<1x1x1x8xf32>) -> (tensor<1x4x1x8xf32>, tensor<1x4x1xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal>) : tensor<1x4x1x8xf32>, tensor<1x1x1x8xf32>, tensor<1x1x1x8xf32> -> !dattn.state<1x4x1x8>
  %o, %lse = dattn.finalize %s : !dattn.state<1x4x1x8> -> tensor<1x4x1x8xf32>, tensor<1x4x1xf32>
  return %o, %lse : tensor<1x4x1x8xf32>, tensor<1x4x1xf32>
}

// Keys at 20 and later are padding.
func.func @mha_full_kend_s7x33_d16(%q: tensor<1x2x7x16xf32>, %k: tensor<1x2x33x16xf32>, %v: tensor<1x2x33x16xf32>) -> (tensor<1x2x7x16xf32>, tensor<1x2x7xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<full, k_end = 20>) scale(0.17) : tensor<1x2x7x16xf32>, tensor<1x2x33x16xf32>, tensor<1x2x33x16xf32> -> !dattn.state<1x2x7x16>
  %o, %lse = dattn.finalize %s : !dattn.state<1x2x7x16> -> tensor<1x2x7x16xf32>, tensor<1x2x7xf32>
  return %o, %lse : tensor<1x2x7x16xf32>, tensor<1x2x7xf32>
}

// GQA 2:1, a 64 x 64 causal tile.
func.func @gqa2_causal_s64_d16(%q: tensor<1x2x64x16xf32>, %k: tensor<1x1x64x16xf32>, %v: tensor<1x1x64x16xf32>) -> (tensor<1x2x64x16xf32>, tensor<1x2x64xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal>) : tensor<1x2x64x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32> -> !dattn.state<1x2x64x16>
  %o, %lse = dattn.finalize %s : !dattn.state<1x2x64x16> -> tensor<1x2x64x16xf32>, tensor<1x2x64xf32>
  return %o, %lse : tensor<1x2x64x16xf32>, tensor<1x2x64xf32>
}
