// Every prefill strategy computes the unpartitioned attention: each plan runs
// on its simulated ranks in the evaluator (fp64), every rank assembles the
// whole output, and each must match the input program within 1e-9 relative
// error. Strategies x N in {1, 2, 3, 4, 5, 8} x {causal, full} x {GQA 4:1,
// none} x {240 tokens (divisible by N and 2N for every N here), 37 tokens
// (padded, k_end hides the padding)}.

// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=1}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=2}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=3}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=4}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=5}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=8}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=1}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=2}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=3}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=4}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=5}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=8}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=1}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=2}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=3}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=4}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=5}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=8}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=1}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=2}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=3}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=4}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=5}' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=8}' | FileCheck %s
// The same after dattn-overlap pipelines the ring:
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=1},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=2},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=3},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=4},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=5},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=8},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=1},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=2},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=3},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=4},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=5},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=8},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=1},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=2},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=3},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=4},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=5},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=8},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=1},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=2},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=3},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=4},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=5},dattn-overlap' | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=8},dattn-overlap' | FileCheck %s

// CHECK-NOT: MISMATCH
// CHECK: @causal_gqa1_s240: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa1_s37: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa4_s240: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @causal_gqa4_s37: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa1_s240: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa1_s37: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa4_s240: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK: @full_gqa4_s37: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// CHECK-NOT: MISMATCH

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
