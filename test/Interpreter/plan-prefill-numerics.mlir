// Every prefill strategy computes the unpartitioned attention: each plan runs
// on its simulated ranks in the evaluator (fp64), every rank assembles the
// whole output, and each must match the input program within 1e-9 relative
// error. Strategies x N in {1, 2, 3, 4, 5, 8} x {causal, full} x {GQA 4:1,
// none} x {240 tokens (divisible by N and 2N for every N here), 37 tokens
// (padded, k_end hides the padding)}.

// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=ring ranks=1})' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=2}' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=3}' | FileCheck %s --check-prefix=N3
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=4}' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=5}' | FileCheck %s --check-prefix=N5
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=8}' | FileCheck %s --check-prefix=N8
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=striped ranks=1})' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=2}' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=3}' | FileCheck %s --check-prefix=N3
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=4}' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=5}' | FileCheck %s --check-prefix=N5
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=8}' | FileCheck %s --check-prefix=N8
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=zigzag ranks=1})' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=2}' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=3}' | FileCheck %s --check-prefix=N3
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=4}' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=5}' | FileCheck %s --check-prefix=N5
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=8}' | FileCheck %s --check-prefix=N8
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=all-gather ranks=1})' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=2}' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=3}' | FileCheck %s --check-prefix=N3
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=4}' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=5}' | FileCheck %s --check-prefix=N5
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=8}' | FileCheck %s --check-prefix=N8
// The same after dattn-overlap pipelines the ring:
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=ring ranks=1},dattn-overlap)' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=2},dattn-overlap' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=3},dattn-overlap' | FileCheck %s --check-prefix=N3
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=4},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=5},dattn-overlap' | FileCheck %s --check-prefix=N5
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=8},dattn-overlap' | FileCheck %s --check-prefix=N8
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=striped ranks=1},dattn-overlap)' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=2},dattn-overlap' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=3},dattn-overlap' | FileCheck %s --check-prefix=N3
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=4},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=5},dattn-overlap' | FileCheck %s --check-prefix=N5
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=8},dattn-overlap' | FileCheck %s --check-prefix=N8
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=zigzag ranks=1},dattn-overlap)' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=2},dattn-overlap' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=3},dattn-overlap' | FileCheck %s --check-prefix=N3
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=4},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=5},dattn-overlap' | FileCheck %s --check-prefix=N5
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=8},dattn-overlap' | FileCheck %s --check-prefix=N8
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=all-gather ranks=1},dattn-overlap)' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=2},dattn-overlap' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=3},dattn-overlap' | FileCheck %s --check-prefix=N3
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=4},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=5},dattn-overlap' | FileCheck %s --check-prefix=N5
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=8},dattn-overlap' | FileCheck %s --check-prefix=N8

// Each prefix names the rank count its RUN lines plan for and counts an
// `ok` line per function (dattn-run also exits 1 on any MISMATCH).
// dattn-run prints the same for a plan on one rank as for the unplanned
// program, so the N1 lines plan with dattn-opt and check the planned
// module's grid ahead of the comparison.
// scripts/check-numerics-pinned.py (test/Scripts) shows that each RUN line
// fails when canonicalize replaces the planning.
// N1: shard.grid @{{[a-z_]+}}(shape = 1)
// N1-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N2-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 2 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N3-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 3 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N4-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 4 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N5-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 5 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N8-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 8 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}

func.func @causal_gqa1_s240(%q: tensor<1x2x240x8xf32>, %k: tensor<1x2x240x8xf32>, %v: tensor<1x2x240x8xf32>) -> tensor<1x2x240x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x240x8xf32>, tensor<1x2x240x8xf32>, tensor<1x2x240x8xf32> -> tensor<1x2x240x8xf32>
  return %o : tensor<1x2x240x8xf32>
}

func.func @causal_gqa1_s37(%q: tensor<1x2x37x8xf32>, %k: tensor<1x2x37x8xf32>, %v: tensor<1x2x37x8xf32>) -> tensor<1x2x37x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32> -> tensor<1x2x37x8xf32>
  return %o : tensor<1x2x37x8xf32>
}

func.func @causal_gqa4_s240(%q: tensor<1x4x240x8xf32>, %k: tensor<1x1x240x8xf32>, %v: tensor<1x1x240x8xf32>) -> tensor<1x4x240x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x240x8xf32>, tensor<1x1x240x8xf32>, tensor<1x1x240x8xf32> -> tensor<1x4x240x8xf32>
  return %o : tensor<1x4x240x8xf32>
}

func.func @causal_gqa4_s37(%q: tensor<1x4x37x8xf32>, %k: tensor<1x1x37x8xf32>, %v: tensor<1x1x37x8xf32>) -> tensor<1x4x37x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x37x8xf32>, tensor<1x1x37x8xf32>, tensor<1x1x37x8xf32> -> tensor<1x4x37x8xf32>
  return %o : tensor<1x4x37x8xf32>
}

func.func @full_gqa1_s240(%q: tensor<1x2x240x8xf32>, %k: tensor<1x2x240x8xf32>, %v: tensor<1x2x240x8xf32>) -> tensor<1x2x240x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x240x8xf32>, tensor<1x2x240x8xf32>, tensor<1x2x240x8xf32> -> tensor<1x2x240x8xf32>
  return %o : tensor<1x2x240x8xf32>
}

func.func @full_gqa1_s37(%q: tensor<1x2x37x8xf32>, %k: tensor<1x2x37x8xf32>, %v: tensor<1x2x37x8xf32>) -> tensor<1x2x37x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32> -> tensor<1x2x37x8xf32>
  return %o : tensor<1x2x37x8xf32>
}

func.func @full_gqa4_s240(%q: tensor<1x4x240x8xf32>, %k: tensor<1x1x240x8xf32>, %v: tensor<1x1x240x8xf32>) -> tensor<1x4x240x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x240x8xf32>, tensor<1x1x240x8xf32>, tensor<1x1x240x8xf32> -> tensor<1x4x240x8xf32>
  return %o : tensor<1x4x240x8xf32>
}

func.func @full_gqa4_s37(%q: tensor<1x4x37x8xf32>, %k: tensor<1x1x37x8xf32>, %v: tensor<1x1x37x8xf32>) -> tensor<1x4x37x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x37x8xf32>, tensor<1x1x37x8xf32>, tensor<1x1x37x8xf32> -> tensor<1x4x37x8xf32>
  return %o : tensor<1x4x37x8xf32>
}
