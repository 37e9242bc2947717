//===- TensorHandlers.cpp - Evaluator semantics of upstream ops -----------===//
//
// The tensor and arith ops that dattn passes produce: slices of the inputs,
// concatenation of output blocks, constants.
//
//===----------------------------------------------------------------------===//
#include "compiler/Interpreter/Interpreter.h"
#include "distattn/reference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <limits>

using namespace mlir;
using namespace mlir::dattn::interp;

namespace {

using distattn::forEachIndex;

/// The value of `value`, an operand of `op`, on this rank.
int64_t operandValue(Operation *op, ArrayRef<const RuntimeValue *> operands,
                     Value value) {
  for (OpOperand &operand : op->getOpOperands())
    if (operand.get() == value)
      return std::get<int64_t>(*operands[operand.getOperandNumber()]);
  llvm_unreachable("not an operand of the op");
}

SmallVector<int64_t> resolve(Operation *op,
                             ArrayRef<const RuntimeValue *> operands,
                             ArrayRef<OpFoldResult> mixed) {
  SmallVector<int64_t> values;
  for (OpFoldResult ofr : mixed) {
    if (auto attr = dyn_cast<Attribute>(ofr))
      values.push_back(cast<IntegerAttr>(attr).getInt());
    else
      values.push_back(operandValue(op, operands, cast<Value>(ofr)));
  }
  return values;
}

/// The offsets, sizes and strides of a slice op on this rank, checked to
/// stay inside `full` (dynamic offsets are only known here).
template <typename SliceOp>
LogicalResult
sliceParameters(SliceOp op, ArrayRef<const RuntimeValue *> operands,
                ArrayRef<int64_t> full, SmallVectorImpl<int64_t> &off,
                SmallVectorImpl<int64_t> &sizes,
                SmallVectorImpl<int64_t> &strides) {
  off = resolve(op, operands, op.getMixedOffsets());
  sizes = resolve(op, operands, op.getMixedSizes());
  strides = resolve(op, operands, op.getMixedStrides());
  for (size_t d = 0; d < full.size(); ++d)
    if (off[d] < 0 || sizes[d] < 0 ||
        (sizes[d] > 0 && off[d] + (sizes[d] - 1) * strides[d] >= full[d]))
      return op.emitError() << "slice out of bounds in dimension " << d
                            << ": offset " << off[d] << ", size " << sizes[d]
                            << ", stride " << strides[d] << " in " << full[d];
  return success();
}

/// Flat index in `full` of the slice element at `index`.
int64_t sourceOffset(ArrayRef<int64_t> index, ArrayRef<int64_t> offsets,
                     ArrayRef<int64_t> strides, ArrayRef<int64_t> fullStrides) {
  int64_t flat = 0;
  for (size_t d = 0; d < index.size(); ++d)
    flat += (offsets[d] + index[d] * strides[d]) * fullStrides[d];
  return flat;
}

/// The plan verifier follows token positions along dim 2. A part that spans
/// every row, placed at some batch and head offsets of an untracked
/// destination, brings its rows and the keys they saw; the destination is
/// tracked once every [dim 0 x dim 1] slab has been written by parts that
/// agree (else its rows cannot be told apart, or a slot was never filled).
/// Into a tracked destination a part must agree with it.
void trackPlacedPart(Tensor &dest, const Tensor &part,
                     ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                     ArrayRef<int64_t> strides) {
  if (dest.shape.size() < 3 || part.rows.empty() || offsets[2] != 0 ||
      strides[2] != 1 || sizes[2] != dest.shape[2] || strides[0] != 1 ||
      strides[1] != 1)
    return;
  if (!dest.rows.empty()) {
    if (dest.rows != part.rows || dest.exported != part.exported) {
      dest.rows = Positions();
      dest.exported.reset();
    }
    return;
  }
  int64_t heads = dest.shape[1];
  if (dest.slabsWritten.empty()) {
    dest.slabsWritten.assign(dest.shape[0] * heads, false);
    dest.pendingRows = part.rows;
    dest.pendingExported = part.exported;
  } else if (dest.pendingRows != part.rows ||
             dest.pendingExported != part.exported) {
    dest.pendingRows = Positions(); // parts disagree: never tracked
  }
  for (int64_t b = 0; b < sizes[0]; ++b)
    for (int64_t h = 0; h < sizes[1]; ++h)
      dest.slabsWritten[(offsets[0] + b) * heads + offsets[1] + h] = true;
  if (dest.pendingRows.empty() ||
      !llvm::all_of(dest.slabsWritten, [](bool w) { return w; }))
    return;
  dest.rows = std::move(dest.pendingRows);
  dest.exported = std::move(dest.pendingExported);
  dest.causal = part.causal;
  dest.slabsWritten.clear();
  dest.pendingRows = Positions();
  dest.pendingExported.reset();
}

} // namespace

void mlir::dattn::interp::registerTensorHandlers(Interpreter &interpreter) {
  interpreter.registerLocalHandler(
      tensor::ExtractSliceOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *> operands,
         SmallVectorImpl<RuntimeValue> &results) -> LogicalResult {
        auto slice = cast<tensor::ExtractSliceOp>(op);
        const Tensor &source = std::get<Tensor>(*operands[0]);
        SmallVector<int64_t> offsets, sizes, strides;
        if (failed(sliceParameters(slice, operands, source.shape, offsets,
                                   sizes, strides)))
          return failure();
        SmallVector<int64_t> sourceStrides = source.getStrides();
        Tensor result = Tensor::filled(sizes, 0.0);
        int64_t next = 0;
        if (!source.data.empty())
          forEachIndex(sizes, [&](ArrayRef<int64_t> index) {
            result.data[next++] =
                source
                    .data[sourceOffset(index, offsets, strides, sourceStrides)];
          });
        // The plan verifier follows token positions along dim 2.
        if (!source.rows.empty() && source.shape.size() == 4) {
          result.rows = source.rows.slice(offsets[2], sizes[2], strides[2]);
          if (source.exported)
            result.exported = sliceCoverage(*source.exported, offsets[2],
                                            sizes[2], strides[2]);
        }
        result.causal = source.causal;
        // Rank-reducing slices drop unit dims; the data order is unchanged.
        auto resultShape = slice.getResultType().getShape();
        result.shape.assign(resultShape.begin(), resultShape.end());
        results.push_back(std::move(result));
        return success();
      });

  interpreter.registerLocalHandler(
      tensor::InsertSliceOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *> operands,
         SmallVectorImpl<RuntimeValue> &results) -> LogicalResult {
        auto insert = cast<tensor::InsertSliceOp>(op);
        const Tensor &source = std::get<Tensor>(*operands[0]);
        Tensor result = std::get<Tensor>(*operands[1]);
        SmallVector<int64_t> offsets, sizes, strides;
        if (failed(sliceParameters(insert, operands, result.shape, offsets,
                                   sizes, strides)))
          return failure();
        SmallVector<int64_t> destStrides = result.getStrides();
        int64_t next = 0;
        if (!result.data.empty() && !source.data.empty())
          forEachIndex(sizes, [&](ArrayRef<int64_t> index) {
            result.data[sourceOffset(index, offsets, strides, destStrides)] =
                source.data[next++];
          });
        trackPlacedPart(result, source, offsets, sizes, strides);
        results.push_back(std::move(result));
        return success();
      });

  interpreter.registerLocalHandler(
      tensor::ConcatOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *> operands,
         SmallVectorImpl<RuntimeValue> &results) -> LogicalResult {
        SmallVector<const Tensor *> parts;
        for (const RuntimeValue *operand : operands)
          parts.push_back(&std::get<Tensor>(*operand));
        results.push_back(
            concatenate(parts, cast<tensor::ConcatOp>(op).getDim()));
        return success();
      });

  interpreter.registerLocalHandler(
      tensor::EmptyOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *>,
         SmallVectorImpl<RuntimeValue> &results) -> LogicalResult {
        auto type = cast<tensor::EmptyOp>(op).getType();
        if (!type.hasStaticShape())
          return op->emitError()
                 << "the reference evaluator needs static shapes";
        // Uninitialised in the IR's semantics; NaN makes any read visible.
        results.push_back(Tensor::filled(
            type.getShape(), std::numeric_limits<double>::quiet_NaN()));
        return success();
      });

  interpreter.registerLocalHandler(
      tensor::PadOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *> operands,
         SmallVectorImpl<RuntimeValue> &results) -> LogicalResult {
        auto pad = cast<tensor::PadOp>(op);
        Value padding = pad.getConstantPaddingValue();
        auto constant =
            padding ? padding.getDefiningOp<arith::ConstantOp>() : nullptr;
        auto paddingValue =
            constant ? dyn_cast<FloatAttr>(constant.getValue()) : nullptr;
        if (!paddingValue || !pad.getLow().empty() || !pad.getHigh().empty())
          return op->emitError() << "the reference evaluator pads with a "
                                    "float constant by static amounts only";
        const Tensor &source = std::get<Tensor>(*operands[0]);
        Tensor result = Tensor::filled(pad.getResultType().getShape(),
                                       paddingValue.getValueAsDouble());
        SmallVector<int64_t> unitStrides(source.shape.size(), 1);
        SmallVector<int64_t> resultStrides = result.getStrides();
        int64_t next = 0;
        if (!result.data.empty() && !source.data.empty())
          forEachIndex(source.shape, [&](ArrayRef<int64_t> index) {
            result.data[sourceOffset(index, pad.getStaticLow(), unitStrides,
                                     resultStrides)] = source.data[next++];
          });
        // Padding rows continue the positions: they are the tokens past
        // the end of the sequence.
        if (!source.rows.empty() && pad.getStaticLow()[2] == 0) {
          result.rows = source.rows;
          int64_t last = result.rows.back();
          result.rows.append(
              Run{last + 1, 1, result.shape[2] - result.rows.size()});
        }
        results.push_back(std::move(result));
        return success();
      });

  interpreter.registerLocalHandler(
      arith::ConstantOp::getOperationName(),
      [](Operation *op, ArrayRef<const RuntimeValue *>,
         SmallVectorImpl<RuntimeValue> &results) -> LogicalResult {
        Attribute value = cast<arith::ConstantOp>(op).getValue();
        if (auto integer = dyn_cast<IntegerAttr>(value)) {
          results.push_back(integer.getValue().getSExtValue());
          return success();
        }
        if (auto scalar = dyn_cast<FloatAttr>(value)) {
          // A rank-0 tensor: scalars only feed tensor.pad's padding value.
          results.push_back(Tensor::filled({}, scalar.getValueAsDouble()));
          return success();
        }
        auto elements = dyn_cast<DenseFPElementsAttr>(value);
        if (!elements)
          return op->emitError() << "the reference evaluator supports index, "
                                    "integer, float and dense floating-point "
                                    "tensor constants only";
        Tensor result = Tensor::filled(elements.getType().getShape(), 0.0);
        size_t next = 0;
        if (!result.data.empty())
          for (APFloat value : elements.getValues<APFloat>())
            result.data[next++] = FloatAttr::getValueAsDouble(value);
        results.push_back(std::move(result));
        return success();
      });
}
