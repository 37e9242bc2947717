// Two attentions in a row: dattnc plans it at its own length, but cannot
// re-plan it for --max-seq-len (test/Tools/dattnc.mlir TWOSTEPS).
func.func @twice(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  %p = dattn.attention %o, %k, %v mask(<causal>) : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %p : tensor<1x2x16x8xf32>
}
