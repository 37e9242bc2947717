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

// -----

// A rank-reducing slice.
func.func @rank_reducing(%x: tensor<1x1x4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+2 {{the host target does not take rank-reducing slices}}
  // expected-error @+1 {{failed to legalize operation 'tensor.extract_slice'}}
  %s = tensor.extract_slice %x[0, 0, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x1x4x8xf32> to tensor<4x8xf32>
  return %s : tensor<4x8xf32>
}

// -----

// Padding at the front.
func.func @pad_front(%x: tensor<1x1x4x8xf32>) -> tensor<1x1x6x8xf32> {
  %zero = arith.constant 0.0 : f32
  // expected-error @+2 {{the host target pads at the end with a float constant only}}
  // expected-error @+1 {{failed to legalize operation 'tensor.pad'}}
  %p = tensor.pad %x low[0, 0, 2, 0] high[0, 0, 0, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x1x4x8xf32> to tensor<1x1x6x8xf32>
  return %p : tensor<1x1x6x8xf32>
}

// -----

// Two grid coordinates at once.
shard.grid @g(shape = 2x2)
func.func @two_axes() -> index {
  // expected-error @+2 {{the host target takes one grid axis at a time}}
  // expected-error @+1 {{failed to legalize operation 'shard.process_multi_index'}}
  %r:2 = shard.process_multi_index on @g axes = [0, 1] : index, index
  return %r#0 : index
}

// -----

// A gather over two grid axes.
shard.grid @g(shape = 2x2)
func.func @gather_two_axes(%x: tensor<1x1x4x8xf32>) -> tensor<1x1x16x8xf32> {
  // expected-error @+2 {{the host target gathers over one grid axis}}
  // expected-error @+1 {{failed to legalize operation 'shard.all_gather'}}
  %g = shard.all_gather %x on @g grid_axes = [0, 1] gather_axis = 2 : tensor<1x1x4x8xf32> -> tensor<1x1x16x8xf32>
  return %g : tensor<1x1x16x8xf32>
}

// -----

// An all-to-all over two grid axes at once.
shard.grid @g(shape = 2x2)
func.func @all_to_all_two_axes(%x: tensor<4x1x4x8xf32>) -> tensor<1x1x16x8xf32> {
  // expected-error @+2 {{the host target exchanges over one grid axis at a time}}
  // expected-error @+1 {{failed to legalize operation 'shard.all_to_all'}}
  %r = shard.all_to_all %x on @g grid_axes = [0, 1] split_axis = 0 concat_axis = 2 : tensor<4x1x4x8xf32> -> tensor<1x1x16x8xf32>
  return %r : tensor<1x1x16x8xf32>
}
