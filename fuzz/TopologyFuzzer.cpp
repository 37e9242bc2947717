//===- TopologyFuzzer.cpp - Topology files and the cost model -------------===//
//
// The input is a topology file (JSON). It must become a #dattn.topology or
// be refused with a diagnostic; an accepted topology must then price
// prefill and decode plans on its GPUs (as strategy=auto and ranks=0 do)
// without overflow or a non-finite time.
//
//===----------------------------------------------------------------------===//
#include "FuzzCommon.h"

#include "compiler/Topology/CostModel.h"
#include "compiler/Topology/Topology.h"

#include "mlir/IR/Location.h"

#include <cmath>
#include <cstdint>

using namespace mlir;
using namespace mlir::dattn;
using namespace distattn::fuzz;

static void checkFinite(double seconds, const std::string &what) {
  if (!std::isfinite(seconds) || seconds < 0)
    trap("the cost model predicted a time that is not a finite number >= 0",
         what);
}

static int fuzzOne(const uint8_t *data, size_t size) {
  MLIRContext &ctx = context();
  QuietDiagnostics diagnostics(ctx);
  StringRef json(reinterpret_cast<const char *>(data), size);
  FailureOr<TopologyAttr> topology =
      parseTopology(json, "fuzz.json", &ctx,
                    [&] { return emitError(UnknownLoc::get(&ctx)); });
  if (failed(topology)) {
    if (diagnostics.errors == 0)
      trap("a topology was refused without an error");
    return 0;
  }
  // The planners price every rank count up to the topology's GPUs; a small
  // workload keeps each input fast.
  CostModel model(*topology);
  AttentionWorkload work;
  work.qHeads = 8;
  work.kvHeads = 2;
  work.seqLen = 4096;
  work.headDim = 64;
  int64_t ranks = std::min<int64_t>(topology->getNumGpus(), 64);
  SmallVector<PrefillPrediction> all;
  PrefillPrediction best = model.choose(work, ranks, all, true);
  checkFinite(best.totalSeconds, describe(best));
  for (const PrefillPrediction &prediction : all)
    checkFinite(prediction.totalSeconds, describe(prediction));
  work.seqLen = 1; // decode: one query token
  for (bool masters : {false, true}) {
    DecodePrediction decode =
        model.predictDecode(work, 1 << 20, ranks, masters);
    checkFinite(decode.totalSeconds, describe(decode));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int result = fuzzOne(data, size);
  nextInput();
  return result;
}
