// dattn-run's comparison must be able to fail. Inputs/compare-wrong.mlir
// holds the same functions computed wrongly in ways a buggy pass could:
// a dropped tile, a shifted causal diagonal, a slightly different scale.

// RUN: not dattn-run %s --compare-with=%S/Inputs/compare-wrong.mlir | FileCheck %s
// RUN: dattn-run %s --entry=scale_off_by_a_little --compare-with=%S/Inputs/compare-wrong.mlir --tol=1e-2 | FileCheck %s --check-prefix=LOOSE

// CHECK: @dropped_tile: 1 result(s), rel_err {{.*}}: MISMATCH
// CHECK: @shifted_diagonal: 1 result(s), rel_err {{.*}}: MISMATCH
// CHECK: @scale_off_by_a_little: 1 result(s), rel_err {{.*}} (tol 1e-09): MISMATCH
// CHECK: @same: 1 result(s), rel_err 0 (tol 1e-09): ok
// LOOSE: @scale_off_by_a_little: 1 result(s), rel_err {{.*}} (tol 0.01): ok

func.func @dropped_tile(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32> -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}

func.func @shifted_diagonal(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32> -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}

func.func @scale_off_by_a_little(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %o = dattn.attention %q, %k, %v scale(0.125) : tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32> -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}

func.func @same(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32> -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}

// A ring plan whose blocks travel the wrong way round is caught too.
// RUN: dattn-opt %S/../Passes/dattn-plan-prefill-padding.mlir --dattn-plan-prefill="strategy=ring ranks=4" | sed 's/offset = 1 rotate/offset = -1 rotate/' > %t.reversed.mlir
// RUN: not dattn-run %S/../Passes/dattn-plan-prefill-padding.mlir --compare-with=%t.reversed.mlir | FileCheck %s --check-prefix=REVERSED
// REVERSED: @full_37: 1 result(s) x 4 ranks, rel_err {{.*}}: MISMATCH
