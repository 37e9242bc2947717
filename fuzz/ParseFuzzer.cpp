//===- ParseFuzzer.cpp - The dattn dialect's parser and verifiers ---------===//
//
// The input is MLIR text. It must parse and verify, or be refused with a
// diagnostic; a module that verifies must print (custom and generic form)
// to text that parses and verifies again, to the same text.
//
//===----------------------------------------------------------------------===//
#include "FuzzCommon.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

using namespace mlir;
using namespace distattn::fuzz;

static std::string print(ModuleOp module, bool generic) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  OpPrintingFlags flags;
  if (generic)
    flags.printGenericOpForm();
  module->print(stream, flags);
  return text;
}

/// How deep the input's brackets nest. MLIR's parser recurses once a
/// level with no limit, so thousands of `[` overflow the stack in upstream
/// code (with ASan's larger frames sooner); such inputs are skipped.
static int nesting(const uint8_t *data, size_t size) {
  int depth = 0, deepest = 0;
  for (size_t i = 0; i < size; ++i) {
    if (strchr("([{<", data[i]) && data[i])
      deepest = std::max(deepest, ++depth);
    else if (strchr(")]}>", data[i]) && data[i] && depth > 0)
      --depth;
  }
  return deepest;
}

static int fuzzOne(const uint8_t *data, size_t size) {
  if (nesting(data, size) > 200)
    return 0;
  MLIRContext &ctx = context();
  QuietDiagnostics diagnostics(ctx);
  // MLIR's lexer stops at the NUL a file buffer ends with; the fuzzer's
  // bytes have none, a std::string does.
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, ParserConfig(&ctx));
  if (!module) {
    if (diagnostics.errors == 0)
      trap("the parser refused an input without an error");
    return 0;
  }
  for (bool generic : {false, true}) {
    std::string printed = print(*module, generic);
    OwningOpRef<ModuleOp> again =
        parseSourceString<ModuleOp>(printed, ParserConfig(&ctx));
    if (!again)
      trap(generic ? "the generic form does not parse back"
                   : "the printed form does not parse back",
           printed + "\n" + diagnostics.firstError);
    if (print(*again, generic) != printed)
      trap("printing is not stable across a round trip", printed);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int result = fuzzOne(data, size);
  nextInput();
  return result;
}
