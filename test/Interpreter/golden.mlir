// The evaluator reproduces PyTorch's float64 attention (test/golden/, made
// by scripts/make-golden.py) on every golden case: as dattn.attention, as a
// state (out and lse), after dattn-decompose, and as prefill and decode
// plans on several simulated ranks. The functions are named after the cases
// whose inputs they run on. Inputs/golden-wrong.mlir holds one mistake per
// case (a wrong GQA head map, scale, query position, k_end, lse, shape, a
// NaN output), each of which must be rejected.

// RUN: dattn-run %s --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=PREFILL
// RUN: dattn-opt %s --dattn-decompose="q-block=16 kv-block=16" | dattn-run - --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=PREFILL
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=4" --dattn-overlap | dattn-run - --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=RANKS4
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=4" | dattn-run - --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=RANKS4
// PREFILL: @gqa4_causal_s33_d16: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// PREFILL-NEXT: @gqa2_causal_s64_d16: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// PREFILL-NEXT: @gqa4_single_token_d8: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// RANKS4: @gqa4_causal_s33_d16: 1 result(s) x 4 ranks, rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// RANKS4-NEXT: @gqa2_causal_s64_d16: 1 result(s) x 4 ranks, rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// RANKS4-NEXT: @gqa4_single_token_d8: 1 result(s) x 4 ranks, rel_err {{.*}} against golden (tol 1e-10): ok{{$}}

// RUN: dattn-run %S/Inputs/golden-decode.mlir --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=DECODE
// RUN: dattn-opt %S/Inputs/golden-decode.mlir --dattn-decompose="q-block=4 kv-block=16" | dattn-run - --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=DECODE
// RUN: dattn-opt %S/Inputs/golden-decode.mlir --dattn-plan-decode="ranks=3" | dattn-run - --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=RANKS3
// DECODE: @gqa4_decode_b2_s1x17_d64: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// DECODE-NEXT: @mha_full_b2_s7x64_d8: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// DECODE-NEXT: @gqa4_causal_chunk_s7x64_d16: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// RANKS3: @gqa4_decode_b2_s1x17_d64: 1 result(s) x 3 ranks, rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// RANKS3-NEXT: @mha_full_b2_s7x64_d8: 1 result(s) x 3 ranks, rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// RANKS3-NEXT: @gqa4_causal_chunk_s7x64_d16: 1 result(s) x 3 ranks, rel_err {{.*}} against golden (tol 1e-10): ok{{$}}

// RUN: dattn-run %S/Inputs/golden-tiles.mlir --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=TILES
// RUN: dattn-opt %S/Inputs/golden-tiles.mlir --dattn-decompose="q-block=4 kv-block=8" | dattn-run - --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=TILES
// TILES: @striped_causal_kend_d8: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// TILES-NEXT: @mha_full_kend_s7x33_d16: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}

// RUN: dattn-run %S/Inputs/golden-states.mlir --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=STATES
// STATES: @gqa4_causal_s33_d16: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// STATES-NEXT: @mha_full_b2_s7x64_d8: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// STATES-NEXT: @gqa4_decode_b2_s1x17_d64: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// STATES-NEXT: @gqa4_causal_chunk_s7x64_d16: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// STATES-NEXT: @striped_causal_kend_d8: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// STATES-NEXT: @gqa4_single_token_d8: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// STATES-NEXT: @mha_full_kend_s7x33_d16: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}
// STATES-NEXT: @gqa2_causal_s64_d16: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): ok{{$}}

// RUN: not dattn-run %S/Inputs/golden-wrong.mlir --golden=%S/../golden/attention.txt --tol=1e-10 | FileCheck %s --check-prefix=WRONG
// WRONG: @gqa4_causal_chunk_s7x64_d16: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): MISMATCH{{$}}
// WRONG-NEXT: @mha_full_b2_s7x64_d8: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): MISMATCH{{$}}
// WRONG-NEXT: @gqa4_decode_b2_s1x17_d64: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): MISMATCH{{$}}
// WRONG-NEXT: @striped_causal_kend_d8: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): MISMATCH{{$}}
// WRONG-NEXT: @gqa2_causal_s64_d16: 2 result(s), rel_err {{.*}} against golden (tol 1e-10): MISMATCH{{$}}
// WRONG-NEXT: @gqa4_single_token_d8: error: argument #0 is tensor<1x4x1x16xf32>, the golden q is [1, 4, 1, 8]
// WRONG-NEXT: @mha_full_kend_s7x33_d16: 1 result(s), rel_err {{.*}} against golden (tol 1e-10): MISMATCH: 224 non-finite value(s) where golden differs
// WRONG-NEXT: @not_a_case: error: no case of this name in {{.*}}attention.txt

// A file that is not in the golden format, and options that exclude --golden.
// RUN: not dattn-run %s --golden=%s 2>&1 | FileCheck %s --check-prefix=BADFILE
// RUN: not dattn-run %s --golden=%S/../golden/attention.txt --compare-pipeline=canonicalize 2>&1 | FileCheck %s --check-prefix=EXCLUSIVE
// BADFILE: golden.mlir:1: error: expected 'distattn-golden', got '//'
// EXCLUSIVE: error: --golden compares with the golden outputs, not with --compare-pipeline or --compare-with

// GQA 4:1, causal from position 0.
func.func @gqa4_causal_s33_d16(%q: tensor<1x4x33x16xf32>, %k: tensor<1x1x33x16xf32>, %v: tensor<1x1x33x16xf32>) -> tensor<1x4x33x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x33x16xf32>, tensor<1x1x33x16xf32>, tensor<1x1x33x16xf32> -> tensor<1x4x33x16xf32>
  return %o : tensor<1x4x33x16xf32>
}

// GQA 2:1, a 64 x 64 causal tile.
func.func @gqa2_causal_s64_d16(%q: tensor<1x2x64x16xf32>, %k: tensor<1x1x64x16xf32>, %v: tensor<1x1x64x16xf32>) -> tensor<1x2x64x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x64x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32> -> tensor<1x2x64x16xf32>
  return %o : tensor<1x2x64x16xf32>
}

// One token against one key.
func.func @gqa4_single_token_d8(%q: tensor<1x4x1x8xf32>, %k: tensor<1x1x1x8xf32>, %v: tensor<1x1x1x8xf32>) -> tensor<1x4x1x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x1x8xf32>, tensor<1x1x1x8xf32>, tensor<1x1x1x8xf32> -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}
