//===- lse_sum.cuh - Exact running sums of attention states ---------------===//
//
// The sum of exp(lse) over states, kept as a max and the rest relative to
// it, and the fold of a chunk of states into such a sum with one exp a
// state: the merge of many states (merge.cu) and the paged decode's merge
// of its parts (paged_decode_kernel.cuh) both stream states through it.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_CUDA_LSE_SUM_CUH
#define DISTATTN_CUDA_LSE_SUM_CUH

#include <cuda_runtime.h>

#include <cmath>

namespace distattn {
namespace cuda {
namespace detail {

/// A partial lse sum in the max + log1p form: the states seen so far hold
/// exp(m) * (1 + rest), rest = sum of exp(lse - m) over all but one state
/// at the max (empty: m = -inf, rest = 0). Adding one more, or another
/// such sum, keeps the 1 of the max out of `rest`, so that log1p(rest) is
/// as exact as the two-state merge's.
struct LseSum {
  float m = -INFINITY, rest = 0.f;
  /// Makes m2 (> m) the max, the old max's 1 joining `rest`; returns the
  /// factor the old sums scale by, exp(m - m2) (0 where there were none).
  __device__ __forceinline__ float raiseTo(float m2) {
    const float scale = m == -INFINITY ? 0.f : expf(m - m2);
    rest = m == -INFINITY ? 0.f : (1.f + rest) * scale;
    m = m2;
    return scale;
  }
  __device__ __forceinline__ void add(float m2, float rest2) {
    if (m2 == -INFINITY)
      return;
    if (m2 > m) {
      raiseTo(m2);
      rest += rest2;
    } else {
      rest += (1.f + rest2) * expf(m2 - m);
    }
  }
  /// The merged lse of the states summed.
  __device__ __forceinline__ float lse() const {
    return m == -INFINITY ? -INFINITY : m + log1pf(rest);
  }
};

/// Folds K states (lse l[k], -inf for none, and a float4 of each one's out
/// row) into `sum` and the accumulator `a` of out weighted by exp(lse - m),
/// as LseSum::add would fold them one by one, with one exp a state (its
/// weight, which is also its share of `rest`) instead of two in a serial
/// chain: where a state of the chunk raises the max, the first such state
/// holds the sum's 1 and the old sum and accumulator scale by
/// exp(old max - m). The caller loads the whole chunk before folding it, so
/// that the loads are in flight together.
template <int K>
__device__ __forceinline__ void
foldStates(LseSum &sum, float4 &a, const float (&l)[K], const float4 (&v)[K]) {
  float m = sum.m;
#pragma unroll
  for (int k = 0; k < K; ++k)
    m = fmaxf(m, l[k]);
  if (m == -INFINITY)
    return; // only empty states so far: weight 0
  bool oneTaken = m == sum.m;
  if (m > sum.m) {
    const float scale = sum.raiseTo(m);
    a.x *= scale;
    a.y *= scale;
    a.z *= scale;
    a.w *= scale;
  }
#pragma unroll
  for (int k = 0; k < K; ++k) {
    if (l[k] == -INFINITY)
      continue;
    const float w = expf(l[k] - m);
    if (!oneTaken && l[k] == m)
      oneTaken = true;
    else
      sum.rest += w;
    a.x = fmaf(v[k].x, w, a.x);
    a.y = fmaf(v[k].y, w, a.y);
    a.z = fmaf(v[k].z, w, a.z);
    a.w = fmaf(v[k].w, w, a.w);
  }
}

} // namespace detail
} // namespace cuda
} // namespace distattn

#endif // DISTATTN_CUDA_LSE_SUM_CUH
