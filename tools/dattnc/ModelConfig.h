//===- ModelConfig.h - Attention from a model config ------------*- C++ -*-===//
//
// dattnc takes a Hugging Face style model config (config.json) in place of
// an .mlir graph. Reading one is a library call so that the fuzzers
// (fuzz/) reach it as dattnc does.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_TOOLS_DATTNC_MODELCONFIG_H
#define DISTATTN_TOOLS_DATTNC_MODELCONFIG_H

#include "dialects/DAttn/DAttn.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace distattn {

/// The attention shape of a model: heads share KV heads in equal groups.
struct ModelConfig {
  int64_t heads = 0;
  int64_t kvHeads = 0;
  int64_t headDim = 0;
};

/// Reads num_attention_heads, num_key_value_heads (default: the heads) and
/// head_dim (default: hidden_size / num_attention_heads) from the JSON text
/// of a config. The error names the field at fault.
llvm::Expected<ModelConfig> parseModelConfig(llvm::StringRef json);

/// A module of one function `name`(q, k, v) -> out that is one
/// dattn.attention: the graph the planning passes take.
mlir::OwningOpRef<mlir::ModuleOp>
attentionGraph(mlir::MLIRContext &context, llvm::StringRef name,
               mlir::RankedTensorType qType, mlir::RankedTensorType kvType,
               mlir::dattn::MaskAttr mask, mlir::FloatAttr scale);

/// The attention of `config` over `seqLen` keys (one query token for
/// decode, every token for prefill), causal, batch 1, in `element`.
mlir::OwningOpRef<mlir::ModuleOp> configGraph(mlir::MLIRContext &context,
                                              const ModelConfig &config,
                                              int64_t seqLen, bool decode,
                                              mlir::Type element);

} // namespace distattn

#endif // DISTATTN_TOOLS_DATTNC_MODELCONFIG_H
