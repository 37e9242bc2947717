//===- DAttnTypes.td - dattn types --------------------------*- tablegen -*-===//
#ifndef DATTN_TYPES_TD
#define DATTN_TYPES_TD

include "DAttnDialect.td"
include "mlir/IR/AttrTypeBase.td"

def DAttn_StateType : TypeDef<DAttn_Dialect, "State"> {
  let mnemonic = "state";
  let summary = "attention state: fp32 partial output and fp32 lse";
  let description = [{
    The result of attending a block of query rows to some of the keys:
    `out : tensor<B x H x Q x D x f32>`, the softmax-normalised partial
    output, and `lse : tensor<B x H x Q x f32>`, the natural-log
    sum-exp of the scaled scores of the keys seen. A row that has seen no
    key has out = 0 and lse = -inf; the state of all such rows is the merge
    identity (`dattn.empty_state`). The shape is `[batch, heads, q_len,
    head_dim]`.

    ```mlir
    !dattn.state<1x32x128x128>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t", "[batch, heads, q_len, head_dim]">:$shape);
  let assemblyFormat = "`<` custom<StateShape>($shape) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getBatch() const { return getShape()[0]; }
    int64_t getHeads() const { return getShape()[1]; }
    int64_t getQLen() const { return getShape()[2]; }
    int64_t getHeadDim() const { return getShape()[3]; }
    /// tensor<B x H x Q x D x f32>: the partial output.
    ::mlir::RankedTensorType getOutType() const;
    /// tensor<B x H x Q x f32>: the log-sum-exp.
    ::mlir::RankedTensorType getLseType() const;
  }];
}

def DAttn_TransferType : TypeDef<DAttn_Dialect, "Transfer"> {
  let mnemonic = "transfer";
  let summary = "a tensor in flight between ranks";
  let description = [{
    The handle of an asynchronous transfer started by `dattn.shift_start`:
    the value arrives, as a tensor of type `value`, at `dattn.wait`. Until
    then the source buffer is in flight and must not be overwritten.

    ```mlir
    !dattn.transfer<tensor<1x8x128x128xbf16>>
    ```
  }];
  let parameters = (ins "::mlir::RankedTensorType":$value);
  let assemblyFormat = "`<` $value `>`";
}

#endif // DATTN_TYPES_TD
