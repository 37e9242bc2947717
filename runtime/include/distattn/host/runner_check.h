//===- runner_check.h - Seeded inputs and the reference check ---*- C++ -*-===//
//
// What the host runners share: every rank makes the same seeded inputs, runs
// a plan, and compares the whole output with the fp64 reference attention.
// Header-only; needs distattn/reference.h.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_HOST_RUNNER_CHECK_H
#define DISTATTN_HOST_RUNNER_CHECK_H

#include "distattn/reference.h"

#include <cmath>
#include <cstdint>
#include <random>
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

/// ||out - ref|| / ||ref|| where ref is the fp64 attention of q [B, HQ, SQ,
/// D] over k, v [B, HKV, S, D], the queries being the last SQ positions.
inline double relativeError(const std::vector<float> &out,
                            const std::vector<float> &q,
                            const std::vector<float> &k,
                            const std::vector<float> &v,
                            const AttentionShape &shape, bool causal) {
  std::vector<double> qd(q.begin(), q.end()), kd(k.begin(), k.end()),
      vd(v.begin(), v.end());
  std::vector<double> ref(size_t(shape.batch) * shape.qHeads * shape.qLen *
                          shape.headDim),
      lse(size_t(shape.batch) * shape.qHeads * shape.qLen);
  if (out.size() != ref.size())
    return 1.0;
  MaskSpec mask{causal, {shape.kvLen - shape.qLen, 1}, {0, 1}};
  microAttention<double>(qd.data(), kd.data(), vd.data(), shape, mask,
                         1.0 / std::sqrt(double(shape.headDim)), ref.data(),
                         lse.data());
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    num += (out[i] - ref[i]) * (out[i] - ref[i]);
    den += ref[i] * ref[i];
  }
  return std::sqrt(num / den);
}

} // namespace distattn::runner

#endif
