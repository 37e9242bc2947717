// RUN: dattn-opt %s --dattn-decompose="max-tiles=8" -split-input-file -verify-diagnostics

// 1024 x 1024 causal in 128-blocks is 36 tiles: over the limit of 8, the op
// is rejected at its location and left as it was.
func.func @too_many_tiles(%q: tensor<1x1x1024x64xf32>, %k: tensor<1x1x1024x64xf32>, %v: tensor<1x1x1024x64xf32>) -> tensor<1x1x1024x64xf32> {
  // expected-error @+1 {{'dattn.attention' op would be cut into more than 8 micro-attention tiles (q-block=128, kv-block=128); raise the block sizes or max-tiles}}
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32> -> tensor<1x1x1024x64xf32>
  return %o : tensor<1x1x1024x64xf32>
}

// -----

// Nothing is rewritten when any attention in the module is rejected: the
// small one below stays too.
func.func @all_or_nothing(%q: tensor<1x1x1024x64xf32>, %k: tensor<1x1x1024x64xf32>, %v: tensor<1x1x1024x64xf32>, %q2: tensor<1x1x8x64xf32>) -> (tensor<1x1x8x64xf32>, tensor<1x1x1024x64xf32>) {
  %small = dattn.attention %q2, %k, %v : tensor<1x1x8x64xf32>, tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32> -> tensor<1x1x8x64xf32>
  // expected-error @+1 {{would be cut into more than 8 micro-attention tiles}}
  %o = dattn.attention %q, %k, %v : tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32> -> tensor<1x1x1024x64xf32>
  return %small, %o : tensor<1x1x8x64xf32>, tensor<1x1x1024x64xf32>
}
