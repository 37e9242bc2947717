// Each plan numerics test pins the rank count it plans for: with its
// planning replaced by canonicalize, every RUN line fails at the check of
// that count (check-numerics-pinned.py), where an optional count would not.

// RUN: python3 %S/../../scripts/check-numerics-pinned.py --dattn-run dattn-run --dattn-opt dattn-opt %S/../Interpreter/plan-*-numerics.mlir | FileCheck %s
// RUN: not python3 %S/../../scripts/check-numerics-pinned.py --dattn-run dattn-run --dattn-opt dattn-opt %S/Inputs/numerics-unpinned.mlir | FileCheck %s --check-prefix=UNPINNED

// CHECK: plan-decode-masters-numerics.mlir: 10 of 10 RUN lines fail without planning, at the rank count (N in {1, 2, 3, 4, 5, 8})
// CHECK: plan-decode-numerics.mlir: 8 of 8 RUN lines fail without planning, at the rank count (N in {1, 2, 3, 4, 5, 8})
// CHECK: plan-prefill-gqa-groups-numerics.mlir: 15 of 15 RUN lines fail without planning, at the rank count (N in {1, 2, 3})
// CHECK: plan-prefill-heads-numerics.mlir: 20 of 20 RUN lines fail without planning, at the rank count (N in {2, 4, 6, 8})
// CHECK: plan-prefill-hierarchical-numerics.mlir: 27 of 27 RUN lines fail without planning, at the rank count (N in {2, 3, 4, 5, 6, 8})
// CHECK: plan-prefill-numerics.mlir: 48 of 48 RUN lines fail without planning, at the rank count (N in {1, 2, 3, 4, 5, 8})

// UNPINNED: numerics-unpinned.mlir: RUN line 4: passes without planning: N2 pins nothing
// UNPINNED: numerics-unpinned.mlir: 0 of 1 RUN lines fail without planning
