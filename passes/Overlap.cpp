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

LogicalResult pipeline(scf::ForOp loop, ArrayRef<RingTransfer> transfers) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0 || *ub <= *lb)
    return failure();
  OpBuilder builder(loop);
  Location loc = loop.getLoc();
  int64_t lastIv = *lb + (*ub - *lb - 1) / *step * *step;

  // The peeled last step: the body after the loop, without its shifts.
  builder.setInsertionPointAfter(loop);
  IRMapping last;
  last.map(loop.getInductionVar(),
           arith::ConstantIndexOp::create(builder, loc, lastIv).getResult());
  for (auto [arg, result] :
       llvm::zip(loop.getRegionIterArgs(), loop.getResults()))
    last.map(arg, result);
  llvm::SmallPtrSet<Operation *, 4> shifts;
  for (const RingTransfer &transfer : transfers)
    shifts.insert(transfer.shift);
  llvm::SmallPtrSet<Operation *, 16> peeled;
  for (Operation &op : loop.getBody()->without_terminator())
    if (!shifts.contains(&op))
      peeled.insert(builder.clone(op, last));
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  SmallVector<Value> finalValues;
  for (auto [position, value] : llvm::enumerate(yield.getOperands()))
    finalValues.push_back(
        llvm::is_contained(
            llvm::map_range(transfers,
                            [](const RingTransfer &t) { return t.position; }),
            position)
            ? Value() // unused: checked by findRingTransfers
            : last.lookupOrDefault(value));

  // The loop runs one step less; each shift starts at the top of its step.
  builder.setInsertionPoint(loop);
  loop.getUpperBoundMutable().assign(
      arith::ConstantIndexOp::create(builder, loc, lastIv).getResult());
  builder.setInsertionPointToStart(loop.getBody());
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
  // Users of the loop, but for the peeled step itself, now see that step's
  // values.
  for (auto [result, value] : llvm::zip(loop.getResults(), finalValues))
    if (value)
      result.replaceUsesWithIf(value, [&](OpOperand &use) {
        return !peeled.contains(use.getOwner());
      });
  return success();
}

struct DAttnOverlapPass
    : mlir::dattn::impl::DAttnOverlapBase<DAttnOverlapPass> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation()->walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      SmallVector<RingTransfer> transfers = findRingTransfers(loop);
      if (!transfers.empty())
        (void)pipeline(loop, transfers);
    }
  }
};

} // namespace
