//===- PlanFuzzer.cpp - dattnc's pipeline on random attention -------------===//
//
// The input's bytes choose an attention (heads, KV heads, head_dim, length,
// mask, element type, batch, queries), a topology and what dattnc's flags
// choose (phase, strategy, ranks, head-parallel, inner-ring, masters,
// budget), all within small bounds. The pipeline dattnc runs must refuse
// with a diagnostic or produce a plan that verifies: valid IR, every
// visible (q, k) pair computed exactly once (dattn-verify-plan), a sound
// schedule, a timeline, and host C++.
//
//===----------------------------------------------------------------------===//
#include "FuzzCommon.h"

#include "compiler/Topology/Topology.h"
#include "passes/Passes.h"
#include "tools/dattnc/ModelConfig.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/Cpp/CppEmitter.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <limits>

using namespace mlir;
using namespace mlir::dattn;
using namespace distattn::fuzz;

namespace {

/// The bundled topologies (1 to 32 GPUs) in `ctx`, and none first: `auto`
/// must then refuse or fall back, as the passes document. The files are
/// read once; the attributes are made again in each context.
SmallVector<TopologyAttr> topologies(MLIRContext &ctx) {
  static const SmallVector<std::string> files = [] {
    SmallVector<std::string> texts;
    for (const char *name :
         {"h100-1x8-nvlink", "h100-4x8-ib400", "a100-4x8", "a800-2x8"}) {
      std::string path =
          std::string(DISTATTN_TOPOLOGIES) + "/" + name + ".json";
      auto buffer = llvm::MemoryBuffer::getFile(path);
      if (!buffer)
        trap("a bundled topology cannot be read", path);
      texts.push_back((*buffer)->getBuffer().str());
    }
    return texts;
  }();
  SmallVector<TopologyAttr> all = {TopologyAttr()};
  for (const std::string &text : files) {
    auto topology = parseTopology(text, "bundled", &ctx, [&] {
      return emitError(UnknownLoc::get(&ctx));
    });
    if (failed(topology))
      trap("a bundled topology does not parse", text);
    all.push_back(*topology);
  }
  return all;
}

/// Reads the input front to back: each field takes one byte (two where
/// its range is wider than 256) and wraps into its range; a short input
/// reads zeros. A fixed layout, so fuzz/corpus/plan-seeds.py can write
/// seeds for the configurations the tests plan.
class Fields {
public:
  Fields(const uint8_t *data, size_t size) : data(data), size(size) {}
  int64_t pick(int64_t lo, int64_t hi) {
    uint64_t range = uint64_t(hi - lo) + 1, value = next();
    if (range > 256)
      value = value << 8 | next();
    return lo + int64_t(value % range);
  }

private:
  uint64_t next() { return at < size ? data[at++] : 0; }
  const uint8_t *data;
  size_t size, at = 0;
};

/// The attention the bytes describe, and the pipeline's options.
struct Case {
  bool decode = false;
  DAttnPlanPrefillOptions prefill;
  DAttnPlanDecodeOptions decodeOptions;
  TopologyAttr topology;
  OwningOpRef<ModuleOp> graph;
};

/// The layout, in order (plan-seeds.py writes the same): phase (prefill,
/// decode), KV heads 1-8, heads per KV head 1-4, head_dim 1-128, keys
/// 1-1024 (2 bytes), batch 1-5 (decode), query mode (0: any count, else
/// what dattnc builds: every token in prefill, 1-4 in decode), the any
/// count (2 bytes), decode queries 1-4, causal, mask mode (0: the positions
/// below, else aligned), q offset -8..64, q stride 1-4, k offset -8..64,
/// k stride 1-4, k_end (0: none; 2 bytes), element (f32, bf16, f16),
/// topology (none, then the four bundled), strategy (auto, ring, striped,
/// zigzag, all-gather), ranks 0-12, head-parallel 1-8, inner-ring 1-8,
/// budget (0: even; 2 bytes), masters (auto, true, false).
Case decodeCase(Fields &in) {
  MLIRContext &ctx = context();
  Case c;
  c.decode = in.pick(0, 1);
  int64_t kvHeads = in.pick(1, 8);
  int64_t heads = kvHeads * in.pick(1, 4);
  int64_t headDim = in.pick(1, 128);
  int64_t kvLen = in.pick(1, 1024);
  int64_t batch = in.pick(1, 5);
  bool anyQueries = in.pick(0, 15) == 0;
  int64_t anyCount = in.pick(1, kvLen);
  int64_t decodeQueries = in.pick(1, 4);
  int64_t qLen = anyQueries ? anyCount : c.decode ? decodeQueries : kvLen;
  if (!c.decode)
    batch = 1;
  bool causal = in.pick(0, 1);
  // Sometimes positions dattnc never writes (k_end, shifted or strided
  // rows): refused or planned, never wrong.
  bool ownPositions = in.pick(0, 15) == 0;
  int64_t qOffset = in.pick(-8, 64), qStride = in.pick(1, 4);
  int64_t kOffset = in.pick(-8, 64), kStride = in.pick(1, 4);
  int64_t kEnd = in.pick(0, kvLen);
  MaskKind kind = causal ? MaskKind::Causal : MaskKind::Full;
  MaskAttr mask =
      ownPositions
          ? MaskAttr::get(&ctx, kind, qOffset, qStride, kOffset, kStride,
                          kEnd ? kEnd : std::numeric_limits<int64_t>::max())
          : MaskAttr::get(&ctx, kind, causal ? kvLen - qLen : 0, 1, 0, 1,
                          std::numeric_limits<int64_t>::max());
  Type elements[] = {Float32Type::get(&ctx), BFloat16Type::get(&ctx),
                     Float16Type::get(&ctx)};
  Type element = elements[in.pick(0, 2)];
  SmallVector<TopologyAttr> all = topologies(ctx);
  c.topology = all[in.pick(0, all.size() - 1)];
  const char *strategies[] = {"auto", "ring", "striped", "zigzag",
                              "all-gather"};
  c.prefill.strategy = strategies[in.pick(0, 4)];
  c.prefill.ranks = c.decodeOptions.ranks = in.pick(0, 12);
  c.prefill.headParallel = in.pick(1, 8);
  c.prefill.innerRing = in.pick(1, 8);
  c.decodeOptions.budget = in.pick(0, kvLen);
  const char *masters[] = {"auto", "true", "false"};
  c.decodeOptions.masters = masters[in.pick(0, 2)];

  auto qType = RankedTensorType::get({batch, heads, qLen, headDim}, element);
  auto kvType =
      RankedTensorType::get({batch, kvHeads, kvLen, headDim}, element);
  c.graph = distattn::attentionGraph(ctx, c.decode ? "decode" : "prefill",
                                     qType, kvType, mask, FloatAttr());
  return c;
}

/// Runs `pm` on `module`: success, or failure with an error said.
bool runOrRefuse(PassManager &pm, ModuleOp module,
                 const QuietDiagnostics &diagnostics, const char *stage) {
  int before = diagnostics.errors;
  if (succeeded(pm.run(module)))
    return true;
  if (diagnostics.errors == before)
    trap("a pass failed without an error", stage);
  return false;
}

std::string printed(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  module->print(stream);
  return text;
}

} // namespace

static int fuzzOne(const uint8_t *data, size_t size) {
  MLIRContext &ctx = context();
  QuietDiagnostics diagnostics(ctx);
  Fields fields(data, size);
  Case c = decodeCase(fields);
  ModuleOp module = *c.graph;
  // A mask that hides everything is the graph's error, not the planner's.
  if (failed(verify(module)))
    return 0;
  if (c.topology)
    module->setAttr(kTopologyAttrName, c.topology);

  // Planning may refuse. The verifier runs by hand after it: a pass that
  // breaks the IR is a crash, not a refusal.
  PassManager plan(&ctx, ModuleOp::getOperationName(),
                   OpPassManager::Nesting::Implicit);
  plan.enableVerifier(false);
  if (c.decode)
    plan.addPass(createDAttnPlanDecode(c.decodeOptions));
  else
    plan.addPass(createDAttnPlanPrefill(c.prefill));
  plan.addPass(createDAttnOverlap());
  plan.addPass(createCSEPass());
  if (!runOrRefuse(plan, module, diagnostics, "planning"))
    return 0;
  if (failed(verify(module)))
    trap("planning made IR that does not verify",
         diagnostics.firstError + "\n" + printed(module));

  // A plan that came out must verify: the proof, the schedule and the
  // timeline may not refuse it.
  PassManager check(&ctx, ModuleOp::getOperationName(),
                    OpPassManager::Nesting::Implicit);
  DAttnVerifyPlanOptions quiet;
  quiet.report = "none";
  check.addPass(createDAttnVerifyPlan(quiet));
  check.addPass(createDAttnVerifySchedule());
  if (c.topology)
    check.addPass(createDAttnSimulateTimeline());
  if (failed(check.run(module)))
    trap("a plan failed dattn-verify-plan, dattn-verify-schedule or the "
         "timeline",
         diagnostics.firstError + "\n" + printed(module));

  // The host target lowers what it can and names what it cannot.
  PassManager lower(&ctx, ModuleOp::getOperationName(),
                    OpPassManager::Nesting::Implicit);
  lower.addPass(createDAttnConvertToEmitC());
  if (!runOrRefuse(lower, module, diagnostics, "dattn-convert-to-emitc"))
    return 0;
  std::string cpp;
  llvm::raw_string_ostream stream(cpp);
  if (failed(emitc::translateToCpp(module, stream)) && diagnostics.errors == 0)
    trap("C++ emission failed without an error");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int result = fuzzOne(data, size);
  nextInput();
  return result;
}
