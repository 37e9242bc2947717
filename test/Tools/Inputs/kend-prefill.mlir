// Keys from 30 on are padding (k_end): a position that does not follow from
// the length, so dattnc refuses --max-seq-len (test/Tools/dattnc.mlir KEND).
func.func @kend(%q: tensor<1x2x32x8xf32>, %k: tensor<1x2x32x8xf32>, %v: tensor<1x2x32x8xf32>) -> tensor<1x2x32x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, k_end = 30>) : tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32> -> tensor<1x2x32x8xf32>
  return %o : tensor<1x2x32x8xf32>
}
