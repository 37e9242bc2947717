//===- ConfigFuzzer.cpp - dattnc's model-config reader --------------------===//
//
// The input is a Hugging Face style config.json. The reader must refuse it
// with a message or return a shape whose attention graph (prefill and
// decode, as dattnc builds it) verifies.
//
//===----------------------------------------------------------------------===//
#include "FuzzCommon.h"

#include "tools/dattnc/ModelConfig.h"

#include "mlir/IR/Verifier.h"

#include <cstdint>

using namespace mlir;
using namespace distattn::fuzz;

static int fuzzOne(const uint8_t *data, size_t size) {
  MLIRContext &ctx = context();
  QuietDiagnostics diagnostics(ctx);
  StringRef json(reinterpret_cast<const char *>(data), size);
  llvm::Expected<distattn::ModelConfig> config =
      distattn::parseModelConfig(json);
  if (!config) {
    if (toString(config.takeError()).empty())
      trap("a config was refused without a message");
    return 0;
  }
  for (bool decode : {false, true}) {
    OwningOpRef<ModuleOp> graph = distattn::configGraph(
        ctx, *config, /*seqLen=*/300, decode, Float32Type::get(&ctx));
    if (failed(verify(*graph)))
      trap("an accepted config makes a graph that does not verify",
           diagnostics.firstError);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int result = fuzzOne(data, size);
  nextInput();
  return result;
}
