//===- runner_check.h - Seeded inputs and the reference check ---*- C++ -*-===//
//
// What the host runners share: every rank makes the same seeded inputs, runs
// a plan, and compares the whole output with the fp64 reference attention.
// Header-only; needs distattn/reference.h and MPI.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_HOST_RUNNER_CHECK_H
#define DISTATTN_HOST_RUNNER_CHECK_H

#include "distattn/reference.h"

#include <mpi.h>
#ifdef __linux__
#include <sched.h>
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <system_error>
#include <thread>
#include <vector>

namespace distattn::runner {

/// `count` standard normal floats from `seed`: the same on every rank.
inline std::vector<float> randomValues(size_t count, uint64_t seed) {
  std::vector<float> values(count);
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float &x : values)
    x = normal(gen);
  return values;
}

/// The CPUs this process may run on (mpirun binds a rank to one core by
/// default where there are few ranks); 0 where unknown.
inline unsigned cpusAllowed() {
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    return unsigned(CPU_COUNT(&set));
#endif
  return 0;
}

/// This rank's share of its node's cores, for the reference (every rank of
/// a node computes it at the same time), no more than the CPUs it is bound
/// to. Collective over MPI_COMM_WORLD.
inline unsigned coresPerRank() {
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL,
                      &node);
  int local = 1, rank = 0;
  MPI_Comm_size(node, &local);
  MPI_Comm_rank(node, &rank);
  MPI_Comm_free(&node);
  const unsigned share =
      std::max(1u, std::thread::hardware_concurrency() / unsigned(local));
  const unsigned allowed = cpusAllowed();
  if (allowed == 0 || allowed >= share)
    return share;
  // A long reference (minutes at thousands of tokens) on fewer cores than
  // the node could give: say why, once a node.
  if (rank == 0)
    std::fprintf(stderr,
                 "runner: each rank is bound to %u CPU(s) of the %u it could "
                 "use for the fp64 reference; mpirun --bind-to none lets it "
                 "use them\n",
                 allowed, share);
  return allowed;
}

/// An output against the fp64 reference. A NaN or an infinity where the
/// reference differs is counted apart from the error norm, where it would
/// make the error NaN, which a max of errors (std::max, MPI_MAX) may drop.
struct OutputCheck {
  /// ||out - ref|| / ||ref|| over the elements both hold finite; +inf where
  /// the sizes differ, never NaN.
  double error = 0;
  /// Elements whose output or reference is not finite and differs from the
  /// other (NaN equals nothing); the first of them.
  long long nonFinite = 0;
  size_t first = 0;
  float firstValue = 0;
  double firstReference = 0;

  bool passes(double tolerance) const {
    return nonFinite == 0 && error <= tolerance;
  }
};

/// Checks out against the fp64 attention of q [B, HQ, SQ, D] over k, v [B,
/// HKV, S, D], the queries being the last SQ positions.
inline OutputCheck
checkOutput(const std::vector<float> &out, const std::vector<float> &q,
            const std::vector<float> &k, const std::vector<float> &v,
            const AttentionShape &shape, bool causal, unsigned threads = 1) {
  OutputCheck check;
  std::vector<double> qd(q.begin(), q.end()), kd(k.begin(), k.end()),
      vd(v.begin(), v.end());
  std::vector<double> ref(size_t(shape.batch) * shape.qHeads * shape.qLen *
                          shape.headDim),
      lse(size_t(shape.batch) * shape.qHeads * shape.qLen);
  if (out.size() != ref.size()) {
    check.error = std::numeric_limits<double>::infinity();
    return check;
  }
  MaskSpec mask{causal, {shape.kvLen - shape.qLen, 1}, {0, 1}};
  // One (request, kv head) group a task, on `threads` threads (MPI is not
  // called from them): at 3816 tokens and Llama-3-8B's heads the fp64
  // reference is ~60 GFLOP, minutes on one core.
  AttentionShape group = shape;
  group.batch = 1;
  group.qHeads = shape.groupSize();
  group.kvHeads = 1;
  int64_t groups = shape.batch * shape.kvHeads;
  size_t qGroup = size_t(group.qHeads) * shape.qLen;
  size_t kvGroup = size_t(shape.kvLen) * shape.headDim;
  std::atomic<int64_t> next{0};
  auto work = [&] {
    for (int64_t g; (g = next++) < groups;)
      microAttention<double>(
          qd.data() + g * qGroup * shape.headDim, kd.data() + g * kvGroup,
          vd.data() + g * kvGroup, group, mask,
          1.0 / std::sqrt(double(shape.headDim)),
          ref.data() + g * qGroup * shape.headDim, lse.data() + g * qGroup);
  };
  std::vector<std::thread> pool;
  for (int64_t i = 1; i < std::min<int64_t>(threads, groups); ++i) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error &) {
      break; // no more threads: the ones running take the rest
    }
  }
  work();
  for (std::thread &t : pool)
    t.join();
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(out[i]) || !std::isfinite(ref[i])) {
      if (double(out[i]) != ref[i] && check.nonFinite++ == 0) {
        check.first = i;
        check.firstValue = out[i];
        check.firstReference = ref[i];
      }
      continue;
    }
    num += (out[i] - ref[i]) * (out[i] - ref[i]);
    den += ref[i] * ref[i];
  }
  check.error = den > 0   ? std::sqrt(num / den)
                : num > 0 ? std::numeric_limits<double>::infinity()
                          : 0;
  if (std::isnan(check.error)) // inf / inf from finite terms
    check.error = std::numeric_limits<double>::infinity();
  return check;
}

/// Every rank's check, on the root.
struct CheckSummary {
  double worst = 0;
  long long nonFinite = 0;
  int failedRanks = 0;
};

/// Gathers the checks of every rank of `comm` on its `root`: the largest
/// error, the non-finite values, the ranks that failed (`failed`: this
/// rank's call or check). Counts, not a max of errors, decide: MPI_MAX keeps
/// or drops a NaN depending on the order it meets it. Each rank with
/// non-finite values names its first on stderr. Collective over `comm`.
inline CheckSummary reduceChecks(const OutputCheck &check, bool failed,
                                 MPI_Comm comm, int root = 0) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  if (check.nonFinite > 0)
    std::fprintf(stderr,
                 "runner: rank %d: %lld non-finite output value(s) where the "
                 "reference differs, the first at element %zu: %g (reference "
                 "%g)\n",
                 rank, check.nonFinite, check.first, double(check.firstValue),
                 check.firstReference);
  CheckSummary summary;
  int fail = failed ? 1 : 0;
  MPI_Reduce(&check.error, &summary.worst, 1, MPI_DOUBLE, MPI_MAX, root, comm);
  MPI_Reduce(&check.nonFinite, &summary.nonFinite, 1, MPI_LONG_LONG, MPI_SUM,
             root, comm);
  MPI_Reduce(&fail, &summary.failedRanks, 1, MPI_INT, MPI_SUM, root, comm);
  return summary;
}

} // namespace distattn::runner

#endif
