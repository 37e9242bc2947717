// decode-batch4.mlir in bf16 at head_dim 128, for the cuda target's kernels.
func.func @decode(%q: tensor<4x4x1x128xbf16>, %k: tensor<4x2x300x128xbf16>, %v: tensor<4x2x300x128xbf16>) -> tensor<4x4x1x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 299 + 1 * i>) : tensor<4x4x1x128xbf16>, tensor<4x2x300x128xbf16>, tensor<4x2x300x128xbf16> -> tensor<4x4x1x128xbf16>
  return %o : tensor<4x4x1x128xbf16>
}
