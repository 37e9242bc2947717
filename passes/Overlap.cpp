//===- Overlap.cpp - Software-pipeline ring transfers under compute -------===//
//
// A ring step computes on the K/V block in hand and then passes it on. The
// pass starts passing it on first (dattn.shift_start), computes, and waits
// at the end of the step, so the transfer runs under the compute. The last
// step is peeled: nothing is sent after it.
//
//===----------------------------------------------------------------------===//
#include "dialects/DAttn/DAttn.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::dattn {
#define GEN_PASS_DEF_DATTNOVERLAP
#include "passes/Passes.h.inc"
} // namespace mlir::dattn

using namespace mlir;
using namespace mlir::dattn;

namespace {

/// A carried block and the shift that passes it on at the end of a step.
struct RingTransfer {
  unsigned position;
  shard::ShiftOp shift;
};

/// The shifts of `loop` that pass a carried value on, one hop, as the next
/// step's value, whose final value nobody uses after the loop.
SmallVector<RingTransfer> findRingTransfers(scf::ForOp loop) {
  SmallVector<RingTransfer> transfers;
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  for (auto [position, yielded] : llvm::enumerate(yield.getOperands())) {
    auto shift = yielded.getDefiningOp<shard::ShiftOp>();
    if (!shift || shift->getBlock() != loop.getBody() ||
        shift.getInput() != loop.getRegionIterArgs()[position] ||
        !shift->hasOneUse() || !loop.getResult(position).use_empty() ||
        shift.getGridAxes().size() != 1 ||
        shift.getGridAxes()[0] != shift.getShiftAxis().getSExtValue())
      continue;
    transfers.push_back({unsigned(position), shift});
  }
  return transfers;
}

/// Constant bounds of `loop` with at least one iteration: (lb, ub, step).
std::optional<std::tuple<int64_t, int64_t, int64_t>>
constantBounds(scf::ForOp loop) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0 || *ub <= *lb)
    return std::nullopt;
  return std::make_tuple(*lb, *ub, *step);
}

/// Moves the last iteration of `loop` (constant bounds) after it, without
/// the ops in `skip`, and shortens the loop by one step. Users of the
/// loop's results then see the peeled iteration's values; results whose
/// yielded value comes from a skipped op must be unused.
void peelLastIteration(scf::ForOp loop,
                       const llvm::SmallPtrSetImpl<Operation *> &skip) {
  auto [lb, ub, step] = *constantBounds(loop);
  int64_t lastIv = lb + (ub - lb - 1) / step * step;
  OpBuilder builder(loop);
  Location loc = loop.getLoc();
  builder.setInsertionPointAfter(loop);
  IRMapping last;
  last.map(loop.getInductionVar(),
           arith::ConstantIndexOp::create(builder, loc, lastIv).getResult());
  for (auto [arg, result] :
       llvm::zip(loop.getRegionIterArgs(), loop.getResults()))
    last.map(arg, result);
  llvm::SmallPtrSet<Operation *, 16> peeled;
  for (Operation &op : loop.getBody()->without_terminator())
    if (!skip.contains(&op))
      peeled.insert(builder.clone(op, last));
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  SmallVector<Value> finalValues;
  for (Value value : yield.getOperands())
    finalValues.push_back(skip.contains(value.getDefiningOp())
                              ? Value()
                              : last.lookupOrDefault(value));
  builder.setInsertionPoint(loop);
  loop.getUpperBoundMutable().assign(
      arith::ConstantIndexOp::create(builder, loc, lastIv).getResult());
  for (auto [result, value] : llvm::zip(loop.getResults(), finalValues))
    if (value)
      result.replaceUsesWithIf(value, [&](OpOperand &use) {
        return !peeled.contains(use.getOwner());
      });
}

/// Ring loops: each shift starts at the top of its step and is waited for
/// where it was; the last step, peeled, sends nothing.
void pipelineRing(scf::ForOp loop, ArrayRef<RingTransfer> transfers) {
  llvm::SmallPtrSet<Operation *, 4> shifts;
  for (const RingTransfer &transfer : transfers)
    shifts.insert(transfer.shift);
  peelLastIteration(loop, shifts);
  OpBuilder builder = OpBuilder::atBlockBegin(loop.getBody());
  for (const RingTransfer &transfer : transfers) {
    shard::ShiftOp shift = transfer.shift;
    auto handle = ShiftStartOp::create(
        builder, shift.getLoc(),
        TransferType::get(builder.getContext(),
                          cast<RankedTensorType>(shift.getInput().getType())),
        shift.getInput(), shift.getGridAttr(),
        builder.getI64IntegerAttr(shift.getShiftAxis().getSExtValue()),
        builder.getI64IntegerAttr(shift.getOffset()),
        shift.getRotate() ? builder.getUnitAttr() : UnitAttr());
    OpBuilder atShift(shift);
    auto wait = WaitOp::create(atShift, shift.getLoc(),
                               shift.getResult().getType(), handle);
    shift.getResult().replaceAllUsesWith(wait.getResult());
    shift.erase();
  }
}

/// An all-gather in a loop body and the pure ops that compute its input
/// from the induction variable and values defined outside the loop.
struct LoopGather {
  shard::AllGatherOp gather;
  SmallVector<Operation *> inputOps; // in body order
};

SmallVector<LoopGather> findLoopGathers(scf::ForOp loop) {
  SmallVector<LoopGather> gathers;
  Block *body = loop.getBody();
  for (auto gather : body->getOps<shard::AllGatherOp>()) {
    if (gather.getGridAxes().size() != 1)
      continue;
    llvm::SetVector<Operation *> slice;
    SmallVector<Value> worklist = {gather.getInput()};
    bool ok = true;
    while (ok && !worklist.empty()) {
      Value value = worklist.pop_back_val();
      if (auto arg = dyn_cast<BlockArgument>(value)) {
        // The induction variable is fine; carried values are not.
        ok = arg.getOwner() != body || arg == loop.getInductionVar();
        continue;
      }
      Operation *def = value.getDefiningOp();
      if (def->getBlock() != body)
        continue; // defined outside the loop
      if (!isPure(def) || def->getNumRegions() != 0) {
        ok = false;
        continue;
      }
      if (slice.insert(def))
        llvm::append_range(worklist, def->getOperands());
    }
    if (!ok)
      continue;
    SmallVector<Operation *> ordered(slice.begin(), slice.end());
    llvm::sort(ordered, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    gathers.push_back({gather, std::move(ordered)});
  }
  return gathers;
}

/// Loops over KV-head groups: gather the next group's K/V (started at the
/// top of the iteration) while this group computes; the first group is
/// gathered before the loop, the last iteration is peeled and prefetches
/// nothing.
void pipelineGathers(scf::ForOp loop, ArrayRef<LoopGather> gathers) {
  auto [lb, ub, step] = *constantBounds(loop);
  Location loc = loop.getLoc();
  IRRewriter rewriter(loop.getContext());
  // Prologue: the first iteration's gathers, synchronous.
  rewriter.setInsertionPoint(loop);
  IRMapping first;
  first.map(loop.getInductionVar(),
            arith::ConstantIndexOp::create(rewriter, loc, lb).getResult());
  SmallVector<Value> initial;
  for (const LoopGather &g : gathers) {
    for (Operation *op : g.inputOps)
      rewriter.clone(*op, first);
    initial.push_back(rewriter.clone(*g.gather, first)->getResult(0));
  }
  // The gathered values become carried; each iteration prefetches the next.
  llvm::SmallPtrSet<Operation *, 16> prefetch;
  auto newLoop = loop.replaceWithAdditionalYields(
      rewriter, initial, /*replaceInitOperandUsesInLoop=*/false,
      [&](OpBuilder &b, Location yieldLoc, ArrayRef<BlockArgument>) {
        Block *body = b.getInsertionBlock();
        OpBuilder top = OpBuilder::atBlockBegin(body);
        Value iv = body->getArgument(0);
        Value next = arith::AddIOp::create(
            top, yieldLoc, iv,
            arith::ConstantIndexOp::create(top, yieldLoc, step));
        prefetch.insert(next.getDefiningOp());
        prefetch.insert(next.getDefiningOp()->getOperand(1).getDefiningOp());
        IRMapping ahead;
        ahead.map(iv, next);
        SmallVector<Value> waited;
        for (const LoopGather &g : gathers) {
          shard::AllGatherOp gather = g.gather;
          for (Operation *op : g.inputOps)
            prefetch.insert(top.clone(*op, ahead));
          auto gatheredType = cast<RankedTensorType>(gather.getType());
          auto start = AllGatherStartOp::create(
              top, gather.getLoc(),
              TransferType::get(top.getContext(), gatheredType),
              ahead.lookupOrDefault(gather.getInput()), gather.getGridAttr(),
              top.getI64IntegerAttr(gather.getGridAxes()[0]),
              top.getI64IntegerAttr(gather.getGatherAxis().getSExtValue()));
          auto wait = WaitOp::create(b, gather.getLoc(), gatheredType, start);
          prefetch.insert(start);
          prefetch.insert(wait);
          waited.push_back(wait);
        }
        return waited;
      });
  if (failed(newLoop))
    return;
  auto pipelined = cast<scf::ForOp>(newLoop->getOperation());
  // This iteration's gathers are the carried values now.
  unsigned firstNew = pipelined.getNumRegionIterArgs() - gathers.size();
  for (auto [index, g] : llvm::enumerate(gathers)) {
    shard::AllGatherOp gather = g.gather;
    rewriter.replaceAllUsesWith(
        gather.getResult(), pipelined.getRegionIterArgs()[firstNew + index]);
    rewriter.eraseOp(gather);
    for (Operation *op : llvm::reverse(g.inputOps))
      if (op->use_empty())
        rewriter.eraseOp(op);
  }
  peelLastIteration(pipelined, prefetch);
}

struct DAttnOverlapPass
    : mlir::dattn::impl::DAttnOverlapBase<DAttnOverlapPass> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation()->walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      if (!constantBounds(loop))
        continue;
      SmallVector<RingTransfer> transfers = findRingTransfers(loop);
      if (!transfers.empty()) {
        pipelineRing(loop, transfers);
        continue;
      }
      SmallVector<LoopGather> gathers = findLoopGathers(loop);
      if (!gathers.empty())
        pipelineGathers(loop, gathers);
    }
  }
};

} // namespace
