//===- VerifyPlan.cpp - Prove a plan's coverage, report its load ----------===//
//
// The plan is checked, not trusted: the evaluator runs it on every rank with
// token positions instead of numbers (interp::PlanTracker), which proves
// exact coverage and residency and counts each rank's work and traffic.
//
//===----------------------------------------------------------------------===//
#include "compiler/Interpreter/Interpreter.h"
#include "passes/Passes.h"

#include "dialects/DAttn/DAttn.h"

#include "mlir/Analysis/Liveness.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::dattn {
#define GEN_PASS_DEF_DATTNVERIFYPLAN
#include "passes/Passes.h.inc"
} // namespace mlir::dattn

using namespace mlir;
using namespace mlir::dattn;

namespace {

/// A value of the attention's working set: what a dattn op reads or makes
/// (Q/K/V shards, gathered or received blocks, states, transfers). The
/// program's whole-tensor arguments and the output assembly around the
/// plan are the evaluator's interface, not memory a deployed rank holds.
bool inWorkingSet(Value value) {
  if (isa<StateType, TransferType>(value.getType()))
    return true;
  if (Operation *def = value.getDefiningOp();
      def && isa<DAttnDialect>(def->getDialect()))
    return true;
  return llvm::any_of(value.getUsers(), [](Operation *user) {
    return isa<DAttnDialect>(user->getDialect());
  });
}

/// The peak, over the plan's ops, of the working-set bytes live at once:
/// the values live at an op in its block and at each enclosing op (what a
/// loop body captures stays live through every iteration). Static liveness of
/// the SPMD program, so it bounds every rank; kernel workspace is not counted.
int64_t peakWorkingSetBytes(func::FuncOp func) {
  Liveness liveness(func);
  int64_t peak = 0;
  func.walk([&](Operation *op) {
    llvm::SmallPtrSet<Value, 16> live;
    for (Operation *at = op; at && at != func; at = at->getParentOp()) {
      const LivenessBlockInfo *info = liveness.getLiveness(at->getBlock());
      if (!info)
        continue;
      for (Value value : info->currentlyLiveValues(at)) {
        // An enclosing op's operands that die there were handed to its
        // region (a loop's initial iter_args): the region's block
        // arguments hold them now, not a second buffer.
        if (at != op && llvm::is_contained(at->getOperands(), value) &&
            liveness.isDeadAfter(value, at))
          continue;
        // Nor do an enclosing op's results exist while its body runs.
        if (at != op && value.getDefiningOp() == at)
          continue;
        live.insert(value);
      }
    }
    // Results exist from their op on, even if never used.
    for (Value result : op->getResults())
      live.insert(result);
    // A transfer in flight also pins its source buffer until the wait,
    // whatever SSA liveness says of the source value.
    for (Value value : llvm::to_vector(live))
      if (isa<TransferType>(value.getType()))
        if (Operation *start = value.getDefiningOp())
          live.insert(start->getOperands().begin(), start->getOperands().end());
    int64_t bytes = 0;
    for (Value value : live)
      if (inWorkingSet(value))
        bytes += getStorageBytes(value.getType());
    peak = std::max(peak, bytes);
  });
  return peak;
}

double workImbalance(ArrayRef<interp::RankReport> ranks) {
  int64_t max = 0, total = 0;
  for (const auto &rank : ranks) {
    max = std::max(max, rank.visiblePairs);
    total += rank.visiblePairs;
  }
  return total == 0 ? 1.0 : double(max) * ranks.size() / double(total);
}

void printTable(raw_ostream &os, StringRef name,
                ArrayRef<interp::RankReport> ranks, int64_t peakBytes) {
  os << "dattn-verify-plan: @" << name << " on " << ranks.size()
     << " rank(s): every visible (q, k) pair is computed exactly once\n";
  os << llvm::format("%6s %8s %8s %14s %14s %14s %14s %18s\n", "rank", "tiles",
                     "skipped", "pairs", "tile-elems", "sent-bytes",
                     "recv-bytes", "flops");
  for (auto [index, rank] : llvm::enumerate(ranks))
    os << llvm::format("%6zu %8lld %8lld %14lld %14lld %14lld %14lld %18lld\n",
                       index, (long long)rank.tilesRun,
                       (long long)rank.tilesSkipped,
                       (long long)rank.visiblePairs,
                       (long long)rank.tileElements, (long long)rank.bytesSent,
                       (long long)rank.bytesReceived, (long long)rank.flops);
  os << "work imbalance (max/mean pairs): "
     << llvm::format("%.4f", workImbalance(ranks)) << "\n";
  os << "peak working set per rank: " << peakBytes
     << " bytes (Q/K/V shards, states, blocks in flight; static liveness)\n";
}

void printJson(raw_ostream &os, StringRef name,
               ArrayRef<interp::RankReport> ranks, int64_t peakBytes) {
  llvm::json::Array perRank;
  for (const auto &rank : ranks)
    perRank.push_back(
        llvm::json::Object{{"tiles", rank.tilesRun},
                           {"skipped_tiles", rank.tilesSkipped},
                           {"pairs", rank.visiblePairs},
                           {"tile_elements", rank.tileElements},
                           {"bytes_sent", rank.bytesSent},
                           {"bytes_received", rank.bytesReceived},
                           {"flops", rank.flops},
                           {"peak_working_set_bytes", peakBytes}});
  llvm::json::Object report{{"function", name.str()},
                            {"coverage", "proved"},
                            {"ranks", std::move(perRank)},
                            {"work_imbalance", workImbalance(ranks)}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
}

struct DAttnVerifyPlanPass
    : mlir::dattn::impl::DAttnVerifyPlanBase<DAttnVerifyPlanPass> {
  using Base::Base;

  void runOnOperation() override {
    if (report != "table" && report != "json" && report != "none") {
      emitError(getOperation().getLoc())
          << "dattn-verify-plan: unknown report '" << report
          << "'; expected table, json or none";
      return signalPassFailure();
    }
    auto numRanks = interp::getNumRanks(getOperation());
    if (failed(numRanks))
      return signalPassFailure();
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() &&
          failed(verify(func, *numRanks)))
        return signalPassFailure();
    // Nothing was changed: the IR is only read.
    markAllAnalysesPreserved();
  }

  LogicalResult verify(func::FuncOp func, unsigned numRanks) {
    // An unplanned attention computes no tiles: the proof would be vacuous.
    WalkResult unplanned = func.walk([](AttentionOp attention) {
      attention.emitError()
          << "dattn-verify-plan: this attention is not planned into tiles "
             "yet; run dattn-plan-prefill, dattn-plan-decode or "
             "dattn-decompose first";
      return WalkResult::interrupt();
    });
    if (unplanned.wasInterrupted())
      return failure();
    // Positions and sizes are all the proof needs: no tensor data, so a
    // full-size plan (a 128K-token KV cache on 8 ranks) fits in memory.
    interp::ShapesOnlyScope shapesOnly;
    interp::PlanTracker tracker;
    tracker.ranks.resize(numRanks);
    auto args = interp::makeTrackedInputs(func, tracker, "dattn-verify-plan");
    if (failed(args))
      return failure();
    interp::Interpreter interpreter(numRanks);
    interpreter.tracker = &tracker;
    std::vector<std::vector<interp::RuntimeValue>> perRank(numRanks, *args);
    if (failed(interpreter.run(func, perRank)))
      return failure();
    if (report == "table")
      printTable(llvm::errs(), func.getSymName(), tracker.ranks,
                 peakWorkingSetBytes(func));
    else if (report == "json")
      printJson(llvm::errs(), func.getSymName(), tracker.ranks,
                peakWorkingSetBytes(func));
    if (decodeRanks)
      return checkScaleDown(func, tracker);
    return success();
  }

  /// LoongServe's scale-down: every decode rank's token range passes
  /// through the prefill rank that hosts it.
  LogicalResult checkScaleDown(func::FuncOp func,
                               const interp::PlanTracker &tracker) {
    int64_t prefillRanks = tracker.ranks.size();
    if (decodeRanks > prefillRanks || prefillRanks % decodeRanks != 0)
      return func.emitError()
             << "dattn-verify-plan: decode-ranks=" << int64_t(decodeRanks)
             << " must divide the " << prefillRanks << " prefill ranks";
    int64_t length = tracker.keyLength;
    int64_t range = llvm::divideCeil(length, int64_t(decodeRanks));
    std::string table;
    llvm::raw_string_ostream os(table);
    os << "elastic scale-down of @" << func.getSymName() << " from "
       << prefillRanks << " to " << int64_t(decodeRanks)
       << " ranks: every decode rank keeps its tokens as they pass during "
          "prefill (0 extra bytes):";
    for (int64_t m = 0; m < decodeRanks; ++m) {
      int64_t host = m * (prefillRanks / decodeRanks);
      int64_t begin = m * range, end = std::min(length, begin + range);
      // The keys the host held, marked over the range alone.
      llvm::BitVector held(end - begin);
      for (const interp::Run &run : tracker.ranks[host].keysHeld)
        for (int64_t i = 0; i < run.count; ++i)
          if (run.at(i) >= begin && run.at(i) < end)
            held.set(run.at(i) - begin);
      for (int64_t key = begin; key < end; ++key)
        if (!held.test(key - begin))
          return func.emitError()
                 << "dattn-verify-plan: decode rank " << m
                 << " on prefill rank " << host << " would own token " << key
                 << ", which never passes through that rank: scaling down "
                    "would need an extra transfer";
      os << " decode " << m << " on rank " << host << ": [" << begin << ", "
         << end << ");";
    }
    emitRemark(func.getLoc()) << table;
    return success();
  }
};

} // namespace
