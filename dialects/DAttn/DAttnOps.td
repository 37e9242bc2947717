//===- DAttnOps.td - dattn operations -----------------------*- tablegen -*-===//
#ifndef DATTN_OPS_TD
#define DATTN_OPS_TD

include "DAttnDialect.td"
include "DAttnAttributes.td"
include "DAttnTypes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def DAttn_AttentionOp : DAttn_Op<"attention", [Pure]> {
  let summary = "graph-level scaled dot-product attention";
  let description = [{
    `out = softmax(scale * q k^T + mask) v` over tensors
    `[batch, heads, seq, head_dim]`. K and V may have fewer heads than Q
    (grouped-query attention): q head `h` reads kv head `h / (Hq / Hkv)`.
    Without `mask` every pair is visible; without `scale` it is
    `1 / sqrt(head_dim)`. A query row that sees no key yields zeros.

    ```mlir
    %o = dattn.attention %q, %k, %v mask(<causal, q = 256 + 1 * i>)
        : tensor<1x32x256x128xbf16>, tensor<1x8x512x128xbf16>,
          tensor<1x8x512x128xbf16> -> tensor<1x32x256x128xbf16>
    ```
    Constraints A1-A10 in Spec.md.
  }];
  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$k,
                       AnyRankedTensor:$v,
                       OptionalAttr<DAttn_MaskAttr>:$mask,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs AnyRankedTensor:$out);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`mask` `(` $mask^ `)`)? (`scale` `(` $scale^ `)`)?
    attr-dict `:` type($q) `,` type($k) `,` type($v) `->` type($out)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The softmax scale: the attribute, or 1 / sqrt(head_dim).
    double getEffectiveScale();
    /// The mask: the attribute, or a full mask.
    MaskAttr getEffectiveMask();
  }];
}

def DAttn_MicroAttentionOp : DAttn_Op<"micro_attention",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "one attention tile: (q tile, kv tile) -> state";
  let description = [{
    A micro-attention (MA): the state of attending the rows of `q` to the
    keys of `k`/`v` only. The mask, when present, carries the global token
    positions of the tile's rows and columns; a tile that every pair of sees
    in full carries no mask. Fully masked tiles are legal (their state is the
    identity) and canonicalize to `dattn.empty_state`.

    In SPMD plans a tile's place depends on the rank, a run-time value: the
    optional `at(%q_offset, %k_offset)` operands are added to the mask's
    static offsets, and the tile is then classified (fully visible, partial,
    hidden) when it runs rather than when it is compiled.

    ```mlir
    %s = dattn.micro_attention %q, %k, %v mask(<causal>) at(%qpos, %kpos) : ...
    ```

    ```mlir
    %s = dattn.micro_attention %qt, %kt, %vt mask(<causal, q = 128 + 1 * i, k = 128 + 1 * j>)
        : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>,
          tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    ```
    Constraints MA1-MA10 in Spec.md.
  }];
  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$k,
                       AnyRankedTensor:$v,
                       Optional<Index>:$q_offset, Optional<Index>:$k_offset,
                       OptionalAttr<DAttn_MaskAttr>:$mask,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs DAttn_StateType:$state);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`mask` `(` $mask^ `)`)?
    (`at` `(` $q_offset^ `,` $k_offset `)`)? (`scale` `(` $scale^ `)`)?
    attr-dict `:` type($q) `,` type($k) `,` type($v) `->` qualified(type($state))
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    double getEffectiveScale();
    MaskAttr getEffectiveMask();
    /// Whether the tile's place is only known at run time.
    bool hasDynamicOffsets() { return getQOffset() != nullptr; }
  }];
}

def DAttn_MergeOp : DAttn_Op<"merge",
    [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "exact merge of attention states";
  let description = [{
    Combines states of the same query rows computed over disjoint key sets:
    `lse = log(sum_i exp(lse_i))`, `out = sum_i out_i * exp(lse_i - lse)`.
    Associative and commutative, so any tree, ring or gather order gives the
    same result up to rounding. Rows where every input has lse = -inf stay
    the identity.

    ```mlir
    %m = dattn.merge %s0, %s1, %s2 : !dattn.state<1x32x128x128>
    ```
    Constraints MG1-MG2 in Spec.md.
  }];
  let arguments = (ins Variadic<DAttn_StateType>:$states);
  let results = (outs DAttn_StateType:$result);
  let assemblyFormat = "$states attr-dict `:` qualified(type($result))";
  // MG1 and MG2 are both checked by SameOperandsAndResultType.
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def DAttn_EmptyStateOp : DAttn_Op<"empty_state", [Pure]> {
  let summary = "the merge identity";
  let description = [{
    The state of rows that have seen no key: out = 0, lse = -inf. Merging it
    with any state leaves that state unchanged.

    ```mlir
    %e = dattn.empty_state : !dattn.state<1x32x128x128>
    ```
  }];
  let results = (outs DAttn_StateType:$result);
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def DAttn_AsStateOp : DAttn_Op<"as_state", [Pure]> {
  let summary = "an fp32 (out, lse) pair as a state";
  let description = [{
    The inverse of `dattn.finalize` to f32 with lse: a partial result that
    travelled as two tensors (query shipping returns (out, lse) from every
    KV holder) becomes a state again, to be merged.

    ```mlir
    %s = dattn.as_state %out, %lse : tensor<1x32x1x128xf32>, tensor<1x32x1xf32>
        -> !dattn.state<1x32x1x128>
    ```
    Constraints AS1-AS2 in Spec.md.
  }];
  let arguments = (ins AnyRankedTensor:$out, AnyRankedTensor:$lse);
  let results = (outs DAttn_StateType:$state);
  let assemblyFormat = [{
    $out `,` $lse attr-dict `:` type($out) `,` type($lse) `->` qualified(type($state))
  }];
  let hasVerifier = 1;
}

def DAttn_ShiftStartOp : DAttn_Op<"shift_start"> {
  let summary = "start a ring shift; the value arrives at dattn.wait";
  let description = [{
    The asynchronous form of `shard.shift` (which is synchronous and
    value-semantic): starts sending `input` `offset` places along `axis` of
    the 1-D or N-D `grid` (rank c's value goes to c + offset, wrapping
    around with `rotate`) and returns at once. `dattn.wait` on the handle
    yields the value received. Between the two, compute can run and the
    source buffer must not be overwritten (`dattn-verify-schedule` checks).

    ```mlir
    %h = dattn.shift_start %k on @sp axis = 0 offset = 1 rotate
        : tensor<1x8x128x128xbf16> -> !dattn.transfer<tensor<1x8x128x128xbf16>>
    ```
    Constraint SS1 in Spec.md.
  }];
  let arguments = (ins AnyRankedTensor:$input, FlatSymbolRefAttr:$grid,
                       I64Attr:$axis, I64Attr:$offset, UnitAttr:$rotate);
  let results = (outs DAttn_TransferType:$transfer);
  let assemblyFormat = [{
    $input `on` $grid `axis` `=` $axis `offset` `=` $offset (`rotate` $rotate^)?
    attr-dict `:` type($input) `->` qualified(type($transfer))
  }];
  let hasVerifier = 1;
}

def DAttn_AllGatherStartOp : DAttn_Op<"all_gather_start"> {
  let summary = "start an all-gather; the gathered value arrives at dattn.wait";
  let description = [{
    The asynchronous form of `shard.all_gather` over grid axis `axis`:
    every rank's `input` is concatenated along tensor dimension
    `gather_axis`, in rank order, and the result is delivered at
    `dattn.wait`. `dattn-overlap` uses it to gather the next KV head's
    K/V while the current one computes.

    ```mlir
    %h = dattn.all_gather_start %k on @sp axis = 0 gather_axis = 2
        : tensor<1x1x128x128xbf16> -> !dattn.transfer<tensor<1x1x1024x128xbf16>>
    ```
    Constraint AG1 in Spec.md.
  }];
  let arguments = (ins AnyRankedTensor:$input, FlatSymbolRefAttr:$grid,
                       I64Attr:$axis, I64Attr:$gather_axis);
  let results = (outs DAttn_TransferType:$transfer);
  let assemblyFormat = [{
    $input `on` $grid `axis` `=` $axis `gather_axis` `=` $gather_axis
    attr-dict `:` type($input) `->` qualified(type($transfer))
  }];
  let hasVerifier = 1;
}

def DAttn_WaitOp : DAttn_Op<"wait"> {
  let summary = "wait for a transfer; its value";
  let description = [{
    Blocks until the transfer has arrived and returns the received tensor.
    Every transfer is waited for exactly once, in the block that started it.

    ```mlir
    %k1 = dattn.wait %h : !dattn.transfer<tensor<1x8x128x128xbf16>>
        -> tensor<1x8x128x128xbf16>
    ```
    Constraint W1 in Spec.md.
  }];
  let arguments = (ins DAttn_TransferType:$transfer);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $transfer attr-dict `:` qualified(type($transfer)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def DAttn_FinalizeOp : DAttn_Op<"finalize", [Pure]> {
  let summary = "state -> output tensor (and lse on request)";
  let description = [{
    Converts the fp32 partial output of a complete state to the output
    element type. With a second result, also returns the fp32 lse, which a
    caller needs to merge this attention with another later (chunked prefill,
    decode against a prefix held elsewhere).

    ```mlir
    %o, %lse = dattn.finalize %m : !dattn.state<1x32x128x128>
        -> tensor<1x32x128x128xbf16>, tensor<1x32x128xf32>
    ```
    Constraints F1-F3 in Spec.md.
  }];
  let arguments = (ins DAttn_StateType:$state);
  let results = (outs AnyRankedTensor:$out, Optional<AnyRankedTensor>:$lse);
  let assemblyFormat = [{
    $state attr-dict `:` qualified(type($state)) `->` type($out) (`,` type($lse)^)?
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

#endif // DATTN_OPS_TD
