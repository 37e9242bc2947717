//===- FuzzCommon.h - What the fuzz targets share ---------------*- C++ -*-===//
//
// One MLIRContext a process, reused across inputs (building one costs more
// than most inputs), and diagnostics counted rather than printed: a fuzzer
// that prints every refusal spends its time writing.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_FUZZ_FUZZCOMMON_H
#define DISTATTN_FUZZ_FUZZCOMMON_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <string>

namespace distattn::fuzz {

/// A context with the dialects dattn-opt registers, all loaded, and no
/// threads. Nothing made in it may be kept past nextInput().
mlir::MLIRContext &context();

/// Called as an input ends; now and then it drops the context.
void nextInput();

/// While alive, swallows the context's diagnostics, keeping the first
/// error's text and counting the errors.
class QuietDiagnostics {
public:
  explicit QuietDiagnostics(mlir::MLIRContext &context);
  int errors = 0;
  std::string firstError;

private:
  mlir::ScopedDiagnosticHandler handler;
};

/// Stops the process with a message: the fuzzer records the input as a
/// crash. Used where the code under test broke a promise (a plan that does
/// not verify) without crashing itself.
[[noreturn]] void trap(const char *what, const std::string &detail = {});

} // namespace distattn::fuzz

#endif // DISTATTN_FUZZ_FUZZCOMMON_H
