//===- dattn-run.cpp - Run dattn IR on the reference evaluator ------------===//
//
// Executable semantics on the command line: runs functions in fp64 on seeded
// random inputs and, for lit tests, checks that a pipeline (or another file)
// computes the same results within a tolerance:
//
//   dattn-run in.mlir --compare-pipeline='dattn-decompose{q-block=64}'
//   dattn-run before.mlir --compare-with=after.mlir --tol=1e-9
//
// Prints one line per function and exits 1 if any result differs by more
// than --tol (relative, ||x - ref|| / ||ref||) or cannot be evaluated.
//
//===----------------------------------------------------------------------===//
#include "compiler/Interpreter/Interpreter.h"
#include "dialects/DAttn/DAttn.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Shard/IR/ShardDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dattn;
namespace cl = llvm::cl;

static cl::OptionCategory runCategory("dattn-run options");

static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<input .mlir file>"),
                                      cl::init("-"), cl::cat(runCategory));
static cl::list<std::string>
    entries("entry",
            cl::desc("Function to run (repeatable; default: every "
                     "public function with a body)"),
            cl::cat(runCategory));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of the random inputs"),
                              cl::init(0), cl::cat(runCategory));
static cl::opt<std::string> comparePipeline(
    "compare-pipeline",
    cl::desc("Also run each function after this pass pipeline (the syntax of "
             "dattn-opt --pass-pipeline, without the anchor: e.g. "
             "'dattn-decompose{q-block=64},canonicalize') and compare"),
    cl::cat(runCategory));
static cl::opt<std::string> compareWith(
    "compare-with",
    cl::desc("Compare each function with the same-named function of this "
             "file"),
    cl::cat(runCategory));
static cl::opt<double> tolerance("tol",
                                 cl::desc("Largest relative error accepted"),
                                 cl::init(1e-9), cl::cat(runCategory));

namespace {

using Results = std::vector<interp::RuntimeValue>;
using RankResults = std::vector<Results>;

double l2Norm(const interp::RuntimeValue &value) {
  if (auto *scalar = std::get_if<int64_t>(&value))
    return std::abs(double(*scalar));
  const interp::Tensor &tensor = std::holds_alternative<interp::Tensor>(value)
                                     ? std::get<interp::Tensor>(value)
                                     : std::get<interp::State>(value).out;
  double sum = 0;
  for (double x : tensor.data)
    sum += x * x;
  return std::sqrt(sum);
}

/// Runs `func` on every rank of its module's grid (one rank without a
/// grid), each rank given the same inputs drawn from `seed`.
FailureOr<RankResults> runOnRandomInputs(func::FuncOp func) {
  auto numRanks = interp::getNumRanks(func->getParentOp());
  if (failed(numRanks))
    return failure();
  std::vector<interp::RuntimeValue> args;
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto input = interp::makeRandomInput(type, seed * 1000003 + index);
    if (failed(input))
      return func.emitError() << "cannot make a random input for argument #"
                              << index << " of type " << type;
    args.push_back(std::move(*input));
  }
  interp::Interpreter interpreter(*numRanks);
  std::vector<std::vector<interp::RuntimeValue>> perRank(*numRanks, args);
  return interpreter.run(func, perRank);
}

/// Prints `@name: ...` for one function; returns false on any failure. In
/// a comparison every rank of `other` must match rank 0 of `func`.
bool checkFunction(func::FuncOp func, func::FuncOp other) {
  llvm::outs() << "@" << func.getSymName() << ": ";
  auto results = runOnRandomInputs(func);
  if (failed(results)) {
    llvm::outs() << "error\n";
    return false;
  }
  const Results &reference = results->front();
  if (!other) {
    llvm::outs() << reference.size() << " result(s), l2";
    for (const auto &value : reference)
      llvm::outs() << " " << llvm::format("%.9g", l2Norm(value));
    llvm::outs() << "\n";
    return true;
  }
  if (other.getFunctionType() != func.getFunctionType()) {
    llvm::outs() << "MISMATCH: signature " << other.getFunctionType()
                 << " differs from " << func.getFunctionType() << "\n";
    return false;
  }
  auto otherResults = runOnRandomInputs(other);
  if (failed(otherResults)) {
    llvm::outs() << "error in the compared version\n";
    return false;
  }
  double worst = 0;
  for (const Results &rankResults : *otherResults)
    for (auto [value, ref] : llvm::zip(rankResults, reference))
      worst = std::max(worst, interp::relativeError(value, ref));
  bool ok = worst <= tolerance;
  llvm::outs() << reference.size() << " result(s)";
  if (otherResults->size() > 1)
    llvm::outs() << " x " << otherResults->size() << " ranks";
  llvm::outs() << ", rel_err " << llvm::format("%.3g", worst) << " (tol "
               << llvm::format("%.3g", tolerance.getValue())
               << "): " << (ok ? "ok" : "MISMATCH") << "\n";
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  DialectRegistry registry;
  registry
      .insert<DAttnDialect, arith::ArithDialect, func::FuncDialect,
              scf::SCFDialect, shard::ShardDialect, tensor::TensorDialect>();
  registerDAttnPasses();
  registerCanonicalizerPass();
  registerCSEPass();
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "distattn reference evaluator\n\n"
      "Runs functions of dattn IR in fp64 on seeded random inputs. With\n"
      "--compare-pipeline or --compare-with, checks that both versions\n"
      "compute the same results within --tol; exits 1 if not.\n");
  if (!comparePipeline.empty() && !compareWith.empty()) {
    llvm::errs() << "error: give --compare-pipeline or --compare-with, not "
                    "both\n";
    return 1;
  }

  MLIRContext context(registry);
  // Diagnostics point at the source line; the op dump would only repeat it.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  ParserConfig config(&context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sourceMgr, config);
  if (!module)
    return 1;

  OwningOpRef<ModuleOp> other;
  // The parser reads the main buffer of a SourceMgr only; the diagnostic
  // handler above still shows locations in this second file.
  llvm::SourceMgr otherSourceMgr;
  if (!compareWith.empty()) {
    other = parseSourceFile<ModuleOp>(compareWith, otherSourceMgr, config);
    if (!other)
      return 1;
  } else if (!comparePipeline.empty()) {
    other = module->clone();
    PassManager pm(&context, ModuleOp::getOperationName(),
                   OpPassManager::Nesting::Implicit);
    std::string errors;
    llvm::raw_string_ostream errorStream(errors);
    if (failed(parsePassPipeline(comparePipeline, pm, errorStream))) {
      llvm::errs() << "error: bad --compare-pipeline: " << errors << "\n";
      return 1;
    }
    if (failed(pm.run(*other)))
      return 1;
  }

  SmallVector<func::FuncOp> funcs;
  if (entries.empty()) {
    for (auto func : module->getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        funcs.push_back(func);
  } else {
    for (const std::string &name : entries) {
      auto func = module->lookupSymbol<func::FuncOp>(name);
      if (!func) {
        llvm::errs() << "error: no function @" << name << " in " << inputFile
                     << "\n";
        return 1;
      }
      funcs.push_back(func);
    }
  }
  if (funcs.empty()) {
    llvm::errs() << "error: no function to run in " << inputFile << "\n";
    return 1;
  }

  bool ok = true;
  for (func::FuncOp func : funcs) {
    func::FuncOp counterpart;
    if (other) {
      counterpart = other->lookupSymbol<func::FuncOp>(func.getSymName());
      if (!counterpart) {
        llvm::outs() << "@" << func.getSymName()
                     << ": MISMATCH: missing in the compared version\n";
        ok = false;
        continue;
      }
    }
    ok &= checkFunction(func, counterpart);
  }
  return ok ? 0 : 1;
}
