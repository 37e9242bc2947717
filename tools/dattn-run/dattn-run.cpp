//===- dattn-run.cpp - Run dattn IR on the reference evaluator ------------===//
//
// Executable semantics on the command line: runs functions in fp64 on seeded
// random inputs and, for lit tests, checks that a pipeline (or another file)
// computes the same results within a tolerance:
//
//   dattn-run in.mlir --compare-pipeline='dattn-decompose{q-block=64}'
//   dattn-run before.mlir --compare-with=after.mlir --tol=1e-9
//   dattn-run cases.mlir --golden=test/golden/attention.txt --tol=1e-10
//
// Prints one line per function and exits 1 if any result differs by more
// than --tol (relative, ||x - ref|| / ||ref||), holds a NaN or an infinity
// where the other side does not (on any rank), or cannot be evaluated.
//
//===----------------------------------------------------------------------===//
#include "Golden.h"
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
#include <optional>
#include <string>

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
static cl::opt<std::string> goldenFile(
    "golden",
    cl::desc("Run each function on the inputs of the same-named case of this "
             "golden file (test/golden/README.md) and compare its results "
             "with the case's out (and lse)"),
    cl::cat(runCategory));

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

/// Where the compared version and the reference disagree about finiteness:
/// a NaN on either side, or an infinity the other side lacks (-inf lse of a
/// row that saw no key must be -inf on both). Counts such elements and
/// describes the first.
struct NonFinite {
  int64_t count = 0;
  std::string first;

  void scan(const interp::Tensor &value, const interp::Tensor &ref,
            const Twine &where) {
    // Shapes that differ make relativeError +inf on their own.
    if (value.shape != ref.shape)
      return;
    for (size_t i = 0; i < ref.data.size(); ++i) {
      double a = value.data[i], b = ref.data[i];
      if ((std::isfinite(a) && std::isfinite(b)) || a == b)
        continue;
      if (count++ != 0)
        continue;
      llvm::raw_string_ostream os(first);
      os << where << " [";
      int64_t rest = i;
      SmallVector<int64_t> strides = ref.getStrides();
      for (auto [dim, stride] : llvm::enumerate(strides)) {
        os << (dim ? ", " : "") << rest / stride;
        rest %= stride;
      }
      os << "]: " << llvm::format("%.6g", a) << " (reference "
         << llvm::format("%.6g", b) << ")";
    }
  }

  void scan(const interp::RuntimeValue &value, const interp::RuntimeValue &ref,
            const Twine &where) {
    if (value.index() != ref.index())
      return;
    if (auto *tensor = std::get_if<interp::Tensor>(&value)) {
      scan(*tensor, std::get<interp::Tensor>(ref), where);
    } else if (auto *state = std::get_if<interp::State>(&value)) {
      scan(state->out, std::get<interp::State>(ref).out, where + " out");
      scan(state->lse, std::get<interp::State>(ref).lse, where + " lse");
    }
  }
};

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
  // relativeError is +inf (never NaN) where finiteness differs, so the max
  // keeps it; the scan says where.
  double worst = 0;
  NonFinite nonFinite;
  bool ranks = otherResults->size() > 1;
  for (auto [rank, rankResults] : llvm::enumerate(*otherResults))
    for (auto [index, value, ref] : llvm::enumerate(rankResults, reference)) {
      worst = std::max(worst, interp::relativeError(value, ref));
      std::string where = ranks ? "rank " + std::to_string(rank) + ", " : "";
      nonFinite.scan(value, ref, where + "result #" + std::to_string(index));
    }
  bool ok = worst <= tolerance && nonFinite.count == 0;
  llvm::outs() << reference.size() << " result(s)";
  if (ranks)
    llvm::outs() << " x " << otherResults->size() << " ranks";
  llvm::outs() << ", rel_err " << llvm::format("%.3g", worst) << " (tol "
               << llvm::format("%.3g", tolerance.getValue())
               << "): " << (ok ? "ok" : "MISMATCH");
  if (nonFinite.count)
    llvm::outs() << ": " << nonFinite.count
                 << " non-finite value(s) where the other side differs, the "
                    "first at "
                 << nonFinite.first;
  llvm::outs() << "\n";
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
  std::optional<llvm::StringMap<golden::Case>> goldenCases;
  if (!goldenFile.empty()) {
    if (!comparePipeline.empty() || !compareWith.empty()) {
      llvm::errs() << "error: --golden compares with the golden outputs, "
                      "not with --compare-pipeline or --compare-with\n";
      return 1;
    }
    auto cases = golden::readCases(goldenFile);
    if (failed(cases))
      return 1;
    goldenCases = std::move(*cases);
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
    if (goldenCases) {
      auto golden = goldenCases->find(func.getSymName());
      if (golden == goldenCases->end()) {
        llvm::outs() << "@" << func.getSymName() << ": error: no case of "
                     << "this name in " << goldenFile << "\n";
        ok = false;
      } else {
        ok &= golden::checkFunction(func, golden->second, tolerance);
      }
      continue;
    }
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
