//===- PlanDecode.cpp - KV-parallel decode plans (SPMD) -------------------===//
//
// Decode reads the whole KV cache for a few query rows: the KV stays where
// it is, sharded over the ranks, and the query (a few KB) goes to it. Each
// rank returns an fp32 (out, lse) pair; the pairs merge exactly.
//
//===----------------------------------------------------------------------===//
#include "compiler/Topology/CostModel.h"
#include "compiler/Topology/Topology.h"
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
    auto topology = module->getAttrOfType<TopologyAttr>(kTopologyAttrName);
    if (ranks < 0 || budget < 0 || (ranks == 0 && !topology)) {
      emitError(module.getLoc())
          << "dattn-plan-decode: "
          << (ranks == 0 && !topology
                  ? std::string("give ranks=N or attach a topology "
                                "(--dattn-topology) to choose them")
                  : "ranks and budget must not be negative, got ranks=" +
                        std::to_string(ranks) +
                        " budget=" + std::to_string(budget));
      return signalPassFailure();
    }
    if (topology && ranks > topology.getNumGpus()) {
      emitError(module.getLoc())
          << "dattn-plan-decode: ranks=" << int64_t(ranks)
          << " but the topology (" << topology.getName() << ") has "
          << topology.getNumGpus() << " GPUs";
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) { ops.push_back(op); });
    SmallVector<std::pair<int64_t, int64_t>> plans; // ranks, budget
    for (AttentionOp op : ops) {
      int64_t numRanks = ranks ? int64_t(ranks) : chooseRanks(op, topology);
      auto chosen = budgetFor(op, numRanks);
      if (failed(chosen))
        return signalPassFailure();
      plans.push_back({numRanks, *chosen});
    }
    for (auto [op, plan] : llvm::zip(ops, plans)) {
      StringAttr grid = getOrCreateGrid(module, {plan.first});
      Value out =
          DecodePlanBuilder(op, grid.getValue(), plan.first, plan.second)
              .build();
      op.replaceAllUsesWith(out);
      op.erase();
    }
  }

  /// The fastest rank count among 1, 2, 4, ... and all of the topology's
  /// GPUs, explained in a remark.
  int64_t chooseRanks(AttentionOp op, TopologyAttr topology) {
    AttentionWorkload work = AttentionWorkload::of(op);
    int64_t kvLen = op.getK().getType().getDimSize(2);
    CostModel model(topology);
    SmallVector<int64_t> candidates;
    for (int64_t r = 1; r < topology.getNumGpus(); r *= 2)
      candidates.push_back(r);
    candidates.push_back(topology.getNumGpus());
    std::optional<DecodePrediction> best;
    std::string others;
    for (int64_t candidate : candidates) {
      DecodePrediction p = model.predictDecode(work, kvLen, candidate);
      if (!best || p.totalSeconds < best->totalSeconds) {
        if (best)
          others += " " + describe(*best) + ";";
        best = p;
      } else {
        others += " " + describe(p) + ";";
      }
    }
    emitRemark(op.getLoc()) << "auto: KV-parallel decode on " << describe(*best)
                            << "; also considered:" << others;
    return best->ranks;
  }

  /// The tokens each rank holds; the KV must fit the ranks.
  FailureOr<int64_t> budgetFor(AttentionOp op, int64_t numRanks) {
    MaskAttr mask = op.getEffectiveMask();
    if (mask.getKOffset() || mask.getKStride() != 1 || mask.hasKLimit())
      return op.emitOpError()
             << "decode plans need keys at positions 0, 1, 2, ...; shifted, "
                "strided or limited key positions are not implemented yet";
    int64_t kvLen = op.getK().getType().getDimSize(2);
    int64_t tokens =
        budget ? int64_t(budget) : llvm::divideCeil(kvLen, numRanks);
    if (tokens * numRanks < kvLen)
      return op.emitOpError()
             << "the KV of " << kvLen << " tokens needs "
             << llvm::divideCeil(kvLen, tokens) << " ranks at a budget of "
             << tokens << " tokens each; only " << numRanks << " given";
    return tokens;
  }
};

} // namespace
