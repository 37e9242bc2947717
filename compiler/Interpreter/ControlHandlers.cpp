//===- ControlHandlers.cpp - Evaluator semantics of scalars and loops -----===//
//
// Index arithmetic (ranks, positions, ring steps) and scf.for. SPMD loops run
// in lockstep: every rank must agree on the trip count, which is what lets
// a collective inside the loop body see all ranks at once.
//
//===----------------------------------------------------------------------===//
#include "compiler/Interpreter/Interpreter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::dattn::interp;

namespace {

template <typename OpTy>
void registerBinary(
    Interpreter &interpreter,
    std::function<std::optional<int64_t>(int64_t, int64_t)> fn) {
  interpreter.registerLocalHandler(
      OpTy::getOperationName(),
      [fn](Operation *op, ArrayRef<const RuntimeValue *> operands,
           SmallVectorImpl<RuntimeValue> &results) -> LogicalResult {
        auto result = fn(std::get<int64_t>(*operands[0]),
                         std::get<int64_t>(*operands[1]));
        if (!result)
          return op->emitError() << "division by zero in the evaluator";
        results.push_back(*result);
        return success();
      });
}

std::optional<int64_t> floorMod(int64_t a, int64_t b) {
  if (b == 0)
    return std::nullopt;
  int64_t r = a % b;
  return r < 0 ? r + std::abs(b) : r;
}

} // namespace

void mlir::dattn::interp::registerControlHandlers(Interpreter &interpreter) {
  registerBinary<arith::AddIOp>(interpreter, [](int64_t a, int64_t b) {
    return std::optional<int64_t>(a + b);
  });
  registerBinary<arith::SubIOp>(interpreter, [](int64_t a, int64_t b) {
    return std::optional<int64_t>(a - b);
  });
  registerBinary<arith::MulIOp>(interpreter, [](int64_t a, int64_t b) {
    return std::optional<int64_t>(a * b);
  });
  auto divide = [](int64_t a, int64_t b) {
    return b == 0 ? std::nullopt : std::optional<int64_t>(a / b);
  };
  auto remainder = [](int64_t a, int64_t b) {
    return b == 0 ? std::nullopt : std::optional<int64_t>(a % b);
  };
  registerBinary<arith::DivUIOp>(interpreter, divide);
  registerBinary<arith::DivSIOp>(interpreter, divide);
  registerBinary<arith::RemUIOp>(interpreter, remainder);
  registerBinary<arith::RemSIOp>(interpreter, remainder);
  registerBinary<arith::FloorDivSIOp>(interpreter, [](int64_t a, int64_t b) {
    auto mod = floorMod(a, b);
    return mod ? std::optional<int64_t>((a - *mod) / b) : std::nullopt;
  });

  interpreter.registerHandler(
      scf::ForOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        auto loop = cast<scf::ForOp>(op);
        auto bound = [&](Value value, unsigned rank) {
          return std::get<int64_t>(frame.lookup(value, rank));
        };
        int64_t lb = bound(loop.getLowerBound(), 0);
        int64_t ub = bound(loop.getUpperBound(), 0);
        int64_t step = bound(loop.getStep(), 0);
        for (unsigned rank = 1; rank < frame.getNumRanks(); ++rank)
          if (bound(loop.getLowerBound(), rank) != lb ||
              bound(loop.getUpperBound(), rank) != ub ||
              bound(loop.getStep(), rank) != step)
            return op->emitError() << "ranks disagree on the trip count; the "
                                      "evaluator runs SPMD loops in lockstep";
        if (step <= 0)
          return op->emitError() << "loop step must be positive, got " << step;
        Block &body = *loop.getBody();
        unsigned numRanks = frame.getNumRanks();
        // Carried values start as the init operands.
        std::vector<std::vector<RuntimeValue>> carried(numRanks);
        for (unsigned rank = 0; rank < numRanks; ++rank)
          for (Value init : loop.getInitArgs())
            carried[rank].push_back(frame.lookup(init, rank));
        for (int64_t iv = lb; iv < ub; iv += step) {
          for (unsigned rank = 0; rank < numRanks; ++rank) {
            frame.bind(loop.getInductionVar(), rank, iv);
            for (auto [arg, value] :
                 llvm::zip(loop.getRegionIterArgs(), carried[rank]))
              frame.bind(arg, rank, value);
          }
          std::vector<std::vector<RuntimeValue>> yielded(numRanks);
          if (failed(interpreter.runBlock(body, frame, yielded)))
            return failure();
          carried = std::move(yielded);
        }
        for (unsigned rank = 0; rank < numRanks; ++rank)
          for (auto [result, value] :
               llvm::zip(loop.getResults(), carried[rank]))
            frame.bind(result, rank, value);
        return success();
      });
}
