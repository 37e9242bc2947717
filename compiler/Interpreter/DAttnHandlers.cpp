//===- DAttnHandlers.cpp - Evaluator semantics of the dattn ops -----------===//
//
// Each handler is the op's Spec.md semantics in fp64, built on the runtime's
// reference arithmetic (distattn/reference.h) so that the evaluator, the host
// target and the kernels' test oracle are one implementation.
//
//===----------------------------------------------------------------------===//
#include "compiler/Interpreter/Interpreter.h"
#include "dialects/DAttn/DAttn.h"

#include <limits>

using namespace mlir;
using namespace mlir::dattn;
using namespace mlir::dattn::interp;

namespace {

distattn::AttentionShape attentionShape(const Tensor &q, const Tensor &k) {
  return {q.shape[0], q.shape[1], k.shape[1],
          q.shape[2], k.shape[2], q.shape[3]};
}

/// The state of q against k/v: the body of attention and micro_attention.
State attend(const Tensor &q, const Tensor &k, const Tensor &v,
             const distattn::MaskSpec &mask, double scale) {
  State state{Tensor::filled(q.shape, 0.0),
              Tensor::filled(ArrayRef<int64_t>(q.shape).drop_back(), 0.0)};
  distattn::microAttention<double>(
      q.data.data(), k.data.data(), v.data.data(), attentionShape(q, k), mask,
      scale, state.out.data.data(), state.lse.data.data());
  return state;
}

State identityState(StateType type) {
  return {Tensor::filled(type.getShape(), 0.0),
          Tensor::filled(type.getShape().drop_back(),
                         -std::numeric_limits<double>::infinity())};
}

} // namespace

void mlir::dattn::interp::registerDAttnHandlers(Interpreter &interpreter) {
  interpreter.registerLocalHandler(
      AttentionOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *> operands,
         SmallVectorImpl<RuntimeValue> &results) {
        auto attention = cast<AttentionOp>(op);
        State state = attend(std::get<Tensor>(*operands[0]),
                             std::get<Tensor>(*operands[1]),
                             std::get<Tensor>(*operands[2]),
                             attention.getEffectiveMask().getSpec(),
                             attention.getEffectiveScale());
        results.push_back(std::move(state.out));
        return success();
      });

  interpreter.registerLocalHandler(
      MicroAttentionOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *> operands,
         SmallVectorImpl<RuntimeValue> &results) {
        auto tile = cast<MicroAttentionOp>(op);
        distattn::MaskSpec mask = tile.getEffectiveMask().getSpec();
        if (tile.hasDynamicOffsets()) {
          // at(%q_offset, %k_offset) adds to the static offsets.
          mask.q.offset += std::get<int64_t>(*operands[3]);
          mask.k.offset += std::get<int64_t>(*operands[4]);
        }
        results.push_back(attend(
            std::get<Tensor>(*operands[0]), std::get<Tensor>(*operands[1]),
            std::get<Tensor>(*operands[2]), mask, tile.getEffectiveScale()));
        return success();
      });

  interpreter.registerLocalHandler(
      MergeOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *> operands,
         SmallVectorImpl<RuntimeValue> &results) {
        auto type = cast<MergeOp>(op).getType();
        std::vector<const double *> outs, lses;
        for (const RuntimeValue *operand : operands) {
          const State &state = std::get<State>(*operand);
          outs.push_back(state.out.data.data());
          lses.push_back(state.lse.data.data());
        }
        State merged = identityState(type);
        distattn::mergeStates<double>(outs, lses, merged.lse.getNumElements(),
                                      type.getHeadDim(), merged.out.data.data(),
                                      merged.lse.data.data());
        results.push_back(std::move(merged));
        return success();
      });

  interpreter.registerLocalHandler(
      EmptyStateOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *>,
         SmallVectorImpl<RuntimeValue> &results) {
        results.push_back(identityState(cast<EmptyStateOp>(op).getType()));
        return success();
      });

  interpreter.registerLocalHandler(
      FinalizeOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *> operands,
         SmallVectorImpl<RuntimeValue> &results) {
        const State &state = std::get<State>(*operands[0]);
        results.push_back(state.out);
        if (cast<FinalizeOp>(op).getLse())
          results.push_back(state.lse);
        return success();
      });
}
