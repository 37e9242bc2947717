// RUN: dattn-opt %s --dattn-verify-plan="report=none max-proof-bits=1" -split-input-file -verify-diagnostics
// The verifier past max-proof-bits: rows keep tallies of their keys (count,
// position sums) instead of key sets, and finalize checks them.


shard.grid @sp(shape = 2)
// Each step's tile is merged twice: row 0 counts key 0 twice.
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
    %m = dattn.merge %s, %tile, %tile : !dattn.state<1x1x2x2>
    %kn = shard.shift %kc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    %vn = shard.shift %vc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    scf.yield %kn, %vn, %m : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>
  }
  // expected-error @+1 {{plan verifier: on rank 0 query 0 has seen 2 of its 1 keys}}
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


shard.grid @sp(shape = 2)
// Full attention that never passes the blocks on: each rank attends to its
// own block twice. Every row counts 4 keys, as it should, but the sums show
// keys counted twice and others never.
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
    %a = arith.addi %r, %c2 : index
    %b = arith.subi %a, %t : index
    %owner = arith.remui %b, %c2 : index
    %kfirst = arith.muli %owner, %c2 : index
    %tile = dattn.micro_attention %ql, %kc, %vc mask(<full>) at(%first, %first) : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> !dattn.state<1x1x2x2>
    %m = dattn.merge %s, %tile : !dattn.state<1x1x2x2>
    %kn = shard.shift %kc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    %vn = shard.shift %vc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
    scf.yield %kc, %vc, %m : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, !dattn.state<1x1x2x2>
  }
  // expected-error @+1 {{plan verifier: on rank 0 query 0 has seen 4 keys, but not the keys [0, 4): some pair is computed twice and another not at all}}
  %out = dattn.finalize %res#2 : !dattn.state<1x1x2x2> -> tensor<1x1x2x2xf32>
  %placed = tensor.insert_slice %out into %zero[0, 0, %first, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x2x2xf32> into tensor<1x1x4x2xf32>
  %all = shard.all_reduce %placed on @sp grid_axes = [0] : tensor<1x1x4x2xf32> -> tensor<1x1x4x2xf32>
  return %all : tensor<1x1x4x2xf32>
}
