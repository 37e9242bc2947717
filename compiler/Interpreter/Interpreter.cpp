//===- Interpreter.cpp - Lockstep SPMD reference evaluator ----------------===//
#include "compiler/Interpreter/Interpreter.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::dattn::interp;

static thread_local bool shapesOnly = false;

ShapesOnlyScope::ShapesOnlyScope() : previous(shapesOnly) { shapesOnly = true; }
ShapesOnlyScope::~ShapesOnlyScope() { shapesOnly = previous; }
bool ShapesOnlyScope::active() { return shapesOnly; }

Tensor Tensor::filled(ArrayRef<int64_t> shape, double value) {
  Tensor tensor;
  tensor.shape.assign(shape.begin(), shape.end());
  if (!shapesOnly)
    tensor.data.assign(tensor.getNumElements(), value);
  return tensor;
}

int64_t Tensor::getNumElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

SmallVector<int64_t> Tensor::getStrides() const {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int i = int(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

Tensor mlir::dattn::interp::concatenate(ArrayRef<const Tensor *> parts,
                                        int64_t axis) {
  SmallVector<int64_t> shape = parts.front()->shape;
  shape[axis] = 0;
  for (const Tensor *part : parts)
    shape[axis] += part->shape[axis];
  Tensor result = Tensor::filled(shape, 0.0);
  // Row-major: the outer dims before `axis` index contiguous runs.
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  if (axis == 2) {
    bool exported = true;
    for (const Tensor *part : parts)
      exported &= part->exported.has_value();
    if (exported)
      result.exported.emplace();
    int64_t offset = 0;
    for (const Tensor *part : parts) {
      result.rows.append(part->rows);
      if (exported)
        for (Piece piece : *part->exported) {
          piece.rowBegin += offset;
          piece.rowEnd += offset;
          result.exported->push_back(piece);
        }
      offset += part->shape[axis];
      result.causal |= part->causal;
    }
  } else if (shape.size() > 2 && llvm::all_of(parts, [&](const Tensor *part) {
               return part->rows == parts.front()->rows &&
                      part->exported == parts.front()->exported;
             })) {
    // Along another dim (the batch) the parts share their token rows; rows
    // that saw different keys in different parts cannot be told apart and
    // stay untracked.
    result.rows = parts.front()->rows;
    result.exported = parts.front()->exported;
    result.causal = parts.front()->causal;
  }
  if (shape.size() <= 2 || result.rows.size() != shape[2]) {
    result.rows = Positions(); // some part was not tracked
    result.exported.reset();
  }
  size_t next = 0;
  for (const Tensor *part : parts)
    if (part->data.empty())
      return result; // shapes only
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor *part : parts) {
      int64_t run = part->getNumElements() / outer;
      std::copy_n(part->data.begin() + o * run, run,
                  result.data.begin() + next);
      next += run;
    }
  return result;
}

const RuntimeValue &Frame::lookup(Value value, unsigned rank) const {
  auto it = values.find(value);
  assert(it != values.end() && "value used before its definition ran");
  return it->second[rank];
}

void Frame::bind(Value value, unsigned rank, RuntimeValue runtimeValue) {
  auto &slots = values[value];
  if (slots.empty())
    slots.resize(numRanks);
  slots[rank] = std::move(runtimeValue);
}

Interpreter::Interpreter(unsigned numRanks) : numRanks(numRanks) {
  registerDAttnHandlers(*this);
  registerTensorHandlers(*this);
  registerControlHandlers(*this);
  registerShardHandlers(*this);
}

void Interpreter::registerHandler(StringRef opName, OpHandler handler) {
  handlers[opName] = std::move(handler);
}

void Interpreter::registerLocalHandler(StringRef opName, LocalHandler handler) {
  registerHandler(
      opName, [handler = std::move(handler)](Operation *op, Frame &frame) {
        for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
          SmallVector<const RuntimeValue *> operands;
          for (Value operand : op->getOperands())
            operands.push_back(&frame.lookup(operand, rank));
          SmallVector<RuntimeValue, 2> results;
          if (failed(handler(op, operands, results)))
            return failure();
          assert(results.size() == op->getNumResults() &&
                 "handler must produce every result");
          for (auto [result, value] : llvm::zip(op->getResults(), results))
            frame.bind(result, rank, std::move(value));
        }
        return success();
      });
}

LogicalResult
Interpreter::runBlock(Block &block, Frame &frame,
                      std::vector<std::vector<RuntimeValue>> &results) {
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>()) {
      for (unsigned rank = 0; rank < numRanks; ++rank)
        for (Value operand : op.getOperands())
          results[rank].push_back(frame.lookup(operand, rank));
      return success();
    }
    auto it = handlers.find(op.getName().getStringRef());
    if (it == handlers.end())
      return op.emitError() << "the reference evaluator cannot run '"
                            << op.getName() << "' yet";
    if (failed(it->second(&op, frame)))
      return failure();
  }
  return block.getParentOp()->emitError()
         << "the reference evaluator expects the body to end in a terminator";
}

FailureOr<std::vector<std::vector<RuntimeValue>>>
Interpreter::run(func::FuncOp func, ArrayRef<std::vector<RuntimeValue>> args) {
  if (func.isExternal())
    return func.emitError() << "cannot evaluate a function without a body";
  if (!func.getBody().hasOneBlock())
    return func.emitError()
           << "the reference evaluator runs single-block functions only";
  assert(args.size() == numRanks && "one argument list per rank");
  Block &entry = func.getBody().front();
  Frame frame(numRanks);
  for (unsigned rank = 0; rank < numRanks; ++rank) {
    if (args[rank].size() != entry.getNumArguments())
      return func.emitError() << "expected " << entry.getNumArguments()
                              << " arguments, got " << args[rank].size();
    for (auto [arg, value] : llvm::zip(entry.getArguments(), args[rank]))
      frame.bind(arg, rank, value);
  }
  std::vector<std::vector<RuntimeValue>> results(numRanks);
  if (failed(runBlock(entry, frame, results)))
    return failure();
  return results;
}
