//===- VerifyPlan.cpp - Prove a plan's coverage, report its load ----------===//
//
// The plan is checked, not trusted: the evaluator runs it on every rank with
// token positions instead of numbers (interp::PlanTracker), which proves
// exact coverage and residency and counts each rank's work and traffic.
//
//===----------------------------------------------------------------------===//
#include "compiler/Interpreter/Interpreter.h"
#include "passes/Passes.h"

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

double workImbalance(ArrayRef<interp::RankReport> ranks) {
  int64_t max = 0, total = 0;
  for (const auto &rank : ranks) {
    max = std::max(max, rank.visiblePairs);
    total += rank.visiblePairs;
  }
  return total == 0 ? 1.0 : double(max) * ranks.size() / double(total);
}

void printTable(raw_ostream &os, StringRef name,
                ArrayRef<interp::RankReport> ranks) {
  os << "dattn-verify-plan: @" << name << " on " << ranks.size()
     << " rank(s): every visible (q, k) pair is computed exactly once\n";
  os << llvm::format("%6s %8s %8s %14s %14s %14s %14s\n", "rank", "tiles",
                     "skipped", "pairs", "tile-elems", "sent-bytes",
                     "recv-bytes");
  for (auto [index, rank] : llvm::enumerate(ranks))
    os << llvm::format("%6zu %8lld %8lld %14lld %14lld %14lld %14lld\n", index,
                       (long long)rank.tilesRun, (long long)rank.tilesSkipped,
                       (long long)rank.visiblePairs,
                       (long long)rank.tileElements, (long long)rank.bytesSent,
                       (long long)rank.bytesReceived);
  os << "work imbalance (max/mean pairs): "
     << llvm::format("%.4f", workImbalance(ranks)) << "\n";
}

void printJson(raw_ostream &os, StringRef name,
               ArrayRef<interp::RankReport> ranks) {
  llvm::json::Array perRank;
  for (const auto &rank : ranks)
    perRank.push_back(
        llvm::json::Object{{"tiles", rank.tilesRun},
                           {"skipped_tiles", rank.tilesSkipped},
                           {"pairs", rank.visiblePairs},
                           {"tile_elements", rank.tileElements},
                           {"bytes_sent", rank.bytesSent},
                           {"bytes_received", rank.bytesReceived}});
  llvm::json::Object report{{"function", name.str()},
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
      printTable(llvm::errs(), func.getSymName(), tracker.ranks);
    else if (report == "json")
      printJson(llvm::errs(), func.getSymName(), tracker.ranks);
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
      const llvm::BitVector &held = tracker.ranks[host].keysHeld;
      for (int64_t key = begin; key < end; ++key)
        if (key >= int64_t(held.size()) || !held.test(key))
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
