//===- reference.h - Host reference attention arithmetic -------*- C++ -*-===//
//
// The arithmetic every distattn layer agrees on: a micro-attention (MA) over
// one (q tile, kv tile) pair returns an attention state (out, lse), and states
// merge exactly. `out` is the softmax-normalised partial output and `lse` the
// natural-log sum of exp(scores) of the visible keys, both kept in the
// accumulation type (fp32 or fp64, never the input type: keeping partials in
// bf16 is the bug ring implementations report most).
//
// Layouts are dense row-major: q/out [B, Hq, Sq, D], k/v [B, Hkv, Sk, D],
// lse [B, Hq, Sq]. A row that sees no key has out = 0 and lse = -inf, which is
// also the merge identity.
//
// These templates serve as the test oracle, the host target's kernels, and
// (with Acc = double) the compiler's reference evaluator.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_REFERENCE_H
#define DISTATTN_REFERENCE_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace distattn {

/// Global token position of the i-th row (or column) of a tile:
/// pos = offset + stride * i. Contiguous tiles have stride 1, striped tiles
/// stride N; a zigzag rank holds two contiguous tiles.
struct PositionMap {
  int64_t offset = 0;
  int64_t stride = 1;
  int64_t at(int64_t i) const { return offset + stride * i; }
  /// How many of the first `n` positions lie before `limit` (a prefix, as
  /// stride >= 1). `limit` may be INT64_MAX: nothing is added to it.
  int64_t countBefore(int64_t limit, int64_t n) const {
    return limit <= offset ? 0 : std::min(n, (limit - offset - 1) / stride + 1);
  }
};

/// Which (q, k) pairs of a tile are visible: keys before `kLimit` (the
/// sequence length; later positions are padding), and with `causal` only
/// those at or before the query's position.
struct MaskSpec {
  bool causal = false;
  PositionMap q, k;
  int64_t kLimit = std::numeric_limits<int64_t>::max();
  bool visible(int64_t i, int64_t j) const {
    return k.at(j) < kLimit && (!causal || q.at(i) >= k.at(j));
  }
  /// The mask of the sub-tile starting at local row qBegin, column kBegin.
  MaskSpec subTile(int64_t qBegin, int64_t kBegin) const {
    return {causal, {q.at(qBegin), q.stride}, {k.at(kBegin), k.stride}, kLimit};
  }
};

/// How much of a tile a mask leaves visible. Decided in closed form from the
/// extreme positions, so whole tiles are classified at compile time.
enum class TileCoverage { None, Partial, All };

inline TileCoverage classifyTile(const MaskSpec &mask, int64_t qLen,
                                 int64_t kLen) {
  int64_t kMin = mask.k.at(0), kMax = mask.k.at(kLen - 1);
  if (kMin >= mask.kLimit)
    return TileCoverage::None;
  bool allBeforeLimit = kMax < mask.kLimit;
  if (!mask.causal)
    return allBeforeLimit ? TileCoverage::All : TileCoverage::Partial;
  int64_t qMin = mask.q.at(0), qMax = mask.q.at(qLen - 1);
  if (qMax < kMin)
    return TileCoverage::None;
  if (qMin >= kMax && allBeforeLimit)
    return TileCoverage::All;
  return TileCoverage::Partial;
}

struct AttentionShape {
  int64_t batch = 1, qHeads = 1, kvHeads = 1, qLen = 1, kvLen = 1, headDim = 1;
  int64_t groupSize() const { return qHeads / kvHeads; }
};

/// One micro-attention: (out, lse) of q against the visible keys of k/v.
template <typename Acc, typename In>
void microAttention(const In *q, const In *k, const In *v,
                    const AttentionShape &s, const MaskSpec &mask, Acc scale,
                    Acc *out, Acc *lse) {
  const Acc negInf = -std::numeric_limits<Acc>::infinity();
  std::vector<Acc> scores(s.kvLen);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.qHeads; ++h) {
      int64_t kvh = h / s.groupSize();
      const In *kHead = k + (b * s.kvHeads + kvh) * s.kvLen * s.headDim;
      const In *vHead = v + (b * s.kvHeads + kvh) * s.kvLen * s.headDim;
      for (int64_t i = 0; i < s.qLen; ++i) {
        int64_t row = (b * s.qHeads + h) * s.qLen + i;
        const In *qRow = q + row * s.headDim;
        Acc *outRow = out + row * s.headDim;
        Acc rowMax = negInf;
        for (int64_t j = 0; j < s.kvLen; ++j) {
          if (!mask.visible(i, j)) {
            scores[j] = negInf;
            continue;
          }
          Acc dot = 0;
          for (int64_t d = 0; d < s.headDim; ++d)
            dot += Acc(qRow[d]) * Acc(kHead[j * s.headDim + d]);
          scores[j] = dot * scale;
          rowMax = std::max(rowMax, scores[j]);
        }
        std::fill(outRow, outRow + s.headDim, Acc(0));
        if (rowMax == negInf) {
          lse[row] = negInf;
          continue;
        }
        Acc sum = 0;
        for (int64_t j = 0; j < s.kvLen; ++j) {
          if (scores[j] == negInf)
            continue;
          Acc p = std::exp(scores[j] - rowMax);
          sum += p;
          for (int64_t d = 0; d < s.headDim; ++d)
            outRow[d] += p * Acc(vHead[j * s.headDim + d]);
        }
        for (int64_t d = 0; d < s.headDim; ++d)
          outRow[d] /= sum;
        lse[row] = rowMax + std::log(sum);
      }
    }
  }
}

/// Merges n states of `rows` rows of `headDim` each into (out, lse):
///   lse = log(sum_i exp(lse_i)),  out = sum_i out_i * exp(lse_i - lse).
/// Exact up to rounding in any order; rows where every lse is -inf stay the
/// identity (out = 0, lse = -inf). `out`/`lse` may alias the first state.
template <typename Acc>
void mergeStates(const std::vector<const Acc *> &outs,
                 const std::vector<const Acc *> &lses, int64_t rows,
                 int64_t headDim, Acc *out, Acc *lse) {
  const Acc negInf = -std::numeric_limits<Acc>::infinity();
  std::vector<Acc> weights(outs.size());
  std::vector<Acc> acc(headDim);
  for (int64_t r = 0; r < rows; ++r) {
    Acc m = negInf;
    for (const Acc *l : lses)
      m = std::max(m, l[r]);
    if (m == negInf) {
      std::fill(out + r * headDim, out + (r + 1) * headDim, Acc(0));
      lse[r] = negInf;
      continue;
    }
    Acc sum = 0;
    for (size_t i = 0; i < lses.size(); ++i)
      sum += std::exp(lses[i][r] - m);
    Acc merged = m + std::log(sum);
    for (size_t i = 0; i < lses.size(); ++i)
      weights[i] = std::exp(lses[i][r] - merged);
    std::fill(acc.begin(), acc.end(), Acc(0));
    for (size_t i = 0; i < outs.size(); ++i)
      for (int64_t d = 0; d < headDim; ++d)
        acc[d] += outs[i][r * headDim + d] * weights[i];
    std::copy(acc.begin(), acc.end(), out + r * headDim);
    lse[r] = merged;
  }
}

/// Two-state merge in the max + log1p form the kernels use.
template <typename Acc> inline Acc mergeLse(Acc a, Acc b) {
  Acc m = std::max(a, b);
  if (m == -std::numeric_limits<Acc>::infinity())
    return m;
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

/// Default softmax scale: 1 / sqrt(head_dim).
inline double defaultScale(int64_t headDim) {
  return 1.0 / std::sqrt(double(headDim));
}

/// Elements of a dense tensor of `shape`.
inline int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Row-major strides (in elements) of a dense tensor of `shape`.
inline std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int i = int(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Calls fn(index) for every multi-index of `shape` (any container of
/// int64_t extents), row-major; never for an empty shape. The host runtime
/// and the compiler's evaluator both walk tensors with it.
template <typename Shape, typename Fn>
void forEachIndex(const Shape &shape, Fn fn) {
  for (int64_t d : shape)
    if (d == 0)
      return;
  std::vector<int64_t> index(shape.size(), 0);
  while (true) {
    fn(index);
    int d = int(shape.size()) - 1;
    for (; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

} // namespace distattn

#endif // DISTATTN_REFERENCE_H
