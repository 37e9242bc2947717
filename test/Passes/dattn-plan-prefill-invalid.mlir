// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=8" -split-input-file -verify-diagnostics
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=spiral" 2>&1 | FileCheck %s --check-prefix=STRATEGY
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=ring" 2>&1 | FileCheck %s --check-prefix=RANKS
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=-2" 2>&1 | FileCheck %s --check-prefix=RANKS

// STRATEGY: error: dattn-plan-prefill: unknown strategy 'spiral'; expected auto, ring, striped, zigzag or all-gather
// RANKS: error: dattn-plan-prefill: give ranks=N (at least 1) or attach a topology, whose GPUs are then the ranks

// Prefill plans are for self-attention.
func.func @decode_shape(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x64x64xf32>, %v: tensor<1x8x64x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{prefill plans need self-attention (q_len == kv_len), got 1 queries against 64 keys; plans for q_len != kv_len are not implemented yet}}
  %o = dattn.attention %q, %k, %v mask(<causal, q = 63 + 1 * i>) : tensor<1x8x1x64xf32>, tensor<1x8x64x64xf32>, tensor<1x8x64x64xf32> -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

// Shifted positions are not planned yet.
func.func @shifted(%q: tensor<1x8x64x64xf32>, %k: tensor<1x8x64x64xf32>, %v: tensor<1x8x64x64xf32>) -> tensor<1x8x64x64xf32> {
  // expected-error @+1 {{prefill plans take a full or plain causal mask; shifted, strided or limited positions are not implemented yet}}
  %o = dattn.attention %q, %k, %v mask(<causal, q = 3 + 1 * i>) : tensor<1x8x64x64xf32>, tensor<1x8x64x64xf32>, tensor<1x8x64x64xf32> -> tensor<1x8x64x64xf32>
  return %o : tensor<1x8x64x64xf32>
}
