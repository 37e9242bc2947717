
// A10: the mask leaves some pair visible.
func.func @attention_a10(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{mask hides every (q, k) pair; check the q and k position offsets}}
  %o = dattn.attention %q, %k, %v mask(<causal, k = 16 + 1 * j>) : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> tensor<1x8x16x64xf32>
  return
}

