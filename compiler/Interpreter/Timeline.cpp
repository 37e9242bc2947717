//===- Timeline.cpp - Simulated streams of a plan run ---------------------===//
#include "compiler/Interpreter/Timeline.h"

#include "llvm/Support/JSON.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::dattn::interp;

Timeline::Timeline(unsigned ranks, unsigned streams, double flopSeconds,
                   Link collectiveLink, unsigned gpusPerNode, Link intra,
                   Link inter)
    : flopSeconds(flopSeconds), collectiveLink(collectiveLink), intra(intra),
      inter(inter), gpusPerNode(std::max(1u, gpusPerNode)),
      computeClock(ranks, 0), computeBusy(ranks, 0), waited(ranks, 0),
      commClock(ranks, std::vector<double>(std::max(1u, streams), 0)) {}

void Timeline::compute(unsigned rank, double flops, double bytes) {
  if (flops == 0)
    return; // a skipped tile costs nothing measurable
  double duration = std::max(flops * flopSeconds, bytes * byteSeconds);
  events.push_back({rank, 0, "tile", computeClock[rank], duration});
  computeClock[rank] += duration;
  computeBusy[rank] += duration;
}

void Timeline::transfer(Value handle, unsigned receiver, unsigned sender,
                        int64_t bytes, unsigned stream) {
  double &clock = commClock[sender][stream];
  double start = std::max(computeClock[sender], clock);
  const Link &link =
      sender / gpusPerNode == receiver / gpusPerNode ? intra : inter;
  double duration = link.seconds(double(bytes));
  events.push_back({sender, threadOf(stream),
                    "send to " + std::to_string(receiver), start, duration});
  clock = start + duration;
  arrival[{handle, receiver}] = start + duration;
}

void Timeline::wait(Value handle, unsigned rank) {
  auto it = arrival.find({handle, rank});
  if (it == arrival.end())
    return; // nothing was sent to this rank (a rank sending to itself)
  if (it->second > computeClock[rank]) {
    events.push_back(
        {rank, 0, "wait", computeClock[rank], it->second - computeClock[rank]});
    waited[rank] += it->second - computeClock[rank];
    computeClock[rank] = it->second;
  }
  arrival.erase(it);
}

void Timeline::exchange(int64_t bytesPerPeer, ArrayRef<int64_t> group,
                        unsigned stream) {
  if (group.size() < 2)
    return;
  bool oneNode = llvm::all_of(group, [&](int64_t rank) {
    return rank / gpusPerNode == group.front() / gpusPerNode;
  });
  double bytes = double(bytesPerPeer) * double(group.size() - 1);
  collectiveFor((oneNode ? intra : inter).seconds(bytes), stream, "all-to-all");
}

void Timeline::collective(int64_t bytesPerHop, int64_t hops, unsigned stream) {
  collectiveFor(double(hops) * collectiveLink.seconds(double(bytesPerHop)),
                stream, "all-gather");
}

void Timeline::collectiveFor(double duration, unsigned stream,
                             const char *name) {
  double start = *std::max_element(computeClock.begin(), computeClock.end());
  for (unsigned rank = 0; rank < computeClock.size(); ++rank) {
    events.push_back({rank, threadOf(stream), name, start, duration});
    waited[rank] += start + duration - computeClock[rank];
    computeClock[rank] = commClock[rank][stream] = start + duration;
  }
}

void Timeline::startCollective(Value handle, int64_t bytesPerHop, int64_t hops,
                               unsigned stream) {
  // It starts when the last rank issues it and its stream is free.
  double start = 0;
  for (unsigned rank = 0; rank < computeClock.size(); ++rank)
    start = std::max({start, computeClock[rank], commClock[rank][stream]});
  double duration = double(hops) * collectiveLink.seconds(double(bytesPerHop));
  for (unsigned rank = 0; rank < computeClock.size(); ++rank) {
    events.push_back({rank, threadOf(stream), "all-gather", start, duration});
    commClock[rank][stream] = start + duration;
    arrival[{handle, rank}] = start + duration;
  }
}

double Timeline::makespan() const {
  return *std::max_element(computeClock.begin(), computeClock.end());
}

double Timeline::totalComputeSeconds() const {
  double total = 0;
  for (double busy : computeBusy)
    total += busy;
  return total;
}

double Timeline::busyFraction(unsigned rank) const {
  double span = makespan();
  return span == 0 ? 1 : computeBusy[rank] / span;
}

double Timeline::exposedFraction() const {
  double span = makespan(), total = 0;
  for (double w : waited)
    total += w;
  return span == 0 ? 0 : total / waited.size() / span;
}

void Timeline::writeChromeTrace(llvm::raw_ostream &os) const {
  llvm::json::Array trace;
  unsigned streams = commClock.empty() ? 1 : commClock.front().size();
  for (unsigned rank = 0; rank < computeClock.size(); ++rank) {
    SmallVector<std::pair<int, std::string>> threads = {{0, "compute"}};
    for (unsigned stream = 0; stream < streams; ++stream)
      threads.push_back({threadOf(stream), streams == 1
                                               ? std::string("communication")
                                               : "communication, grid axis " +
                                                     std::to_string(stream)});
    for (auto &[tid, name] : threads)
      trace.push_back(
          llvm::json::Object{{"name", "thread_name"},
                             {"ph", "M"},
                             {"pid", rank},
                             {"tid", tid},
                             {"args", llvm::json::Object{{"name", name}}}});
  }
  for (const Event &event : events)
    trace.push_back(llvm::json::Object{{"name", event.name},
                                       {"ph", "X"},
                                       {"pid", event.rank},
                                       {"tid", event.thread},
                                       {"ts", event.start * 1e6},
                                       {"dur", event.duration * 1e6}});
  os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                   {"traceEvents", std::move(trace)},
                                   {"displayTimeUnit", "ms"}}));
}
