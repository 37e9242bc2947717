// dattn-run's comparison fails wherever the compared version holds a NaN or
// an infinity where the reference is finite (or the reference one where the
// compared version does not), names the first such value, and counts them.
// A NaN must not vanish in the error norm or in the max over results and
// ranks. Matching -inf (the lse of a row that saw no key) still agrees.

// RUN: not dattn-run %s --compare-with=%S/Inputs/compare-nonfinite.mlir | FileCheck %s
// RUN: not dattn-run %s --entry=one_nan --compare-with=%S/Inputs/compare-nonfinite.mlir --tol=1e30 | FileCheck %s --check-prefix=LOOSE
// RUN: not dattn-run %s --entry=one_inf --compare-with=%S/Inputs/compare-nonfinite.mlir | FileCheck %s --check-prefix=INF
// RUN: not dattn-run %s --entry=nan_on_one_rank --compare-with=%S/Inputs/compare-nan-one-rank.mlir | FileCheck %s --check-prefix=RANK
// RUN: not dattn-run %s --entry=nan_on_last_rank --compare-with=%S/Inputs/compare-nan-one-rank.mlir | FileCheck %s --check-prefix=LAST

// CHECK: @one_nan: 1 result(s), rel_err inf (tol 1e-09): MISMATCH: 1 non-finite value(s) where the other side differs, the first at result #0 [0, 0, 1, 1]: nan (reference 5)
// CHECK: @one_inf: 1 result(s), rel_err inf (tol 1e-09): MISMATCH: 1 non-finite value(s) where the other side differs, the first at result #0 [0, 0, 0, 2]: inf (reference 3)
// CHECK: @minus_inf_for_finite: 1 result(s), rel_err inf (tol 1e-09): MISMATCH: 1 non-finite value(s) where the other side differs, the first at result #0 [0, 0, 0, 0]: -inf (reference 1)
// CHECK: @unwritten: 1 result(s), rel_err inf (tol 1e-09): MISMATCH: 6 non-finite value(s) where the other side differs, the first at result #0 [0, 0, 0, 0]: nan (reference 1)
// CHECK: @reference_nan: 1 result(s), rel_err inf (tol 1e-09): MISMATCH: 1 non-finite value(s) where the other side differs, the first at result #0 [0, 0, 1, 0]: 4 (reference nan)
// CHECK: @same_minus_inf: 1 result(s), rel_err 0 (tol 1e-09): ok
// CHECK: @nan_on_one_rank: MISMATCH: missing in the compared version
// CHECK: @nan_on_last_rank: MISMATCH: missing in the compared version

// No tolerance admits a NaN; an infinity fails on its own too.
// LOOSE: @one_nan: 1 result(s), rel_err inf (tol 1e+30): MISMATCH: 1 non-finite value(s)
// INF: @one_inf: 1 result(s), rel_err inf (tol 1e-09): MISMATCH: 1 non-finite value(s) where the other side differs, the first at result #0 [0, 0, 0, 2]: inf (reference 3)

// On two ranks, the one at the open end of the shift holds NaN and the
// other matches exactly (6 values: one rank's); the NaN fails the
// comparison whether it is on the first rank of the max or the last.
// RANK: @nan_on_one_rank: 1 result(s) x 2 ranks, rel_err inf (tol 1e-09): MISMATCH: 6 non-finite value(s) where the other side differs, the first at rank 0, result #0 [0, 0, 0, 0]: nan (reference
// LAST: @nan_on_last_rank: 1 result(s) x 2 ranks, rel_err inf (tol 1e-09): MISMATCH: 6 non-finite value(s) where the other side differs, the first at rank 1, result #0 [0, 0, 0, 0]: nan (reference

func.func @one_nan(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

func.func @one_inf(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

func.func @minus_inf_for_finite(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

func.func @unwritten(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

func.func @reference_nan(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[1.0, 2.0, 3.0], [0x7FC00000, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

func.func @same_minus_inf(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  %c = arith.constant dense<[[[[0xFF800000, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  return %c : tensor<1x1x2x3xf32>
}

func.func @nan_on_one_rank(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  return %x : tensor<1x1x2x3xf32>
}

func.func @nan_on_last_rank(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32> {
  return %x : tensor<1x1x2x3xf32>
}
