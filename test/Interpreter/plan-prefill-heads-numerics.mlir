// Head-parallel x sequence-parallel prefill computes the unpartitioned
// attention: every strategy on [N/P, P] grids (P = 2, 4; rings of 1 to 4),
// causal and full, GQA 2:1 and none, divisible and padded lengths, after
// dattn-overlap; every rank within 1e-9.

// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=2 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=4 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=6 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N6
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=8 head-parallel=4},dattn-overlap' | FileCheck %s --check-prefix=N8
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=4 head-parallel=4},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=2 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=4 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=6 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N6
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=8 head-parallel=4},dattn-overlap' | FileCheck %s --check-prefix=N8
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=4 head-parallel=4},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=2 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=4 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=6 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N6
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=8 head-parallel=4},dattn-overlap' | FileCheck %s --check-prefix=N8
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=4 head-parallel=4},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=2 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=4 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=6 head-parallel=2},dattn-overlap' | FileCheck %s --check-prefix=N6
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=8 head-parallel=4},dattn-overlap' | FileCheck %s --check-prefix=N8
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=4 head-parallel=4},dattn-overlap' | FileCheck %s --check-prefix=N4

// Each prefix names the rank count its RUN lines plan for and counts an
// `ok` line per function (dattn-run also exits 1 on any MISMATCH).
// scripts/check-numerics-pinned.py (test/Scripts) shows that each RUN line
// fails when canonicalize replaces the planning.
// N2-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 2 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N4-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 4 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N6-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 6 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N8-COUNT-8: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 8 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}

func.func @causal_gqa1_s48(%q: tensor<1x4x48x8xf32>, %k: tensor<1x4x48x8xf32>, %v: tensor<1x4x48x8xf32>) -> tensor<1x4x48x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x48x8xf32>, tensor<1x4x48x8xf32>, tensor<1x4x48x8xf32> -> tensor<1x4x48x8xf32>
  return %o : tensor<1x4x48x8xf32>
}

func.func @causal_gqa1_s37(%q: tensor<1x4x37x8xf32>, %k: tensor<1x4x37x8xf32>, %v: tensor<1x4x37x8xf32>) -> tensor<1x4x37x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x37x8xf32>, tensor<1x4x37x8xf32>, tensor<1x4x37x8xf32> -> tensor<1x4x37x8xf32>
  return %o : tensor<1x4x37x8xf32>
}

func.func @causal_gqa2_s48(%q: tensor<1x8x48x8xf32>, %k: tensor<1x4x48x8xf32>, %v: tensor<1x4x48x8xf32>) -> tensor<1x8x48x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x48x8xf32>, tensor<1x4x48x8xf32>, tensor<1x4x48x8xf32> -> tensor<1x8x48x8xf32>
  return %o : tensor<1x8x48x8xf32>
}

func.func @causal_gqa2_s37(%q: tensor<1x8x37x8xf32>, %k: tensor<1x4x37x8xf32>, %v: tensor<1x4x37x8xf32>) -> tensor<1x8x37x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x37x8xf32>, tensor<1x4x37x8xf32>, tensor<1x4x37x8xf32> -> tensor<1x8x37x8xf32>
  return %o : tensor<1x8x37x8xf32>
}

func.func @full_gqa1_s48(%q: tensor<1x4x48x8xf32>, %k: tensor<1x4x48x8xf32>, %v: tensor<1x4x48x8xf32>) -> tensor<1x4x48x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x48x8xf32>, tensor<1x4x48x8xf32>, tensor<1x4x48x8xf32> -> tensor<1x4x48x8xf32>
  return %o : tensor<1x4x48x8xf32>
}

func.func @full_gqa1_s37(%q: tensor<1x4x37x8xf32>, %k: tensor<1x4x37x8xf32>, %v: tensor<1x4x37x8xf32>) -> tensor<1x4x37x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x37x8xf32>, tensor<1x4x37x8xf32>, tensor<1x4x37x8xf32> -> tensor<1x4x37x8xf32>
  return %o : tensor<1x4x37x8xf32>
}

func.func @full_gqa2_s48(%q: tensor<1x8x48x8xf32>, %k: tensor<1x4x48x8xf32>, %v: tensor<1x4x48x8xf32>) -> tensor<1x8x48x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x48x8xf32>, tensor<1x4x48x8xf32>, tensor<1x4x48x8xf32> -> tensor<1x8x48x8xf32>
  return %o : tensor<1x8x48x8xf32>
}

func.func @full_gqa2_s37(%q: tensor<1x8x37x8xf32>, %k: tensor<1x4x37x8xf32>, %v: tensor<1x4x37x8xf32>) -> tensor<1x8x37x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x37x8xf32>, tensor<1x4x37x8xf32>, tensor<1x4x37x8xf32> -> tensor<1x8x37x8xf32>
  return %o : tensor<1x8x37x8xf32>
}
