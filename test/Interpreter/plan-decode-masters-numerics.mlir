// Multi-master KV-parallel decode (masters=true: each rank masters B/N of
// the batch's requests, its queries go around the ring to every KV holder,
// and it merges the partial states the others return to it) computes the
// unpartitioned attention, planned alone and after dattn-overlap: N in {1, 2, 3, 4, 5, 8} over a batch of 120 requests x
// {causal at the end of the cache, full} x {GQA 4:1, none} x {240 tokens,
// 37 (padded)} x {1, 3 query tokens}, and budgets that leave ranks idle;
// batches of 7, 2 and 1 that do not divide over the ranks (padded with
// empty requests, fewer real ones on the last masters): every rank's
// assembled output within 1e-9.

// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=1 masters=true}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=2 masters=true}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=3 masters=true}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=4 masters=true}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=5 masters=true}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=8 masters=true}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=2 masters=true},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=3 masters=true},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=5 masters=true},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-decode{ranks=8 budget=64 masters=true},canonicalize,cse' | FileCheck %s

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
// CHECK: @causal_gqa4_s37_q1_b7: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa1_s240_q3_b2: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa1_s240_q1_b1: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK-NOT: MISMATCH

func.func @causal_gqa1_s240_q1(%q: tensor<120x2x1x8xf32>, %k: tensor<120x2x240x8xf32>, %v: tensor<120x2x240x8xf32>) -> tensor<120x2x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 239 + 1 * i>) : tensor<120x2x1x8xf32>, tensor<120x2x240x8xf32>, tensor<120x2x240x8xf32> -> tensor<120x2x1x8xf32>
  return %o : tensor<120x2x1x8xf32>
}

func.func @causal_gqa1_s240_q3(%q: tensor<120x2x3x8xf32>, %k: tensor<120x2x240x8xf32>, %v: tensor<120x2x240x8xf32>) -> tensor<120x2x3x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 237 + 1 * i>) : tensor<120x2x3x8xf32>, tensor<120x2x240x8xf32>, tensor<120x2x240x8xf32> -> tensor<120x2x3x8xf32>
  return %o : tensor<120x2x3x8xf32>
}

func.func @causal_gqa1_s37_q1(%q: tensor<120x2x1x8xf32>, %k: tensor<120x2x37x8xf32>, %v: tensor<120x2x37x8xf32>) -> tensor<120x2x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<120x2x1x8xf32>, tensor<120x2x37x8xf32>, tensor<120x2x37x8xf32> -> tensor<120x2x1x8xf32>
  return %o : tensor<120x2x1x8xf32>
}

func.func @causal_gqa1_s37_q3(%q: tensor<120x2x3x8xf32>, %k: tensor<120x2x37x8xf32>, %v: tensor<120x2x37x8xf32>) -> tensor<120x2x3x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 34 + 1 * i>) : tensor<120x2x3x8xf32>, tensor<120x2x37x8xf32>, tensor<120x2x37x8xf32> -> tensor<120x2x3x8xf32>
  return %o : tensor<120x2x3x8xf32>
}

func.func @causal_gqa4_s240_q1(%q: tensor<120x4x1x8xf32>, %k: tensor<120x1x240x8xf32>, %v: tensor<120x1x240x8xf32>) -> tensor<120x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 239 + 1 * i>) : tensor<120x4x1x8xf32>, tensor<120x1x240x8xf32>, tensor<120x1x240x8xf32> -> tensor<120x4x1x8xf32>
  return %o : tensor<120x4x1x8xf32>
}

func.func @causal_gqa4_s240_q3(%q: tensor<120x4x3x8xf32>, %k: tensor<120x1x240x8xf32>, %v: tensor<120x1x240x8xf32>) -> tensor<120x4x3x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 237 + 1 * i>) : tensor<120x4x3x8xf32>, tensor<120x1x240x8xf32>, tensor<120x1x240x8xf32> -> tensor<120x4x3x8xf32>
  return %o : tensor<120x4x3x8xf32>
}

func.func @causal_gqa4_s37_q1(%q: tensor<120x4x1x8xf32>, %k: tensor<120x1x37x8xf32>, %v: tensor<120x1x37x8xf32>) -> tensor<120x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<120x4x1x8xf32>, tensor<120x1x37x8xf32>, tensor<120x1x37x8xf32> -> tensor<120x4x1x8xf32>
  return %o : tensor<120x4x1x8xf32>
}

func.func @causal_gqa4_s37_q3(%q: tensor<120x4x3x8xf32>, %k: tensor<120x1x37x8xf32>, %v: tensor<120x1x37x8xf32>) -> tensor<120x4x3x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 34 + 1 * i>) : tensor<120x4x3x8xf32>, tensor<120x1x37x8xf32>, tensor<120x1x37x8xf32> -> tensor<120x4x3x8xf32>
  return %o : tensor<120x4x3x8xf32>
}

func.func @full_gqa1_s240_q1(%q: tensor<120x2x1x8xf32>, %k: tensor<120x2x240x8xf32>, %v: tensor<120x2x240x8xf32>) -> tensor<120x2x1x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<120x2x1x8xf32>, tensor<120x2x240x8xf32>, tensor<120x2x240x8xf32> -> tensor<120x2x1x8xf32>
  return %o : tensor<120x2x1x8xf32>
}

func.func @full_gqa1_s240_q3(%q: tensor<120x2x3x8xf32>, %k: tensor<120x2x240x8xf32>, %v: tensor<120x2x240x8xf32>) -> tensor<120x2x3x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<120x2x3x8xf32>, tensor<120x2x240x8xf32>, tensor<120x2x240x8xf32> -> tensor<120x2x3x8xf32>
  return %o : tensor<120x2x3x8xf32>
}

func.func @full_gqa1_s37_q1(%q: tensor<120x2x1x8xf32>, %k: tensor<120x2x37x8xf32>, %v: tensor<120x2x37x8xf32>) -> tensor<120x2x1x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<120x2x1x8xf32>, tensor<120x2x37x8xf32>, tensor<120x2x37x8xf32> -> tensor<120x2x1x8xf32>
  return %o : tensor<120x2x1x8xf32>
}

func.func @full_gqa1_s37_q3(%q: tensor<120x2x3x8xf32>, %k: tensor<120x2x37x8xf32>, %v: tensor<120x2x37x8xf32>) -> tensor<120x2x3x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<120x2x3x8xf32>, tensor<120x2x37x8xf32>, tensor<120x2x37x8xf32> -> tensor<120x2x3x8xf32>
  return %o : tensor<120x2x3x8xf32>
}

func.func @full_gqa4_s240_q1(%q: tensor<120x4x1x8xf32>, %k: tensor<120x1x240x8xf32>, %v: tensor<120x1x240x8xf32>) -> tensor<120x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<120x4x1x8xf32>, tensor<120x1x240x8xf32>, tensor<120x1x240x8xf32> -> tensor<120x4x1x8xf32>
  return %o : tensor<120x4x1x8xf32>
}

func.func @full_gqa4_s240_q3(%q: tensor<120x4x3x8xf32>, %k: tensor<120x1x240x8xf32>, %v: tensor<120x1x240x8xf32>) -> tensor<120x4x3x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<120x4x3x8xf32>, tensor<120x1x240x8xf32>, tensor<120x1x240x8xf32> -> tensor<120x4x3x8xf32>
  return %o : tensor<120x4x3x8xf32>
}

func.func @full_gqa4_s37_q1(%q: tensor<120x4x1x8xf32>, %k: tensor<120x1x37x8xf32>, %v: tensor<120x1x37x8xf32>) -> tensor<120x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<120x4x1x8xf32>, tensor<120x1x37x8xf32>, tensor<120x1x37x8xf32> -> tensor<120x4x1x8xf32>
  return %o : tensor<120x4x1x8xf32>
}

func.func @full_gqa4_s37_q3(%q: tensor<120x4x3x8xf32>, %k: tensor<120x1x37x8xf32>, %v: tensor<120x1x37x8xf32>) -> tensor<120x4x3x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<120x4x3x8xf32>, tensor<120x1x37x8xf32>, tensor<120x1x37x8xf32> -> tensor<120x4x3x8xf32>
  return %o : tensor<120x4x3x8xf32>
}

func.func @causal_gqa4_s37_q1_b7(%q: tensor<7x4x1x8xf32>, %k: tensor<7x1x37x8xf32>, %v: tensor<7x1x37x8xf32>) -> tensor<7x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<7x4x1x8xf32>, tensor<7x1x37x8xf32>, tensor<7x1x37x8xf32> -> tensor<7x4x1x8xf32>
  return %o : tensor<7x4x1x8xf32>
}

func.func @full_gqa1_s240_q3_b2(%q: tensor<2x2x3x8xf32>, %k: tensor<2x2x240x8xf32>, %v: tensor<2x2x240x8xf32>) -> tensor<2x2x3x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<full>) : tensor<2x2x3x8xf32>, tensor<2x2x240x8xf32>, tensor<2x2x240x8xf32> -> tensor<2x2x3x8xf32>
  return %o : tensor<2x2x3x8xf32>
}

func.func @causal_gqa1_s240_q1_b1(%q: tensor<1x2x1x8xf32>, %k: tensor<1x2x240x8xf32>, %v: tensor<1x2x240x8xf32>) -> tensor<1x2x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 239 + 1 * i>) : tensor<1x2x1x8xf32>, tensor<1x2x240x8xf32>, tensor<1x2x240x8xf32> -> tensor<1x2x1x8xf32>
  return %o : tensor<1x2x1x8xf32>
}
