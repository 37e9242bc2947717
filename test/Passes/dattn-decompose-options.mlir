// RUN: not dattn-opt %s --dattn-decompose="q-block=0" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not dattn-opt %s --dattn-decompose="max-tiles=8" --mlir-print-ir-after-failure 2>&1 | FileCheck %s --check-prefix=KEPT

// Block sizes must be positive; the error names the options.
// BLOCK: error: dattn-decompose: q-block, kv-block and max-tiles must be positive (got 0, 128, 65536)

// When one attention is over the tile limit, the pass fails before it
// rewrites anything: the IR after the failure still holds both attentions.
// KEPT: error: 'dattn.attention' op would be cut into more than 8 micro-attention tiles
// KEPT: IR Dump After DAttnDecompose Failed
// KEPT-LABEL: func.func @all_or_nothing
// KEPT-NEXT: dattn.attention
// KEPT-NEXT: dattn.attention
// KEPT-NOT: dattn.micro_attention
func.func @all_or_nothing(%q: tensor<1x1x1024x64xf32>, %k: tensor<1x1x1024x64xf32>, %v: tensor<1x1x1024x64xf32>, %q2: tensor<1x1x8x64xf32>) -> (tensor<1x1x8x64xf32>, tensor<1x1x1024x64xf32>) {
  %small = dattn.attention %q2, %k, %v : tensor<1x1x8x64xf32>, tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32> -> tensor<1x1x8x64xf32>
  %o = dattn.attention %q, %k, %v : tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32> -> tensor<1x1x1024x64xf32>
  return %small, %o : tensor<1x1x8x64xf32>, tensor<1x1x1024x64xf32>
}
