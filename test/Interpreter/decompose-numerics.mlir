// The evaluator shows that dattn-decompose preserves meaning: each function
// runs in fp64 on seeded random inputs before and after the pipeline, and
// every result must agree within 1e-9 relative error (dattn-run exits 1
// otherwise). Configurations: causal and full; GQA 1:1, 4:1 and 7:1;
// head_dim 64 and 128; sequence lengths 1, a multiple of the block (32), a
// non-multiple (45) and q_len != kv_len (13 queries at the end of 61 keys);
// plus strided positions, rows that see no key, batch 2 and bf16 inputs.

// RUN: dattn-run %s --compare-pipeline='dattn-decompose{q-block=16 kv-block=16 report=true}' --tol=1e-9 2>&1 | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-decompose{q-block=8 kv-block=24 report=true},canonicalize,cse' --tol=1e-9 --seed=7 2>&1 | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-decompose{q-block=5 kv-block=3 report=true}' --tol=1e-9 --seed=11 2>&1 | FileCheck %s
// A program left whole matches itself: the remarks tell a decomposed one
// apart, and without them the checks fail.
// RUN: dattn-run %s --compare-pipeline=canonicalize --tol=1e-9 2>&1 | not FileCheck %s 2>&1 | FileCheck %s --check-prefix=WHOLE
// WHOLE: error: CHECK-COUNT: expected string not found in input
// WHOLE-NEXT: COUNT-51: remark: decomposed into
// The generic form means the same: it evaluates to the same results.
// RUN: dattn-opt %s --mlir-print-op-generic > %t.generic.mlir
// RUN: dattn-run %t.generic.mlir --compare-with=%s --tol=0 | FileCheck %s --check-prefix=GENERIC
// GENERIC-COUNT-51: rel_err 0 (tol 0): ok

// CHECK-NOT: MISMATCH
// CHECK-COUNT-51: remark: decomposed into {{[0-9]+}} micro-attention tiles
// CHECK: @causal_gqa1_d64_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa1_d64_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa1_d64_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa1_d64_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa1_d128_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa1_d128_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa1_d128_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa1_d128_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa4_d64_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa4_d64_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa4_d64_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa4_d64_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa4_d128_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa4_d128_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa4_d128_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa4_d128_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa7_d64_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa7_d64_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa7_d64_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa7_d64_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa7_d128_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa7_d128_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa7_d128_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @causal_gqa7_d128_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa1_d64_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa1_d64_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa1_d64_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa1_d64_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa1_d128_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa1_d128_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa1_d128_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa1_d128_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa4_d64_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa4_d64_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa4_d64_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa4_d64_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa4_d128_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa4_d128_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa4_d128_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa4_d128_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa7_d64_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa7_d64_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa7_d64_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa7_d64_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa7_d128_q1_k1: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa7_d128_q32_k32: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa7_d128_q45_k45: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @full_gqa7_d128_q13_k61: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @striped_positions_b2: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @rows_without_keys: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK: @bf16_inputs: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok
// CHECK-NOT: MISMATCH

func.func @causal_gqa1_d64_q1_k1(%q: tensor<1x2x1x64xf32>, %k: tensor<1x2x1x64xf32>, %v: tensor<1x2x1x64xf32>) -> tensor<1x2x1x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x1x64xf32>, tensor<1x2x1x64xf32>, tensor<1x2x1x64xf32> -> tensor<1x2x1x64xf32>
  return %o : tensor<1x2x1x64xf32>
}

func.func @causal_gqa1_d64_q32_k32(%q: tensor<1x2x32x64xf32>, %k: tensor<1x2x32x64xf32>, %v: tensor<1x2x32x64xf32>) -> tensor<1x2x32x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x32x64xf32>, tensor<1x2x32x64xf32>, tensor<1x2x32x64xf32> -> tensor<1x2x32x64xf32>
  return %o : tensor<1x2x32x64xf32>
}

func.func @causal_gqa1_d64_q45_k45(%q: tensor<1x2x45x64xf32>, %k: tensor<1x2x45x64xf32>, %v: tensor<1x2x45x64xf32>) -> tensor<1x2x45x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x45x64xf32>, tensor<1x2x45x64xf32>, tensor<1x2x45x64xf32> -> tensor<1x2x45x64xf32>
  return %o : tensor<1x2x45x64xf32>
}

func.func @causal_gqa1_d64_q13_k61(%q: tensor<1x2x13x64xf32>, %k: tensor<1x2x61x64xf32>, %v: tensor<1x2x61x64xf32>) -> tensor<1x2x13x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 48 + 1 * i>) : tensor<1x2x13x64xf32>, tensor<1x2x61x64xf32>, tensor<1x2x61x64xf32> -> tensor<1x2x13x64xf32>
  return %o : tensor<1x2x13x64xf32>
}

func.func @causal_gqa1_d128_q1_k1(%q: tensor<1x2x1x128xf32>, %k: tensor<1x2x1x128xf32>, %v: tensor<1x2x1x128xf32>) -> tensor<1x2x1x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x1x128xf32>, tensor<1x2x1x128xf32>, tensor<1x2x1x128xf32> -> tensor<1x2x1x128xf32>
  return %o : tensor<1x2x1x128xf32>
}

func.func @causal_gqa1_d128_q32_k32(%q: tensor<1x2x32x128xf32>, %k: tensor<1x2x32x128xf32>, %v: tensor<1x2x32x128xf32>) -> tensor<1x2x32x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x32x128xf32>, tensor<1x2x32x128xf32>, tensor<1x2x32x128xf32> -> tensor<1x2x32x128xf32>
  return %o : tensor<1x2x32x128xf32>
}

func.func @causal_gqa1_d128_q45_k45(%q: tensor<1x2x45x128xf32>, %k: tensor<1x2x45x128xf32>, %v: tensor<1x2x45x128xf32>) -> tensor<1x2x45x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x45x128xf32>, tensor<1x2x45x128xf32>, tensor<1x2x45x128xf32> -> tensor<1x2x45x128xf32>
  return %o : tensor<1x2x45x128xf32>
}

func.func @causal_gqa1_d128_q13_k61(%q: tensor<1x2x13x128xf32>, %k: tensor<1x2x61x128xf32>, %v: tensor<1x2x61x128xf32>) -> tensor<1x2x13x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 48 + 1 * i>) : tensor<1x2x13x128xf32>, tensor<1x2x61x128xf32>, tensor<1x2x61x128xf32> -> tensor<1x2x13x128xf32>
  return %o : tensor<1x2x13x128xf32>
}

func.func @causal_gqa4_d64_q1_k1(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x1x64xf32>, %v: tensor<1x2x1x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x1x64xf32>, tensor<1x2x1x64xf32>, tensor<1x2x1x64xf32> -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @causal_gqa4_d64_q32_k32(%q: tensor<1x8x32x64xf32>, %k: tensor<1x2x32x64xf32>, %v: tensor<1x2x32x64xf32>) -> tensor<1x8x32x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x32x64xf32>, tensor<1x2x32x64xf32>, tensor<1x2x32x64xf32> -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

func.func @causal_gqa4_d64_q45_k45(%q: tensor<1x8x45x64xf32>, %k: tensor<1x2x45x64xf32>, %v: tensor<1x2x45x64xf32>) -> tensor<1x8x45x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x45x64xf32>, tensor<1x2x45x64xf32>, tensor<1x2x45x64xf32> -> tensor<1x8x45x64xf32>
  return %o : tensor<1x8x45x64xf32>
}

func.func @causal_gqa4_d64_q13_k61(%q: tensor<1x8x13x64xf32>, %k: tensor<1x2x61x64xf32>, %v: tensor<1x2x61x64xf32>) -> tensor<1x8x13x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 48 + 1 * i>) : tensor<1x8x13x64xf32>, tensor<1x2x61x64xf32>, tensor<1x2x61x64xf32> -> tensor<1x8x13x64xf32>
  return %o : tensor<1x8x13x64xf32>
}

func.func @causal_gqa4_d128_q1_k1(%q: tensor<1x8x1x128xf32>, %k: tensor<1x2x1x128xf32>, %v: tensor<1x2x1x128xf32>) -> tensor<1x8x1x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x1x128xf32>, tensor<1x2x1x128xf32>, tensor<1x2x1x128xf32> -> tensor<1x8x1x128xf32>
  return %o : tensor<1x8x1x128xf32>
}

func.func @causal_gqa4_d128_q32_k32(%q: tensor<1x8x32x128xf32>, %k: tensor<1x2x32x128xf32>, %v: tensor<1x2x32x128xf32>) -> tensor<1x8x32x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x32x128xf32>, tensor<1x2x32x128xf32>, tensor<1x2x32x128xf32> -> tensor<1x8x32x128xf32>
  return %o : tensor<1x8x32x128xf32>
}

func.func @causal_gqa4_d128_q45_k45(%q: tensor<1x8x45x128xf32>, %k: tensor<1x2x45x128xf32>, %v: tensor<1x2x45x128xf32>) -> tensor<1x8x45x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x45x128xf32>, tensor<1x2x45x128xf32>, tensor<1x2x45x128xf32> -> tensor<1x8x45x128xf32>
  return %o : tensor<1x8x45x128xf32>
}

func.func @causal_gqa4_d128_q13_k61(%q: tensor<1x8x13x128xf32>, %k: tensor<1x2x61x128xf32>, %v: tensor<1x2x61x128xf32>) -> tensor<1x8x13x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 48 + 1 * i>) : tensor<1x8x13x128xf32>, tensor<1x2x61x128xf32>, tensor<1x2x61x128xf32> -> tensor<1x8x13x128xf32>
  return %o : tensor<1x8x13x128xf32>
}

func.func @causal_gqa7_d64_q1_k1(%q: tensor<1x7x1x64xf32>, %k: tensor<1x1x1x64xf32>, %v: tensor<1x1x1x64xf32>) -> tensor<1x7x1x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x7x1x64xf32>, tensor<1x1x1x64xf32>, tensor<1x1x1x64xf32> -> tensor<1x7x1x64xf32>
  return %o : tensor<1x7x1x64xf32>
}

func.func @causal_gqa7_d64_q32_k32(%q: tensor<1x7x32x64xf32>, %k: tensor<1x1x32x64xf32>, %v: tensor<1x1x32x64xf32>) -> tensor<1x7x32x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x7x32x64xf32>, tensor<1x1x32x64xf32>, tensor<1x1x32x64xf32> -> tensor<1x7x32x64xf32>
  return %o : tensor<1x7x32x64xf32>
}

func.func @causal_gqa7_d64_q45_k45(%q: tensor<1x7x45x64xf32>, %k: tensor<1x1x45x64xf32>, %v: tensor<1x1x45x64xf32>) -> tensor<1x7x45x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x7x45x64xf32>, tensor<1x1x45x64xf32>, tensor<1x1x45x64xf32> -> tensor<1x7x45x64xf32>
  return %o : tensor<1x7x45x64xf32>
}

func.func @causal_gqa7_d64_q13_k61(%q: tensor<1x7x13x64xf32>, %k: tensor<1x1x61x64xf32>, %v: tensor<1x1x61x64xf32>) -> tensor<1x7x13x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 48 + 1 * i>) : tensor<1x7x13x64xf32>, tensor<1x1x61x64xf32>, tensor<1x1x61x64xf32> -> tensor<1x7x13x64xf32>
  return %o : tensor<1x7x13x64xf32>
}

func.func @causal_gqa7_d128_q1_k1(%q: tensor<1x7x1x128xf32>, %k: tensor<1x1x1x128xf32>, %v: tensor<1x1x1x128xf32>) -> tensor<1x7x1x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x7x1x128xf32>, tensor<1x1x1x128xf32>, tensor<1x1x1x128xf32> -> tensor<1x7x1x128xf32>
  return %o : tensor<1x7x1x128xf32>
}

func.func @causal_gqa7_d128_q32_k32(%q: tensor<1x7x32x128xf32>, %k: tensor<1x1x32x128xf32>, %v: tensor<1x1x32x128xf32>) -> tensor<1x7x32x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x7x32x128xf32>, tensor<1x1x32x128xf32>, tensor<1x1x32x128xf32> -> tensor<1x7x32x128xf32>
  return %o : tensor<1x7x32x128xf32>
}

func.func @causal_gqa7_d128_q45_k45(%q: tensor<1x7x45x128xf32>, %k: tensor<1x1x45x128xf32>, %v: tensor<1x1x45x128xf32>) -> tensor<1x7x45x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x7x45x128xf32>, tensor<1x1x45x128xf32>, tensor<1x1x45x128xf32> -> tensor<1x7x45x128xf32>
  return %o : tensor<1x7x45x128xf32>
}

func.func @causal_gqa7_d128_q13_k61(%q: tensor<1x7x13x128xf32>, %k: tensor<1x1x61x128xf32>, %v: tensor<1x1x61x128xf32>) -> tensor<1x7x13x128xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 48 + 1 * i>) : tensor<1x7x13x128xf32>, tensor<1x1x61x128xf32>, tensor<1x1x61x128xf32> -> tensor<1x7x13x128xf32>
  return %o : tensor<1x7x13x128xf32>
}

func.func @full_gqa1_d64_q1_k1(%q: tensor<1x2x1x64xf32>, %k: tensor<1x2x1x64xf32>, %v: tensor<1x2x1x64xf32>) -> tensor<1x2x1x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x1x64xf32>, tensor<1x2x1x64xf32>, tensor<1x2x1x64xf32> -> tensor<1x2x1x64xf32>
  return %o : tensor<1x2x1x64xf32>
}

func.func @full_gqa1_d64_q32_k32(%q: tensor<1x2x32x64xf32>, %k: tensor<1x2x32x64xf32>, %v: tensor<1x2x32x64xf32>) -> tensor<1x2x32x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x32x64xf32>, tensor<1x2x32x64xf32>, tensor<1x2x32x64xf32> -> tensor<1x2x32x64xf32>
  return %o : tensor<1x2x32x64xf32>
}

func.func @full_gqa1_d64_q45_k45(%q: tensor<1x2x45x64xf32>, %k: tensor<1x2x45x64xf32>, %v: tensor<1x2x45x64xf32>) -> tensor<1x2x45x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x45x64xf32>, tensor<1x2x45x64xf32>, tensor<1x2x45x64xf32> -> tensor<1x2x45x64xf32>
  return %o : tensor<1x2x45x64xf32>
}

func.func @full_gqa1_d64_q13_k61(%q: tensor<1x2x13x64xf32>, %k: tensor<1x2x61x64xf32>, %v: tensor<1x2x61x64xf32>) -> tensor<1x2x13x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x13x64xf32>, tensor<1x2x61x64xf32>, tensor<1x2x61x64xf32> -> tensor<1x2x13x64xf32>
  return %o : tensor<1x2x13x64xf32>
}

func.func @full_gqa1_d128_q1_k1(%q: tensor<1x2x1x128xf32>, %k: tensor<1x2x1x128xf32>, %v: tensor<1x2x1x128xf32>) -> tensor<1x2x1x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x1x128xf32>, tensor<1x2x1x128xf32>, tensor<1x2x1x128xf32> -> tensor<1x2x1x128xf32>
  return %o : tensor<1x2x1x128xf32>
}

func.func @full_gqa1_d128_q32_k32(%q: tensor<1x2x32x128xf32>, %k: tensor<1x2x32x128xf32>, %v: tensor<1x2x32x128xf32>) -> tensor<1x2x32x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x32x128xf32>, tensor<1x2x32x128xf32>, tensor<1x2x32x128xf32> -> tensor<1x2x32x128xf32>
  return %o : tensor<1x2x32x128xf32>
}

func.func @full_gqa1_d128_q45_k45(%q: tensor<1x2x45x128xf32>, %k: tensor<1x2x45x128xf32>, %v: tensor<1x2x45x128xf32>) -> tensor<1x2x45x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x45x128xf32>, tensor<1x2x45x128xf32>, tensor<1x2x45x128xf32> -> tensor<1x2x45x128xf32>
  return %o : tensor<1x2x45x128xf32>
}

func.func @full_gqa1_d128_q13_k61(%q: tensor<1x2x13x128xf32>, %k: tensor<1x2x61x128xf32>, %v: tensor<1x2x61x128xf32>) -> tensor<1x2x13x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x13x128xf32>, tensor<1x2x61x128xf32>, tensor<1x2x61x128xf32> -> tensor<1x2x13x128xf32>
  return %o : tensor<1x2x13x128xf32>
}

func.func @full_gqa4_d64_q1_k1(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x1x64xf32>, %v: tensor<1x2x1x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x1x64xf32>, tensor<1x2x1x64xf32>, tensor<1x2x1x64xf32> -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @full_gqa4_d64_q32_k32(%q: tensor<1x8x32x64xf32>, %k: tensor<1x2x32x64xf32>, %v: tensor<1x2x32x64xf32>) -> tensor<1x8x32x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x32x64xf32>, tensor<1x2x32x64xf32>, tensor<1x2x32x64xf32> -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

func.func @full_gqa4_d64_q45_k45(%q: tensor<1x8x45x64xf32>, %k: tensor<1x2x45x64xf32>, %v: tensor<1x2x45x64xf32>) -> tensor<1x8x45x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x45x64xf32>, tensor<1x2x45x64xf32>, tensor<1x2x45x64xf32> -> tensor<1x8x45x64xf32>
  return %o : tensor<1x8x45x64xf32>
}

func.func @full_gqa4_d64_q13_k61(%q: tensor<1x8x13x64xf32>, %k: tensor<1x2x61x64xf32>, %v: tensor<1x2x61x64xf32>) -> tensor<1x8x13x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x13x64xf32>, tensor<1x2x61x64xf32>, tensor<1x2x61x64xf32> -> tensor<1x8x13x64xf32>
  return %o : tensor<1x8x13x64xf32>
}

func.func @full_gqa4_d128_q1_k1(%q: tensor<1x8x1x128xf32>, %k: tensor<1x2x1x128xf32>, %v: tensor<1x2x1x128xf32>) -> tensor<1x8x1x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x1x128xf32>, tensor<1x2x1x128xf32>, tensor<1x2x1x128xf32> -> tensor<1x8x1x128xf32>
  return %o : tensor<1x8x1x128xf32>
}

func.func @full_gqa4_d128_q32_k32(%q: tensor<1x8x32x128xf32>, %k: tensor<1x2x32x128xf32>, %v: tensor<1x2x32x128xf32>) -> tensor<1x8x32x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x32x128xf32>, tensor<1x2x32x128xf32>, tensor<1x2x32x128xf32> -> tensor<1x8x32x128xf32>
  return %o : tensor<1x8x32x128xf32>
}

func.func @full_gqa4_d128_q45_k45(%q: tensor<1x8x45x128xf32>, %k: tensor<1x2x45x128xf32>, %v: tensor<1x2x45x128xf32>) -> tensor<1x8x45x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x45x128xf32>, tensor<1x2x45x128xf32>, tensor<1x2x45x128xf32> -> tensor<1x8x45x128xf32>
  return %o : tensor<1x8x45x128xf32>
}

func.func @full_gqa4_d128_q13_k61(%q: tensor<1x8x13x128xf32>, %k: tensor<1x2x61x128xf32>, %v: tensor<1x2x61x128xf32>) -> tensor<1x8x13x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x13x128xf32>, tensor<1x2x61x128xf32>, tensor<1x2x61x128xf32> -> tensor<1x8x13x128xf32>
  return %o : tensor<1x8x13x128xf32>
}

func.func @full_gqa7_d64_q1_k1(%q: tensor<1x7x1x64xf32>, %k: tensor<1x1x1x64xf32>, %v: tensor<1x1x1x64xf32>) -> tensor<1x7x1x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x7x1x64xf32>, tensor<1x1x1x64xf32>, tensor<1x1x1x64xf32> -> tensor<1x7x1x64xf32>
  return %o : tensor<1x7x1x64xf32>
}

func.func @full_gqa7_d64_q32_k32(%q: tensor<1x7x32x64xf32>, %k: tensor<1x1x32x64xf32>, %v: tensor<1x1x32x64xf32>) -> tensor<1x7x32x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x7x32x64xf32>, tensor<1x1x32x64xf32>, tensor<1x1x32x64xf32> -> tensor<1x7x32x64xf32>
  return %o : tensor<1x7x32x64xf32>
}

func.func @full_gqa7_d64_q45_k45(%q: tensor<1x7x45x64xf32>, %k: tensor<1x1x45x64xf32>, %v: tensor<1x1x45x64xf32>) -> tensor<1x7x45x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x7x45x64xf32>, tensor<1x1x45x64xf32>, tensor<1x1x45x64xf32> -> tensor<1x7x45x64xf32>
  return %o : tensor<1x7x45x64xf32>
}

func.func @full_gqa7_d64_q13_k61(%q: tensor<1x7x13x64xf32>, %k: tensor<1x1x61x64xf32>, %v: tensor<1x1x61x64xf32>) -> tensor<1x7x13x64xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x7x13x64xf32>, tensor<1x1x61x64xf32>, tensor<1x1x61x64xf32> -> tensor<1x7x13x64xf32>
  return %o : tensor<1x7x13x64xf32>
}

func.func @full_gqa7_d128_q1_k1(%q: tensor<1x7x1x128xf32>, %k: tensor<1x1x1x128xf32>, %v: tensor<1x1x1x128xf32>) -> tensor<1x7x1x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x7x1x128xf32>, tensor<1x1x1x128xf32>, tensor<1x1x1x128xf32> -> tensor<1x7x1x128xf32>
  return %o : tensor<1x7x1x128xf32>
}

func.func @full_gqa7_d128_q32_k32(%q: tensor<1x7x32x128xf32>, %k: tensor<1x1x32x128xf32>, %v: tensor<1x1x32x128xf32>) -> tensor<1x7x32x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x7x32x128xf32>, tensor<1x1x32x128xf32>, tensor<1x1x32x128xf32> -> tensor<1x7x32x128xf32>
  return %o : tensor<1x7x32x128xf32>
}

func.func @full_gqa7_d128_q45_k45(%q: tensor<1x7x45x128xf32>, %k: tensor<1x1x45x128xf32>, %v: tensor<1x1x45x128xf32>) -> tensor<1x7x45x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x7x45x128xf32>, tensor<1x1x45x128xf32>, tensor<1x1x45x128xf32> -> tensor<1x7x45x128xf32>
  return %o : tensor<1x7x45x128xf32>
}

func.func @full_gqa7_d128_q13_k61(%q: tensor<1x7x13x128xf32>, %k: tensor<1x1x61x128xf32>, %v: tensor<1x1x61x128xf32>) -> tensor<1x7x13x128xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x7x13x128xf32>, tensor<1x1x61x128xf32>, tensor<1x1x61x128xf32> -> tensor<1x7x13x128xf32>
  return %o : tensor<1x7x13x128xf32>
}

func.func @striped_positions_b2(%q: tensor<2x4x40x64xf32>, %k: tensor<2x2x40x64xf32>, %v: tensor<2x2x40x64xf32>) -> tensor<2x4x40x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 1 + 4 * i, k = 3 + 4 * j>) : tensor<2x4x40x64xf32>, tensor<2x2x40x64xf32>, tensor<2x2x40x64xf32> -> tensor<2x4x40x64xf32>
  return %o : tensor<2x4x40x64xf32>
}

func.func @rows_without_keys(%q: tensor<1x2x50x64xf32>, %k: tensor<1x1x20x64xf32>, %v: tensor<1x1x20x64xf32>) -> tensor<1x2x50x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, k = 30 + 1 * j>) : tensor<1x2x50x64xf32>, tensor<1x1x20x64xf32>, tensor<1x1x20x64xf32> -> tensor<1x2x50x64xf32>
  return %o : tensor<1x2x50x64xf32>
}

func.func @bf16_inputs(%q: tensor<1x4x37x128xbf16>, %k: tensor<1x1x70x128xbf16>, %v: tensor<1x1x70x128xbf16>) -> tensor<1x4x37x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 33 + 1 * i>) : tensor<1x4x37x128xbf16>, tensor<1x1x70x128xbf16>, tensor<1x1x70x128xbf16> -> tensor<1x4x37x128xbf16>
  return %o : tensor<1x4x37x128xbf16>
}
