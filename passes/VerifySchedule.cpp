//===- VerifySchedule.cpp - Is an overlapped schedule safe? ---------------===//
#include "dialects/DAttn/DAttn.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::dattn {
#define GEN_PASS_DEF_DATTNVERIFYSCHEDULE
#include "passes/Passes.h.inc"
} // namespace mlir::dattn

using namespace mlir;
using namespace mlir::dattn;

namespace {

/// Checks one transfer (the result of a dattn.shift_start or
/// dattn.all_gather_start); returns its wait.
FailureOr<WaitOp> checkTransfer(Operation *start, Value transfer,
                                Value source) {
  WaitOp wait;
  for (Operation *user : transfer.getUsers()) {
    auto waitUser = dyn_cast<WaitOp>(user);
    if (!waitUser)
      return start->emitError() << "transfer is used by '" << user->getName()
                                << "'; only dattn.wait may take a transfer";
    if (wait)
      return start->emitError() << "transfer is waited for twice";
    wait = waitUser;
  }
  if (!wait)
    return start->emitError()
           << "transfer is never waited for: its buffer stays in flight";
  if (wait->getBlock() != start->getBlock())
    return wait.emitError()
           << "waits in another block than the one that started the transfer";
  // The source must not be written while in flight: an insert into it would
  // update the buffer being sent once tensors become buffers.
  for (Operation *op = start->getNextNode(); op != wait;
       op = op->getNextNode()) {
    auto insert = dyn_cast<tensor::InsertSliceOp>(op);
    if (insert && insert.getDest() == source)
      return insert.emitError()
             << "overwrites a buffer that is still in flight (started at "
             << start->getLoc() << ")";
  }
  return wait;
}

struct DAttnVerifySchedulePass
    : mlir::dattn::impl::DAttnVerifyScheduleBase<DAttnVerifySchedulePass> {
  void runOnOperation() override {
    bool ok = true;
    getOperation()->walk([&](func::FuncOp func) {
      int64_t transfers = 0, peakInFlight = 0, peakBytes = 0;
      // Transfers in flight at each point of each block, in program order.
      WalkResult walk = func.walk([&](Block *block) {
        int64_t inFlight = 0, bytes = 0;
        DenseMap<Operation *, int64_t> pending; // wait -> bytes
        for (Operation &op : *block) {
          Value transfer, source;
          if (auto shift = dyn_cast<ShiftStartOp>(op)) {
            transfer = shift.getTransfer();
            source = shift.getInput();
          } else if (auto gather = dyn_cast<AllGatherStartOp>(op)) {
            transfer = gather.getTransfer();
            source = gather.getInput();
          }
          if (transfer) {
            auto wait = checkTransfer(&op, transfer, source);
            if (failed(wait))
              return WalkResult::interrupt();
            // The receive buffer: what arrives at the wait.
            int64_t size = getStorageBytes(transfer.getType());
            pending[*wait] = size;
            ++transfers;
            ++inFlight;
            bytes += size;
            peakInFlight = std::max(peakInFlight, inFlight);
            peakBytes = std::max(peakBytes, bytes);
          } else if (auto it = pending.find(&op); it != pending.end()) {
            --inFlight;
            bytes -= it->second;
          }
        }
        return WalkResult::advance();
      });
      if (walk.wasInterrupted()) {
        ok = false;
        return;
      }
      if (transfers)
        emitRemark(func.getLoc())
            << "schedule of @" << func.getSymName() << ": " << transfers
            << " transfer(s), at most " << peakInFlight << " in flight ("
            << peakBytes << " bytes of receive buffers)";
    });
    if (!ok)
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};

} // namespace
