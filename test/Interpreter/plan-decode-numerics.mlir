// KV-parallel decode computes the unpartitioned attention: N in {1, 2, 3, 4,
// 5, 8} x {causal at the end of the cache, full} x {GQA 4:1, none} x {240
// tokens (divisible), 37 (padded)} x {1, 3 query tokens}, and budgets that
// leave ranks idle (Mnemosyne fills a rank before the next): every rank
// merges the gathered partial states and must match within 1e-9.

// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-decode{ranks=1})' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=2}' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=3}' | FileCheck %s --check-prefix=N3
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=4}' | FileCheck %s --check-prefix=N4
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=5}' | FileCheck %s --check-prefix=N5
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=8}' | FileCheck %s --check-prefix=N8
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=8 budget=64}' | FileCheck %s --check-prefix=N8
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=5 budget=100},canonicalize,cse' | FileCheck %s --check-prefix=N5

// Each prefix names the rank count its RUN lines plan for and counts an
// `ok` line per function (dattn-run also exits 1 on any MISMATCH).
// dattn-run prints the same for a plan on one rank as for the unplanned
// program, so the N1 lines plan with dattn-opt and check the planned
// module's grid ahead of the comparison.
// scripts/check-numerics-pinned.py (test/Scripts) shows that each RUN line
// fails when canonicalize replaces the planning.
// N1: shard.grid @{{[a-z_]+}}(shape = 1)
// N1-COUNT-16: {{^}}@{{[a-z0-9_]+}}: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N2-COUNT-16: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 2 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N3-COUNT-16: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 3 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N4-COUNT-16: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 4 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N5-COUNT-16: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 5 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N8-COUNT-16: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 8 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}

func.func @causal_gqa1_s240_q1(%q: tensor<1x2x1x8xf32>, %k: tensor<1x2x240x8xf32>, %v: tensor<1x2x240x8xf32>) -> tensor<1x2x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 239 + 1 * i>) : tensor<1x2x1x8xf32>, tensor<1x2x240x8xf32>, tensor<1x2x240x8xf32> -> tensor<1x2x1x8xf32>
  return %o : tensor<1x2x1x8xf32>
}

func.func @causal_gqa1_s240_q3(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x240x8xf32>, %v: tensor<1x2x240x8xf32>) -> tensor<1x2x3x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 237 + 1 * i>) : tensor<1x2x3x8xf32>, tensor<1x2x240x8xf32>, tensor<1x2x240x8xf32> -> tensor<1x2x3x8xf32>
  return %o : tensor<1x2x3x8xf32>
}

func.func @causal_gqa1_s37_q1(%q: tensor<1x2x1x8xf32>, %k: tensor<1x2x37x8xf32>, %v: tensor<1x2x37x8xf32>) -> tensor<1x2x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<1x2x1x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32> -> tensor<1x2x1x8xf32>
  return %o : tensor<1x2x1x8xf32>
}

func.func @causal_gqa1_s37_q3(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x37x8xf32>, %v: tensor<1x2x37x8xf32>) -> tensor<1x2x3x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 34 + 1 * i>) : tensor<1x2x3x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32> -> tensor<1x2x3x8xf32>
  return %o : tensor<1x2x3x8xf32>
}

func.func @causal_gqa4_s240_q1(%q: tensor<1x4x1x8xf32>, %k: tensor<1x1x240x8xf32>, %v: tensor<1x1x240x8xf32>) -> tensor<1x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 239 + 1 * i>) : tensor<1x4x1x8xf32>, tensor<1x1x240x8xf32>, tensor<1x1x240x8xf32> -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}

func.func @causal_gqa4_s240_q3(%q: tensor<1x4x3x8xf32>, %k: tensor<1x1x240x8xf32>, %v: tensor<1x1x240x8xf32>) -> tensor<1x4x3x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 237 + 1 * i>) : tensor<1x4x3x8xf32>, tensor<1x1x240x8xf32>, tensor<1x1x240x8xf32> -> tensor<1x4x3x8xf32>
  return %o : tensor<1x4x3x8xf32>
}

func.func @causal_gqa4_s37_q1(%q: tensor<1x4x1x8xf32>, %k: tensor<1x1x37x8xf32>, %v: tensor<1x1x37x8xf32>) -> tensor<1x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<1x4x1x8xf32>, tensor<1x1x37x8xf32>, tensor<1x1x37x8xf32> -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}

func.func @causal_gqa4_s37_q3(%q: tensor<1x4x3x8xf32>, %k: tensor<1x1x37x8xf32>, %v: tensor<1x1x37x8xf32>) -> tensor<1x4x3x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 34 + 1 * i>) : tensor<1x4x3x8xf32>, tensor<1x1x37x8xf32>, tensor<1x1x37x8xf32> -> tensor<1x4x3x8xf32>
  return %o : tensor<1x4x3x8xf32>
}

func.func @full_gqa1_s240_q1(%q: tensor<1x2x1x8xf32>, %k: tensor<1x2x240x8xf32>, %v: tensor<1x2x240x8xf32>) -> tensor<1x2x1x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x1x8xf32>, tensor<1x2x240x8xf32>, tensor<1x2x240x8xf32> -> tensor<1x2x1x8xf32>
  return %o : tensor<1x2x1x8xf32>
}

func.func @full_gqa1_s240_q3(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x240x8xf32>, %v: tensor<1x2x240x8xf32>) -> tensor<1x2x3x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x3x8xf32>, tensor<1x2x240x8xf32>, tensor<1x2x240x8xf32> -> tensor<1x2x3x8xf32>
  return %o : tensor<1x2x3x8xf32>
}

func.func @full_gqa1_s37_q1(%q: tensor<1x2x1x8xf32>, %k: tensor<1x2x37x8xf32>, %v: tensor<1x2x37x8xf32>) -> tensor<1x2x1x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x1x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32> -> tensor<1x2x1x8xf32>
  return %o : tensor<1x2x1x8xf32>
}

func.func @full_gqa1_s37_q3(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x37x8xf32>, %v: tensor<1x2x37x8xf32>) -> tensor<1x2x3x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x3x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32> -> tensor<1x2x3x8xf32>
  return %o : tensor<1x2x3x8xf32>
}

func.func @full_gqa4_s240_q1(%q: tensor<1x4x1x8xf32>, %k: tensor<1x1x240x8xf32>, %v: tensor<1x1x240x8xf32>) -> tensor<1x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x1x8xf32>, tensor<1x1x240x8xf32>, tensor<1x1x240x8xf32> -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}

func.func @full_gqa4_s240_q3(%q: tensor<1x4x3x8xf32>, %k: tensor<1x1x240x8xf32>, %v: tensor<1x1x240x8xf32>) -> tensor<1x4x3x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x3x8xf32>, tensor<1x1x240x8xf32>, tensor<1x1x240x8xf32> -> tensor<1x4x3x8xf32>
  return %o : tensor<1x4x3x8xf32>
}

func.func @full_gqa4_s37_q1(%q: tensor<1x4x1x8xf32>, %k: tensor<1x1x37x8xf32>, %v: tensor<1x1x37x8xf32>) -> tensor<1x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x1x8xf32>, tensor<1x1x37x8xf32>, tensor<1x1x37x8xf32> -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}

func.func @full_gqa4_s37_q3(%q: tensor<1x4x3x8xf32>, %k: tensor<1x1x37x8xf32>, %v: tensor<1x1x37x8xf32>) -> tensor<1x4x3x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x3x8xf32>, tensor<1x1x37x8xf32>, tensor<1x1x37x8xf32> -> tensor<1x4x3x8xf32>
  return %o : tensor<1x4x3x8xf32>
}
