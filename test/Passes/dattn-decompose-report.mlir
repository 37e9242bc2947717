// RUN: dattn-opt %s --dattn-decompose="report q-block=64 kv-block=64" -verify-diagnostics -split-input-file

// 256 x 256 causal in 64-blocks: 4 diagonal tiles keep the mask, 6 below it
// are full, 6 above it are skipped.
func.func @causal(%q: tensor<1x8x256x64xf32>, %k: tensor<1x2x256x64xf32>, %v: tensor<1x2x256x64xf32>) -> tensor<1x8x256x64xf32> {
  // expected-remark @+1 {{decomposed into 10 micro-attention tiles (4 masked, 6 full) over 4 q blocks; 6 fully masked tiles skipped}}
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x256x64xf32>, tensor<1x2x256x64xf32>, tensor<1x2x256x64xf32> -> tensor<1x8x256x64xf32>
  return %o : tensor<1x8x256x64xf32>
}

// -----

// Decode at the last position of 200 keys: 4 key blocks (the last of 8),
// every one fully visible.
func.func @decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x200x64xf32>, %v: tensor<1x2x200x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-remark @+1 {{decomposed into 4 micro-attention tiles (0 masked, 4 full) over 1 q blocks; 0 fully masked tiles skipped}}
  %o = dattn.attention %q, %k, %v mask(<causal, q = 199 + 1 * i>) : tensor<1x8x1x64xf32>, tensor<1x2x200x64xf32>, tensor<1x2x200x64xf32> -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
