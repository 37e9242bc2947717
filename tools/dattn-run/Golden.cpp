//===- Golden.cpp - Golden attention cases for dattn-run ------------------===//
#include "Golden.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <string>

using namespace mlir;
using namespace mlir::dattn;

namespace {

/// The whitespace-separated words of a golden file, '#' comments dropped.
class Words {
public:
  Words(StringRef path, StringRef text) : path(path), rest(text) {}

  /// The next word, or "" at the end of the file.
  StringRef next() {
    while (true) {
      line = line.ltrim(" \t\r");
      if (!line.empty() && line.front() != '#') {
        StringRef word = line.take_until([](char c) {
          return c == ' ' || c == '\t' || c == '\r' || c == '#';
        });
        line = line.drop_front(word.size());
        return word;
      }
      if (rest.empty())
        return "";
      std::tie(line, rest) = rest.split('\n');
      ++lineNumber;
    }
  }

  /// Prints `path:line: error: message` and fails.
  LogicalResult error(const Twine &message) const {
    llvm::errs() << path << ":" << lineNumber << ": error: " << message << "\n";
    return failure();
  }

private:
  StringRef path, rest, line;
  int64_t lineNumber = 0;
};

LogicalResult expect(Words &words, StringRef keyword) {
  StringRef word = words.next();
  if (word != keyword)
    return words.error("expected '" + keyword + "', got '" + word + "'");
  return success();
}

FailureOr<int64_t> integer(Words &words) {
  StringRef word = words.next();
  int64_t value = 0;
  if (word.getAsInteger(10, value))
    return words.error("expected an integer, got '" + word + "'");
  return value;
}

// strtod, which reads the "-inf" of a row that sees no key.
FailureOr<double> real(Words &words) {
  std::string word = words.next().str();
  char *end = nullptr;
  double value = std::strtod(word.c_str(), &end);
  if (word.empty() || *end != '\0')
    return words.error("expected a number, got '" + word + "'");
  return value;
}

/// `tensor NAME RANK DIMS... VALUES...`, after the word `tensor`.
FailureOr<std::pair<std::string, interp::Tensor>> readTensor(Words &words) {
  std::string name = words.next().str();
  FailureOr<int64_t> rank = integer(words);
  if (failed(rank))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < *rank; ++i) {
    FailureOr<int64_t> dim = integer(words);
    if (failed(dim))
      return failure();
    shape.push_back(*dim);
  }
  interp::Tensor tensor = interp::Tensor::filled(shape, 0.0);
  for (double &x : tensor.data) {
    FailureOr<double> value = real(words);
    if (failed(value))
      return failure();
    x = *value;
  }
  return std::make_pair(name, std::move(tensor));
}

/// One case after `case NAME`; the shape, mask and scale lines describe the
/// case for readers of the file, the IR under test states them itself.
LogicalResult readCase(Words &words, StringRef name, golden::Case &c) {
  for (auto [keyword, count] :
       {std::pair<StringRef, int>{"shape", 6}, {"mask", 6}, {"scale", 2}}) {
    if (failed(expect(words, keyword)))
      return failure();
    for (int i = 0; i < count; ++i)
      if (words.next().empty())
        return words.error("unexpected end of file in case " + name);
  }
  llvm::StringMap<interp::Tensor> tensors;
  StringRef word;
  while ((word = words.next()) == "tensor") {
    auto tensor = readTensor(words);
    if (failed(tensor))
      return failure();
    tensors[tensor->first] = std::move(tensor->second);
  }
  if (word != "end")
    return words.error("expected 'tensor' or 'end' in case " + name +
                       ", got '" + word + "'");
  for (StringRef needed : {"q", "k", "v", "out", "lse"})
    if (!tensors.count(needed))
      return words.error("case " + name + " has no tensor " + needed);
  for (StringRef input : {"q", "k", "v"})
    c.inputs.push_back(std::move(tensors[input]));
  for (StringRef output : {"out", "lse"})
    c.expected.push_back(std::move(tensors[output]));
  return success();
}

/// Elements where either side is not finite and the two differ: NaN
/// anywhere, or an infinity on one side only.
int64_t countNonFinite(const interp::Tensor &value,
                       const interp::Tensor &expected) {
  if (value.shape != expected.shape)
    return 0; // relativeError is +inf for them already
  int64_t count = 0;
  for (size_t i = 0; i < value.data.size(); ++i) {
    double a = value.data[i], b = expected.data[i];
    count += !(std::isfinite(a) && std::isfinite(b)) && !(a == b);
  }
  return count;
}

} // namespace

FailureOr<llvm::StringMap<golden::Case>> golden::readCases(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    llvm::errs() << "error: cannot read golden file " << path << ": "
                 << buffer.getError().message() << "\n";
    return failure();
  }
  Words words(path, (*buffer)->getBuffer());
  FailureOr<int64_t> version;
  if (failed(expect(words, "distattn-golden")) ||
      failed(version = integer(words)))
    return failure();
  if (*version != 1)
    return words.error("unknown golden format version " + Twine(*version));
  llvm::StringMap<Case> cases;
  for (StringRef word = words.next(); !word.empty(); word = words.next()) {
    if (word != "case")
      return words.error("expected 'case', got '" + word + "'");
    std::string name = words.next().str();
    if (cases.count(name))
      return words.error("case " + name + " appears twice");
    if (failed(readCase(words, name, cases[name])))
      return failure();
  }
  return cases;
}

bool golden::checkFunction(func::FuncOp func, const Case &golden,
                           double tolerance) {
  llvm::outs() << "@" << func.getSymName() << ": ";
  unsigned numResults = func.getNumResults();
  if (func.getNumArguments() != golden.inputs.size() || numResults < 1 ||
      numResults > golden.expected.size()) {
    llvm::outs() << "error: a golden case gives (q, k, v) and expects out "
                    "or (out, lse); the function takes "
                 << func.getNumArguments() << " argument(s) and returns "
                 << numResults << "\n";
    return false;
  }
  static const char *const inputNames[] = {"q", "k", "v"};
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    ArrayRef<int64_t> shape = golden.inputs[index].shape;
    if (!tensorType || tensorType.getShape() != shape) {
      llvm::outs() << "error: argument #" << index << " is " << type
                   << ", the golden " << inputNames[index] << " is [";
      llvm::interleaveComma(shape, llvm::outs());
      llvm::outs() << "]\n";
      return false;
    }
  }

  auto numRanks = interp::getNumRanks(func->getParentOp());
  if (failed(numRanks)) {
    llvm::outs() << "error\n";
    return false;
  }
  std::vector<interp::RuntimeValue> args(golden.inputs.begin(),
                                         golden.inputs.end());
  interp::Interpreter interpreter(*numRanks);
  auto results = interpreter.run(
      func, std::vector<std::vector<interp::RuntimeValue>>(*numRanks, args));
  if (failed(results)) {
    llvm::outs() << "error\n";
    return false;
  }
  double worst = 0;
  int64_t nonFinite = 0;
  for (const std::vector<interp::RuntimeValue> &rankResults : *results)
    for (unsigned i = 0; i < numResults; ++i) {
      interp::RuntimeValue expected = golden.expected[i];
      double error = interp::relativeError(rankResults[i], expected);
      // Not std::max, which would drop a NaN.
      if (!(error <= worst))
        worst = error;
      if (auto *tensor = std::get_if<interp::Tensor>(&rankResults[i]))
        nonFinite += countNonFinite(*tensor, golden.expected[i]);
    }
  bool ok = worst <= tolerance && nonFinite == 0;
  llvm::outs() << numResults << " result(s)";
  if (*numRanks > 1)
    llvm::outs() << " x " << *numRanks << " ranks";
  llvm::outs() << ", rel_err " << llvm::format("%.3g", worst)
               << " against golden (tol " << llvm::format("%.3g", tolerance)
               << "): " << (ok ? "ok" : "MISMATCH");
  if (nonFinite)
    llvm::outs() << ": " << nonFinite
                 << " non-finite value(s) where golden differs";
  llvm::outs() << "\n";
  return ok;
}
