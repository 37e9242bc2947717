//===- Cluster.h - rManagers and a gManager on one transport ----*- C++ -*-===//
//
// N instances and the gManager wired over an in-process transport: what the
// tests, the decode example and the trace simulator drive. Failing an
// instance takes it off the transport and has the gManager declare it;
// restarting brings it back with an empty pool.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_CLUSTER_H
#define DISTATTN_RBLOCK_CLUSTER_H

#include "distattn/rblock/GManager.h"
#include "distattn/rblock/RManager.h"

#include <memory>

namespace distattn::rblock {

class Cluster {
public:
  Cluster(int32_t numInstances, const RManagerConfig &config);

  int32_t size() const { return int32_t(instances.size()); }
  RManager &at(InstanceId i) { return *instances[i]; }
  GManager &gmanager() { return global; }
  InProcessTransport &transport() { return net; }
  bool alive(InstanceId i) const { return !net.isDown(i); }

  /// Every live instance reports its free capacity.
  void heartbeatAll();
  void fail(InstanceId i);
  void restart(InstanceId i);

private:
  RManagerConfig cfg;
  InProcessTransport net;
  GManager global;
  std::vector<std::unique_ptr<RManager>> instances;
};

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_CLUSTER_H
