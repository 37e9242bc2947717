//===- SimulateTimeline.cpp - A plan against the cost model, in time ------===//
#include "compiler/Interpreter/Interpreter.h"
#include "compiler/Interpreter/Timeline.h"
#include "compiler/Topology/CostModel.h"
#include "compiler/Topology/Topology.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"

namespace mlir::dattn {
#define GEN_PASS_DEF_DATTNSIMULATETIMELINE
#include "passes/Passes.h.inc"
} // namespace mlir::dattn

using namespace mlir;
using namespace mlir::dattn;

namespace {

struct DAttnSimulateTimelinePass
    : mlir::dattn::impl::DAttnSimulateTimelineBase<DAttnSimulateTimelinePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto topology = module->getAttrOfType<TopologyAttr>(kTopologyAttrName);
    if (!topology) {
      emitError(module.getLoc())
          << "dattn-simulate-timeline needs the cluster: attach one with "
             "--dattn-topology=file=<topology.json>";
      return signalPassFailure();
    }
    if (!(efficiency > 0 && efficiency <= 1)) {
      emitError(module.getLoc())
          << "dattn-simulate-timeline: efficiency must be in (0, 1], got "
          << double(efficiency);
      return signalPassFailure();
    }
    auto numRanks = interp::getNumRanks(module);
    if (failed(numRanks))
      return signalPassFailure();
    if (int64_t(*numRanks) > topology.getNumGpus()) {
      emitError(module.getLoc())
          << "dattn-simulate-timeline: the plan runs on " << *numRanks
          << " ranks but the topology (" << topology.getName() << ") has "
          << topology.getNumGpus() << " GPUs";
      return signalPassFailure();
    }
    std::string traceText;
    llvm::raw_string_ostream traceStream(traceText);
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() &&
          failed(simulate(func, topology, *numRanks, traceStream)))
        return signalPassFailure();
    if (!trace.empty()) {
      std::error_code error;
      llvm::raw_fd_ostream file(trace, error, llvm::sys::fs::OF_Text);
      if (error) {
        emitError(module.getLoc())
            << "cannot write trace '" << trace << "': " << error.message();
        return signalPassFailure();
      }
      file << traceText;
    }
    markAllAnalysesPreserved();
  }

  /// The most axes of a grid the module's plans run on: a communication
  /// stream each.
  static unsigned gridAxes(func::FuncOp func) {
    unsigned axes = 1;
    auto module = func->getParentOfType<ModuleOp>();
    for (auto grid : module.getOps<shard::GridOp>())
      axes = std::max(axes, unsigned(grid.getShape().size()));
    return axes;
  }

  LogicalResult simulate(func::FuncOp func, TopologyAttr topology,
                         unsigned numRanks, raw_ostream &traceStream) {
    interp::PlanTracker tracker;
    tracker.ranks.resize(numRanks);
    tracker.proveCoverage = false;
    interp::ShapesOnlyScope shapesOnly;
    auto args =
        interp::makeTrackedInputs(func, tracker, "dattn-simulate-timeline");
    if (failed(args))
      return failure();
    CostModel model(topology);
    auto [bandwidth, latency] = model.ringLink(numRanks);
    auto [intraBandwidth, intraLatency] = model.ringLink(1);
    interp::Timeline timeline(
        numRanks, gridAxes(func),
        1.0 / (double(topology.getGpuGflops()) * 1e9 * efficiency),
        {bandwidth, latency}, topology.getGpusPerNode(),
        {intraBandwidth, intraLatency},
        {double(topology.getInterMbps()) * 1e6,
         double(topology.getInterLatencyNs()) * 1e-9});
    // Decode tiles read their K/V at the HBM rate a decode kernel reaches.
    timeline.byteSeconds =
        1.0 / (double(topology.getHbmMbps()) * 1e6 * model.decodeEfficiency);
    tracker.timeline = &timeline;
    interp::Interpreter interpreter(numRanks);
    interpreter.tracker = &tracker;
    std::vector<std::vector<interp::RuntimeValue>> perRank(numRanks, *args);
    if (failed(interpreter.run(func, perRank)))
      return failure();

    double span = timeline.makespan();
    double ideal = timeline.totalComputeSeconds() / numRanks;
    double minBusy = 1, maxBusy = 0;
    for (unsigned rank = 0; rank < numRanks; ++rank) {
      minBusy = std::min(minBusy, timeline.busyFraction(rank));
      maxBusy = std::max(maxBusy, timeline.busyFraction(rank));
    }
    std::string summary;
    llvm::raw_string_ostream os(summary);
    os << "timeline of @" << func.getSymName() << " on " << numRanks
       << " ranks of " << topology.getName() << " (kernels at "
       << llvm::format("%.0f", efficiency * 100)
       << "% of peak): " << llvm::format("%.3f", span * 1e3) << " ms, ideal "
       << llvm::format("%.3f", ideal * 1e3) << " ms, efficiency "
       << llvm::format("%.1f", span > 0 ? ideal / span * 100 : 100.0)
       << "%; exposed communication "
       << llvm::format("%.2f", timeline.exposedFraction() * 100)
       << "% of the time; busy " << llvm::format("%.1f", minBusy * 100) << "-"
       << llvm::format("%.1f", maxBusy * 100) << "%";
    emitRemark(func.getLoc()) << summary;
    if (!trace.empty())
      timeline.writeChromeTrace(traceStream);
    return success();
  }
};

} // namespace
