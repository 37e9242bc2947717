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

// A decode plan: the query is not a sequence of the same tokens as the keys.
shard.grid @sp(shape = 2)
// expected-error @+1 {{dattn-verify-plan follows self-attention plans (every argument one sequence of the same tokens); this one has 1 and 4 rows: decode plans are not supported yet}}
func.func @decode_shaped(%q: tensor<1x1x1x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) -> tensor<1x1x1x2xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x1x1x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32> -> tensor<1x1x1x2xf32>
  return %o : tensor<1x1x1x2xf32>
}
