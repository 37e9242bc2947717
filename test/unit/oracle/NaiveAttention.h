//===- NaiveAttention.h - Attention straight from Spec.md -------*- C++ -*-===//
//
// A second, deliberately naive formulation of dattn.attention and of the
// attention state, written from dialects/DAttn/Spec.md and sharing no code or
// types with distattn/reference.h, so that the two can check each other: the
// whole score matrix is materialised per (batch, q head), the kv head of each
// q head is taken from the definition g(h) = h / (Hq / Hkv), the mask is the
// definition's predicate, and the softmax is two passes (max, then sum) in
// long double. What it gets wrong the reference has to get wrong the same way
// to pass.
//
// Layouts are the spec's: q/out [B, Hq, Sq, D], k/v [B, Hkv, Sk, D],
// lse [B, Hq, Sq], dense row-major.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_TEST_ORACLE_NAIVEATTENTION_H
#define DISTATTN_TEST_ORACLE_NAIVEATTENTION_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace naive {

/// #dattn.mask<kind, q = qOffset + qStride * i, k = kOffset + kStride * j,
/// k_end = kEnd>.
struct Mask {
  bool causal = false;
  int64_t qOffset = 0, qStride = 1, kOffset = 0, kStride = 1;
  std::optional<int64_t> kEnd;
};

/// Spec.md's visibility of the pair (row i, column j) of a tile.
bool isVisible(const Mask &mask, int64_t i, int64_t j);

struct Problem {
  int64_t batch = 1, qHeads = 1, kvHeads = 1, qLen = 1, kvLen = 1, headDim = 1;
  Mask mask;
  /// Absent: the default, 1 / sqrt(D).
  std::optional<double> scale;
};

/// The attention state (out, lse) of a problem, in double.
struct State {
  std::vector<double> out, lse;
};

/// Spec.md's kv head of q head h.
int64_t kvHeadOf(const Problem &p, int64_t h);

/// The state of the queries against the visible keys. With `keys` given
/// (one flag per column j), only the flagged columns count: a partial state
/// over that key subset, as one tile of a split would produce.
State attend(const Problem &p, const std::vector<double> &q,
             const std::vector<double> &k, const std::vector<double> &v,
             const std::vector<bool> *keys = nullptr);

/// "B=1 Hq=4 Hkv=1 Sq=3 Sk=5 D=8 causal q=0+1i k=0+1j k_end=- scale=default",
/// for failure messages.
std::string describe(const Problem &p);

} // namespace naive

#endif // DISTATTN_TEST_ORACLE_NAIVEATTENTION_H
