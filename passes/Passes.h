//===- Passes.h - distattn passes -------------------------------*- C++ -*-===//
#ifndef DISTATTN_PASSES_PASSES_H
#define DISTATTN_PASSES_PASSES_H

#include "dialects/DAttn/DAttn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Shard/IR/ShardDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::dattn {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::dattn

#endif // DISTATTN_PASSES_PASSES_H
