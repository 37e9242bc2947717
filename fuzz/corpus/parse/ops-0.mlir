
// Graph-level attention with grouped-query heads (32 q heads, 8 kv heads),
// causal with the queries at the end of a longer context (chunked prefill).
func.func @attention_gqa_causal(%q: tensor<1x32x64x128xbf16>, %k: tensor<1x8x256x128xbf16>, %v: tensor<1x8x256x128xbf16>) -> tensor<1x32x64x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 192 + 1 * i, k = 0 + 1 * j>) scale(0.08837890625) : tensor<1x32x64x128xbf16>, tensor<1x8x256x128xbf16>, tensor<1x8x256x128xbf16> -> tensor<1x32x64x128xbf16>
  return %o : tensor<1x32x64x128xbf16>
}

// No mask and no scale: every pair visible, scale 1/sqrt(head_dim).
func.func @attention_defaults(%q: tensor<2x4x16x64xf16>, %k: tensor<2x4x8x64xf16>, %v: tensor<2x4x8x64xf16>) -> tensor<2x4x16x64xf16> {
  %o = dattn.attention %q, %k, %v : tensor<2x4x16x64xf16>, tensor<2x4x8x64xf16>, tensor<2x4x8x64xf16> -> tensor<2x4x16x64xf16>
  return %o : tensor<2x4x16x64xf16>
}

// A striped tile (N = 4): rank 1's rows against rank 2's columns.
func.func @striped_tile(%q: tensor<1x8x32x64xf32>, %k: tensor<1x2x32x64xf32>, %v: tensor<1x2x32x64xf32>) -> (tensor<1x8x32x64xf32>, tensor<1x8x32xf32>) {
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 1 + 4 * i, k = 2 + 4 * j>) : tensor<1x8x32x64xf32>, tensor<1x2x32x64xf32>, tensor<1x2x32x64xf32> -> !dattn.state<1x8x32x64>
  %e = dattn.empty_state : !dattn.state<1x8x32x64>
  %m = dattn.merge %s, %e : !dattn.state<1x8x32x64>
  %o, %lse = dattn.finalize %m : !dattn.state<1x8x32x64> -> tensor<1x8x32x64xf32>, tensor<1x8x32xf32>
  return %o, %lse : tensor<1x8x32x64xf32>, tensor<1x8x32xf32>
}

// A full mask written out, and a finalize to another element type.
func.func @full_mask_and_cast(%q: tensor<1x1x1x64xf32>, %k: tensor<1x1x3x64xf32>, %v: tensor<1x1x3x64xf32>) -> tensor<1x1x1x64xbf16> {
  %s = dattn.micro_attention %q, %k, %v mask(<full>) scale(0.5) : tensor<1x1x1x64xf32>, tensor<1x1x3x64xf32>, tensor<1x1x3x64xf32> -> !dattn.state<1x1x1x64>
  %o = dattn.finalize %s : !dattn.state<1x1x1x64> -> tensor<1x1x1x64xbf16>
  return %o : tensor<1x1x1x64xbf16>
}

// A padded tile: keys from position 37 on are hidden; positions at run time.
func.func @padded_tile_at(%q: tensor<1x2x10x16xf32>, %k: tensor<1x2x10x16xf32>, %v: tensor<1x2x10x16xf32>, %qo: index, %ko: index) -> !dattn.state<1x2x10x16> {
  %s = dattn.micro_attention %q, %k, %v mask(<full, k_end = 37>) at(%qo, %ko) : tensor<1x2x10x16xf32>, tensor<1x2x10x16xf32>, tensor<1x2x10x16xf32> -> !dattn.state<1x2x10x16>
  return %s : !dattn.state<1x2x10x16>
}

// Partial results that travelled as fp32 tensors become a state again.
func.func @as_state(%o: tensor<1x32x1x128xf32>, %l: tensor<1x32x1xf32>) -> !dattn.state<1x32x1x128> {
  %s = dattn.as_state %o, %l : tensor<1x32x1x128xf32>, tensor<1x32x1xf32> -> !dattn.state<1x32x1x128>
  return %s : !dattn.state<1x32x1x128>
}

// An asynchronous ring step: start, compute, wait.
shard.grid @sp(shape = 2)
func.func @async_shift(%x: tensor<1x1x4x2xf32>) -> tensor<1x1x4x2xf32> {
  %h = dattn.shift_start %x on @sp axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x1x4x2xf32>>
  %y = dattn.wait %h : !dattn.transfer<tensor<1x1x4x2xf32>> -> tensor<1x1x4x2xf32>
  return %y : tensor<1x1x4x2xf32>
}

// An asynchronous all-gather.
func.func @async_gather(%x: tensor<1x1x4x2xf32>) -> tensor<1x1x8x2xf32> {
  %h = dattn.all_gather_start %x on @sp axis = 0 gather_axis = 2 : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x1x8x2xf32>>
  %y = dattn.wait %h : !dattn.transfer<tensor<1x1x8x2xf32>> -> tensor<1x1x8x2xf32>
  return %y : tensor<1x1x8x2xf32>
}

// Attributes and types stand alone too.
func.func private @standalone(!dattn.state<4x2x1x256>) attributes {m = #dattn.mask<causal, k = 3 + 2 * j>}
