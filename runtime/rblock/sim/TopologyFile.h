//===- TopologyFile.h - The simulator's view of a topology file -*- C++ -*-===//
//
// Reads the cluster topology files the compiler reads (examples/topologies:
// nodes, GPUs per node, the GPU's memory, the intra- and inter-node links)
// with a small JSON reader of its own: the runtime and its tools do not
// depend on LLVM. Errors name the file and the field.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_SIM_TOPOLOGYFILE_H
#define DISTATTN_RBLOCK_SIM_TOPOLOGYFILE_H

#include <cstdint>
#include <string>

namespace distattn::rblock::sim {

struct Link {
  double gbPerSecond = 0; // per GPU and direction, 10^9 bytes per second
  double latencySeconds = 0;
};

struct ClusterTopology {
  std::string name;
  int32_t nodes = 0, gpusPerNode = 0;
  double gpuMemoryGiB = 0;
  Link intraNode, interNode;

  int32_t instances() const { return nodes * gpusPerNode; }
  int32_t nodeOf(int32_t instance) const { return instance / gpusPerNode; }
  const Link &link(int32_t a, int32_t b) const {
    return nodeOf(a) == nodeOf(b) ? intraNode : interNode;
  }
};

/// Reads `path`; on failure returns false with `error` set.
bool readTopologyFile(const std::string &path, ClusterTopology &topology,
                      std::string &error);

} // namespace distattn::rblock::sim

#endif // DISTATTN_RBLOCK_SIM_TOPOLOGYFILE_H
