//===- Passes.td - distattn passes --------------------------*- tablegen -*-===//
#ifndef DISTATTN_PASSES_TD
#define DISTATTN_PASSES_TD

include "mlir/Pass/PassBase.td"

def DAttnDecompose : Pass<"dattn-decompose"> {
  let summary = "Decompose dattn.attention into micro-attention tiles";
  let description = [{
    Rewrites every `dattn.attention` into micro-attention tiles: Q is cut
    into blocks of `q-block` rows and K/V into blocks of `kv-block` keys
    (the last block of each takes the remainder). For every (q block,
    kv block) pair the mask is decided for the whole tile at compile time:

    * fully masked tiles are not emitted;
    * fully visible tiles carry no mask;
    * partially masked tiles carry the mask with the tile's global token
      positions, so the kernel masks only inside them.

    The states of one q block are combined by one `dattn.merge`, turned into
    output rows by `dattn.finalize`, and the q blocks are concatenated along
    the sequence dimension. Input slices are `tensor.extract_slice` ops,
    shared by all tiles that read them.

    Before:
    ```mlir
    %o = dattn.attention %q, %k, %v mask(<causal>)
        : tensor<1x8x256x64xf32>, tensor<1x2x256x64xf32>,
          tensor<1x2x256x64xf32> -> tensor<1x8x256x64xf32>
    ```
    After (`q-block=128 kv-block=128`): three tiles (the upper-right one is
    fully masked and dropped), of which the two diagonal ones keep a causal
    mask, e.g.
    ```mlir
    %s11 = dattn.micro_attention %q1, %k1, %v1
        mask(<causal, q = 128 + 1 * i, k = 128 + 1 * j>) : ...
    %m1 = dattn.merge %s10, %s11 : !dattn.state<1x8x128x64>
    %o1 = dattn.finalize %m1 : !dattn.state<1x8x128x64> -> tensor<1x8x128x64xf32>
    %o = tensor.concat dim(2) %o0, %o1 : ...
    ```
    With `report`, each attention gets a remark at its location saying how
    many tiles it became, how many keep a mask and how many fully masked
    ones were skipped.

    An attention that would need more than `max-tiles` tiles is rejected
    with a diagnostic at its location (raise the block sizes); the pass
    never produces partial output.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let options = [
    Option<"qBlock", "q-block", "int64_t", /*default=*/"128",
           "query rows per tile">,
    Option<"kvBlock", "kv-block", "int64_t", /*default=*/"128",
           "keys per tile">,
    Option<"maxTiles", "max-tiles", "int64_t", /*default=*/"65536",
           "most tiles one attention may be cut into">,
    Option<"report", "report", "bool", /*default=*/"false",
           "emit a remark per attention: tiles emitted, masked and skipped">
  ];
}

#endif // DISTATTN_PASSES_TD
