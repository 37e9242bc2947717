// RUN: dattn-opt %s --dattn-verify-plan=report=none -split-input-file -verify-diagnostics

// Hand-broken plans: the verifier rejects each at the op that goes wrong,
// naming the rank and the tokens.

shard.grid @sp(shape = 2)
// A correct 2-rank ring: verified, no diagnostic.
func.func @correct_ring(%q: tensor<1x1x4x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x4x2xf32> {
  %r = shard.process_linear_index on @sp : index
  %zero = arith.constant dense<0.000000e+00> : tensor<1x1x4x2xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %first = arith.muli %r, %c2 : index
  %ql = tensor.extract_slice %q[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %kl = tensor.extract_slice %k[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %vl = tensor.extract_slice %v[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %e = dattn.empty_state : !dattn.state<1x1x2x2>
  %res:3 = scf.for %t = %c0 to %c2 step %c1 iter_args(%kc = %kl, %vc = %vl, %s = %e) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>) {
    %a = arith.addi %r, %c2 : index
    %b = arith.subi %a, %t : index
    %owner = arith.remui %b, %c2 : index
    %kfirst = arith.muli %owner, %c2 : index
    %tile = dattn.micro_attention %ql, %kc, %vc mask(<causal>) at(%first, %kfirst) : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> !dattn.state<1x1x2x2>
    %m = dattn.merge %s, %tile : !dattn.state<1x1x2x2>
    %kn = shard.shift %kc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    %vn = shard.shift %vc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    scf.yield %kn, %vn, %m : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>
  }
  %out = dattn.finalize %res#2 : !dattn.state<1x1x2x2> -> tensor<1x1x2x2xf32>
  %placed = tensor.insert_slice %out into %zero[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> into tensor<1x1x4x2xf32>
  %all = shard.all_reduce %placed on @sp grid_axes = [0] : tensor<1x1x4x2xf32> -> tensor<1x1x4x2xf32>
  return %all : tensor<1x1x4x2xf32>
}

// -----

shard.grid @sp(shape = 2)
// The tile claims the K/V block of rank t instead of rank (r - t) mod N.
func.func @wrong_owner(%q: tensor<1x1x4x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x4x2xf32> {
  %r = shard.process_linear_index on @sp : index
  %zero = arith.constant dense<0.000000e+00> : tensor<1x1x4x2xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %first = arith.muli %r, %c2 : index
  %ql = tensor.extract_slice %q[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %kl = tensor.extract_slice %k[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %vl = tensor.extract_slice %v[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %e = dattn.empty_state : !dattn.state<1x1x2x2>
  %res:3 = scf.for %t = %c0 to %c2 step %c1 iter_args(%kc = %kl, %vc = %vl, %s = %e) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>) {
    %a = arith.addi %r, %c2 : index
    %b = arith.subi %a, %t : index
    %owner = arith.remui %b, %c2 : index
    %kfirst = arith.muli %t, %c2 : index
    // expected-error @+1 {{plan verifier: on rank 1 this tile's k positions [0, 1] are not those of the tokens it holds [2, 3]}}
    %tile = dattn.micro_attention %ql, %kc, %vc mask(<causal>) at(%first, %kfirst) : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> !dattn.state<1x1x2x2>
    %m = dattn.merge %s, %tile : !dattn.state<1x1x2x2>
    %kn = shard.shift %kc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    %vn = shard.shift %vc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    scf.yield %kn, %vn, %m : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>
  }
  %out = dattn.finalize %res#2 : !dattn.state<1x1x2x2> -> tensor<1x1x2x2xf32>
  %placed = tensor.insert_slice %out into %zero[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> into tensor<1x1x4x2xf32>
  %all = shard.all_reduce %placed on @sp grid_axes = [0] : tensor<1x1x4x2xf32> -> tensor<1x1x4x2xf32>
  return %all : tensor<1x1x4x2xf32>
}

// -----

shard.grid @sp(shape = 2)
// Each step's tile is merged twice.
func.func @tile_counted_twice(%q: tensor<1x1x4x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x4x2xf32> {
  %r = shard.process_linear_index on @sp : index
  %zero = arith.constant dense<0.000000e+00> : tensor<1x1x4x2xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %first = arith.muli %r, %c2 : index
  %ql = tensor.extract_slice %q[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %kl = tensor.extract_slice %k[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %vl = tensor.extract_slice %v[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %e = dattn.empty_state : !dattn.state<1x1x2x2>
  %res:3 = scf.for %t = %c0 to %c2 step %c1 iter_args(%kc = %kl, %vc = %vl, %s = %e) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>) {
    %a = arith.addi %r, %c2 : index
    %b = arith.subi %a, %t : index
    %owner = arith.remui %b, %c2 : index
    %kfirst = arith.muli %owner, %c2 : index
    %tile = dattn.micro_attention %ql, %kc, %vc mask(<causal>) at(%first, %kfirst) : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> !dattn.state<1x1x2x2>
    // expected-error @+1 {{plan verifier: on rank 0 the pair (q 0, k 0) is computed twice}}
    %m = dattn.merge %s, %tile, %tile : !dattn.state<1x1x2x2>
    %kn = shard.shift %kc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    %vn = shard.shift %vc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    scf.yield %kn, %vn, %m : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>
  }
  %out = dattn.finalize %res#2 : !dattn.state<1x1x2x2> -> tensor<1x1x2x2xf32>
  %placed = tensor.insert_slice %out into %zero[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> into tensor<1x1x4x2xf32>
  %all = shard.all_reduce %placed on @sp grid_axes = [0] : tensor<1x1x4x2xf32> -> tensor<1x1x4x2xf32>
  return %all : tensor<1x1x4x2xf32>
}

// -----

shard.grid @sp(shape = 2)
// The ring stops after one step: rank 1 never sees keys 0 and 1.
func.func @missing_step(%q: tensor<1x1x4x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x4x2xf32> {
  %r = shard.process_linear_index on @sp : index
  %zero = arith.constant dense<0.000000e+00> : tensor<1x1x4x2xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %first = arith.muli %r, %c2 : index
  %ql = tensor.extract_slice %q[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %kl = tensor.extract_slice %k[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %vl = tensor.extract_slice %v[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %e = dattn.empty_state : !dattn.state<1x1x2x2>
  %res:3 = scf.for %t = %c0 to %c1 step %c1 iter_args(%kc = %kl, %vc = %vl, %s = %e) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>) {
    %a = arith.addi %r, %c2 : index
    %b = arith.subi %a, %t : index
    %owner = arith.remui %b, %c2 : index
    %kfirst = arith.muli %owner, %c2 : index
    %tile = dattn.micro_attention %ql, %kc, %vc mask(<causal>) at(%first, %kfirst) : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> !dattn.state<1x1x2x2>
    %m = dattn.merge %s, %tile : !dattn.state<1x1x2x2>
    %kn = shard.shift %kc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    %vn = shard.shift %vc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    scf.yield %kn, %vn, %m : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>
  }
  // expected-error @+1 {{plan verifier: on rank 1 query 2 has seen 1 of its 3 keys}}
  %out = dattn.finalize %res#2 : !dattn.state<1x1x2x2> -> tensor<1x1x2x2xf32>
  %placed = tensor.insert_slice %out into %zero[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> into tensor<1x1x4x2xf32>
  %all = shard.all_reduce %placed on @sp grid_axes = [0] : tensor<1x1x4x2xf32> -> tensor<1x1x4x2xf32>
  return %all : tensor<1x1x4x2xf32>
}

// -----

// Decode (DistAttention): each holder exports its (out, lse), the query's
// owner merges them. Merging the first holder's part twice counts its keys
// twice.
shard.grid @sp(shape = 2)
func.func @decode_merged_twice(%q: tensor<1x1x1x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x1x2xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %rank = shard.process_linear_index on @sp : index
  %first = arith.muli %rank, %c2 : index
  %ks = tensor.extract_slice %k[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %vs = tensor.extract_slice %v[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %part = dattn.micro_attention %q, %ks, %vs mask(<causal, q = 3 + 1 * i, k_end = 4>) at(%c0, %first) : tensor<1x1x1x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> !dattn.state<1x1x1x2>
  %out, %lse = dattn.finalize %part : !dattn.state<1x1x1x2> -> tensor<1x1x1x2xf32>, tensor<1x1x1xf32>
  %outs = shard.all_gather %out on @sp grid_axes = [0] gather_axis = 2 : tensor<1x1x1x2xf32> -> tensor<1x1x2x2xf32>
  %lses = shard.all_gather %lse on @sp grid_axes = [0] gather_axis = 2 : tensor<1x1x1xf32> -> tensor<1x1x2xf32>
  %empty = dattn.empty_state : !dattn.state<1x1x1x2>
  %merged = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %empty) -> (!dattn.state<1x1x1x2>) {
    %l = tensor.extract_slice %lses[0, 0, %c0] [1, 1, 1] [1, 1, 1] : tensor<1x1x2xf32> to tensor<1x1x1xf32>
    %o = tensor.extract_slice %outs[0, 0, %c0, 0] [1, 1, 1, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> to tensor<1x1x1x2xf32>
    %s = dattn.as_state %o, %l : tensor<1x1x1x2xf32>, tensor<1x1x1xf32> -> !dattn.state<1x1x1x2>
    // expected-error @+1 {{plan verifier: on rank 0 the pair (q 3, k 0) is computed twice}}
    %next = dattn.merge %acc, %s : !dattn.state<1x1x1x2>
    scf.yield %next : !dattn.state<1x1x1x2>
  }
  %result = dattn.finalize %merged : !dattn.state<1x1x1x2> -> tensor<1x1x1x2xf32>
  return %result : tensor<1x1x1x2xf32>
}

// -----

// Merging only the first holder's part leaves the last two keys unseen.
shard.grid @sp(shape = 2)
func.func @decode_holder_dropped(%q: tensor<1x1x1x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x1x2xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %rank = shard.process_linear_index on @sp : index
  %first = arith.muli %rank, %c2 : index
  %ks = tensor.extract_slice %k[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %vs = tensor.extract_slice %v[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %part = dattn.micro_attention %q, %ks, %vs mask(<causal, q = 3 + 1 * i, k_end = 4>) at(%c0, %first) : tensor<1x1x1x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> !dattn.state<1x1x1x2>
  %out, %lse = dattn.finalize %part : !dattn.state<1x1x1x2> -> tensor<1x1x1x2xf32>, tensor<1x1x1xf32>
  %outs = shard.all_gather %out on @sp grid_axes = [0] gather_axis = 2 : tensor<1x1x1x2xf32> -> tensor<1x1x2x2xf32>
  %lses = shard.all_gather %lse on @sp grid_axes = [0] gather_axis = 2 : tensor<1x1x1xf32> -> tensor<1x1x2xf32>
  %empty = dattn.empty_state : !dattn.state<1x1x1x2>
  %merged = scf.for %i = %c0 to %c1 step %c1 iter_args(%acc = %empty) -> (!dattn.state<1x1x1x2>) {
    %l = tensor.extract_slice %lses[0, 0, %i] [1, 1, 1] [1, 1, 1] : tensor<1x1x2xf32> to tensor<1x1x1xf32>
    %o = tensor.extract_slice %outs[0, 0, %i, 0] [1, 1, 1, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> to tensor<1x1x1x2xf32>
    %s = dattn.as_state %o, %l : tensor<1x1x1x2xf32>, tensor<1x1x1xf32> -> !dattn.state<1x1x1x2>
    %next = dattn.merge %acc, %s : !dattn.state<1x1x1x2>
    scf.yield %next : !dattn.state<1x1x1x2>
  }
  // expected-error @+1 {{plan verifier: on rank 0 query 3 has seen 2 of its 4 keys}}
  %result = dattn.finalize %merged : !dattn.state<1x1x1x2> -> tensor<1x1x1x2xf32>
  return %result : tensor<1x1x1x2xf32>
}

// -----

// A state read back from a tensor that no dattn.finalize exported: the
// verifier cannot know which keys it stands for.
shard.grid @sp(shape = 2)
func.func @decode_state_from_nowhere(%q: tensor<1x1x1x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x1x2xf32> {
  %lse = arith.constant dense<0.0> : tensor<1x1x1xf32>
  // expected-error @+1 {{plan verifier: this state's output does not come from a dattn.finalize with lse through slices, gathers and placements that fill every slot}}
  %s = dattn.as_state %q, %lse : tensor<1x1x1x2xf32>, tensor<1x1x1xf32> -> !dattn.state<1x1x1x2>
  %result = dattn.finalize %s : !dattn.state<1x1x1x2> -> tensor<1x1x1x2xf32>
  return %result : tensor<1x1x1x2xf32>
}

// -----

// Keys and values hold the whole sequence; only the query may be shorter.
shard.grid @sp(shape = 2)
// expected-error @+1 {{dattn-verify-plan follows attention over one sequence: the keys and values hold all 4 tokens, but argument 2 has 3 rows}}
func.func @short_values(%q: tensor<1x1x1x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x3x2xf32>) -> tensor<1x1x1x2xf32> {
  return %q : tensor<1x1x1x2xf32>
}

// -----

// An attention not yet planned into tiles: nothing to prove.
func.func @unplanned(%q: tensor<1x1x4x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x4x2xf32> {
  // expected-error @+1 {{dattn-verify-plan: this attention is not planned into tiles yet; run dattn-plan-prefill, dattn-plan-decode or dattn-decompose first}}
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32> -> tensor<1x1x4x2xf32>
  return %o : tensor<1x1x4x2xf32>
}

// -----

// Multi-master decode whose query ring stops one step short: the partials
// of one master's requests are never placed, so that slot of the exchanged
// states stays zeros; the verifier must not take it for a partial that saw
// this rank's keys.
shard.grid @sp(shape = 2)
func.func @masters_slot_never_filled(%arg0: tensor<4x4x1x8xf32>, %arg1: tensor<4x2x37x8xf32>, %arg2: tensor<4x2x37x8xf32>) -> tensor<4x4x1x8xf32> {
  %c19 = arith.constant 19 : index
  %proc_linear_idx = shard.process_linear_index on @sp : index
  %0 = arith.muli %proc_linear_idx, %c19 : index
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %arg1 low[0, 0, 0, 0] high[0, 0, 1, 0] {
  ^bb0(%arg3: index, %arg4: index, %arg5: index, %arg6: index):
    tensor.yield %cst : f32
  } : tensor<4x2x37x8xf32> to tensor<4x2x38x8xf32>
  %extracted_slice = tensor.extract_slice %padded[0, 0, %0, 0] [4, 2, 19, 8] [1, 1, 1, 1] : tensor<4x2x38x8xf32> to tensor<4x2x19x8xf32>
  %padded_0 = tensor.pad %arg2 low[0, 0, 0, 0] high[0, 0, 1, 0] {
  ^bb0(%arg3: index, %arg4: index, %arg5: index, %arg6: index):
    tensor.yield %cst : f32
  } : tensor<4x2x37x8xf32> to tensor<4x2x38x8xf32>
  %extracted_slice_1 = tensor.extract_slice %padded_0[0, 0, %0, 0] [4, 2, 19, 8] [1, 1, 1, 1] : tensor<4x2x38x8xf32> to tensor<4x2x19x8xf32>
  %c2 = arith.constant 2 : index
  %1 = arith.muli %proc_linear_idx, %c2 : index
  %cst_2 = arith.constant dense<0.000000e+00> : tensor<4x4x1x8xf32>
  %cst_3 = arith.constant dense<0.000000e+00> : tensor<4x4x1xf32>
  %extracted_slice_4 = tensor.extract_slice %arg0[%1, 0, 0, 0] [2, 4, 1, 8] [1, 1, 1, 1] : tensor<4x4x1x8xf32> to tensor<2x4x1x8xf32>
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %2:3 = scf.for %arg3 = %c0 to %c1 step %c1 iter_args(%arg4 = %extracted_slice_4, %arg5 = %cst_2, %arg6 = %cst_3) -> (tensor<2x4x1x8xf32>, tensor<4x4x1x8xf32>, tensor<4x4x1xf32>) {
    %5 = arith.addi %proc_linear_idx, %c2 : index
    %6 = arith.subi %5, %arg3 : index
    %7 = arith.remui %6, %c2 : index
    %8 = arith.muli %7, %c2 : index
    %extracted_slice_6 = tensor.extract_slice %extracted_slice[%8, 0, 0, 0] [2, 2, 19, 8] [1, 1, 1, 1] : tensor<4x2x19x8xf32> to tensor<2x2x19x8xf32>
    %extracted_slice_7 = tensor.extract_slice %extracted_slice_1[%8, 0, 0, 0] [2, 2, 19, 8] [1, 1, 1, 1] : tensor<4x2x19x8xf32> to tensor<2x2x19x8xf32>
    %9 = dattn.micro_attention %arg4, %extracted_slice_6, %extracted_slice_7 mask(<causal, q = 36 + 1 * i, k_end = 37>) at(%c0, %0) : tensor<2x4x1x8xf32>, tensor<2x2x19x8xf32>, tensor<2x2x19x8xf32> -> !dattn.state<2x4x1x8>
    %out_8, %lse = dattn.finalize %9 : !dattn.state<2x4x1x8> -> tensor<2x4x1x8xf32>, tensor<2x4x1xf32>
    %shift = shard.shift %arg4 on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<2x4x1x8xf32> -> tensor<2x4x1x8xf32>
    %inserted_slice_9 = tensor.insert_slice %out_8 into %arg5[%8, 0, 0, 0] [2, 4, 1, 8] [1, 1, 1, 1] : tensor<2x4x1x8xf32> into tensor<4x4x1x8xf32>
    %inserted_slice_10 = tensor.insert_slice %lse into %arg6[%8, 0, 0] [2, 4, 1] [1, 1, 1] : tensor<2x4x1xf32> into tensor<4x4x1xf32>
    scf.yield %shift, %inserted_slice_9, %inserted_slice_10 : tensor<2x4x1x8xf32>, tensor<4x4x1x8xf32>, tensor<4x4x1xf32>
  }
  %all_to_all = shard.all_to_all %2#1 on @sp grid_axes = [0] split_axis = 0 concat_axis = 2 : tensor<4x4x1x8xf32> -> tensor<2x4x2x8xf32>
  %all_to_all_5 = shard.all_to_all %2#2 on @sp grid_axes = [0] split_axis = 0 concat_axis = 2 : tensor<4x4x1xf32> -> tensor<2x4x2xf32>
  %3 = dattn.empty_state : !dattn.state<2x4x1x8>
  %4 = scf.for %arg3 = %c0 to %c2 step %c1 iter_args(%arg4 = %3) -> (!dattn.state<2x4x1x8>) {
    %5 = arith.muli %arg3, %c1 : index
    %extracted_slice_6 = tensor.extract_slice %all_to_all_5[0, 0, %5] [2, 4, 1] [1, 1, 1] : tensor<2x4x2xf32> to tensor<2x4x1xf32>
    %extracted_slice_7 = tensor.extract_slice %all_to_all[0, 0, %5, 0] [2, 4, 1, 8] [1, 1, 1, 1] : tensor<2x4x2x8xf32> to tensor<2x4x1x8xf32>
    // expected-error @+1 {{plan verifier: this state's output does not come from a dattn.finalize with lse through slices, gathers and placements that fill every slot}}
    %6 = dattn.as_state %extracted_slice_7, %extracted_slice_6 : tensor<2x4x1x8xf32>, tensor<2x4x1xf32> -> !dattn.state<2x4x1x8>
    %7 = dattn.merge %arg4, %6 : !dattn.state<2x4x1x8>
    scf.yield %7 : !dattn.state<2x4x1x8>
  }
  %out = dattn.finalize %4 : !dattn.state<2x4x1x8> -> tensor<2x4x1x8xf32>
  %inserted_slice = tensor.insert_slice %out into %cst_2[%1, 0, 0, 0] [2, 4, 1, 8] [1, 1, 1, 1] : tensor<2x4x1x8xf32> into tensor<4x4x1x8xf32>
  %all_reduce = shard.all_reduce %inserted_slice on @sp grid_axes = [0] : tensor<4x4x1x8xf32> -> tensor<4x4x1x8xf32>
  return %all_reduce : tensor<4x4x1x8xf32>
}


// -----

// Full attention that never passes the blocks on: each rank attends to its
// own block twice. Every row counts 4 keys, as it should; the second step's
// merge brings pairs the first already brought.
shard.grid @sp(shape = 2)
func.func @own_block_twice(%q: tensor<1x1x4x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x4x2xf32> {
  %r = shard.process_linear_index on @sp : index
  %zero = arith.constant dense<0.000000e+00> : tensor<1x1x4x2xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %first = arith.muli %r, %c2 : index
  %ql = tensor.extract_slice %q[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %kl = tensor.extract_slice %k[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %vl = tensor.extract_slice %v[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> to tensor<1x1x2x2xf32>
  %e = dattn.empty_state : !dattn.state<1x1x2x2>
  %res:3 = scf.for %t = %c0 to %c2 step %c1 iter_args(%kc = %kl, %vc = %vl, %s = %e) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>) {
    %tile = dattn.micro_attention %ql, %kc, %vc mask(<full>) at(%first, %first) : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> !dattn.state<1x1x2x2>
    // expected-error @+1 {{plan verifier: on rank 0 the pair (q 0, k 0) is computed twice}}
    %m = dattn.merge %s, %tile : !dattn.state<1x1x2x2>
    scf.yield %kc, %vc, %m : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>
  }
  %out = dattn.finalize %res#2 : !dattn.state<1x1x2x2> -> tensor<1x1x2x2xf32>
  %placed = tensor.insert_slice %out into %zero[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> into tensor<1x1x4x2xf32>
  %all = shard.all_reduce %placed on @sp grid_axes = [0] : tensor<1x1x4x2xf32> -> tensor<1x1x4x2xf32>
  return %all : tensor<1x1x4x2xf32>
}

// -----

// One block of keys concatenated twice: the tile would count each key of
// it twice.
func.func @key_twice_in_a_tile(%q: tensor<1x1x2x2xf32>, %k: tensor<1x1x2x2xf32>, %v: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %kk = tensor.concat dim(2) %k, %k : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x2xf32>
  %vv = tensor.concat dim(2) %v, %v : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x2xf32>
  // expected-error @+1 {{plan verifier: on rank 0 this tile holds key 0 twice}}
  %t = dattn.micro_attention %q, %kk, %vv : tensor<1x1x2x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32> -> !dattn.state<1x1x2x2>
  %o = dattn.finalize %t : !dattn.state<1x1x2x2> -> tensor<1x1x2x2xf32>
  return %o : tensor<1x1x2x2xf32>
}

// -----

// A causal attention whose second tile lost its mask: query 0 would see
// key 1, after it.
func.func @pair_past_the_diagonal(%q: tensor<1x1x2x2xf32>, %k: tensor<1x1x2x2xf32>, %v: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 1, 1, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> to tensor<1x1x1x2xf32>
  %v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 1, 1, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> to tensor<1x1x1x2xf32>
  %k1 = tensor.extract_slice %k[0, 0, 1, 0] [1, 1, 1, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> to tensor<1x1x1x2xf32>
  %v1 = tensor.extract_slice %v[0, 0, 1, 0] [1, 1, 1, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> to tensor<1x1x1x2xf32>
  %a = dattn.micro_attention %q, %k0, %v0 mask(<causal>) : tensor<1x1x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32> -> !dattn.state<1x1x2x2>
  %b = dattn.micro_attention %q, %k1, %v1 mask(<full, k = 1 + 1 * j>) : tensor<1x1x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32> -> !dattn.state<1x1x2x2>
  %m = dattn.merge %a, %b : !dattn.state<1x1x2x2>
  // expected-error @+1 {{plan verifier: on rank 0 query 0 has seen key 1, which a causal attention hides from it}}
  %o = dattn.finalize %m : !dattn.state<1x1x2x2> -> tensor<1x1x2x2xf32>
  return %o : tensor<1x1x2x2xf32>
}
