//===- DAttn.h - The dattn dialect ------------------------------*- C++ -*-===//
//
// Types, attributes and operations of the dattn dialect. The mask arithmetic
// is the runtime's (distattn/reference.h), so compile-time tile
// classification and the kernels agree by construction.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_DIALECTS_DATTN_DATTN_H
#define DISTATTN_DIALECTS_DATTN_DATTN_H

#include "distattn/reference.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/DAttn/DAttnDialect.h.inc"
#include "dialects/DAttn/DAttnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/DAttn/DAttnAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/DAttn/DAttnTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/DAttn/DAttnOps.h.inc"

namespace mlir::dattn {
/// The bytes a value of `type` occupies on one rank: a static tensor, a
/// state (fp32 out and lse) or a transfer's receive buffer; 0 otherwise.
int64_t getStorageBytes(Type type);
} // namespace mlir::dattn

#endif // DISTATTN_DIALECTS_DATTN_DATTN_H
