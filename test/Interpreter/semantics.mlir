// The evaluator's semantics of each op, checked against an independent
// formulation of the same computation in Inputs/semantics-equivalent.mlir.

// RUN: dattn-run %s --compare-with=%S/Inputs/semantics-equivalent.mlir --tol=1e-12 | FileCheck %s
// RUN: dattn-run %s --entry=constant | FileCheck %s --check-prefix=VALUE
// RUN: dattn-opt %s --mlir-print-op-generic | dattn-run - --compare-with=%S/Inputs/semantics-equivalent.mlir --tol=1e-12 | FileCheck %s

// CHECK: @merge_with_identity: 1 result(s), rel_err {{.*}}: ok
// CHECK: @rows_are_independent: 1 result(s), rel_err {{.*}}: ok
// CHECK: @lse_of_split_keys: 2 result(s), rel_err {{.*}}: ok
// CHECK: @insert_slice_assembles_rows: 1 result(s), rel_err {{.*}}: ok
// CHECK: @constant: 1 result(s), rel_err {{.*}}: ok
// CHECK: @as_state_inverts_finalize: 1 result(s), rel_err {{.*}}: ok
// Four elements of 1.5: the l2 norm is exactly 3.
// VALUE: @constant: 1 result(s), l2 3{{$}}

// Merging with the identity changes nothing.
func.func @merge_with_identity(%q: tensor<1x2x8x16xf32>, %k: tensor<1x1x8x16xf32>, %v: tensor<1x1x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %s = dattn.micro_attention %q, %k, %v mask(<causal>) : tensor<1x2x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> !dattn.state<1x2x8x16>
  %e = dattn.empty_state : !dattn.state<1x2x8x16>
  %m = dattn.merge %e, %s, %e : !dattn.state<1x2x8x16>
  %o = dattn.finalize %m : !dattn.state<1x2x8x16> -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// Causal attention over 12 rows equals its two row halves, computed apart
// with their positions, concatenated.
func.func @rows_are_independent(%q: tensor<1x2x12x16xf32>, %k: tensor<1x2x12x16xf32>, %v: tensor<1x2x12x16xf32>) -> tensor<1x2x12x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x12x16xf32>, tensor<1x2x12x16xf32>, tensor<1x2x12x16xf32> -> tensor<1x2x12x16xf32>
  return %o : tensor<1x2x12x16xf32>
}

// The (out, lse) of all keys at once, against the merge of two key halves.
func.func @lse_of_split_keys(%q: tensor<2x4x5x16xf32>, %k: tensor<2x2x10x16xf32>, %v: tensor<2x2x10x16xf32>) -> (tensor<2x4x5x16xf32>, tensor<2x4x5xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 5 + 1 * i>) : tensor<2x4x5x16xf32>, tensor<2x2x10x16xf32>, tensor<2x2x10x16xf32> -> !dattn.state<2x4x5x16>
  %o, %lse = dattn.finalize %s : !dattn.state<2x4x5x16> -> tensor<2x4x5x16xf32>, tensor<2x4x5xf32>
  return %o, %lse : tensor<2x4x5x16xf32>, tensor<2x4x5xf32>
}

// Output rows assembled with concat here, with insert_slice there.
func.func @insert_slice_assembles_rows(%q: tensor<1x1x6x16xf32>, %k: tensor<1x1x6x16xf32>, %v: tensor<1x1x6x16xf32>) -> tensor<1x1x6x16xf32> {
  %q0 = tensor.extract_slice %q[0, 0, 0, 0] [1, 1, 2, 16] [1, 1, 1, 1] : tensor<1x1x6x16xf32> to tensor<1x1x2x16xf32>
  %q1 = tensor.extract_slice %q[0, 0, 2, 0] [1, 1, 4, 16] [1, 1, 1, 1] : tensor<1x1x6x16xf32> to tensor<1x1x4x16xf32>
  %a = dattn.attention %q0, %k, %v : tensor<1x1x2x16xf32>, tensor<1x1x6x16xf32>, tensor<1x1x6x16xf32> -> tensor<1x1x2x16xf32>
  %b = dattn.attention %q1, %k, %v : tensor<1x1x4x16xf32>, tensor<1x1x6x16xf32>, tensor<1x1x6x16xf32> -> tensor<1x1x4x16xf32>
  %o = tensor.concat dim(2) %a, %b : (tensor<1x1x2x16xf32>, tensor<1x1x4x16xf32>) -> tensor<1x1x6x16xf32>
  return %o : tensor<1x1x6x16xf32>
}

// A splat constant and its element-by-element spelling.
func.func @constant() -> tensor<1x1x2x2xf32> {
  %c = arith.constant dense<1.5> : tensor<1x1x2x2xf32>
  return %c : tensor<1x1x2x2xf32>
}

// finalize to fp32 with lse, then as_state, is the state itself.
func.func @as_state_inverts_finalize(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x2x4x16xf32> {
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 2 + 1 * i>) : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32> -> !dattn.state<1x2x4x16>
  %o, %l = dattn.finalize %s : !dattn.state<1x2x4x16> -> tensor<1x2x4x16xf32>, tensor<1x2x4xf32>
  %back = dattn.as_state %o, %l : tensor<1x2x4x16xf32>, tensor<1x2x4xf32> -> !dattn.state<1x2x4x16>
  %e = dattn.empty_state : !dattn.state<1x2x4x16>
  %m = dattn.merge %back, %e : !dattn.state<1x2x4x16>
  %out = dattn.finalize %m : !dattn.state<1x2x4x16> -> tensor<1x2x4x16xf32>
  return %out : tensor<1x2x4x16xf32>
}
