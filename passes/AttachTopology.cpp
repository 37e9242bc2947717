//===- AttachTopology.cpp - Topology file -> module attribute -------------===//
#include "compiler/Topology/Topology.h"
#include "passes/Passes.h"

namespace mlir::dattn {
#define GEN_PASS_DEF_DATTNTOPOLOGY
#include "passes/Passes.h.inc"
} // namespace mlir::dattn

using namespace mlir;
using namespace mlir::dattn;

namespace {
struct DAttnTopologyPass
    : mlir::dattn::impl::DAttnTopologyBase<DAttnTopologyPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto emit = [&] { return emitError(module.getLoc()); };
    if (file.empty()) {
      emit() << "dattn-topology: give the topology file with file=<path>";
      return signalPassFailure();
    }
    auto topology = loadTopology(file, &getContext(), emit);
    if (failed(topology))
      return signalPassFailure();
    module->setAttr(kTopologyAttrName, *topology);
  }
};
} // namespace
