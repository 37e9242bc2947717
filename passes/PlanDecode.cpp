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

  Value build(bool masters) {
    // Rank r holds keys [r * budget, (r + 1) * budget) of every request.
    // With masters each rank masters the same number of requests: the
    // batch is padded with empty requests (zero queries and KV), whose
    // rows are dropped at the end.
    int64_t batch = op.getQ().getType().getDimSize(0);
    paddedBatch = masters ? ranks * llvm::divideCeil(batch, ranks) : batch;
    rank = gridIndex(0);
    firstKey = mul(rank, index(budget));
    // The shard is cut first and then padded with empty requests, so that
    // only this rank's keys are copied for them.
    SmallVector<int64_t> shardShape(op.getK().getType().getShape());
    shardShape[0] = paddedBatch;
    shardShape[2] = budget;
    kShard =
        padTo(slice(padSequence(op.getK(), ranks * budget), firstKey, budget),
              shardShape);
    vShard =
        padTo(slice(padSequence(op.getV(), ranks * budget), firstKey, budget),
              shardShape);
    return masters ? buildMasters() : buildShared();
  }

private:
  /// One owner for the batch: every rank merges every rank's partial state
  /// (an all-gather of the states), so each ends with the whole output.
  Value buildShared() {
    auto finalized = localPartial(op.getQ());
    // The partial results travel as fp32 tensors.
    Value outs = allGather(finalized.getOut());
    Value lses = allGather(finalized.getLse());
    return finalize(mergeRowBlocks(outs, lses),
                    op.getQ().getType().getElementType());
  }

  /// Several masters in one batch (LoongServe's scale-up): rank r masters
  /// requests [r * B/N, (r + 1) * B/N) of the padded batch and holds their
  /// queries. The query
  /// blocks go around the ring (a few KB a request, `shard.shift`): at
  /// step t a rank attends master (r - t) mod N's queries to the KV it
  /// holds and keeps the partial (out, lse) at that master's place in the
  /// batch, so that dattn-overlap can send the block on while it computes.
  /// Then each request's partial states go to its master alone (an
  /// all-to-all over the batch), which merges them: a rank receives 1/N of
  /// what the shared plan's all-gather brings, and the merging is split N
  /// ways.
  Value buildMasters() {
    SmallVector<int64_t> qShape(op.getQ().getType().getShape());
    qShape[0] = paddedBatch;
    Value queries = padTo(op.getQ(), qShape);
    auto qType = cast<RankedTensorType>(queries.getType());
    int64_t mine = paddedBatch / ranks;
    Value firstRequest = mul(rank, index(mine));
    auto stateType = StateType::get(op.getContext(), qType.getShape());
    Value outs = zeros(cast<RankedTensorType>(stateType.getOutType()));
    Value lses = zeros(cast<RankedTensorType>(stateType.getLseType()));
    auto loop = scf::ForOp::create(
        builder, loc, index(0), index(ranks), index(1),
        ValueRange{sliceBatch(queries, firstRequest, mine), outs, lses});
    {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(loop.getBody());
      ValueRange args = loop.getRegionIterArgs();
      // The master whose queries are in hand.
      Value master = ringOwner(rank, loop.getInductionVar(), ranks);
      Value at = mul(master, index(mine));
      auto partial = localPartial(args[0], at);
      scf::YieldOp::create(
          builder, loc,
          ValueRange{shift(args[0]), placeBatch(partial.getOut(), args[1], at),
                     placeBatch(partial.getLse(), args[2], at)});
    }
    // [B/N, H, N * Q, ...]: row block j is rank j's partial for my requests.
    Value mineOuts = allToAllBatch(loop.getResult(1));
    Value mineLses = allToAllBatch(loop.getResult(2));
    Value result =
        finalize(mergeRowBlocks(mineOuts, mineLses), qType.getElementType());
    // Every rank ends with the whole output for comparison with the input
    // program: its requests' rows, zeros elsewhere, summed over the grid (a
    // deployment keeps each request's output at its master).
    Value whole = allReduceSum(placeBatch(result, zeros(qType), firstRequest));
    return sliceBatch(whole, index(0), op.getQ().getType().getDimSize(0));
  }

  /// `queries` attended to the keys this rank holds, [r * budget, (r + 1) *
  /// budget), exported as fp32 (out, lse). With `firstRequest`, the
  /// queries are those of requests firstRequest.. (each request has its
  /// own KV); else the whole batch's.
  FinalizeOp localPartial(Value queries, Value firstRequest = {}) {
    int64_t kvLen = op.getK().getType().getDimSize(2);
    Value k = kShard, v = vShard;
    if (firstRequest) {
      int64_t requests =
          cast<RankedTensorType>(queries.getType()).getDimSize(0);
      k = sliceBatch(k, firstRequest, requests);
      v = sliceBatch(v, firstRequest, requests);
    }
    MaskAttr mask = op.getEffectiveMask();
    auto tileMask =
        MaskAttr::get(op.getContext(), mask.getKind(), mask.getQOffset(),
                      mask.getQStride(), 0, 1, kvLen);
    auto stateType = StateType::get(
        op.getContext(), cast<RankedTensorType>(queries.getType()).getShape());
    Value local = MicroAttentionOp::create(builder, loc, stateType, queries, k,
                                           v, index(0), firstKey, tileMask,
                                           op.getScaleAttr());
    return FinalizeOp::create(builder, loc, stateType.getOutType(),
                              stateType.getLseType(), local);
  }

  /// The merge of the N partial states whose rows are `outs`/`lses` row
  /// blocks 0..N-1 (along dim 2), in a loop so the program does not grow
  /// with N.
  Value mergeRowBlocks(Value outs, Value lses) {
    SmallVector<int64_t> shape(
        cast<RankedTensorType>(outs.getType()).getShape());
    int64_t qLen = shape[2] / ranks;
    shape[2] = qLen;
    auto stateType = StateType::get(op.getContext(), shape);
    auto loop = scf::ForOp::create(builder, loc, index(0), index(ranks),
                                   index(1), ValueRange{emptyState(shape)});
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(loop.getBody());
    Value row = mul(loop.getInductionVar(), index(qLen));
    // One statement each: gcc and clang evaluate call arguments in opposite
    // orders, and the IR (and its tests) must not depend on the compiler.
    Value lse = slice(lses, row, qLen);
    Value out = slice(outs, row, qLen);
    Value partial = AsStateOp::create(builder, loc, stateType, out, lse);
    Value merged =
        MergeOp::create(builder, loc, stateType,
                        ValueRange{loop.getRegionIterArgs()[0], partial});
    scf::YieldOp::create(builder, loc, merged);
    return loop.getResult(0);
  }

  AttentionOp op;
  int64_t budget, paddedBatch = 0;
  Value rank, firstKey, kShard, vShard; // this rank and its KV shard
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
    if (masters != "auto" && masters != "true" && masters != "false") {
      emitError(module.getLoc())
          << "dattn-plan-decode: masters must be auto, true or false, got '"
          << masters << "'";
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) { ops.push_back(op); });
    struct Plan {
      int64_t ranks, budget;
      bool masters;
    };
    SmallVector<Plan> plans;
    for (AttentionOp op : ops) {
      Plan plan{ranks, 0, masters == "true"};
      // Without a topology there is nothing to weigh: auto is one owner.
      if (ranks == 0 || (masters == "auto" && topology)) {
        DecodePrediction chosen = choose(op, topology);
        plan.ranks = chosen.ranks;
        plan.masters = chosen.masters;
      }
      auto budget = budgetFor(op, plan.ranks);
      if (failed(budget))
        return signalPassFailure();
      plan.budget = *budget;
      plans.push_back(plan);
    }
    for (auto [op, plan] : llvm::zip(ops, plans)) {
      StringAttr grid = getOrCreateGrid(module, {plan.ranks});
      Value out =
          DecodePlanBuilder(op, grid.getValue(), plan.ranks, plan.budget)
              .build(plan.masters);
      op.replaceAllUsesWith(out);
      op.erase();
    }
  }

  /// The fastest plan by the cost model, explained in a remark: the rank
  /// count among 1, 2, 4, ... and all of the topology's GPUs (or the one
  /// given), one owner or several masters (or the one given).
  DecodePrediction choose(AttentionOp op, TopologyAttr topology) {
    AttentionWorkload work = AttentionWorkload::of(op);
    int64_t kvLen = op.getK().getType().getDimSize(2);
    CostModel model(topology);
    SmallVector<int64_t> candidates;
    if (ranks) {
      candidates.push_back(ranks);
    } else {
      for (int64_t r = 1; r < topology.getNumGpus(); r *= 2)
        candidates.push_back(r);
      candidates.push_back(topology.getNumGpus());
    }
    SmallVector<bool> modes;
    if (masters != "true")
      modes.push_back(false);
    if (masters != "false")
      modes.push_back(true);
    std::optional<DecodePrediction> best;
    std::string others;
    for (int64_t candidate : candidates)
      for (bool mode : modes) {
        // On one rank masters and one owner are the same plan.
        if (mode && candidate == 1 && modes.size() > 1)
          continue;
        DecodePrediction p = model.predictDecode(work, kvLen, candidate, mode);
        if (!best || p.totalSeconds < best->totalSeconds) {
          if (best)
            others += " " + describe(*best) + ";";
          best = p;
        } else {
          others += " " + describe(p) + ";";
        }
      }
    auto remark = emitRemark(op.getLoc())
                  << "auto: KV-parallel decode on " << describe(*best);
    if (!others.empty())
      remark << "; also considered:" << others;
    return *best;
  }

  /// The tokens each rank holds; the KV must fit the ranks.
  FailureOr<int64_t> budgetFor(AttentionOp op, int64_t numRanks) {
    MaskAttr mask = op.getEffectiveMask();
    if (mask.getKOffset() || mask.getKStride() != 1 || mask.hasKLimit())
      return op.emitOpError()
             << "decode plans need keys at positions 0, 1, 2, ...; shifted, "
                "strided or limited key positions are not implemented yet";
    int64_t kvLen = op.getK().getType().getDimSize(2);
    // The queries are the newest tokens of the cache (dattn-plan-fuzzer
    // found a plan of more, which dattn-verify-plan cannot follow).
    int64_t qLen = op.getQ().getType().getDimSize(2);
    if (qLen > kvLen)
      return op.emitOpError()
             << "decode plans need at most as many queries as keys (the "
                "queries' tokens are in the cache); got "
             << qLen << " queries and " << kvLen << " keys";
    if (mask.isCausal() &&
        (mask.getQStride() != 1 || mask.getQOffset() != kvLen - qLen))
      return op.emitOpError()
             << "decode plans need the queries to be the last tokens of the "
                "cache (causal, q = "
             << kvLen - qLen
             << " + 1 * i); other query positions are not implemented yet";
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
