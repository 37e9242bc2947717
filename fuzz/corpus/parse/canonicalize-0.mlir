
// A written-out full mask is the same as no mask. The operands are matched
// by name and the type follows them: a `mask(...)` left between would fail
// the match (a regex there would swallow it, unseen by the CHECK-NOT).
func.func @attention_drop_full_mask(%q: tensor<1x4x8x32xf32>, %k: tensor<1x4x8x32xf32>, %v: tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32> {
  %o = dattn.attention %q, %k, %v mask(<full>) : tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32> -> tensor<1x4x8x32xf32>
  return %o : tensor<1x4x8x32xf32>
}

// A causal tile entirely below the diagonal (rows 8..15 against keys 0..7)
// needs no mask.
func.func @tile_below_diagonal(%q: tensor<1x4x8x32xf32>, %k: tensor<1x4x8x32xf32>, %v: tensor<1x4x8x32xf32>) -> !dattn.state<1x4x8x32> {
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 8 + 1 * i>) : tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32> -> !dattn.state<1x4x8x32>
  return %s : !dattn.state<1x4x8x32>
}

// A tile on the diagonal keeps its mask.
func.func @tile_on_diagonal(%q: tensor<1x4x8x32xf32>, %k: tensor<1x4x8x32xf32>, %v: tensor<1x4x8x32xf32>) -> !dattn.state<1x4x8x32> {
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 8 + 1 * i, k = 8 + 1 * j>) : tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32> -> !dattn.state<1x4x8x32>
  return %s : !dattn.state<1x4x8x32>
}

// A tile entirely above the diagonal contributes nothing: it becomes the
// identity, which the merge then drops, leaving a merge of one state that
// folds away.
func.func @tile_above_diagonal(%q: tensor<1x4x8x32xf32>, %k: tensor<1x4x8x32xf32>, %v: tensor<1x4x8x32xf32>) -> !dattn.state<1x4x8x32> {
  %s0 = dattn.micro_attention %q, %k, %v : tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32> -> !dattn.state<1x4x8x32>
  %s1 = dattn.micro_attention %q, %k, %v mask(<causal, k = 8 + 1 * j>) : tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32> -> !dattn.state<1x4x8x32>
  %m = dattn.merge %s0, %s1 : !dattn.state<1x4x8x32>
  return %m : !dattn.state<1x4x8x32>
}

// A merge of one state is that state.
func.func @merge_single(%a: !dattn.state<1x2x4x8>) -> !dattn.state<1x2x4x8> {
  %m = dattn.merge %a : !dattn.state<1x2x4x8>
  return %m : !dattn.state<1x2x4x8>
}

// Identities leave a merge.
func.func @merge_drop_identity(%a: !dattn.state<1x2x4x8>, %b: !dattn.state<1x2x4x8>) -> !dattn.state<1x2x4x8> {
  %e = dattn.empty_state : !dattn.state<1x2x4x8>
  %m = dattn.merge %a, %e, %b : !dattn.state<1x2x4x8>
  return %m : !dattn.state<1x2x4x8>
}

// A merge of identities only is the identity.
func.func @merge_all_identities() -> !dattn.state<1x2x4x8> {
  %e0 = dattn.empty_state : !dattn.state<1x2x4x8>
  %e1 = dattn.empty_state : !dattn.state<1x2x4x8>
  %m = dattn.merge %e0, %e1 : !dattn.state<1x2x4x8>
  return %m : !dattn.state<1x2x4x8>
}

// Nested merges with one use flatten into one.
func.func @merge_flatten(%a: !dattn.state<1x2x4x8>, %b: !dattn.state<1x2x4x8>, %c: !dattn.state<1x2x4x8>) -> !dattn.state<1x2x4x8> {
  %inner = dattn.merge %a, %b : !dattn.state<1x2x4x8>
  %m = dattn.merge %inner, %c : !dattn.state<1x2x4x8>
  return %m : !dattn.state<1x2x4x8>
}

// An inner merge used elsewhere too stays, so nothing is computed twice.
func.func @merge_keep_shared(%a: !dattn.state<1x2x4x8>, %b: !dattn.state<1x2x4x8>, %c: !dattn.state<1x2x4x8>) -> (!dattn.state<1x2x4x8>, !dattn.state<1x2x4x8>) {
  %inner = dattn.merge %a, %b : !dattn.state<1x2x4x8>
  %m = dattn.merge %inner, %c : !dattn.state<1x2x4x8>
  return %inner, %m : !dattn.state<1x2x4x8>, !dattn.state<1x2x4x8>
}

// An lse result nobody reads is not produced.
func.func @finalize_drop_unused_lse(%s: !dattn.state<1x2x4x8>) -> tensor<1x2x4x8xbf16> {
  %o, %lse = dattn.finalize %s : !dattn.state<1x2x4x8> -> tensor<1x2x4x8xbf16>, tensor<1x2x4xf32>
  return %o : tensor<1x2x4x8xbf16>
}

// A used lse stays.
func.func @finalize_keep_used_lse(%s: !dattn.state<1x2x4x8>) -> tensor<1x2x4xf32> {
  %o, %lse = dattn.finalize %s : !dattn.state<1x2x4x8> -> tensor<1x2x4x8xbf16>, tensor<1x2x4xf32>
  return %lse : tensor<1x2x4xf32>
}

// Keys all before k_end: the limit hides nothing and the mask goes.
func.func @k_end_after_tile(%q: tensor<1x4x8x32xf32>, %k: tensor<1x4x8x32xf32>, %v: tensor<1x4x8x32xf32>) -> !dattn.state<1x4x8x32> {
  %s = dattn.micro_attention %q, %k, %v mask(<full, k_end = 100>) : tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32> -> !dattn.state<1x4x8x32>
  return %s : !dattn.state<1x4x8x32>
}

// Keys all at or past k_end (padding): the tile is the identity.
func.func @tile_past_k_end(%q: tensor<1x4x8x32xf32>, %k: tensor<1x4x8x32xf32>, %v: tensor<1x4x8x32xf32>) -> !dattn.state<1x4x8x32> {
  %s = dattn.micro_attention %q, %k, %v mask(<full, k = 40 + 1 * j, k_end = 37>) : tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32> -> !dattn.state<1x4x8x32>
  return %s : !dattn.state<1x4x8x32>
}

// A tile placed at run time keeps its mask: it is classified when it runs.
func.func @dynamic_tile_keeps_mask(%q: tensor<1x4x8x32xf32>, %k: tensor<1x4x8x32xf32>, %v: tensor<1x4x8x32xf32>, %qo: index, %ko: index) -> !dattn.state<1x4x8x32> {
  %s = dattn.micro_attention %q, %k, %v mask(<causal>) at(%qo, %ko) : tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32> -> !dattn.state<1x4x8x32>
  return %s : !dattn.state<1x4x8x32>
}
