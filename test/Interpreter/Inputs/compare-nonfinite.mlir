// What compare-nonfinite.mlir compares with: each function as there, but
// holding a value that is not finite where the reference's is (a read of an
// unsent buffer or an unwritten tensor shows as NaN in the evaluator).

func.func @one_nan(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 0x7FC00000, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

func.func @one_inf(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[1.0, 2.0, 0x7F800000], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

func.func @minus_inf_for_finite(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[0xFF800000, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

// tensor.empty is NaN in the evaluator: a result nobody wrote.
func.func @unwritten(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %e = tensor.empty() : tensor<1x1x2x3xf32>
  return %e : tensor<1x1x2x3xf32>
}

func.func @reference_nan(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

func.func @same_minus_inf(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[0xFF800000, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}
