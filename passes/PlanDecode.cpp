//===- PlanDecode.cpp - KV-parallel decode plans (SPMD) -------------------===//
//
// Decode reads the whole KV cache for a few query rows: the KV stays where
// it is, sharded over the ranks, and the query (a few KB) goes to it. Each
// rank returns an fp32 (out, lse) pair; the pairs merge exactly.
//
//===----------------------------------------------------------------------===//
#include "dialects/DAttn/DAttn.h"
#include "passes/Passes.h"
#include "passes/SpmdBuilder.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::dattn {
#define GEN_PASS_DEF_DATTNPLANDECODE
#include "passes/Passes.h.inc"
} // namespace mlir::dattn

using namespace mlir;
using namespace mlir::dattn;

namespace {

class DecodePlanBuilder : SpmdBuilder {
public:
  DecodePlanBuilder(AttentionOp op, StringRef grid, int64_t ranks,
                    int64_t budget)
      : SpmdBuilder(op, grid, ranks), op(op), budget(budget) {}

  Value build() {
    auto qType = op.getQ().getType();
    int64_t kvLen = op.getK().getType().getDimSize(2);
    int64_t qLen = qType.getDimSize(2);
    // Rank r holds keys [r * budget, (r + 1) * budget).
    Value first = mul(gridIndex(0), index(budget));
    Value k = slice(padSequence(op.getK(), ranks * budget), first, budget);
    Value v = slice(padSequence(op.getV(), ranks * budget), first, budget);
    MaskAttr mask = op.getEffectiveMask();
    auto tileMask =
        MaskAttr::get(op.getContext(), mask.getKind(), mask.getQOffset(),
                      mask.getQStride(), 0, 1, kvLen);
    auto stateType = StateType::get(op.getContext(), qType.getShape());
    Value local =
        MicroAttentionOp::create(builder, loc, stateType, op.getQ(), k, v,
                                 index(0), first, tileMask, op.getScaleAttr());
    // The partial results travel as fp32 tensors.
    auto finalized = FinalizeOp::create(builder, loc, stateType.getOutType(),
                                        stateType.getLseType(), local);
    Value outs = allGather(finalized.getOut());
    Value lses = allGather(finalized.getLse());
    auto loop =
        scf::ForOp::create(builder, loc, index(0), index(ranks), index(1),
                           ValueRange{emptyState(stateType.getShape())});
    {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(loop.getBody());
      Value row = mul(loop.getInductionVar(), index(qLen));
      Value partial =
          AsStateOp::create(builder, loc, stateType, slice(outs, row, qLen),
                            slice(lses, row, qLen));
      Value merged =
          MergeOp::create(builder, loc, stateType,
                          ValueRange{loop.getRegionIterArgs()[0], partial});
      scf::YieldOp::create(builder, loc, merged);
    }
    return finalize(loop.getResult(0), qType.getElementType());
  }

private:
  AttentionOp op;
  int64_t budget;
};

struct DAttnPlanDecodePass
    : mlir::dattn::impl::DAttnPlanDecodeBase<DAttnPlanDecodePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (ranks < 1 || budget < 0) {
      emitError(module.getLoc())
          << "dattn-plan-decode: ranks must be at least 1 and budget at "
             "least 0, got ranks="
          << int64_t(ranks) << " budget=" << int64_t(budget);
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) { ops.push_back(op); });
    SmallVector<int64_t> budgets;
    for (AttentionOp op : ops) {
      auto chosen = budgetFor(op);
      if (failed(chosen))
        return signalPassFailure();
      budgets.push_back(*chosen);
    }
    if (ops.empty())
      return;
    StringAttr grid = getOrCreateGrid(module, {int64_t(ranks)});
    for (auto [op, tokens] : llvm::zip(ops, budgets)) {
      Value out = DecodePlanBuilder(op, grid.getValue(), ranks, tokens).build();
      op.replaceAllUsesWith(out);
      op.erase();
    }
  }

  /// The tokens each rank holds; the KV must fit the ranks.
  FailureOr<int64_t> budgetFor(AttentionOp op) {
    MaskAttr mask = op.getEffectiveMask();
    if (mask.getKOffset() || mask.getKStride() != 1 || mask.hasKLimit())
      return op.emitOpError()
             << "decode plans need keys at positions 0, 1, 2, ...; shifted, "
                "strided or limited key positions are not implemented yet";
    int64_t kvLen = op.getK().getType().getDimSize(2);
    int64_t tokens = budget ? int64_t(budget) : llvm::divideCeil(kvLen, ranks);
    if (tokens * ranks < kvLen)
      return op.emitOpError()
             << "the KV of " << kvLen << " tokens needs "
             << llvm::divideCeil(kvLen, tokens) << " ranks at a budget of "
             << tokens << " tokens each; only " << int64_t(ranks) << " given";
    return tokens;
  }
};

} // namespace
