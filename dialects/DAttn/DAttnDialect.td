//===- DAttnDialect.td - The dattn dialect ------------------*- tablegen -*-===//
#ifndef DATTN_DIALECT_TD
#define DATTN_DIALECT_TD

include "mlir/IR/OpBase.td"

def DAttn_Dialect : Dialect {
  let name = "dattn";
  let cppNamespace = "::mlir::dattn";
  let summary = "Attention as partitionable micro-attention tiles";
  let description = [{
    The `dattn` dialect describes attention the way distributed attention
    systems execute it: a graph-level `dattn.attention` is decomposed into
    micro-attention tiles (MAs), each producing an attention *state*
    (fp32 normalised partial output and fp32 log-sum-exp in natural log),
    which `dattn.merge` combines exactly and `dattn.finalize` turns into the
    output tensor. Because the merge is associative and commutative, tiles
    can run on any device in any order: ring, striped, zigzag, all-gather and
    KV-parallel schedules are all orders of the same merges.

    The full semantics, with numbered constraints, are in
    `dialects/DAttn/Spec.md`.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasCanonicalizer = 0;
}

class DAttn_Op<string mnemonic, list<Trait> traits = []>
    : Op<DAttn_Dialect, mnemonic, traits>;

#endif // DATTN_DIALECT_TD
