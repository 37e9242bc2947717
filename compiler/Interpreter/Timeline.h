//===- Timeline.h - Simulated streams of a plan run -------------*- C++ -*-===//
//
// Each rank has a compute stream and a communication stream. As the
// evaluator runs a plan (in tracking mode), tiles advance the compute
// stream by their visible pairs' time, a transfer occupies the sender's
// communication stream from when the sender issued it, and a wait holds
// the receiver's compute stream until the data is there. What a rank waits
// for is exposed communication.
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

class Timeline {
public:
  /// Seconds per flop of attention; link bytes/s and latency.
  Timeline(unsigned ranks, double flopSeconds, double bandwidth,
           double latency);

  void compute(unsigned rank, double flops);
  /// `sender`'s value for `receiver`, issued now on the sender's side;
  /// `handle` names the transfer until the receiver waits for it.
  void transfer(Value handle, unsigned receiver, unsigned sender,
                int64_t bytes);
  void wait(Value handle, unsigned rank);
  /// A blocking collective over all ranks moving `bytesPerRank` per hop of
  /// a ring of `hops` hops.
  void collective(int64_t bytesPerHop, int64_t hops);
  /// The same collective started now on every rank's communication stream;
  /// each rank's compute waits for it at `wait(handle, rank)`.
  void startCollective(Value handle, int64_t bytesPerHop, int64_t hops);

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
    bool comm;
    std::string name;
    double start, duration;
  };
  double flopSeconds, bandwidth, latency;
  std::vector<double> computeClock, commClock, computeBusy, waited;
  llvm::DenseMap<std::pair<Value, unsigned>, double> arrival;
  std::vector<Event> events;
};

} // namespace mlir::dattn::interp

#endif // DISTATTN_COMPILER_INTERPRETER_TIMELINE_H
