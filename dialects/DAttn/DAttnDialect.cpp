//===- DAttnDialect.cpp - dattn dialect, types and attributes ------------===//
#include "dialects/DAttn/DAttn.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dattn;

#include "dialects/DAttn/DAttnDialect.cpp.inc"
#include "dialects/DAttn/DAttnEnums.cpp.inc"

//===----------------------------------------------------------------------===//
// StateType
//===----------------------------------------------------------------------===//

static ParseResult parseStateShape(AsmParser &parser,
                                   SmallVectorImpl<int64_t> &shape) {
  return parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                   /*withTrailingX=*/false);
}

static void printStateShape(AsmPrinter &printer, ArrayRef<int64_t> shape) {
  llvm::interleave(shape, printer, "x");
}

LogicalResult StateType::verify(function_ref<InFlightDiagnostic()> emitError,
                                ArrayRef<int64_t> shape) {
  // S1
  if (shape.size() != 4)
    return emitError() << "state shape must be [batch, heads, q_len, "
                          "head_dim], got rank "
                       << shape.size();
  // S2
  for (int64_t dim : shape)
    if (dim < 1)
      return emitError() << "state dimensions must be at least 1";
  return success();
}

RankedTensorType StateType::getOutType() const {
  return RankedTensorType::get(getShape(), Float32Type::get(getContext()));
}

RankedTensorType StateType::getLseType() const {
  return RankedTensorType::get(getShape().drop_back(),
                               Float32Type::get(getContext()));
}

#define GET_TYPEDEF_CLASSES
#include "dialects/DAttn/DAttnTypes.cpp.inc"

int64_t mlir::dattn::getStorageBytes(Type type) {
  if (auto transfer = dyn_cast<TransferType>(type))
    type = transfer.getValue();
  if (auto state = dyn_cast<StateType>(type))
    return getStorageBytes(state.getOutType()) +
           getStorageBytes(state.getLseType());
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return 0;
  return tensor.getNumElements() *
         llvm::divideCeil(tensor.getElementTypeBitWidth(), 8);
}

//===----------------------------------------------------------------------===//
// MaskAttr
//===----------------------------------------------------------------------===//

// Parses `<letter> = <offset> + <stride> * <index>` after the `q`/`k` keyword.
static ParseResult parsePositionMap(AsmParser &parser, StringRef index,
                                    int64_t &offset, int64_t &stride) {
  if (parser.parseEqual() || parser.parseInteger(offset) ||
      parser.parsePlus() || parser.parseInteger(stride) || parser.parseStar() ||
      parser.parseKeyword(index))
    return failure();
  return success();
}

Attribute MaskAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef kindName;
  if (parser.parseLess() || parser.parseKeyword(&kindName))
    return {};
  std::optional<MaskKind> kind = symbolizeMaskKind(kindName);
  if (!kind) {
    parser.emitError(loc, "expected mask kind 'full' or 'causal', got '")
        << kindName << "'";
    return {};
  }
  int64_t qOffset = 0, qStride = 1, kOffset = 0, kStride = 1;
  int64_t kLimit = std::numeric_limits<int64_t>::max();
  bool seenQ = false, seenK = false, seenLimit = false;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    if (!seenQ && succeeded(parser.parseOptionalKeyword("q"))) {
      seenQ = true;
      if (parsePositionMap(parser, "i", qOffset, qStride))
        return {};
    } else if (!seenK && succeeded(parser.parseOptionalKeyword("k"))) {
      seenK = true;
      if (parsePositionMap(parser, "j", kOffset, kStride))
        return {};
    } else if (!seenLimit && succeeded(parser.parseOptionalKeyword("k_end"))) {
      seenLimit = true;
      if (parser.parseEqual() || parser.parseInteger(kLimit))
        return {};
    } else {
      parser.emitError(keyLoc, "expected 'q = <offset> + <stride> * i', "
                               "'k = <offset> + <stride> * j' or 'k_end = "
                               "<position>', each once");
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, parser.getContext(),
                    *kind, qOffset, qStride, kOffset, kStride, kLimit);
}

void MaskAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyMaskKind(getKind());
  if (getQOffset() != 0 || getQStride() != 1)
    printer << ", q = " << getQOffset() << " + " << getQStride() << " * i";
  if (getKOffset() != 0 || getKStride() != 1)
    printer << ", k = " << getKOffset() << " + " << getKStride() << " * j";
  if (hasKLimit())
    printer << ", k_end = " << getKLimit();
  printer << ">";
}

LogicalResult MaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               MaskKind, int64_t qOffset, int64_t qStride,
                               int64_t kOffset, int64_t kStride,
                               int64_t kLimit) {
  // M1
  if (qStride < 1 || kStride < 1)
    return emitError() << "mask position strides must be at least 1";
  // M2
  if (qOffset < 0 || kOffset < 0)
    return emitError() << "mask position offsets must be non-negative";
  // M3
  if (kLimit < 1)
    return emitError() << "mask k_end must be at least 1";
  return success();
}

distattn::MaskSpec MaskAttr::getSpec() const {
  return {isCausal(),
          {getQOffset(), getQStride()},
          {getKOffset(), getKStride()},
          getKLimit()};
}

distattn::TileCoverage MaskAttr::classify(int64_t qLen, int64_t kLen) const {
  return distattn::classifyTile(getSpec(), qLen, kLen);
}

MaskAttr MaskAttr::getSubTile(int64_t qBegin, int64_t kBegin) const {
  return MaskAttr::get(getContext(), getKind(),
                       getQOffset() + getQStride() * qBegin, getQStride(),
                       getKOffset() + getKStride() * kBegin, getKStride(),
                       getKLimit());
}

LogicalResult TopologyAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   StringRef name, int64_t nodes,
                                   int64_t gpusPerNode, StringRef gpu,
                                   int64_t gpuGflops, int64_t hbmMBps,
                                   int64_t memoryMiB, StringRef intraLink,
                                   int64_t intraMBps, int64_t intraLatencyNs,
                                   StringRef interLink, int64_t interMBps,
                                   int64_t interLatencyNs) {
  // T1-T4 in Spec.md.
  // T1. The bound keeps the planners' searches over rank counts (and the
  // GPU count itself: dattn-topology-fuzzer overflowed it) small.
  constexpr int64_t kMaxGpus = int64_t(1) << 20;
  if (nodes < 1 || gpusPerNode < 1)
    return emitError() << "topology needs at least one node of one GPU";
  if (nodes > kMaxGpus || gpusPerNode > kMaxGpus / nodes)
    return emitError() << "topology of " << nodes << " nodes of " << gpusPerNode
                       << " GPUs: more than " << kMaxGpus << " GPUs";
  if (gpuGflops <= 0 || hbmMBps <= 0 || memoryMiB <= 0)
    return emitError() << "topology GPU rates and memory must be positive";
  if (gpusPerNode > 1 && intraMBps <= 0)
    return emitError() << "topology with " << gpusPerNode
                       << " GPUs per node needs a positive intra-node "
                          "bandwidth";
  if (nodes > 1 && interMBps <= 0)
    return emitError() << "topology with " << nodes
                       << " nodes needs a positive inter-node bandwidth";
  if (intraLatencyNs < 0 || interLatencyNs < 0 || intraMBps < 0 ||
      interMBps < 0)
    return emitError() << "topology link bandwidths and latencies must not "
                          "be negative";
  return success();
}

#define GET_ATTRDEF_CLASSES
#include "dialects/DAttn/DAttnAttrs.cpp.inc"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

void DAttnDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/DAttn/DAttnTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/DAttn/DAttnAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/DAttn/DAttnOps.cpp.inc"
      >();
}
