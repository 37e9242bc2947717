//===- FuzzCommon.cpp - What the fuzz targets share -----------------------===//
#include "FuzzCommon.h"

#include "dialects/DAttn/DAttn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Shard/IR/ShardDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace distattn::fuzz {

// Types and attributes live as long as their context, and every input
// makes new ones: a context kept for the whole run grows past libFuzzer's
// memory limit, so it is renewed now and then.
static constexpr int kInputsPerContext = 2000;
static std::unique_ptr<MLIRContext> shared;
static int inputs = 0;

MLIRContext &context() {
  if (!shared) {
    DialectRegistry registry;
    registry.insert<dattn::DAttnDialect, arith::ArithDialect, func::FuncDialect,
                    scf::SCFDialect, shard::ShardDialect, tensor::TensorDialect,
                    emitc::EmitCDialect>();
    shared = std::make_unique<MLIRContext>(registry,
                                           MLIRContext::Threading::DISABLED);
    shared->loadAllAvailableDialects();
  }
  return *shared;
}

void nextInput() {
  if (++inputs % kInputsPerContext == 0)
    shared.reset();
}

QuietDiagnostics::QuietDiagnostics(MLIRContext &context)
    : handler(&context, [this](Diagnostic &diagnostic) {
        if (diagnostic.getSeverity() == DiagnosticSeverity::Error &&
            errors++ == 0)
          firstError = diagnostic.str();
        return success();
      }) {}

void trap(const char *what, const std::string &detail) {
  llvm::errs() << "fuzz: " << what << "\n" << detail << "\n";
  llvm::errs().flush();
  __builtin_trap();
}

} // namespace distattn::fuzz
