
// 6: q heads are a multiple of kv heads (GQA).
func.func @attention_a6(%q: tensor<1x8x16x64xf32>, %k: tensor<1x3x16x64xf32>, %v: tensor<1x3x16x64xf32>) {
  // expected-error @+1 {{q heads (8) must be a multiple of kv heads (3) for grouped-query attention}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x3x16x64xf32>, tensor<1x3x16x64xf32> -> tensor<1x8x16x64xf32>
  return
}

