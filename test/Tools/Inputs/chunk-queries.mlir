// The last 5 of 37 tokens' queries (a prefill chunk): their causal positions
// are compiled in, so the bundle runs this length only
// (test/Tools/dattnc.mlir CHUNK).
func.func @chunk(%q: tensor<1x2x5x8xf32>, %k: tensor<1x2x37x8xf32>, %v: tensor<1x2x37x8xf32>) -> tensor<1x2x5x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 32 + 1 * i>) : tensor<1x2x5x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32> -> tensor<1x2x5x8xf32>
  return %o : tensor<1x2x5x8xf32>
}
