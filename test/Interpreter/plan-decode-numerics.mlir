// KV-parallel decode computes the unpartitioned attention: N in {1, 2, 3, 4,
// 5, 8} x {causal at the end of the cache, full} x {GQA 4:1, none} x {240
// tokens (divisible), 37 (padded)} x {1, 3 query tokens}, and budgets that
// leave ranks idle (Mnemosyne fills a rank before the next): every rank
// merges the gathered partial states and must match within 1e-9.

// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=1}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=2}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=3}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=4}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=5}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=8}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=8 budget=64}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=5 budget=100},canonicalize,cse' | FileCheck %s

// CHECK-NOT: MISMATCH
// CHECK: @causal_gqa1_s240_q1: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa1_s240_q3: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa1_s37_q1: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa1_s37_q3: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa4_s240_q1: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa4_s240_q3: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa4_s37_q1: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa4_s37_q3: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa1_s240_q1: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa1_s240_q3: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa1_s37_q1: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa1_s37_q3: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa4_s240_q1: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa4_s240_q3: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa4_s37_q1: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa4_s37_q3: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK-NOT: MISMATCH

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
