//===- Cluster.cpp - rManagers and a gManager on one transport ------------===//
#include "distattn/rblock/Cluster.h"

namespace distattn::rblock {

Cluster::Cluster(int32_t numInstances, const RManagerConfig &config)
    : cfg(config), global(numInstances, net) {
  net.attach(kGManagerId, &global);
  for (InstanceId i = 0; i < numInstances; ++i) {
    instances.push_back(std::make_unique<RManager>(i, cfg, net));
    net.attach(i, instances.back().get());
  }
  heartbeatAll();
}

void Cluster::heartbeatAll() {
  for (InstanceId i = 0; i < size(); ++i)
    if (alive(i))
      instances[i]->heartbeat();
}

void Cluster::fail(InstanceId i) {
  net.setDown(i, true);
  global.declareFailed(i);
}

void Cluster::restart(InstanceId i) {
  net.detach(i);
  instances[i] = std::make_unique<RManager>(i, cfg, net);
  net.attach(i, instances[i].get());
  net.setDown(i, false);
  global.markAlive(i);
  instances[i]->heartbeat();
}

} // namespace distattn::rblock
