// RUN: dattn-opt %s --dattn-decompose --verify-roundtrip | FileCheck %s
// RUN: dattn-opt %s --mlir-print-op-generic | dattn-opt --dattn-decompose | FileCheck %s
// RUN: dattn-opt %s --dattn-decompose="q-block=64 kv-block=64" | FileCheck %s --check-prefix=SMALL

// Causal 256 x 256 in 128-blocks: the upper-right tile is fully masked and
// not emitted, the lower-left one is fully visible and carries no mask, the
// two diagonal tiles keep the causal mask with their global positions.
// CHECK-LABEL: func.func @causal_square
// CHECK-SAME: (%[[Q:.+]]: tensor<1x8x256x64xf32>, %[[K:.+]]: tensor<1x2x256x64xf32>, %[[V:.+]]: tensor<1x2x256x64xf32>)
// CHECK-DAG: %[[Q0:.+]] = tensor.extract_slice %[[Q]][0, 0, 0, 0] [1, 8, 128, 64] [1, 1, 1, 1]
// CHECK-DAG: %[[K0:.+]] = tensor.extract_slice %[[K]][0, 0, 0, 0] [1, 2, 128, 64] [1, 1, 1, 1]
// CHECK-DAG: %[[V0:.+]] = tensor.extract_slice %[[V]][0, 0, 0, 0] [1, 2, 128, 64] [1, 1, 1, 1]
// CHECK: %[[S00:.+]] = dattn.micro_attention %[[Q0]], %[[K0]], %[[V0]] mask(<causal>) :
// CHECK: %[[O0:.+]] = dattn.finalize %[[S00]] : !dattn.state<1x8x128x64> -> tensor<1x8x128x64xf32>
// CHECK: %[[Q1:.+]] = tensor.extract_slice %[[Q]][0, 0, 128, 0] [1, 8, 128, 64]
// CHECK: %[[S10:.+]] = dattn.micro_attention %[[Q1]], %[[K0]], %[[V0]] :
// CHECK-DAG: %[[K1:.+]] = tensor.extract_slice %[[K]][0, 0, 128, 0] [1, 2, 128, 64]
// CHECK-DAG: %[[V1:.+]] = tensor.extract_slice %[[V]][0, 0, 128, 0] [1, 2, 128, 64]
// CHECK: %[[S11:.+]] = dattn.micro_attention %[[Q1]], %[[K1]], %[[V1]] mask(<causal, q = 128 + 1 * i, k = 128 + 1 * j>) :
// CHECK: %[[M1:.+]] = dattn.merge %[[S10]], %[[S11]] : !dattn.state<1x8x128x64>
// CHECK: %[[O1:.+]] = dattn.finalize %[[M1]]
// CHECK: %[[OUT:.+]] = tensor.concat dim(2) %[[O0]], %[[O1]]
// CHECK-NOT: dattn.attention
// CHECK: return %[[OUT]]
// With 64-blocks: 4 x 4 tiles, 6 above the diagonal dropped, 4 masked.
// SMALL-LABEL: func.func @causal_square
// SMALL-COUNT-10: dattn.micro_attention
// SMALL-NOT: dattn.micro_attention
// SMALL: return
func.func @causal_square(%q: tensor<1x8x256x64xf32>, %k: tensor<1x2x256x64xf32>, %v: tensor<1x2x256x64xf32>) -> tensor<1x8x256x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x256x64xf32>, tensor<1x2x256x64xf32>, tensor<1x2x256x64xf32> -> tensor<1x8x256x64xf32>
  return %o : tensor<1x8x256x64xf32>
}

// 300 tokens in 128-blocks: remainder tiles of 44 rows and 44 keys.
// CHECK-LABEL: func.func @remainder
// CHECK: tensor.extract_slice %{{.+}}[0, 0, 256, 0] [1, 4, 44, 128]
// CHECK: tensor.extract_slice %{{.+}}[0, 0, 256, 0] [1, 4, 44, 128]
// CHECK: dattn.micro_attention {{.*}} -> !dattn.state<1x4x44x128>
// CHECK: dattn.merge {{.*}} : !dattn.state<1x4x44x128>
// CHECK: tensor.concat dim(2) {{.*}} : (tensor<1x4x128x128xbf16>, tensor<1x4x128x128xbf16>, tensor<1x4x44x128xbf16>) -> tensor<1x4x300x128xbf16>
func.func @remainder(%q: tensor<1x4x300x128xbf16>, %k: tensor<1x4x300x128xbf16>, %v: tensor<1x4x300x128xbf16>) -> tensor<1x4x300x128xbf16> {
  %o = dattn.attention %q, %k, %v : tensor<1x4x300x128xbf16>, tensor<1x4x300x128xbf16>, tensor<1x4x300x128xbf16> -> tensor<1x4x300x128xbf16>
  return %o : tensor<1x4x300x128xbf16>
}

// Full attention: every tile, none masked; the scale is kept on each tile.
// CHECK-LABEL: func.func @full
// CHECK-COUNT-4: dattn.micro_attention {{[^m]*}} scale(2.500000e-01) :
// CHECK-NOT: mask
// CHECK: return
func.func @full(%q: tensor<2x2x256x64xf16>, %k: tensor<2x2x200x64xf16>, %v: tensor<2x2x200x64xf16>) -> tensor<2x2x256x64xf16> {
  %o = dattn.attention %q, %k, %v scale(0.25) : tensor<2x2x256x64xf16>, tensor<2x2x200x64xf16>, tensor<2x2x200x64xf16> -> tensor<2x2x256x64xf16>
  return %o : tensor<2x2x256x64xf16>
}

// Decode: one query token at position 383 against 384 cached keys. Every
// tile is fully visible, so none is masked; no q slice, no concat.
// CHECK-LABEL: func.func @decode
// CHECK-SAME: (%[[Q:.+]]: tensor<1x32x1x128xbf16>
// CHECK-COUNT-3: dattn.micro_attention %[[Q]], {{.*}} : tensor<1x32x1x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x1x128>
// CHECK: %[[M:.+]] = dattn.merge
// CHECK: %[[O:.+]] = dattn.finalize %[[M]]
// CHECK-NOT: tensor.concat
// CHECK: return %[[O]]
func.func @decode(%q: tensor<1x32x1x128xbf16>, %k: tensor<1x8x384x128xbf16>, %v: tensor<1x8x384x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 383 + 1 * i>) : tensor<1x32x1x128xbf16>, tensor<1x8x384x128xbf16>, tensor<1x8x384x128xbf16> -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

// Attention that fits one tile is one micro-attention and a finalize.
// CHECK-LABEL: func.func @single_tile
// CHECK-SAME: (%[[Q:.+]]: tensor<1x1x16x64xf32>, %[[K:.+]]: tensor<1x1x16x64xf32>, %[[V:.+]]: tensor<1x1x16x64xf32>)
// CHECK-NEXT: %[[S:.+]] = dattn.micro_attention %[[Q]], %[[K]], %[[V]] mask(<causal>)
// CHECK-NEXT: %[[O:.+]] = dattn.finalize %[[S]]
// CHECK-NEXT: return %[[O]]
func.func @single_tile(%q: tensor<1x1x16x64xf32>, %k: tensor<1x1x16x64xf32>, %v: tensor<1x1x16x64xf32>) -> tensor<1x1x16x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x1x16x64xf32>, tensor<1x1x16x64xf32>, tensor<1x1x16x64xf32> -> tensor<1x1x16x64xf32>
  return %o : tensor<1x1x16x64xf32>
}

// Keys start at position 200: the first q block (rows 0..127) sees none of
// them and finalizes the identity (zeros); no tile is emitted for it.
// CHECK-LABEL: func.func @rows_without_keys
// CHECK: %[[E:.+]] = dattn.empty_state : !dattn.state<1x1x128x64>
// CHECK: dattn.finalize %[[E]]
// CHECK-COUNT-1: dattn.micro_attention
// CHECK-NOT: dattn.micro_attention
// CHECK: return
func.func @rows_without_keys(%q: tensor<1x1x256x64xf32>, %k: tensor<1x1x56x64xf32>, %v: tensor<1x1x56x64xf32>) -> tensor<1x1x256x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, k = 200 + 1 * j>) : tensor<1x1x256x64xf32>, tensor<1x1x56x64xf32>, tensor<1x1x56x64xf32> -> tensor<1x1x256x64xf32>
  return %o : tensor<1x1x256x64xf32>
}

// Strided positions (the rows and keys a striped rank holds, N = 4, rank 1
// against rank 3): each tile's mask starts at offset + stride * begin.
// CHECK-LABEL: func.func @strided_positions
// CHECK: mask(<causal, q = 1 + 4 * i, k = 3 + 4 * j>)
// CHECK: mask(<causal, q = 513 + 4 * i, k = 515 + 4 * j>)
// CHECK: return
func.func @strided_positions(%q: tensor<1x2x256x64xf32>, %k: tensor<1x2x256x64xf32>, %v: tensor<1x2x256x64xf32>) -> tensor<1x2x256x64xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 1 + 4 * i, k = 3 + 4 * j>) : tensor<1x2x256x64xf32>, tensor<1x2x256x64xf32>, tensor<1x2x256x64xf32> -> tensor<1x2x256x64xf32>
  return %o : tensor<1x2x256x64xf32>
}
