//===- CostModel.h - Predicted time of attention plans ----------*- C++ -*-===//
//
// An analytic model of a prefill plan on a topology: per ring step, the
// busiest rank's tile compute (matrix rate x an attention-kernel efficiency)
// and the K/V block transfer on the slowest link of the ring, with the
// transfer of block t+1 hidden under the compute of block t (double
// buffering). It is deliberately simple and every number it uses is
// printable; it exists to rank strategies, not to promise milliseconds.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_COMPILER_TOPOLOGY_COSTMODEL_H
#define DISTATTN_COMPILER_TOPOLOGY_COSTMODEL_H

#include "dialects/DAttn/DAttn.h"

#include <string>

namespace mlir::dattn {

enum class PrefillStrategy { Ring, Striped, Zigzag, AllGather };

StringRef stringifyPrefillStrategy(PrefillStrategy strategy);
std::optional<PrefillStrategy> parsePrefillStrategy(StringRef name);
inline constexpr PrefillStrategy kAllPrefillStrategies[] = {
    PrefillStrategy::Zigzag, PrefillStrategy::Striped,
    PrefillStrategy::AllGather, PrefillStrategy::Ring};

/// One self-attention prefill: q [B, Hq, S, D], k/v [B, Hkv, S, D].
struct AttentionWorkload {
  int64_t batch = 1, qHeads = 1, kvHeads = 1, seqLen = 1, headDim = 1;
  int64_t elementBytes = 2;
  bool causal = true;

  /// The workload of `op`; `seqLen` is its query rows.
  static AttentionWorkload of(AttentionOp op);
};

struct PrefillPrediction {
  PrefillStrategy strategy;
  int64_t ranks = 1;
  /// Ranks sharing the heads inside a node (grid [ranks / P, P]: the
  /// strategy's ring runs over ranks / P, each ring on heads / P).
  int64_t headParallel = 1;
  /// Ring positions of one inner ring in the hierarchical order (grid
  /// [ring / G, G]: around a node, then across nodes); 1: a flat ring.
  int64_t innerRing = 1;
  /// The busiest rank's attention compute, and its K/V transfers.
  double computeSeconds = 0, commSeconds = 0;
  /// Transfer time not hidden under compute, and the predicted total.
  double exposedSeconds = 0, totalSeconds = 0;
  /// Per-rank memory for q, the fp32 state, and the K/V held or in flight.
  int64_t peakBytes = 0;
  bool fits = true;
};

/// One decode step of a KV-parallel plan: the query against `kvLen` keys
/// sharded over `ranks`.
struct DecodePrediction {
  int64_t ranks = 1;
  /// Several masters (each rank masters its share of the batch, padded to
  /// a whole number of requests a rank) or one owner.
  bool masters = false;
  /// Reading the busiest rank's K/V from HBM, gathering the fp32 partial
  /// states (not overlapped yet), and the total.
  double readSeconds = 0, gatherSeconds = 0, totalSeconds = 0;
  int64_t kvBytesPerRank = 0;
};

class CostModel {
public:
  explicit CostModel(TopologyAttr topology) : topology(topology) {}

  /// Fraction of the GPU's peak matrix rate an attention kernel reaches
  /// (torch's FA2 reaches ~35% of the H100's 989 TFLOP/s, cuDNN ~60%).
  double kernelEfficiency = 0.5;

  PrefillPrediction predict(const AttentionWorkload &work,
                            PrefillStrategy strategy, int64_t ranks,
                            int64_t headParallel = 1,
                            int64_t innerRing = 1) const;

  /// The fitting plan with the least predicted time over the strategies
  /// and, with `searchHeads`, head parallelism P (every P that divides the
  /// KV heads and the ranks, up to a node's GPUs) and, where a ring leaves
  /// the node, its hierarchical order (inner rings of a node's ring
  /// positions); ties keep the order of kAllPrefillStrategies, smaller P
  /// and the flat ring. All predictions are returned too.
  PrefillPrediction choose(const AttentionWorkload &work, int64_t ranks,
                           SmallVectorImpl<PrefillPrediction> &all,
                           bool searchHeads = false) const;

  /// Fraction of HBM bandwidth a decode kernel reaches (torch's and
  /// distattn's reach ~0.9 of a device copy on an H100).
  double decodeEfficiency = 0.9;

  /// `work.seqLen` is the query rows, `kvLen` the keys. With `masters`,
  /// each rank masters ceil(batch / ranks) requests (the batch padded with
  /// empty ones, whose KV is read as well): their queries go around
  /// the ring under the KV reads and the partial states go to the masters
  /// (an all-to-all: (N-1)/N of them leave each rank) instead of to
  /// everyone.
  DecodePrediction predictDecode(const AttentionWorkload &work, int64_t kvLen,
                                 int64_t ranks, bool masters = false) const;

  /// Bytes/s and seconds of latency of one hop on a ring over `ranks`
  /// consecutive GPUs: NVLink inside a node, the inter-node link once the
  /// ring leaves it.
  std::pair<double, double> ringLink(int64_t ranks) const;

private:
  TopologyAttr topology;
};

/// "zigzag on 8 ranks: 1.23 ms (compute 1.20 ms, exposed transfer 0.03 ms,
/// 1.1 GiB/rank)"; "head-parallel=8 x zigzag on 32 ranks: ...";
/// "zigzag (inner rings of 8) on 32 ranks: ...".
std::string describe(const PrefillPrediction &prediction);
/// "8 ranks: 0.123 ms (KV read 0.100 ms, gather 0.023 ms, 64.0 MiB/rank)".
std::string describe(const DecodePrediction &prediction);

} // namespace mlir::dattn

#endif // DISTATTN_COMPILER_TOPOLOGY_COSTMODEL_H
