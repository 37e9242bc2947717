//===- DAttnOps.cpp - dattn operation verifiers ---------------------------===//
//
// Every check here is a numbered constraint of Spec.md; the comment before it
// names the constraint and test/Dialect/DAttn/invalid.mlir has a case for it.
//
//===----------------------------------------------------------------------===//
#include "dialects/DAttn/DAttn.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dattn;

static bool isSupportedElementType(Type type) {
  return isa<Float16Type, BFloat16Type, Float32Type>(type);
}

/// Whether offset + stride * (len - 1) fits in int64.
static bool lastPositionFits(int64_t offset, int64_t stride, int64_t len) {
  int64_t product, sum;
  return !__builtin_mul_overflow(stride, len - 1, &product) &&
         !__builtin_add_overflow(offset, product, &sum);
}

/// The checks `dattn.attention` and `dattn.micro_attention` share: A1-A6 and
/// A8-A9 (MA1-MA6, MA8-MA9).
static LogicalResult verifyAttentionOperands(Operation *op, Value q, Value k,
                                             Value v, MaskAttr mask,
                                             FloatAttr scale) {
  auto qType = cast<RankedTensorType>(q.getType());
  auto kType = cast<RankedTensorType>(k.getType());
  auto vType = cast<RankedTensorType>(v.getType());
  // A1: rank-4 static shapes.
  for (auto [name, type] : {std::pair<StringRef, RankedTensorType>{"q", qType},
                            {"k", kType},
                            {"v", vType}}) {
    if (type.getRank() != 4)
      return op->emitOpError()
             << "'" << name
             << "' must be a rank-4 tensor [batch, heads, seq, head_dim], got "
             << type;
    if (!type.hasStaticShape())
      return op->emitOpError() << "dynamic shapes are not supported yet: '"
                               << name << "' has type " << type;
    // As S2 for states; A6 divides by the kv heads (dattn-parse-fuzzer).
    if (llvm::is_contained(type.getShape(), 0))
      return op->emitOpError()
             << "'" << name << "' dimensions must be at least 1, got " << type;
  }
  // A2: one supported element type.
  Type elementType = qType.getElementType();
  if (!isSupportedElementType(elementType))
    return op->emitOpError()
           << "element type must be f16, bf16 or f32, got " << elementType;
  if (kType.getElementType() != elementType ||
      vType.getElementType() != elementType)
    return op->emitOpError() << "q, k and v must share one element type, got "
                             << elementType << ", " << kType.getElementType()
                             << " and " << vType.getElementType();
  // A3: batch.
  if (kType.getDimSize(0) != qType.getDimSize(0))
    return op->emitOpError()
           << "batch sizes differ: q has " << qType.getDimSize(0)
           << ", k and v have " << kType.getDimSize(0);
  // A4: k and v agree.
  if (kType.getShape() != vType.getShape())
    return op->emitOpError() << "k and v must have the same shape, got "
                             << kType << " and " << vType;
  // A5: head_dim.
  if (kType.getDimSize(3) != qType.getDimSize(3))
    return op->emitOpError()
           << "head_dim differs: q has " << qType.getDimSize(3) << ", k has "
           << kType.getDimSize(3);
  // A6: grouped-query attention.
  if (qType.getDimSize(1) % kType.getDimSize(1) != 0)
    return op->emitOpError()
           << "q heads (" << qType.getDimSize(1)
           << ") must be a multiple of kv heads (" << kType.getDimSize(1)
           << ") for grouped-query attention";
  // A8: scale.
  if (scale && !(std::isfinite(scale.getValueAsDouble()) &&
                 scale.getValueAsDouble() > 0))
    return op->emitOpError() << "scale must be finite and positive, got "
                             << scale.getValueAsDouble();
  // A9: positions representable.
  if (mask && (!lastPositionFits(mask.getQOffset(), mask.getQStride(),
                                 qType.getDimSize(2)) ||
               !lastPositionFits(mask.getKOffset(), mask.getKStride(),
                                 kType.getDimSize(2))))
    return op->emitOpError()
           << "mask positions of the last row or column overflow 64 bits";
  return success();
}

static MaskAttr effectiveMask(MLIRContext *context, MaskAttr mask) {
  return mask ? mask
              : MaskAttr::get(context, MaskKind::Full, 0, 1, 0, 1,
                              std::numeric_limits<int64_t>::max());
}

static double effectiveScale(FloatAttr scale, Value q) {
  return scale ? scale.getValueAsDouble()
               : distattn::defaultScale(
                     cast<RankedTensorType>(q.getType()).getDimSize(3));
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  if (failed(verifyAttentionOperands(*this, getQ(), getK(), getV(),
                                     getMaskAttr(), getScaleAttr())))
    return failure();
  // A7: out has q's type.
  if (getOut().getType() != getQ().getType())
    return emitOpError() << "result must have q's type " << getQ().getType()
                         << ", got " << getOut().getType();
  // A10: something is visible.
  auto qType = getQ().getType(), kType = getK().getType();
  if (getEffectiveMask().classify(qType.getDimSize(2), kType.getDimSize(2)) ==
      distattn::TileCoverage::None)
    return emitOpError() << "mask hides every (q, k) pair; check the q and k "
                            "position offsets";
  return success();
}

double AttentionOp::getEffectiveScale() {
  return effectiveScale(getScaleAttr(), getQ());
}

MaskAttr AttentionOp::getEffectiveMask() {
  return effectiveMask(getContext(), getMaskAttr());
}

//===----------------------------------------------------------------------===//
// MicroAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult MicroAttentionOp::verify() {
  if (failed(verifyAttentionOperands(*this, getQ(), getK(), getV(),
                                     getMaskAttr(), getScaleAttr())))
    return failure();
  // MA10: dynamic offsets come in pairs.
  if (bool(getQOffset()) != bool(getKOffset()))
    return emitOpError() << "dynamic offsets are given for both q and k or "
                            "for neither";
  // MA7: the state covers q's rows.
  auto qShape = getQ().getType().getShape();
  auto state = getState().getType();
  if (state.getShape() != qShape)
    return emitOpError() << "result state must have q's shape [" << qShape[0]
                         << ", " << qShape[1] << ", " << qShape[2] << ", "
                         << qShape[3] << "], got " << state;
  return success();
}

double MicroAttentionOp::getEffectiveScale() {
  return effectiveScale(getScaleAttr(), getQ());
}

MaskAttr MicroAttentionOp::getEffectiveMask() {
  return effectiveMask(getContext(), getMaskAttr());
}

//===----------------------------------------------------------------------===//
// FinalizeOp
//===----------------------------------------------------------------------===//

LogicalResult FinalizeOp::verify() {
  auto state = getState().getType();
  auto outType = cast<RankedTensorType>(getOut().getType());
  // F1
  if (outType.getShape() != state.getShape())
    return emitOpError() << "output must have the state's shape, got "
                         << outType << " for " << state;
  // F2
  if (!isSupportedElementType(outType.getElementType()))
    return emitOpError() << "output element type must be f16, bf16 or f32, "
                            "got "
                         << outType.getElementType();
  // F3
  if (getLse() && getLse().getType() != state.getLseType())
    return emitOpError() << "lse must be " << state.getLseType() << ", got "
                         << getLse().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// AsStateOp
//===----------------------------------------------------------------------===//

LogicalResult AsStateOp::verify() {
  auto state = getState().getType();
  // AS1
  if (getOut().getType() != state.getOutType())
    return emitOpError() << "out must be " << state.getOutType() << ", got "
                         << getOut().getType();
  // AS2
  if (getLse().getType() != state.getLseType())
    return emitOpError() << "lse must be " << state.getLseType() << ", got "
                         << getLse().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// ShiftStartOp, WaitOp
//===----------------------------------------------------------------------===//

LogicalResult ShiftStartOp::verify() {
  // SS1
  if (getTransfer().getType().getValue() != getInput().getType())
    return emitOpError() << "transfer must carry the input type "
                         << getInput().getType() << ", got "
                         << getTransfer().getType();
  return success();
}

LogicalResult AllGatherStartOp::verify() {
  auto input = getInput().getType();
  RankedTensorType gathered = getTransfer().getType().getValue();
  int64_t axis = getGatherAxis();
  // AG1
  bool ok = axis >= 0 && axis < input.getRank() &&
            gathered.getRank() == input.getRank() &&
            gathered.getElementType() == input.getElementType();
  for (int64_t d = 0; ok && d < input.getRank(); ++d) {
    // An empty input gathers to empty; a dynamic size is no multiple (and
    // a zero one divides nothing: dattn-parse-fuzzer found the division).
    int64_t in = input.getDimSize(d), out = gathered.getDimSize(d);
    ok = d != axis ? out == in
         : in > 0  ? out > 0 && out % in == 0
                   : in == 0 && out == 0;
  }
  if (!ok)
    return emitOpError() << "gathered type " << gathered
                         << " must be the input " << input
                         << " with gather dimension " << axis << " multiplied";
  return success();
}

LogicalResult WaitOp::verify() {
  // W1
  if (getResult().getType() != getTransfer().getType().getValue())
    return emitOpError() << "result must be the transferred type "
                         << getTransfer().getType().getValue() << ", got "
                         << getResult().getType();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/DAttn/DAttnOps.cpp.inc"
