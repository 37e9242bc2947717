//===- Golden.h - Golden attention cases for dattn-run ----------*- C++ -*-===//
//
// `dattn-run --golden=<file>` runs each function on the inputs of the golden
// case of its name and checks its results against the outputs PyTorch
// computed for them (test/golden/README.md has the file format;
// scripts/make-golden.py writes it).
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_TOOLS_DATTN_RUN_GOLDEN_H
#define DISTATTN_TOOLS_DATTN_RUN_GOLDEN_H

#include "compiler/Interpreter/Interpreter.h"

#include "llvm/ADT/StringMap.h"

namespace mlir::dattn::golden {

struct Case {
  /// q, k, v: the function's arguments, in this order.
  SmallVector<interp::Tensor, 3> inputs;
  /// out, lse: what the function's results (out, or out and lse) must be.
  SmallVector<interp::Tensor, 2> expected;
};

/// Reads the cases of a golden file by name; prints what is wrong and where
/// to llvm::errs() and fails on a malformed file.
FailureOr<llvm::StringMap<Case>> readCases(StringRef path);

/// Runs `func` (on every rank of its module's grid) on `golden`'s inputs;
/// prints one line, `@name: N result(s)[ x R ranks], rel_err E against
/// golden (tol T): ok|MISMATCH`, and returns whether every rank's results
/// are within `tolerance` (relative, ||x - golden|| / ||golden||) of the
/// expected outputs, with NaN nowhere and -inf exactly where expected.
bool checkFunction(func::FuncOp func, const Case &golden, double tolerance);

} // namespace mlir::dattn::golden

#endif // DISTATTN_TOOLS_DATTN_RUN_GOLDEN_H
