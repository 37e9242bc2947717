// Four requests decoding one token each against 300 cached tokens
// (Llama-like GQA 2:1 at a small head_dim): a batch for multi-master decode.
func.func @decode(%q: tensor<4x4x1x16xf32>, %k: tensor<4x2x300x16xf32>, %v: tensor<4x2x300x16xf32>) -> tensor<4x4x1x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 299 + 1 * i>) : tensor<4x4x1x16xf32>, tensor<4x2x300x16xf32>, tensor<4x2x300x16xf32> -> tensor<4x4x1x16xf32>
  return %o : tensor<4x4x1x16xf32>
}
