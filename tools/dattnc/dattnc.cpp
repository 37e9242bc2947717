//===- dattnc.cpp - The distattn compiler driver --------------------------===//
//
// One command from an attention (an .mlir graph, or a Hugging Face style
// model config and a sequence length) and a cluster to a bundle that runs:
//
//   dattnc model.json --seq-len 32768 --topology cluster.json -o bundle/
//   cmake -S bundle -B bundle/build && cmake --build bundle/build
//   mpirun -np 8 bundle/build/runner
//
// It plans (dattn-plan-prefill or dattn-plan-decode, the strategy chosen by
// the cost model unless given), overlaps transfers, verifies the plan,
// predicts its time on the topology, lowers it to C++ for the target and
// writes the bundle: the generated source, the runtime headers (and, for the
// cuda target, the kernel sources) it needs, a C API, a runner that checks
// every rank against a reference, and a CMakeLists.txt. Targets: host (C++
// with MPI, runs anywhere) and cuda (CUDA with NCCL, one GPU per rank).
//
//===----------------------------------------------------------------------===//
#include "ModelConfig.h"
#include "ValueNames.h"
#include "compiler/Topology/Topology.h"
#include "dialects/DAttn/DAttn.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/Cpp/CppEmitter.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::dattn;
namespace cl = llvm::cl;

static cl::OptionCategory category("dattnc options");
static cl::opt<std::string> input(cl::Positional, cl::Required,
                                  cl::desc("<graph.mlir | config.json>"),
                                  cl::cat(category));
static cl::opt<std::string> output("o", cl::desc("Bundle directory to write"),
                                   cl::init("bundle"), cl::cat(category));
static cl::opt<std::string>
    topologyFile("topology",
                 cl::desc("Cluster topology (JSON); default: one node of 8 "
                          "H100 over NVLink"),
                 cl::init(DISTATTN_DEFAULT_TOPOLOGY), cl::cat(category));
static cl::opt<std::string> target("target",
                                   cl::desc("host (C++ with MPI) or cuda"),
                                   cl::init("host"), cl::cat(category));
static cl::opt<std::string> phase("phase", cl::desc("prefill or decode"),
                                  cl::init("prefill"), cl::cat(category));
static cl::opt<std::string>
    strategy("strategy",
             cl::desc("auto, ring, striped, zigzag or all-gather (prefill)"),
             cl::init("auto"), cl::cat(category));
static cl::opt<int64_t> ranks("ranks",
                              cl::desc("Ranks; 0: chosen by the cost model"),
                              cl::init(0), cl::cat(category));
static cl::opt<int64_t> headParallel(
    "head-parallel",
    cl::desc("Prefill: split the heads this many ways inside a node, the "
             "strategy's ring across (1: no; strategy=auto chooses it)"),
    cl::init(1), cl::cat(category));
static cl::opt<int64_t> innerRing(
    "inner-ring",
    cl::desc("Prefill ring, striped or zigzag: the ring in a hierarchical "
             "order, inner rings of this many ring positions (a node's: its "
             "GPUs / head-parallel) inside an outer ring across nodes (1: "
             "one flat ring; strategy=auto chooses it)"),
    cl::init(1), cl::cat(category));
static cl::opt<std::string> masters(
    "masters",
    cl::desc("Decode: auto (the cost model chooses), true (each rank "
             "masters ceil(B/N) of the batch's requests: their queries "
             "shipped to the KV holders, partial states returned to the "
             "master alone and merged there; --masters alone means true) or "
             "false (one owner)"),
    cl::ValueOptional, cl::init("auto"), cl::cat(category));
static cl::opt<int64_t> seqLen("seq-len",
                               cl::desc("Sequence length (config input)"),
                               cl::init(0), cl::cat(category));
static cl::opt<int64_t> maxSeqLen(
    "max-seq-len",
    cl::desc("Longest sequence a run may pass (0: the compiled length S). "
             "Past S the bundle also holds the plans of 2S, 4S, ... below "
             "it and of the length itself, and a run takes the shortest plan "
             "that holds it"),
    cl::init(0), cl::cat(category));

namespace {

[[noreturn]] void fail(const Twine &message) {
  llvm::errs() << "dattnc: error: " << message << "\n";
  std::exit(1);
}

/// The attention of a Hugging Face style config (ModelConfig.h).
OwningOpRef<ModuleOp> graphFromConfig(MLIRContext &context) {
  auto buffer = llvm::MemoryBuffer::getFile(input);
  if (!buffer)
    fail("cannot read '" + input + "': " + buffer.getError().message());
  llvm::Expected<distattn::ModelConfig> config =
      distattn::parseModelConfig((*buffer)->getBuffer());
  if (!config)
    fail("'" + input + "': " + toString(config.takeError()));
  if (seqLen < 1)
    fail("a config input needs --seq-len N (N >= 1)");
  Builder builder(&context);
  // The GPU kernels take bf16 (what checkpoints hold); the host computes in
  // fp32.
  Type element = target == "cuda" ? Type(builder.getBF16Type())
                                  : Type(builder.getF32Type());
  return distattn::configGraph(context, *config, seqLen, phase == "decode",
                               element);
}

/// The input's attention at another sequence length: k and v (and q where
/// the queries are the tokens) `length` tokens long, a causal mask still
/// aligned to the last key, in a function `<name>_len<length>`. Fails on a
/// function that is more than one dattn.attention of its arguments, or a
/// mask whose positions do not follow from the length.
OwningOpRef<ModuleOp> graphAtLength(func::FuncOp func, AttentionOp attention,
                                    int64_t length, bool queriesAreTokens) {
  const char *why = "--max-seq-len needs ";
  if (!llvm::hasSingleElement(func.getBody()) ||
      func.getBody().front().getOperations().size() != 2 ||
      attention.getQ() != func.getArgument(0) ||
      attention.getK() != func.getArgument(1) ||
      attention.getV() != func.getArgument(2))
    fail(Twine(why) + "the function to be one dattn.attention of its "
                      "arguments (q, k, v), which it can re-plan for each "
                      "length");
  auto qType = cast<RankedTensorType>(attention.getQ().getType());
  auto kvType = cast<RankedTensorType>(attention.getK().getType());
  int64_t qLen = qType.getDimSize(2), kvLen = kvType.getDimSize(2);
  MaskAttr mask = attention.getEffectiveMask();
  bool aligned =
      mask.getQStride() == 1 && mask.getKStride() == 1 &&
      mask.getKOffset() == 0 &&
      mask.getKLimit() == std::numeric_limits<int64_t>::max() &&
      (mask.getKind() == MaskKind::Full || mask.getQOffset() == kvLen - qLen);
  if (!aligned)
    fail(Twine(why) + "the plain causal or full mask (queries aligned to "
                      "the last keys, no k_end): the input's mask has "
                      "positions that do not follow from the length");
  int64_t newQ = queriesAreTokens ? length : qLen;
  auto withLength = [](RankedTensorType type, int64_t rows) {
    SmallVector<int64_t> shape(type.getShape());
    shape[2] = rows;
    return RankedTensorType::get(shape, type.getElementType());
  };
  auto newQType = withLength(qType, newQ);
  auto newKvType = withLength(kvType, length);
  MaskAttr newMask =
      mask.getKind() == MaskKind::Full
          ? mask
          : MaskAttr::get(mask.getContext(), mask.getKind(), length - newQ, 1,
                          0, 1, std::numeric_limits<int64_t>::max());
  return distattn::attentionGraph(
      *func.getContext(), (func.getSymName() + "_len" + Twine(length)).str(),
      newQType, newKvType, newMask, attention.getScaleAttr());
}

void writeFile(const Twine &path, StringRef text) {
  std::error_code error;
  llvm::raw_fd_ostream file(path.str(), error, llvm::sys::fs::OF_Text);
  if (error)
    fail("cannot write '" + path + "': " + error.message());
  file << text;
}

std::string readFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    fail("cannot read '" + path + "': " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

/// `text` with every @NAME@ replaced by values[NAME] (a bundle template).
std::string substitute(StringRef text,
                       const llvm::StringMap<std::string> &values) {
  std::string result;
  for (size_t at; (at = text.find('@')) != StringRef::npos;) {
    size_t end = text.find('@', at + 1);
    if (end == StringRef::npos)
      break;
    StringRef name = text.slice(at + 1, end);
    auto it = values.find(name);
    if (it == values.end())
      fail("bundle template names an unknown value '@" + name + "@'");
    result += text.take_front(at).str() + it->second;
    text = text.drop_front(end + 1);
  }
  return result + text.str();
}

void runPipeline(ModuleOp module, StringRef pipeline) {
  PassManager pm(module->getContext(), ModuleOp::getOperationName(),
                 OpPassManager::Nesting::Implicit);
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    fail("internal pipeline '" + pipeline + "': " + errors);
  if (failed(pm.run(module)))
    fail("compilation failed (see the diagnostics above)");
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerDAttnPasses();
  registerCSEPass();
  registerCanonicalizerPass();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dattnc: the distattn compiler driver\n\n"
      "Plans an attention (an .mlir graph, or a model config with --seq-len)\n"
      "for a cluster, verifies and simulates the plan, and writes a bundle\n"
      "that builds with CMake and runs under mpirun:\n\n"
      "  plan.mlir             the plan (plan-len<L>.mlir: the plans of\n"
      "                        the longer lengths, --max-seq-len)\n"
      "  plan.cpp / plan.cu    the plan as C++ with MPI (--target host) or\n"
      "                        CUDA with NCCL (--target cuda: one GPU per\n"
      "                        rank, bf16/f16 inputs, kernels in src/)\n"
      "  attention.h           the C API: dattn_create (bind a communicator\n"
      "                        of the plan's size), dattn_prefill or\n"
      "                        dattn_decode, dattn_destroy;\n"
      "                        dattn_plan_length (the plan a length\n"
      "                        takes); dattn_run_comm\n"
      "                        and dattn_run (MPI_COMM_WORLD) in one call;\n"
      "                        a shared library dattn_plan\n"
      "  runner                checks the C API against the fp64 reference;\n"
      "                        --replicas R runs R copies on split\n"
      "                        communicators\n"
      "  include/              the runtime headers the plan needs\n\n"
      "Heads, head_dim, element type, ranks and each plan's strategy are\n"
      "fixed when compiling; the sequence length is a run-time argument up\n"
      "to --max-seq-len M (default: the compiled length S). Past S the\n"
      "bundle holds the plans of 2S, 4S, ... below M and of M (all on the\n"
      "same ranks; strategy=auto chooses for each), and a run takes the\n"
      "shortest that holds it, padded to it: the padding's keys are hidden\n"
      "from every tile and prefill does not compute its query rows.\n");
  if (target != "host" && target != "cuda")
    fail("unknown --target '" + target + "'; expected host or cuda");
  if (phase != "prefill" && phase != "decode")
    fail("unknown --phase '" + phase + "'; expected prefill or decode");
  if (headParallel != 1 && phase != "prefill")
    fail("--head-parallel is for prefill plans (decode shards the KV, not "
         "the heads)");
  if (masters.empty())
    masters = "true"; // --masters with no value
  if (masters != "auto" && masters != "true" && masters != "false")
    fail("unknown --masters '" + masters + "'; expected auto, true or false");
  if (masters != "auto" && phase != "decode")
    fail("--masters is for decode plans");
  if (innerRing != 1 && phase != "prefill")
    fail("--inner-ring is for prefill plans (decode has no ring)");

  DialectRegistry registry;
  registry.insert<DAttnDialect, arith::ArithDialect, func::FuncDialect,
                  scf::SCFDialect, shard::ShardDialect, tensor::TensorDialect,
                  emitc::EmitCDialect>();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  context.printOpOnDiagnostic(false);

  OwningOpRef<ModuleOp> module;
  if (StringRef(input).ends_with(".json")) {
    module = graphFromConfig(context);
  } else {
    module =
        parseSourceFile<ModuleOp>(input, sourceMgr, ParserConfig(&context));
    if (!module)
      return 1;
  }
  auto funcs = llvm::to_vector(module->getOps<func::FuncOp>());
  if (funcs.size() != 1 || funcs[0].getNumArguments() != 3 ||
      funcs[0].getNumResults() != 1)
    fail("the input must hold one function (q, k, v) -> out");
  func::FuncOp func = funcs[0];
  auto qType = cast<RankedTensorType>(func.getArgumentTypes()[0]);
  auto kType = cast<RankedTensorType>(func.getArgumentTypes()[1]);
  auto attention = *func.getOps<AttentionOp>().begin();
  MaskAttr mask = attention.getEffectiveMask();

  auto topology = loadTopology(topologyFile, &context, [&] {
    return emitError(UnknownLoc::get(&context));
  });
  if (failed(topology))
    return 1;

  // The compiled lengths: S, and with --max-seq-len M past it 2S, 4S, ...
  // below M, and M (each a plan of its own): a run pads to less than twice
  // its length.
  int64_t compiledLen = kType.getDimSize(2);
  bool queriesAreTokens =
      phase == "prefill" && qType.getDimSize(2) == compiledLen;
  int64_t longest = maxSeqLen == 0 ? compiledLen : int64_t(maxSeqLen);
  if (longest < compiledLen)
    fail("--max-seq-len " + Twine(longest) + " is shorter than the compiled " +
         "length " + Twine(compiledLen) + " (shorter runs need no option)");
  if (longest > compiledLen && !queriesAreTokens && qType.getDimSize(2) != 1)
    fail("--max-seq-len needs queries that are all the tokens (prefill) or "
         "one (decode); this graph has " +
         Twine(qType.getDimSize(2)) + " queries to " + Twine(compiledLen) +
         " keys");
  SmallVector<int64_t> lengths = {compiledLen};
  while (lengths.back() * 2 < longest)
    lengths.push_back(lengths.back() * 2);
  if (lengths.back() < longest)
    lengths.push_back(longest);

  llvm::outs() << "== dattnc: @" << func.getSymName() << ", q " << qType
               << ", k/v " << kType << ", on " << topology->getName() << " ("
               << topology->getNumGpus() << " GPUs)\n";
  bool cuda = target == "cuda";
  // Plans one length; the first fixes the ranks for the others (the C
  // API binds one communicator). Returns the plan as IR and as C++.
  int64_t planRanks = 0;
  auto compile = [&](ModuleOp graph) -> std::pair<std::string, std::string> {
    graph->setAttr(kTopologyAttrName, *topology);
    int64_t planWith = planRanks ? planRanks : int64_t(ranks);
    std::string plan =
        phase == "prefill"
            ? "dattn-plan-prefill{strategy=" + strategy +
                  " ranks=" + std::to_string(planWith) +
                  (headParallel != 1
                       ? " head-parallel=" + std::to_string(headParallel)
                       : std::string()) +
                  (innerRing != 1 ? " inner-ring=" + std::to_string(innerRing)
                                  : std::string()) +
                  "},dattn-overlap,cse"
            : "dattn-plan-decode{ranks=" + std::to_string(planWith) +
                  " masters=" + masters + "},dattn-overlap,cse";
    llvm::outs() << "== plan: " << plan << "\n";
    llvm::outs().flush();
    runPipeline(graph, plan);
    if (phase == "prefill") {
      llvm::outs() << "== plan verifier (coverage, positions, per-rank load)\n";
      llvm::outs().flush();
      runPipeline(graph, "dattn-verify-plan,dattn-verify-schedule,"
                         "dattn-simulate-timeline");
    }
    for (auto grid : graph.getOps<shard::GridOp>()) {
      planRanks = 1;
      for (int64_t d : grid.getShape())
        planRanks *= d;
    }
    if (planRanks == 0)
      planRanks = 1;
    // The target code (the plan is kept as IR too, for dattn-opt and
    // dattn-run).
    std::string planIR;
    llvm::raw_string_ostream planStream(planIR);
    graph->print(planStream);
    runPipeline(graph, "dattn-convert-to-emitc{target=" + target + "}");
    std::string cpp;
    llvm::raw_string_ostream cppStream(cpp);
    if (failed(emitc::translateToCpp(graph, cppStream)))
      fail("C++ emission failed");
    return {planIR, distattn::nameValues(cpp)};
  };
  // Every length's graph is made before planning, which rewrites the input.
  SmallVector<OwningOpRef<ModuleOp>> longer;
  for (int64_t length : ArrayRef(lengths).drop_front())
    longer.push_back(graphAtLength(func, attention, length, queriesAreTokens));
  SmallVector<std::pair<std::string, std::string>> compiled;
  SmallVector<std::string> planFns;
  for (auto [i, length] : llvm::enumerate(lengths)) {
    ModuleOp graph = i == 0 ? *module : *longer[i - 1];
    if (i > 0)
      llvm::outs() << "== " << length << " tokens (--max-seq-len " << longest
                   << ")\n";
    planFns.push_back(
        (*graph.getOps<func::FuncOp>().begin()).getSymName().str());
    compiled.push_back(compile(graph));
  }

  // The bundle.
  std::string dir = output;
  std::string runtime = DISTATTN_RUNTIME_INCLUDE_DIR;
  std::vector<std::string> headers = {"reference.h", "grid.h", "bundle_io.h",
                                      "host/runner_check.h"};
  if (cuda)
    headers.insert(headers.end(), {"cuda/plan_runtime.cuh", "cuda/kernels.h",
                                   "cuda/index_math.h"});
  else
    headers.push_back("host/plan_runtime.h");
  for (StringRef sub :
       {"", "/include/distattn/host", cuda ? "/include/distattn/cuda" : "",
        cuda ? "/src" : ""})
    if (std::error_code error = llvm::sys::fs::create_directories(dir + sub))
      fail("cannot create '" + dir + sub + "': " + error.message());
  // plan.mlir is the compiled length's plan, plan-len<L>.mlir the longer
  // ones'; the source holds them all.
  std::string planSource;
  for (auto [length, planned] : llvm::zip(lengths, compiled)) {
    writeFile(dir + (length == compiledLen
                         ? std::string("/plan.mlir")
                         : "/plan-len" + std::to_string(length) + ".mlir"),
              planned.first);
    planSource += planned.second;
  }
  writeFile(dir + (cuda ? "/plan.cu" : "/plan.cpp"), planSource);
  for (const std::string &header : headers)
    writeFile(dir + "/include/distattn/" + header,
              readFile(runtime + "/distattn/" + header));
  if (cuda)
    for (StringRef source :
         {"micro_attention.cu", "micro_attention_sm90.cuh", "tma.cuh",
          "wgmma_ops.cuh", "merge.cu", "common.cuh", "lse_sum.cuh"})
      writeFile(dir + "/src/" + source,
                readFile(DISTATTN_CUDA_SOURCES "/" + source.str()));

  // The C API, the runner and the build, from runtime/bundle.
  auto dims = [](RankedTensorType type) {
    std::string list;
    for (int64_t d : type.getShape())
      list += (list.empty() ? "" : ", ") + std::to_string(d);
    return list;
  };
  // The C API's choice of plan: a run of L tokens takes the shortest
  // compiled length >= L.
  std::string planAtLength;
  for (auto [length, fn] : llvm::drop_begin(llvm::zip(lengths, planFns)))
    planAtLength += llvm::formatv("  if (length == {0})\n    return {1}(q, k, "
                                  "v);\n",
                                  length, fn);
  std::string defines = llvm::formatv(
      "B={0} HQ={1} HKV={2} SQ={3} S={4} D={5} CAUSAL={6} TOL={7}",
      qType.getDimSize(0), qType.getDimSize(1), kType.getDimSize(1),
      qType.getDimSize(2), kType.getDimSize(2), qType.getDimSize(3),
      mask.isCausal() ? 1 : 0, cuda ? "1e-2" : "1e-5");
  Type element = qType.getElementType();
  std::string dtype = element.isF16()    ? "F16"
                      : element.isBF16() ? "BF16"
                                         : "F32";
  llvm::StringMap<std::string> values = {
      {"PLAN_RANKS", std::to_string(planRanks)},
      {"PLAN_FN", planFns.front()},
      {"LENGTHS",
       llvm::join(llvm::map_range(lengths,
                                  [](int64_t l) { return std::to_string(l); }),
                  ", ")},
      {"PLAN_AT_LENGTH", planAtLength},
      {"MAX_S", std::to_string(lengths.back())},
      {"QUERIES_ARE_TOKENS", queriesAreTokens ? "true" : "false"},
      // The plan's queries: a row per token, or the compiled count.
      {"PLAN_Q_LEN", queriesAreTokens ? std::string("kvLen")
                                      : std::to_string(qType.getDimSize(2))},
      {"Q_SHAPE", dims(qType)},
      {"KV_SHAPE", dims(kType)},
      {"SHAPE_DEFINES", defines},
      {"TARGET", target},
      {"TARGET_NOTE",
       cuda ? "Each rank runs on one GPU of its node (its index among the "
              "node's ranks), NCCL bootstrapped over the communicator; inputs "
              "are rounded to " +
                  dtype + "."
            : "Kernels compute in fp32 on the CPU."},
      {"DTYPE", "rt::DType::" + dtype},
      {"ELEMENT", dtype},
      {"PHASE", phase},
      {"B", std::to_string(qType.getDimSize(0))},
      {"HQ", std::to_string(qType.getDimSize(1))},
      {"HKV", std::to_string(kType.getDimSize(1))},
      {"SQ", std::to_string(qType.getDimSize(2))},
      {"S", std::to_string(kType.getDimSize(2))},
      {"D", std::to_string(qType.getDimSize(3))}};
  std::string templates = DISTATTN_BUNDLE_TEMPLATES;
  std::string source = cuda ? "attention.cu" : "attention.cpp";
  for (StringRef file : {StringRef("attention.h"), StringRef(source),
                         StringRef("CMakeLists.txt")}) {
    std::string from = templates +
                       (file == "attention.h" ? "/" : "/" + target + "/") +
                       file.str() + ".in";
    writeFile(dir + "/" + file.str(), substitute(readFile(from), values));
  }
  writeFile(dir + "/runner.cpp", readFile(templates + "/runner.cpp"));
  llvm::outs() << "== bundle: " << dir << " ("
               << (cuda ? "plan.cu" : "plan.cpp")
               << ", attention.h C API, runner, CMakeLists.txt)\n"
               << "build and run it:\n  cmake -S " << dir << " -B " << dir
               << "/build && cmake --build " << dir << "/build\n  mpirun -np "
               << planRanks << " " << dir << "/build/runner\n";
  if (cuda)
    llvm::outs() << "(one GPU per rank; -DNCCL_ROOT=DIR where NCCL is not "
                    "beside CUDA; -DDISTATTN_CUDA_KERNELS=libdistattn_cuda.a "
                    "skips compiling the kernels)\n";
  return 0;
}
