// RUN: dattn-opt %s -split-input-file -verify-diagnostics

// One case per constraint of dialects/DAttn/Spec.md, named after it
// (A = dattn.attention, MA = dattn.micro_attention, MG = dattn.merge,
// F = dattn.finalize, S = !dattn.state, M = #dattn.mask).

// S1: a state has four dimensions.
// expected-error @+1 {{state shape must be [batch, heads, q_len, head_dim], got rank 3}}
func.func private @state_s1(!dattn.state<1x8x16>)

// -----

// S2: state dimensions are at least 1.
// expected-error @+1 {{state dimensions must be at least 1}}
func.func private @state_s2(!dattn.state<1x0x16x64>)

// -----

// A state's shape is static.
// expected-error @+1 {{expected static shape}}
func.func private @state_dynamic(!dattn.state<1x8x?x64>)

// -----

// M1: position strides are at least 1.
// expected-error @+1 {{mask position strides must be at least 1}}
func.func private @mask_m1() attributes {m = #dattn.mask<causal, q = 0 + 0 * i>}

// -----

// M2: position offsets are non-negative.
// expected-error @+1 {{mask position offsets must be non-negative}}
func.func private @mask_m2() attributes {m = #dattn.mask<causal, k = -4 + 1 * j>}

// -----

// The mask kind is full or causal.
// expected-error @+1 {{expected mask kind 'full' or 'causal', got 'sliding'}}
func.func private @mask_kind() attributes {m = #dattn.mask<sliding>}

// -----

// Each position map is given once.
// expected-error @+1 {{expected 'q = <offset> + <stride> * i', 'k = <offset> + <stride> * j' or 'k_end = <position>', each once}}
func.func private @mask_twice() attributes {m = #dattn.mask<causal, q = 0 + 1 * i, q = 1 + 1 * i>}

// -----

// 1: operands are rank-4 tensors.
func.func @attention_a1_rank(%q: tensor<16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'q' must be a rank-4 tensor [batch, heads, seq, head_dim], got 'tensor<16x64xf32>'}}
  %o = dattn.attention %q, %k, %v : tensor<16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> tensor<16x64xf32>
  return
}

// -----

// 1: shapes are static (dynamic shapes are not supported yet).
func.func @attention_a1_dynamic(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) {
  // expected-error @+1 {{dynamic shapes are not supported yet: 'k' has type 'tensor<1x2x?x64xf32>'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32> -> tensor<1x8x16x64xf32>
  return
}

// -----

// 2: the element type is f16, bf16 or f32.
func.func @attention_a2_type(%q: tensor<1x8x16x64xf64>, %k: tensor<1x2x16x64xf64>, %v: tensor<1x2x16x64xf64>) {
  // expected-error @+1 {{element type must be f16, bf16 or f32, got 'f64'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf64>, tensor<1x2x16x64xf64>, tensor<1x2x16x64xf64> -> tensor<1x8x16x64xf64>
  return
}

// -----

// 2: q, k and v share one element type.
func.func @attention_a2_mixed(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xbf16>, %v: tensor<1x2x16x64xbf16>) {
  // expected-error @+1 {{q, k and v must share one element type, got 'f32', 'bf16' and 'bf16'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16> -> tensor<1x8x16x64xf32>
  return
}

// -----

// 3: q, k and v agree on batch.
func.func @attention_a3(%q: tensor<1x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) {
  // expected-error @+1 {{batch sizes differ: q has 1, k and v have 2}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<1x8x16x64xf32>
  return
}

// -----

// 4: k and v have the same shape.
func.func @attention_a4(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x8x64xf32>) {
  // expected-error @+1 {{k and v must have the same shape, got 'tensor<1x2x16x64xf32>' and 'tensor<1x2x8x64xf32>'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x8x64xf32> -> tensor<1x8x16x64xf32>
  return
}

// -----

// 5: q and k have the same head_dim.
func.func @attention_a5(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x128xf32>, %v: tensor<1x2x16x128xf32>) {
  // expected-error @+1 {{head_dim differs: q has 64, k has 128}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x128xf32>, tensor<1x2x16x128xf32> -> tensor<1x8x16x64xf32>
  return
}

// -----

// 6: q heads are a multiple of kv heads (GQA).
func.func @attention_a6(%q: tensor<1x8x16x64xf32>, %k: tensor<1x3x16x64xf32>, %v: tensor<1x3x16x64xf32>) {
  // expected-error @+1 {{q heads (8) must be a multiple of kv heads (3) for grouped-query attention}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x3x16x64xf32>, tensor<1x3x16x64xf32> -> tensor<1x8x16x64xf32>
  return
}

// -----

// 7: the result has q's type.
func.func @attention_a7(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{result must have q's type 'tensor<1x8x16x64xf32>', got 'tensor<1x8x16x64xbf16>'}}
  %o = dattn.attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> tensor<1x8x16x64xbf16>
  return
}

// -----

// 8: the scale is finite and positive.
func.func @attention_a8(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{scale must be finite and positive, got -1}}
  %o = dattn.attention %q, %k, %v scale(-1.0) : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> tensor<1x8x16x64xf32>
  return
}

// -----

// 9: positions of the last row and column fit in 64 bits.
func.func @attention_a9(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{mask positions of the last row or column overflow 64 bits}}
  %o = dattn.attention %q, %k, %v mask(<causal, q = 0 + 1000000000000000000 * i>) : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> tensor<1x8x16x64xf32>
  return
}

// -----

// 1: operands are rank-4 tensors.
func.func @micro_attention_ma1_rank(%q: tensor<16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'q' must be a rank-4 tensor [batch, heads, seq, head_dim], got 'tensor<16x64xf32>'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> !dattn.state<1x1x1x1>
  return
}

// -----

// 1: shapes are static (dynamic shapes are not supported yet).
func.func @micro_attention_ma1_dynamic(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) {
  // expected-error @+1 {{dynamic shapes are not supported yet: 'k' has type 'tensor<1x2x?x64xf32>'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32> -> !dattn.state<1x8x16x64>
  return
}

// -----

// 2: the element type is f16, bf16 or f32.
func.func @micro_attention_ma2_type(%q: tensor<1x8x16x64xf64>, %k: tensor<1x2x16x64xf64>, %v: tensor<1x2x16x64xf64>) {
  // expected-error @+1 {{element type must be f16, bf16 or f32, got 'f64'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf64>, tensor<1x2x16x64xf64>, tensor<1x2x16x64xf64> -> !dattn.state<1x8x16x64>
  return
}

// -----

// 2: q, k and v share one element type.
func.func @micro_attention_ma2_mixed(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xbf16>, %v: tensor<1x2x16x64xbf16>) {
  // expected-error @+1 {{q, k and v must share one element type, got 'f32', 'bf16' and 'bf16'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16> -> !dattn.state<1x8x16x64>
  return
}

// -----

// 3: q, k and v agree on batch.
func.func @micro_attention_ma3(%q: tensor<1x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) {
  // expected-error @+1 {{batch sizes differ: q has 1, k and v have 2}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> !dattn.state<1x8x16x64>
  return
}

// -----

// 4: k and v have the same shape.
func.func @micro_attention_ma4(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x8x64xf32>) {
  // expected-error @+1 {{k and v must have the same shape, got 'tensor<1x2x16x64xf32>' and 'tensor<1x2x8x64xf32>'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x8x64xf32> -> !dattn.state<1x8x16x64>
  return
}

// -----

// 5: q and k have the same head_dim.
func.func @micro_attention_ma5(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x128xf32>, %v: tensor<1x2x16x128xf32>) {
  // expected-error @+1 {{head_dim differs: q has 64, k has 128}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x128xf32>, tensor<1x2x16x128xf32> -> !dattn.state<1x8x16x64>
  return
}

// -----

// 6: q heads are a multiple of kv heads (GQA).
func.func @micro_attention_ma6(%q: tensor<1x8x16x64xf32>, %k: tensor<1x3x16x64xf32>, %v: tensor<1x3x16x64xf32>) {
  // expected-error @+1 {{q heads (8) must be a multiple of kv heads (3) for grouped-query attention}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x3x16x64xf32>, tensor<1x3x16x64xf32> -> !dattn.state<1x8x16x64>
  return
}

// -----

// 7: the state covers q's rows.
func.func @micro_attention_ma7(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{result state must have q's shape [1, 8, 16, 64], got '!dattn.state<1x8x8x64>'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> !dattn.state<1x8x8x64>
  return
}

// -----

// 8: the scale is finite and positive.
func.func @micro_attention_ma8(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{scale must be finite and positive, got -1}}
  %s = dattn.micro_attention %q, %k, %v scale(-1.0) : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> !dattn.state<1x8x16x64>
  return
}

// -----

// 9: positions of the last row and column fit in 64 bits.
func.func @micro_attention_ma9(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{mask positions of the last row or column overflow 64 bits}}
  %s = dattn.micro_attention %q, %k, %v mask(<causal, q = 0 + 1000000000000000000 * i>) : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> !dattn.state<1x8x16x64>
  return
}

// -----

// M3: k_end is at least 1.
// expected-error @+1 {{mask k_end must be at least 1}}
func.func private @mask_m3() attributes {m = #dattn.mask<full, k_end = 0>}

// -----

// MA10: dynamic offsets come in pairs.
func.func @micro_attention_ma10(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>, %o: index) {
  // expected-error @+1 {{dynamic offsets are given for both q and k or for neither}}
  %s = "dattn.micro_attention"(%q, %k, %v, %o) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>}> : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, index) -> !dattn.state<1x8x16x64>
  return
}

// -----

// A10: the mask leaves some pair visible.
func.func @attention_a10(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{mask hides every (q, k) pair; check the q and k position offsets}}
  %o = dattn.attention %q, %k, %v mask(<causal, k = 16 + 1 * j>) : tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32> -> tensor<1x8x16x64xf32>
  return
}

// -----

// MG1: a merge takes at least one state.
func.func @merge_mg1() {
  // expected-error @+1 {{expected 1 or more operands, but found 0}}
  %m = "dattn.merge"() : () -> !dattn.state<1x8x16x64>
  return
}

// -----

// MG2: merged states and the result have one type.
func.func @merge_mg2(%a: !dattn.state<1x8x16x64>, %b: !dattn.state<1x8x32x64>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %m = "dattn.merge"(%a, %b) : (!dattn.state<1x8x16x64>, !dattn.state<1x8x32x64>) -> !dattn.state<1x8x16x64>
  return
}

// -----

// F1: the output has the state's shape.
func.func @finalize_f1(%s: !dattn.state<1x8x16x64>) {
  // expected-error @+1 {{output must have the state's shape, got 'tensor<1x8x16x128xf32>' for '!dattn.state<1x8x16x64>'}}
  %o = dattn.finalize %s : !dattn.state<1x8x16x64> -> tensor<1x8x16x128xf32>
  return
}

// -----

// F2: the output element type is f16, bf16 or f32.
func.func @finalize_f2(%s: !dattn.state<1x8x16x64>) {
  // expected-error @+1 {{output element type must be f16, bf16 or f32, got 'i8'}}
  %o = dattn.finalize %s : !dattn.state<1x8x16x64> -> tensor<1x8x16x64xi8>
  return
}

// -----

// F3: the lse is fp32 with the state's [batch, heads, q_len].
func.func @finalize_f3(%s: !dattn.state<1x8x16x64>) {
  // expected-error @+1 {{lse must be 'tensor<1x8x16xf32>', got 'tensor<1x8x16xbf16>'}}
  %o, %l = dattn.finalize %s : !dattn.state<1x8x16x64> -> tensor<1x8x16x64xf32>, tensor<1x8x16xbf16>
  return
}

// -----

// T1: at least one node of one GPU.
// expected-error @+1 {{topology needs at least one node of one GPU}}
func.func private @topology_t1() attributes {t = #dattn.topology<name = "t", nodes = 0, gpus_per_node = 8, gpu = "G", gpu_gflops = 1, hbm_mbps = 1000, memory_mib = 1024, intra_link = "nvlink", intra_mbps = 1, intra_latency_ns = 0, inter_link = "ib", inter_mbps = 1, inter_latency_ns = 0>}

// -----

// T2: GPU rates and memory are positive.
// expected-error @+1 {{topology GPU rates and memory must be positive}}
func.func private @topology_t2() attributes {t = #dattn.topology<name = "t", nodes = 1, gpus_per_node = 8, gpu = "G", gpu_gflops = 0, hbm_mbps = 1000, memory_mib = 1024, intra_link = "nvlink", intra_mbps = 1, intra_latency_ns = 0, inter_link = "ib", inter_mbps = 0, inter_latency_ns = 0>}

// -----

// T3: several nodes need an inter-node link.
// expected-error @+1 {{topology with 2 nodes needs a positive inter-node bandwidth}}
func.func private @topology_t3() attributes {t = #dattn.topology<name = "t", nodes = 2, gpus_per_node = 8, gpu = "G", gpu_gflops = 1, hbm_mbps = 1000, memory_mib = 1024, intra_link = "nvlink", intra_mbps = 1, intra_latency_ns = 0, inter_link = "ib", inter_mbps = 0, inter_latency_ns = 0>}

// -----

// T4: no negative latency.
// expected-error @+1 {{topology link bandwidths and latencies must not be negative}}
func.func private @topology_t4() attributes {t = #dattn.topology<name = "t", nodes = 2, gpus_per_node = 8, gpu = "G", gpu_gflops = 1, hbm_mbps = 1000, memory_mib = 1024, intra_link = "nvlink", intra_mbps = 1, intra_latency_ns = 0, inter_link = "ib", inter_mbps = 1, inter_latency_ns = -5>}

// -----

// AS1: out is the state's f32 partial output.
func.func @as_state_as1(%o: tensor<1x32x1x128xbf16>, %l: tensor<1x32x1xf32>) {
  // expected-error @+1 {{out must be 'tensor<1x32x1x128xf32>', got 'tensor<1x32x1x128xbf16>'}}
  %s = dattn.as_state %o, %l : tensor<1x32x1x128xbf16>, tensor<1x32x1xf32> -> !dattn.state<1x32x1x128>
  return
}

// -----

// AS2: lse is [B, H, Q] in f32.
func.func @as_state_as2(%o: tensor<1x32x1x128xf32>, %l: tensor<1x32x2xf32>) {
  // expected-error @+1 {{lse must be 'tensor<1x32x1xf32>', got 'tensor<1x32x2xf32>'}}
  %s = dattn.as_state %o, %l : tensor<1x32x1x128xf32>, tensor<1x32x2xf32> -> !dattn.state<1x32x1x128>
  return
}

// -----

// SS1: the transfer carries the input's type.
shard.grid @sp(shape = 2)
func.func @shift_start_ss1(%x: tensor<1x1x4x2xf32>) {
  // expected-error @+1 {{transfer must carry the input type 'tensor<1x1x4x2xf32>', got '!dattn.transfer<tensor<1x1x4x2xbf16>>'}}
  %h = dattn.shift_start %x on @sp axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x1x4x2xbf16>>
  return
}

// -----

// W1: the wait yields the transferred type.
func.func @wait_w1(%h: !dattn.transfer<tensor<1x1x4x2xf32>>) {
  // expected-error @+1 {{result must be the transferred type 'tensor<1x1x4x2xf32>', got 'tensor<1x1x2x2xf32>'}}
  %a = dattn.wait %h : !dattn.transfer<tensor<1x1x4x2xf32>> -> tensor<1x1x2x2xf32>
  return
}

// -----

// AG1: the gathered type multiplies the gather dimension only.
shard.grid @sp(shape = 2)
func.func @all_gather_start_ag1(%x: tensor<1x1x4x2xf32>) {
  // expected-error @+1 {{gathered type 'tensor<1x2x8x2xf32>' must be the input 'tensor<1x1x4x2xf32>' with gather dimension 2 multiplied}}
  %h = dattn.all_gather_start %x on @sp axis = 0 gather_axis = 2 : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x2x8x2xf32>>
  return
}
