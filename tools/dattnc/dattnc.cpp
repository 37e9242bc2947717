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
// writes the bundle: the generated source, the runtime headers it needs, a
// C API, a runner that checks every rank against a reference, and a
// CMakeLists.txt. Only the host target (C++ with MPI) is implemented.
//
//===----------------------------------------------------------------------===//
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
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
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
static cl::opt<int64_t> seqLen("seq-len",
                               cl::desc("Sequence length (config input)"),
                               cl::init(0), cl::cat(category));

namespace {

[[noreturn]] void fail(const Twine &message) {
  llvm::errs() << "dattnc: error: " << message << "\n";
  std::exit(1);
}

/// The attention of a Hugging Face style config: num_attention_heads,
/// num_key_value_heads (default: the same), head_dim or hidden_size / heads.
OwningOpRef<ModuleOp> graphFromConfig(MLIRContext &context) {
  auto buffer = llvm::MemoryBuffer::getFile(input);
  if (!buffer)
    fail("cannot read '" + input + "': " + buffer.getError().message());
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    fail("'" + input + "' is not valid JSON: " + toString(json.takeError()));
  const llvm::json::Object *config = json->getAsObject();
  auto field = [&](StringRef key) -> std::optional<int64_t> {
    return config ? config->getInteger(key) : std::nullopt;
  };
  std::optional<int64_t> heads = field("num_attention_heads");
  if (!heads || *heads < 1)
    fail("'" + input + "': num_attention_heads is missing or not positive");
  int64_t kvHeads = field("num_key_value_heads").value_or(*heads);
  std::optional<int64_t> headDim = field("head_dim");
  if (!headDim) {
    std::optional<int64_t> hidden = field("hidden_size");
    if (!hidden || *hidden % *heads != 0)
      fail("'" + input +
           "': give head_dim, or hidden_size divisible by "
           "num_attention_heads");
    headDim = *hidden / *heads;
  }
  if (seqLen < 1)
    fail("a config input needs --seq-len N (N >= 1)");
  int64_t qLen = phase == "decode" ? 1 : int64_t(seqLen);
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  auto module = ModuleOp::create(loc);
  Type f32 = builder.getF32Type();
  auto qType = RankedTensorType::get({1, *heads, qLen, *headDim}, f32);
  auto kvType = RankedTensorType::get({1, kvHeads, seqLen, *headDim}, f32);
  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(
      builder, loc, "attention",
      builder.getFunctionType({qType, kvType, kvType}, {qType}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  auto mask = MaskAttr::get(&context, MaskKind::Causal, seqLen - qLen, 1, 0, 1,
                            std::numeric_limits<int64_t>::max());
  Value out = AttentionOp::create(builder, loc, qType, body->getArgument(0),
                                  body->getArgument(1), body->getArgument(2),
                                  mask, FloatAttr());
  func::ReturnOp::create(builder, loc, out);
  return module;
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
      "that builds with CMake and runs under mpirun.\n");
  if (target == "cuda")
    fail("--target cuda is not implemented yet (NCCL, kernels, streams); "
         "use --target host");
  if (target != "host")
    fail("unknown --target '" + target + "'; expected host or cuda");
  if (phase != "prefill" && phase != "decode")
    fail("unknown --phase '" + phase + "'; expected prefill or decode");

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
  (*module)->setAttr(kTopologyAttrName, *topology);

  llvm::outs() << "== dattnc: @" << func.getSymName() << ", q " << qType
               << ", k/v " << kType << ", on " << topology->getName() << " ("
               << topology->getNumGpus() << " GPUs)\n";
  std::string plan =
      phase == "prefill"
          ? "dattn-plan-prefill{strategy=" + strategy +
                " ranks=" + std::to_string(ranks) + "},dattn-overlap,cse"
          : "dattn-plan-decode{ranks=" + std::to_string(ranks) + "},cse";
  llvm::outs() << "== plan: " << plan << "\n";
  llvm::outs().flush();
  runPipeline(*module, plan);
  if (phase == "prefill") {
    llvm::outs() << "== plan verifier (coverage, positions, per-rank load)\n";
    llvm::outs().flush();
    runPipeline(*module, "dattn-verify-plan,dattn-verify-schedule,"
                         "dattn-simulate-timeline");
  }
  int64_t planRanks = 1;
  for (auto grid : module->getOps<shard::GridOp>()) {
    planRanks = 1;
    for (int64_t d : grid.getShape())
      planRanks *= d;
  }

  // The target code.
  runPipeline(*module, "dattn-convert-to-emitc");
  std::string cpp;
  llvm::raw_string_ostream cppStream(cpp);
  if (failed(emitc::translateToCpp(*module, cppStream)))
    fail("C++ emission failed");

  // The bundle.
  std::string dir = output;
  for (StringRef sub : {"", "/include/distattn/host"})
    if (std::error_code error = llvm::sys::fs::create_directories(dir + sub))
      fail("cannot create '" + dir + sub + "': " + error.message());
  writeFile(dir + "/plan.cpp", cpp);
  std::string runtime = DISTATTN_RUNTIME_INCLUDE_DIR;
  writeFile(dir + "/include/distattn/reference.h",
            readFile(runtime + "/distattn/reference.h"));
  writeFile(dir + "/include/distattn/host/plan_runtime.h",
            readFile(runtime + "/distattn/host/plan_runtime.h"));
  writeFile(dir + "/plan_runner.cpp", readFile(DISTATTN_RUNNER));
  std::string name = func.getSymName().str();
  std::string shape;
  llvm::raw_string_ostream shapeStream(shape);
  shapeStream << "B=" << qType.getDimSize(0) << " HQ=" << qType.getDimSize(1)
              << " HKV=" << kType.getDimSize(1) << " SQ=" << qType.getDimSize(2)
              << " S=" << kType.getDimSize(2) << " D=" << qType.getDimSize(3)
              << " CAUSAL=" << (mask.isCausal() ? 1 : 0);
  writeFile(
      dir + "/attention.h",
      "// C API of the bundle: every rank passes the whole q, k, v\n"
      "// (row-major float [batch, heads, seq, head_dim]) and receives\n"
      "// the whole output. Call between MPI_Init and MPI_Finalize on " +
          std::to_string(planRanks) +
          " ranks.\n#pragma once\n#ifdef __cplusplus\nextern \"C\" {\n"
          "#endif\nint dattn_run(const float *q, const float *k, "
          "const float *v, float *out);\n#ifdef __cplusplus\n}\n#endif\n");
  writeFile(dir + "/attention.cpp",
            "#include \"attention.h\"\n#include \"plan.cpp\"\n\n"
            "static distattn::host::Tensor wrap(const float *data, "
            "std::vector<int64_t> shape) {\n"
            "  distattn::host::Tensor t = distattn::host::filled(0.0f, "
            "shape);\n  std::copy(data, data + t.data.size(), "
            "t.data.begin());\n  return t;\n}\n\n"
            "extern \"C\" int dattn_run(const float *q, const float *k, "
            "const float *v, float *out) {\n"
            "  distattn::host::Tensor result = " +
                name + "(\n      wrap(q, {" +
                std::to_string(qType.getDimSize(0)) + ", " +
                std::to_string(qType.getDimSize(1)) + ", " +
                std::to_string(qType.getDimSize(2)) + ", " +
                std::to_string(qType.getDimSize(3)) + "}),\n      wrap(k, {" +
                std::to_string(kType.getDimSize(0)) + ", " +
                std::to_string(kType.getDimSize(1)) + ", " +
                std::to_string(kType.getDimSize(2)) + ", " +
                std::to_string(kType.getDimSize(3)) + "}),\n      wrap(v, {" +
                std::to_string(kType.getDimSize(0)) + ", " +
                std::to_string(kType.getDimSize(1)) + ", " +
                std::to_string(kType.getDimSize(2)) + ", " +
                std::to_string(kType.getDimSize(3)) +
                "}));\n  std::copy(result.data.begin(), result.data.end(), "
                "out);\n  return 0;\n}\n");
  std::string defines;
  for (StringRef define : llvm::split(shape, ' '))
    defines += " " + define.str();
  writeFile(dir + "/CMakeLists.txt",
            "# A distattn bundle (host target): the plan as C++ with MPI.\n"
            "cmake_minimum_required(VERSION 3.16)\nproject(dattn_bundle "
            "CXX)\nset(CMAKE_CXX_STANDARD 17)\nfind_package(MPI REQUIRED "
            "COMPONENTS CXX)\n\n# The C API (attention.h) as a shared "
            "library.\nadd_library(dattn_plan SHARED attention.cpp)\n"
            "target_include_directories(dattn_plan PUBLIC include "
            "${CMAKE_CURRENT_SOURCE_DIR})\ntarget_link_libraries(dattn_plan "
            "PUBLIC MPI::MPI_CXX)\n\n# The runner: seeded inputs, every rank "
            "checked against the fp64 reference.\nadd_executable(runner "
            "plan_runner.cpp)\ntarget_include_directories(runner PRIVATE "
            "include ${CMAKE_CURRENT_SOURCE_DIR})\n"
            "target_compile_definitions(runner PRIVATE PLAN_CPP=\"plan.cpp\" "
            "PLAN_FN=" +
                name + defines +
                ")\ntarget_link_libraries(runner PRIVATE MPI::MPI_CXX)\n");
  llvm::outs() << "== bundle: " << dir << " (plan.cpp, attention.h C API, "
               << "runner, CMakeLists.txt)\n"
               << "build and run it:\n  cmake -S " << dir << " -B " << dir
               << "/build && cmake --build " << dir << "/build\n  mpirun -np "
               << planRanks << " " << dir << "/build/runner\n";
  return 0;
}
