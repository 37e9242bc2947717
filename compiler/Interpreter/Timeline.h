//===- Timeline.h - Simulated streams of a plan run -------------*- C++ -*-===//
//
// Each rank has a compute stream and a communication stream per grid axis
// (as the cuda runtime has a transfer stream per axis group). As the
// evaluator runs a plan (in tracking mode), tiles advance the compute
// stream by their time on a roofline: their visible pairs' flops at the
// kernels' matrix rate or their K/V bytes at the HBM rate, whichever is
// longer (prefill tiles are compute-bound, decode tiles memory-bound), a
// transfer occupies the sender's stream of its axis from when the sender issued
// it, over NVLink when both ranks share a node (consecutive ranks fill a node)
// and the inter-node link otherwise, and a wait holds the receiver's compute
// stream until the data is there. What a rank waits for is exposed
// communication.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_COMPILER_INTERPRETER_TIMELINE_H
#define DISTATTN_COMPILER_INTERPRETER_TIMELINE_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::dattn::interp {

/// Bytes/s and seconds of latency of a hop.
struct Link {
  double bandwidth = 1, latency = 0;
  double seconds(double bytes) const { return bytes / bandwidth + latency; }
};

class Timeline {
public:
  /// `streams` communication streams a rank (the grid's axes); seconds per
  /// flop of attention; collectives' hops on `collectiveLink`, point to
  /// point transfers on `intra` inside a node of `gpusPerNode`, `inter`
  /// between nodes.
  Timeline(unsigned ranks, unsigned streams, double flopSeconds,
           Link collectiveLink, unsigned gpusPerNode, Link intra, Link inter);

  void compute(unsigned rank, double flops, double bytes = 0);
  /// Seconds per byte a tile reads from HBM (0: not modelled).
  double byteSeconds = 0;
  /// `sender`'s value for `receiver`, issued now on the sender's stream
  /// `stream`; `handle` names the transfer until the receiver waits for it.
  void transfer(Value handle, unsigned receiver, unsigned sender, int64_t bytes,
                unsigned stream);
  void wait(Value handle, unsigned rank);
  /// A blocking collective over all ranks moving `bytesPerRank` per hop of
  /// a ring of `hops` hops.
  void collective(int64_t bytesPerHop, int64_t hops, unsigned stream);
  /// A blocking exchange in which every rank sends `bytesPerPeer` to each
  /// other member of its group at once (an all-to-all as one NCCL group):
  /// the bytes queue on the link, the latency is paid once. The link is
  /// NVLink if `group` (a representative group) lies in one node.
  void exchange(int64_t bytesPerPeer, ArrayRef<int64_t> group, unsigned stream);
  /// The same collective started now on every rank's stream `stream`;
  /// each rank's compute waits for it at `wait(handle, rank)`.
  void startCollective(Value handle, int64_t bytesPerHop, int64_t hops,
                       unsigned stream);

  double makespan() const;
  double totalComputeSeconds() const;
  double busyFraction(unsigned rank) const;
  /// Mean over ranks of the time a compute stream waited for data, as a
  /// fraction of the makespan.
  double exposedFraction() const;
  void writeChromeTrace(llvm::raw_ostream &os) const;

private:
  struct Event {
    unsigned rank;
    int thread;
    std::string name;
    double start, duration;
  };
  /// Every rank waits for the last to arrive, then `duration` on `stream`.
  void collectiveFor(double duration, unsigned stream, const char *name);
  /// Where `stream`'s events go in the trace (thread 0 is compute).
  static int threadOf(unsigned stream) { return int(stream) + 1; }

  double flopSeconds;
  Link collectiveLink, intra, inter;
  unsigned gpusPerNode;
  std::vector<double> computeClock, computeBusy, waited;
  std::vector<std::vector<double>> commClock; // [rank][stream]
  llvm::DenseMap<std::pair<Value, unsigned>, double> arrival;
  std::vector<Event> events;
};

} // namespace mlir::dattn::interp

#endif // DISTATTN_COMPILER_INTERPRETER_TIMELINE_H
