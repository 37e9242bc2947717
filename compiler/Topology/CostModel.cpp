//===- CostModel.cpp - Predicted time of attention plans ------------------===//
#include "compiler/Topology/CostModel.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::dattn;

StringRef mlir::dattn::stringifyPrefillStrategy(PrefillStrategy strategy) {
  switch (strategy) {
  case PrefillStrategy::Ring:
    return "ring";
  case PrefillStrategy::Striped:
    return "striped";
  case PrefillStrategy::Zigzag:
    return "zigzag";
  case PrefillStrategy::AllGather:
    return "all-gather";
  }
  llvm_unreachable("unknown strategy");
}

std::optional<PrefillStrategy>
mlir::dattn::parsePrefillStrategy(StringRef name) {
  return llvm::StringSwitch<std::optional<PrefillStrategy>>(name)
      .Case("ring", PrefillStrategy::Ring)
      .Case("striped", PrefillStrategy::Striped)
      .Case("zigzag", PrefillStrategy::Zigzag)
      .Case("all-gather", PrefillStrategy::AllGather)
      .Default(std::nullopt);
}

AttentionWorkload AttentionWorkload::of(AttentionOp op) {
  auto type = op.getQ().getType();
  AttentionWorkload work;
  work.batch = type.getDimSize(0);
  work.qHeads = type.getDimSize(1);
  work.kvHeads = op.getK().getType().getDimSize(1);
  work.seqLen = type.getDimSize(2);
  work.headDim = type.getDimSize(3);
  work.elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  work.causal = op.getEffectiveMask().isCausal();
  return work;
}

std::pair<double, double> CostModel::ringLink(int64_t ranks) const {
  if (ranks <= topology.getGpusPerNode())
    return {double(topology.getIntraMbps()) * 1e6,
            double(topology.getIntraLatencyNs()) * 1e-9};
  return {double(topology.getInterMbps()) * 1e6,
          double(topology.getInterLatencyNs()) * 1e-9};
}

PrefillPrediction CostModel::predict(const AttentionWorkload &whole,
                                     PrefillStrategy strategy, int64_t ranks,
                                     int64_t headParallel,
                                     int64_t innerRing) const {
  PrefillPrediction p;
  p.strategy = strategy;
  p.ranks = ranks;
  p.headParallel = headParallel;
  p.innerRing = innerRing;
  // Head parallelism: each ring runs over ranks / P GPUs on heads / P. Its
  // hops are P GPUs apart, so they leave the node as soon as the whole grid
  // does (ringLink(ranks) below).
  AttentionWorkload work = whole;
  work.qHeads /= headParallel;
  work.kvHeads /= headParallel;
  const int64_t allRanks = ranks;
  ranks /= headParallel;
  const double n = double(ranks);
  bool chunked = strategy == PrefillStrategy::Zigzag ||
                 strategy == PrefillStrategy::AllGather;
  int64_t granule = chunked ? 2 * ranks : ranks;
  double paddedLen = double(llvm::divideCeil(work.seqLen, granule) * granule);
  double block = paddedLen / n, chunk = block / 2;
  double pairSeconds =
      4.0 * work.batch * work.qHeads * work.headDim /
      (double(topology.getGpuGflops()) * 1e9 * kernelEfficiency);
  double kvRowBytes =
      2.0 * work.batch * work.kvHeads * work.headDim * work.elementBytes;
  auto [bandwidth, latency] = ringLink(allRanks);
  // K and V travel as separate messages, zigzag's in two chunks each; every
  // message pays the link latency.
  double messages = strategy == PrefillStrategy::Zigzag ? 4 : 2;
  double blockTransfer =
      ranks == 1 ? 0 : block * kvRowBytes / bandwidth + messages * latency;

  // (q, k) pairs of the busiest rank at ring step t.
  auto stepPairs = [&](int64_t t) -> double {
    if (!work.causal)
      return block * block;
    switch (strategy) {
    case PrefillStrategy::Ring:
      return t == 0 ? block * (block + 1) / 2 : block * block;
    case PrefillStrategy::Striped:
      return block * (block + 1) / 2;
    case PrefillStrategy::Zigzag:
      return t == 0 ? chunk * (chunk + 1) + chunk * chunk : 2 * chunk * chunk;
    case PrefillStrategy::AllGather:
      return 0;
    }
    llvm_unreachable("unknown strategy");
  };

  double stateRowBytes = 4.0 * work.batch * work.qHeads * (work.headDim + 1);
  double qRowBytes =
      double(work.batch) * work.qHeads * work.headDim * work.elementBytes;
  if (strategy == PrefillStrategy::AllGather) {
    double pairs = work.causal
                       ? chunk * chunk * (2 * n - 1) + chunk * (chunk + 1)
                       : block * paddedLen;
    p.computeSeconds = pairs * pairSeconds;
    // dattn-overlap gathers one KV head at a time (a ring all-gather: N-1
    // hops of the head's block) while the previous head computes; the
    // first head's gather waits.
    double heads = double(work.kvHeads);
    double headGather =
        ranks == 1
            ? 0
            : (n - 1) * (block * kvRowBytes / heads / bandwidth + 2 * latency);
    double headCompute = p.computeSeconds / heads;
    p.commSeconds = heads * headGather;
    p.totalSeconds = headGather +
                     (heads - 1) * std::max(headCompute, headGather) +
                     headCompute;
    p.exposedSeconds = p.totalSeconds - p.computeSeconds;
    // What dattn-verify-plan measures on that plan: the gathered K/V of the
    // current head and of the next one in flight, the head's query rows
    // (both chunks) and one chunk's fp32 state.
    p.peakBytes = int64_t((2 * paddedLen * kvRowBytes + block * qRowBytes +
                           chunk * stateRowBytes) /
                          heads);
  } else {
    // The ring's steps as dattn-overlap schedules them: step t's compute
    // hides the hop of the block for step t+1. A flat ring is one outer
    // step of N. In the hierarchical order the N steps run as M outer steps
    // of G: the G-1 inner hops use the node's link, and the hop to the next
    // node starts with the outer step and hides under its whole inner
    // ring. The diagonal tile is step 0 either way.
    int64_t inner = innerRing > 1 ? innerRing : ranks;
    int64_t nodes = ranks / inner;
    double innerTransfer = blockTransfer;
    if (innerRing > 1) {
      auto [innerBandwidth, innerLatency] = ringLink(innerRing * headParallel);
      innerTransfer =
          block * kvRowBytes / innerBandwidth + messages * innerLatency;
    }
    for (int64_t o = 0; o < nodes; ++o) {
      double innerTime = 0;
      for (int64_t i = 0; i < inner; ++i) {
        double compute = stepPairs(o * inner + i) * pairSeconds;
        double transfer = i + 1 < inner ? innerTransfer : 0;
        p.computeSeconds += compute;
        p.commSeconds += transfer;
        innerTime += std::max(compute, transfer);
      }
      double hop = o + 1 < nodes ? blockTransfer : 0;
      p.commSeconds += hop;
      p.totalSeconds += std::max(innerTime, hop);
    }
    p.exposedSeconds = std::max(0.0, p.totalSeconds - p.computeSeconds);
    // What dattn-verify-plan measures on the overlapped plan, at a merge:
    // the query block, three states (carried, the tile's, the merged), the
    // own K/V block (pinned while it is sent) and the one arriving; in the
    // hierarchical order also the node's block, pinned while it goes to
    // the next node, and the next node's, arriving.
    p.peakBytes = int64_t(block * (qRowBytes + 3 * stateRowBytes) +
                          (innerRing > 1 ? 4 : 2) * block * kvRowBytes);
  }
  if (headParallel > 1) {
    // Head parallelism re-lays the sequence-sharded q, k, v out by heads
    // inside each group of P (an all-to-all, as Ulysses does) and the
    // output back; (P-1)/P of each rank's rows leave it, over NVLink, and
    // nothing hides them.
    double rows = double(llvm::divideCeil(whole.seqLen, allRanks));
    double rowBytes = double(whole.batch) * whole.headDim * whole.elementBytes *
                      (2.0 * whole.qHeads + 2.0 * whole.kvHeads);
    double share = double(headParallel - 1) / double(headParallel);
    auto [intra, intraLatency] = ringLink(headParallel);
    double allToAll = rows * rowBytes * share / intra +
                      2.0 * double(headParallel - 1) * intraLatency;
    p.commSeconds += allToAll;
    p.exposedSeconds += allToAll;
    p.totalSeconds += allToAll;
  }
  // In doubles: a topology may give more MiB than int64 holds bytes
  // (dattn-topology-fuzzer).
  p.fits = double(p.peakBytes) <= double(topology.getMemoryMib()) * 1048576.0;
  return p;
}

PrefillPrediction CostModel::choose(const AttentionWorkload &work,
                                    int64_t ranks,
                                    SmallVectorImpl<PrefillPrediction> &all,
                                    bool searchHeads) const {
  int64_t perNode = topology.getGpusPerNode();
  int64_t maxHeads = searchHeads ? perNode : 1;
  for (int64_t heads = 1; heads <= maxHeads; ++heads) {
    if (work.kvHeads % heads || ranks % heads)
      continue;
    // Inner rings of a node's ring positions, where the ring leaves it.
    int64_t inner = perNode % heads ? 1 : perNode / heads;
    bool hierarchical =
        ranks > perNode && inner > 1 && (ranks / heads) % inner == 0;
    for (PrefillStrategy strategy : kAllPrefillStrategies) {
      all.push_back(predict(work, strategy, ranks, heads));
      if (hierarchical && strategy != PrefillStrategy::AllGather)
        all.push_back(predict(work, strategy, ranks, heads, inner));
    }
  }
  // A tie (within rounding: the orders sum the same steps differently)
  // keeps the earlier, simpler plan.
  const PrefillPrediction *best = nullptr;
  for (const PrefillPrediction &p : all)
    if (p.fits && (!best || p.totalSeconds < best->totalSeconds * (1 - 1e-9)))
      best = &p;
  // Nothing fits: the least memory, which the caller reports as an error.
  if (!best)
    for (const PrefillPrediction &p : all)
      if (!best || p.peakBytes < best->peakBytes)
        best = &p;
  return *best;
}

std::string mlir::dattn::describe(const PrefillPrediction &p) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (p.headParallel > 1)
    os << "head-parallel=" << p.headParallel << " x ";
  os << stringifyPrefillStrategy(p.strategy);
  if (p.innerRing > 1)
    os << " (inner rings of " << p.innerRing << ")";
  os << " on " << p.ranks
     << " ranks: " << llvm::format("%.3f", p.totalSeconds * 1e3)
     << " ms (compute " << llvm::format("%.3f", p.computeSeconds * 1e3)
     << " ms, exposed transfer " << llvm::format("%.3f", p.exposedSeconds * 1e3)
     << " ms, " << llvm::format("%.2f", double(p.peakBytes) / (1 << 30))
     << " GiB/rank" << (p.fits ? "" : ", does not fit") << ")";
  return text;
}

DecodePrediction CostModel::predictDecode(const AttentionWorkload &work,
                                          int64_t kvLen, int64_t ranks,
                                          bool masters) const {
  DecodePrediction p;
  p.ranks = ranks;
  p.masters = masters && ranks > 1;
  // Masters hold the same number of requests each: the batch is padded.
  int64_t batch =
      p.masters ? ranks * llvm::divideCeil(work.batch, ranks) : work.batch;
  int64_t tokens = llvm::divideCeil(kvLen, ranks);
  p.kvBytesPerRank =
      2 * batch * work.kvHeads * tokens * work.headDim * work.elementBytes;
  p.readSeconds = double(p.kvBytesPerRank) /
                  (double(topology.getHbmMbps()) * 1e6 * decodeEfficiency);
  // A ring all-gather of every rank's fp32 (out, lse).
  double stateBytes =
      4.0 * batch * work.qHeads * work.seqLen * (work.headDim + 1);
  auto [bandwidth, latency] = ringLink(ranks);
  p.gatherSeconds =
      ranks == 1 ? 0 : (ranks - 1) * (stateBytes / bandwidth + latency);
  if (p.masters) {
    // The queries go around the ring, each hop under the tiles of the
    // master in hand (dattn-overlap), so only what the KV reads do not
    // cover shows. The states: an all-to-all, its N-1 messages of 1/N each
    // in flight at once (one NCCL group), paying the latency about once.
    // Each output stays at its master (the plans' final all-reduce, which
    // gives every rank the whole output to compare with the input program,
    // is not part of a deployment and not charged, as for prefill).
    double n = double(ranks);
    double queryBytes = double(batch) * work.qHeads * work.seqLen *
                        work.headDim * work.elementBytes;
    double shipping = (n - 1) * (queryBytes / n / bandwidth + latency);
    p.gatherSeconds = std::max(0.0, shipping - p.readSeconds) +
                      (n - 1) / n * stateBytes / bandwidth + latency;
  }
  p.totalSeconds = p.readSeconds + p.gatherSeconds;
  return p;
}

std::string mlir::dattn::describe(const DecodePrediction &p) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << p.ranks << " ranks" << (p.masters ? ", masters" : "") << ": "
     << llvm::format("%.3f", p.totalSeconds * 1e3) << " ms (KV read "
     << llvm::format("%.3f", p.readSeconds * 1e3) << " ms, gather "
     << llvm::format("%.3f", p.gatherSeconds * 1e3) << " ms, "
     << llvm::format("%.1f", double(p.kvBytesPerRank) / (1 << 20))
     << " MiB of KV/rank)";
  return text;
}
