// RUN: dattn-opt %s --dattn-convert-to-emitc -split-input-file -verify-diagnostics

// What the host target refuses, at the op.

// An attention that was neither planned nor decomposed.
func.func @unplanned(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>, %v: tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32> {
  // expected-error @+2 {{the host target takes planned or decomposed attention; run dattn-decompose or a planning pass first}}
  // expected-error @+1 {{failed to legalize operation 'dattn.attention'}}
  %o = dattn.attention %q, %k, %v : tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32> -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}

// -----

// A sum over part of a grid.
shard.grid @g(shape = 2x2)
func.func @partial_reduce(%x: tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32> {
  // expected-error @+2 {{the host target sums over the whole grid only}}
  // expected-error @+1 {{failed to legalize operation 'shard.all_reduce'}}
  %r = shard.all_reduce %x on @g grid_axes = [0] : tensor<1x1x4x8xf32> -> tensor<1x1x4x8xf32>
  return %r : tensor<1x1x4x8xf32>
}

// -----

// A grid of dynamic shape.
shard.grid @g(shape = ?)
func.func @dynamic_grid() -> index {
  // expected-error @+2 {{the host target needs a grid of static shape}}
  // expected-error @+1 {{failed to legalize operation 'shard.process_linear_index'}}
  %r = shard.process_linear_index on @g : index
  return %r : index
}
