//===- Topology.h - Cluster topology files ----------------------*- C++ -*-===//
//
// A topology file (JSON) describes the cluster a plan is made for; it becomes
// a #dattn.topology attribute on the module. Errors name the offending field.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_COMPILER_TOPOLOGY_TOPOLOGY_H
#define DISTATTN_COMPILER_TOPOLOGY_TOPOLOGY_H

#include "dialects/DAttn/DAttn.h"

namespace mlir::dattn {

/// Parses the JSON text of a topology file named `fileName`. On error,
/// reports through `emitError` and fails.
FailureOr<TopologyAttr>
parseTopology(StringRef json, StringRef fileName, MLIRContext *context,
              function_ref<InFlightDiagnostic()> emitError);

/// Reads and parses the topology file at `path`.
FailureOr<TopologyAttr>
loadTopology(StringRef path, MLIRContext *context,
             function_ref<InFlightDiagnostic()> emitError);

/// The name of the module attribute that holds the topology.
inline constexpr StringLiteral kTopologyAttrName = "dattn.topology";

} // namespace mlir::dattn

#endif // DISTATTN_COMPILER_TOPOLOGY_TOPOLOGY_H
