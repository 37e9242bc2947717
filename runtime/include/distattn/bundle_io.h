//===- bundle_io.h - Run-time lengths at a bundle's C API -------*- C++ -*-===//
//
// A bundle holds plans compiled for sequence lengths S, 2S, 4S, ... (one,
// S, unless dattnc --max-seq-len asked for more); its C API takes any length
// 1 <= L <= the longest at run time and runs the shortest plan that holds
// L. The inputs are padded to that plan's length along the sequence axis
// (zeros), the runtime hides keys at positions >= L from every tile (its
// valid-length clamp of k_end), prefill skips the padding's query rows,
// and the output's first rows are returned. Transfers and merges move the
// plan's length's worth.
//
// Header-only, plain C++; the host and the cuda bundles share it.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_BUNDLE_IO_H
#define DISTATTN_BUNDLE_IO_H

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace distattn::bundle {

/// [outer, rows, inner] row-major with `rows` rows, as [outer, padded,
/// inner] with zeros after them.
inline std::vector<float> padRows(const float *data, int64_t outer,
                                  int64_t rows, int64_t padded, int64_t inner) {
  std::vector<float> result(size_t(outer * padded * inner), 0.0f);
  for (int64_t o = 0; o < outer; ++o)
    std::copy(data + o * rows * inner, data + (o + 1) * rows * inner,
              result.begin() + o * padded * inner);
  return result;
}

/// The first `rows` of each [padded, inner] slab of `data` into `out`.
inline void unpadRows(const std::vector<float> &data, int64_t outer,
                      int64_t rows, int64_t padded, int64_t inner, float *out) {
  for (int64_t o = 0; o < outer; ++o)
    std::copy(data.begin() + o * padded * inner,
              data.begin() + (o * padded + rows) * inner,
              out + o * rows * inner);
}

/// The query (and output) rows of a run of `seqLen` tokens on a plan
/// compiled for `kvLen` keys and `qLen` queries: a row per token for
/// prefill (qLen == kvLen), the last qLen tokens' for decode.
inline long long queryRows(long long seqLen, long long kvLen, long long qLen) {
  return qLen == kvLen ? seqLen : qLen;
}

/// The compiled length a run of `seqLen` tokens takes: the shortest of
/// `lengths` (ascending) that holds it, or the longest when none does
/// (padRun then refuses the run; dattn_plan_length returns 0 for it).
template <size_t N>
inline long long planLength(long long seqLen, const long long (&lengths)[N]) {
  for (long long length : lengths)
    if (seqLen <= length)
      return length;
  return lengths[N - 1];
}

/// Whether a plan of `kvLen` keys and `qLen` queries runs its own length
/// only: its queries are neither all the tokens nor one, so their causal
/// positions are compiled in.
inline bool fixedLength(long long qLen, long long kvLen) {
  return qLen != kvLen && qLen != 1;
}

/// Whether a plan of `kvLen` keys and `qLen` queries runs `seqLen` tokens:
/// 1 <= seqLen <= kvLen, and only kvLen itself where fixedLength.
inline bool runsLength(long long seqLen, long long qLen, long long kvLen) {
  return seqLen >= 1 && seqLen <= kvLen &&
         (seqLen == kvLen || !fixedLength(qLen, kvLen));
}

/// One run's inputs padded to the compiled shape: q [batch, qHeads, qLen,
/// headDim], k and v [batch, kvHeads, kvLen, headDim].
struct PaddedRun {
  long long rows = 0; // queryRows()
  std::vector<float> q, k, v;
};

/// Pads a run of `seqLen` tokens to a plan of `kvLen` keys and `qLen`
/// queries; false, with a message naming `api` on stderr, for a length the
/// bundle cannot run: outside [1, kvLen] (kvLen is the plan planLength
/// chose, `maxLen` the bundle's longest), or other than kvLen where the
/// queries are neither all the tokens nor one (their causal positions are
/// compiled in).
inline bool padRun(const char *api, long long seqLen, long long batch,
                   long long qHeads, long long kvHeads, long long qLen,
                   long long kvLen, long long maxLen, long long headDim,
                   const float *q, const float *k, const float *v,
                   PaddedRun &run) {
  if (!runsLength(seqLen, qLen, kvLen)) {
    std::fprintf(stderr, "%s: sequence length %lld is not in [1, %lld]%s\n",
                 api, seqLen, maxLen,
                 fixedLength(qLen, kvLen)
                     ? " (this plan runs only its compiled length)"
                 : maxLen == kvLen && seqLen > kvLen
                     ? " (dattnc --max-seq-len compiles longer plans)"
                     : "");
    return false;
  }
  run.rows = queryRows(seqLen, kvLen, qLen);
  run.q = padRows(q, batch * qHeads, run.rows, qLen, headDim);
  run.k = padRows(k, batch * kvHeads, seqLen, kvLen, headDim);
  run.v = padRows(v, batch * kvHeads, seqLen, kvLen, headDim);
  return true;
}

} // namespace distattn::bundle

#endif // DISTATTN_BUNDLE_IO_H
