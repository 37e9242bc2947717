//===- ModelConfig.cpp - Attention from a model config --------------------===//
#include "ModelConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/JSON.h"

#include <limits>

using namespace mlir;
using namespace mlir::dattn;

namespace distattn {

llvm::Expected<ModelConfig> parseModelConfig(StringRef json) {
  auto parsed = llvm::json::parse(json);
  if (!parsed)
    return llvm::createStringError("not valid JSON: " +
                                   toString(parsed.takeError()));
  const llvm::json::Object *object = parsed->getAsObject();
  auto field = [&](StringRef key) -> std::optional<int64_t> {
    return object ? object->getInteger(key) : std::nullopt;
  };
  auto error = [](const Twine &message) {
    return llvm::createStringError(message.str());
  };
  ModelConfig config;
  std::optional<int64_t> heads = field("num_attention_heads");
  if (!heads || *heads < 1)
    return error("num_attention_heads is missing or not positive");
  config.heads = *heads;
  config.kvHeads = field("num_key_value_heads").value_or(*heads);
  if (config.kvHeads < 1 || *heads % config.kvHeads != 0)
    return error("num_key_value_heads must be positive and divide "
                 "num_attention_heads (" +
                 Twine(*heads) + ")");
  std::optional<int64_t> headDim = field("head_dim");
  if (!headDim) {
    std::optional<int64_t> hidden = field("hidden_size");
    if (!hidden || *hidden % *heads != 0)
      return error("give head_dim, or hidden_size divisible by "
                   "num_attention_heads");
    headDim = *hidden / *heads;
  }
  if (*headDim < 1)
    return error("head_dim (or hidden_size / num_attention_heads) must be "
                 "positive");
  config.headDim = *headDim;
  return config;
}

OwningOpRef<ModuleOp> attentionGraph(MLIRContext &context, StringRef name,
                                     RankedTensorType qType,
                                     RankedTensorType kvType, MaskAttr mask,
                                     FloatAttr scale) {
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(
      builder, loc, name,
      builder.getFunctionType({qType, kvType, kvType}, {qType}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  Value out = AttentionOp::create(builder, loc, qType, body->getArgument(0),
                                  body->getArgument(1), body->getArgument(2),
                                  mask, scale);
  func::ReturnOp::create(builder, loc, out);
  return module;
}

OwningOpRef<ModuleOp> configGraph(MLIRContext &context,
                                  const ModelConfig &config, int64_t seqLen,
                                  bool decode, Type element) {
  int64_t qLen = decode ? 1 : seqLen;
  auto qType =
      RankedTensorType::get({1, config.heads, qLen, config.headDim}, element);
  auto kvType = RankedTensorType::get(
      {1, config.kvHeads, seqLen, config.headDim}, element);
  auto mask = MaskAttr::get(&context, MaskKind::Causal, seqLen - qLen, 1, 0, 1,
                            std::numeric_limits<int64_t>::max());
  return attentionGraph(context, "attention", qType, kvType, mask, FloatAttr());
}

} // namespace distattn
