//===- Topology.cpp - Cluster topology files ------------------------------===//
//
// The file format (human units; the attribute stores exact integers):
//
//   {
//     "name": "h100-1x8-nvlink",
//     "nodes": 1, "gpus_per_node": 8,
//     "gpu": {"model": "H100-SXM-80GB", "matmul_tflops": 989,
//             "hbm_gbps": 3350, "memory_gib": 80},
//     "intra_node_link": {"kind": "nvlink", "bandwidth_gbps": 450,
//                         "latency_us": 3},
//     "inter_node_link": {"kind": "infiniband", "bandwidth_gbps": 50,
//                         "latency_us": 6}
//   }
//
// Bandwidths are per GPU and direction, in GB/s (10^9 bytes per second).
// The intra-node link is required with more than one GPU per node, the
// inter-node link with more than one node. Unknown fields are errors, so a
// misspelt field is not silently ignored.
//
//===----------------------------------------------------------------------===//
#include "compiler/Topology/Topology.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dattn;

namespace {

/// Reads the fields of one JSON object, reporting errors by their path.
class FieldReader {
public:
  FieldReader(const llvm::json::Object &object, std::string path,
              StringRef fileName, function_ref<InFlightDiagnostic()> emitError)
      : object(object), path(std::move(path)), fileName(fileName),
        emitError(emitError) {}

  /// A required (or, with a default, optional) positive number scaled by
  /// `scale` and rounded to an integer.
  FailureOr<int64_t> number(StringRef key, double scale,
                            std::optional<double> defaultValue = {},
                            bool allowZero = false) {
    seen.insert(key);
    const llvm::json::Value *value = object.get(key);
    if (!value) {
      if (defaultValue)
        return int64_t(std::llround(*defaultValue * scale));
      return fail(key, "is missing");
    }
    std::optional<double> number = value->getAsNumber();
    if (!number || !std::isfinite(*number) || *number < 0 ||
        (*number == 0 && !allowZero))
      return fail(key, allowZero ? "must be a number >= 0"
                                 : "must be a positive number");
    // llround has no answer past int64 (found by dattn-topology-fuzzer).
    if (*number * scale >= 0x1p62)
      return fail(key, "is too large");
    return int64_t(std::llround(*number * scale));
  }

  FailureOr<int64_t> integer(StringRef key) {
    seen.insert(key);
    const llvm::json::Value *value = object.get(key);
    if (!value)
      return fail(key, "is missing");
    std::optional<int64_t> integer = value->getAsInteger();
    if (!integer || *integer < 1)
      return fail(key, "must be an integer >= 1");
    return *integer;
  }

  FailureOr<std::string> string(StringRef key,
                                std::optional<StringRef> defaultValue = {}) {
    seen.insert(key);
    const llvm::json::Value *value = object.get(key);
    if (!value) {
      if (defaultValue)
        return defaultValue->str();
      return fail(key, "is missing");
    }
    std::optional<StringRef> text = value->getAsString();
    if (!text)
      return fail(key, "must be a string");
    return text->str();
  }

  /// A nested object, or null when absent.
  FailureOr<const llvm::json::Object *> object_(StringRef key) {
    seen.insert(key);
    const llvm::json::Value *value = object.get(key);
    if (!value)
      return static_cast<const llvm::json::Object *>(nullptr);
    const llvm::json::Object *nested = value->getAsObject();
    if (!nested)
      return fail(key, "must be an object");
    return nested;
  }

  LogicalResult noUnknownFields() {
    for (const auto &entry : object)
      if (!seen.contains(entry.first))
        return fail(entry.first, "is not a topology field");
    return success();
  }

  InFlightDiagnostic error(StringRef key, StringRef problem) {
    return emitError() << "topology '" << fileName << "': field '"
                       << qualified(key) << "' " << problem;
  }

private:
  std::string qualified(StringRef key) {
    return path.empty() ? key.str() : path + "." + key.str();
  }
  LogicalResult fail(StringRef key, StringRef problem) {
    (void)error(key, problem);
    return failure();
  }

  const llvm::json::Object &object;
  std::string path;
  StringRef fileName;
  function_ref<InFlightDiagnostic()> emitError;
  llvm::StringSet<> seen;
};

struct Link {
  std::string kind = "none";
  int64_t mbps = 0, latencyNs = 0;
};

/// Reads a link object; an absent link is "none" unless `required`.
FailureOr<Link> readLink(FieldReader &parent, StringRef key, bool required,
                         StringRef why, StringRef fileName,
                         function_ref<InFlightDiagnostic()> emitError) {
  auto object = parent.object_(key);
  if (failed(object))
    return failure();
  if (!*object) {
    if (required) {
      parent.error(key, "is missing: ") << why;
      return failure();
    }
    return Link();
  }
  FieldReader reader(**object, key.str(), fileName, emitError);
  Link link;
  auto kind = reader.string("kind");
  auto mbps = reader.number("bandwidth_gbps", 1e3);
  auto latency = reader.number("latency_us", 1e3, /*default=*/0.0,
                               /*allowZero=*/true);
  if (failed(kind) || failed(mbps) || failed(latency) ||
      failed(reader.noUnknownFields()))
    return failure();
  link.kind = *kind;
  link.mbps = *mbps;
  link.latencyNs = *latency;
  return link;
}

} // namespace

FailureOr<TopologyAttr>
mlir::dattn::parseTopology(StringRef json, StringRef fileName,
                           MLIRContext *context,
                           function_ref<InFlightDiagnostic()> emitError) {
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  if (!parsed) {
    emitError() << "topology '" << fileName << "' is not valid JSON: "
                << llvm::toString(parsed.takeError());
    return failure();
  }
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root) {
    emitError() << "topology '" << fileName << "' must be a JSON object";
    return failure();
  }
  FieldReader top(*root, "", fileName, emitError);
  auto name = top.string("name", llvm::sys::path::stem(fileName));
  auto nodes = top.integer("nodes");
  auto gpusPerNode = top.integer("gpus_per_node");
  auto gpuObject = top.object_("gpu");
  if (failed(name) || failed(nodes) || failed(gpusPerNode) || failed(gpuObject))
    return failure();
  if (!*gpuObject) {
    (void)top.error("gpu", "is missing");
    return failure();
  }
  FieldReader gpu(**gpuObject, "gpu", fileName, emitError);
  auto model = gpu.string("model");
  auto gflops = gpu.number("matmul_tflops", 1e3);
  auto hbm = gpu.number("hbm_gbps", 1e3);
  auto memory = gpu.number("memory_gib", 1024);
  if (failed(model) || failed(gflops) || failed(hbm) || failed(memory) ||
      failed(gpu.noUnknownFields()))
    return failure();
  auto intra = readLink(top, "intra_node_link", *gpusPerNode > 1,
                        "GPUs of one node talk over it", fileName, emitError);
  if (failed(intra))
    return failure();
  auto inter = readLink(top, "inter_node_link", *nodes > 1,
                        "nodes talk over it", fileName, emitError);
  if (failed(inter) || failed(top.noUnknownFields()))
    return failure();
  // getChecked reports a violated T1-T4 and returns null: a failure here,
  // not a topology.
  TopologyAttr topology = TopologyAttr::getChecked(
      emitError, context, StringRef(*name), *nodes, *gpusPerNode,
      StringRef(*model), *gflops, *hbm, *memory, StringRef(intra->kind),
      intra->mbps, intra->latencyNs, StringRef(inter->kind), inter->mbps,
      inter->latencyNs);
  if (!topology)
    return failure();
  return topology;
}

FailureOr<TopologyAttr>
mlir::dattn::loadTopology(StringRef path, MLIRContext *context,
                          function_ref<InFlightDiagnostic()> emitError) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    emitError() << "cannot read topology file '" << path
                << "': " << buffer.getError().message();
    return failure();
  }
  return parseTopology((*buffer)->getBuffer(), path, context, emitError);
}
