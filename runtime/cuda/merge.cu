//===- merge.cu - n attention states -> one -------------------------------===//
//
//   lse = m + log1p(sum_{i != argmax} exp(lse_i - m)),  m = max_i lse_i
//   out = sum_i out_i * exp(lse_i - lse)
//
// mergeStatesKernel (few states, many rows) keeps all threads of a row in
// one warp (TPR threads a row, float4 each), so the row's lse can be written
// in place after a __syncwarp; mergeManyKernel (many states, few rows: one
// block a row) after its one barrier. Either way out/lse may alias the first
// state. Rows whose lse are all -inf become the identity (0, -inf).
//
//===----------------------------------------------------------------------===//
#include "common.cuh"
#include "distattn/cuda/kernels.h"
#include "lse_sum.cuh"

#include <type_traits>

namespace distattn {
namespace cuda {
namespace {

constexpr int kMaxPtrStates = 16;

struct StateTable {
  const float *outs[kMaxPtrStates];
  const float *lses[kMaxPtrStates];
};

struct PtrAccess {
  StateTable t;
  __host__ __device__ __forceinline__ const float *out(int s) const {
    return t.outs[s];
  }
  __host__ __device__ __forceinline__ const float *lse(int s) const {
    return t.lses[s];
  }
};
struct StridedAccess {
  const float *outs, *lses;
  int64_t outStride, lseStride;
  __host__ __device__ __forceinline__ const float *out(int s) const {
    return outs + s * outStride;
  }
  __host__ __device__ __forceinline__ const float *lse(int s) const {
    return lses + s * lseStride;
  }
};

/// TPR threads per row (a divisor of 32); each thread covers float4 columns
/// c, c + TPR, ... of RowsPerThread rows spaced RowsPerPass apart, so that
/// several rows' loads are in flight at once. Streaming (evict-first) loads:
/// the states are read once.

template <typename Access, int TPR, int R, int Pre>
__global__ void __launch_bounds__(256)
    mergeStatesKernel(Access acc, int n, int64_t rows, int headDim, float *out,
                      float *lse) {
  constexpr int RowsPerPass = 256 / TPR;
  // R rows a thread; the first column of the first Pre states is loaded
  // up front.
  const int64_t row0 =
      int64_t(blockIdx.x) * RowsPerPass * R + threadIdx.x / TPR;
  const int c0 = threadIdx.x % TPR;
  const int vecs = headDim / 4;
  auto rowAt = [&](int k) { return row0 + int64_t(k) * RowsPerPass; };
  auto ld = [&](int s, int k, int c) {
    return __ldcs(
        reinterpret_cast<const float4 *>(acc.out(s) + rowAt(k) * headDim) + c);
  };
  // The out values are independent of the lse arithmetic: issue their loads
  // first so that both round trips overlap.
  float4 pre[Pre][R];
#pragma unroll
  for (int j = 0; j < Pre; ++j)
#pragma unroll
    for (int k = 0; k < R; ++k)
      pre[j][k] = (j < n && rowAt(k) < rows && c0 < vecs)
                      ? ld(j, k, c0)
                      : make_float4(0.f, 0.f, 0.f, 0.f);
  // merged = m + log1p(sum_{s != argmax} exp(lse_s - m)); the TPR lanes of
  // a row take the states in turn and reduce by shuffles (width TPR).
  float merged[R];
#pragma unroll
  for (int k = 0; k < R; ++k) {
    const int64_t row = rowAt(k);
    const bool live = row < rows;
    float m = -INFINITY;
    if (live)
      for (int s = c0; s < n; s += TPR)
        m = fmaxf(m, acc.lse(s)[row]);
#pragma unroll
    for (int o = TPR / 2; o > 0; o >>= 1)
      m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
    int arg = n;
    if (live)
      for (int s = c0; s < n; s += TPR)
        if (acc.lse(s)[row] == m) {
          arg = s;
          break;
        }
#pragma unroll
    for (int o = TPR / 2; o > 0; o >>= 1)
      arg = min(arg, __shfl_xor_sync(0xffffffffu, arg, o));
    float rest = 0.f;
    if (live && m != -INFINITY)
      for (int s = c0; s < n; s += TPR)
        if (s != arg)
          rest += expf(acc.lse(s)[row] - m);
#pragma unroll
    for (int o = TPR / 2; o > 0; o >>= 1)
      rest += __shfl_xor_sync(0xffffffffu, rest, o);
    merged[k] = m == -INFINITY ? -INFINITY : m + log1pf(rest);
  }
  __syncwarp(); // every lse of the rows read before they may be overwritten
  // Weights exp(lse_s - merged); an all-empty row uses base 0 so that every
  // weight is exp(-inf) = 0 and the row becomes the identity.
  float base[R];
#pragma unroll
  for (int k = 0; k < R; ++k)
    base[k] = merged[k] == -INFINITY ? 0.f : merged[k];
  for (int c = c0; c < vecs; c += TPR) {
    float4 a[R];
#pragma unroll
    for (int k = 0; k < R; ++k)
      a[k] = make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
    for (int j = 0; j < Pre; ++j) {
      if (j >= n)
        break;
#pragma unroll
      for (int k = 0; k < R; ++k) {
        if (rowAt(k) >= rows)
          continue;
        float4 v = c == c0 ? pre[j][k] : ld(j, k, c);
        float w = expf(acc.lse(j)[rowAt(k)] - base[k]);
        a[k].x = fmaf(v.x, w, a[k].x);
        a[k].y = fmaf(v.y, w, a[k].y);
        a[k].z = fmaf(v.z, w, a[k].z);
        a[k].w = fmaf(v.w, w, a[k].w);
      }
    }
#pragma unroll 4
    for (int s = Pre; s < n; ++s) {
#pragma unroll
      for (int k = 0; k < R; ++k) {
        if (rowAt(k) >= rows)
          continue;
        float4 v = ld(s, k, c);
        float w = expf(acc.lse(s)[rowAt(k)] - base[k]);
        a[k].x = fmaf(v.x, w, a[k].x);
        a[k].y = fmaf(v.y, w, a[k].y);
        a[k].z = fmaf(v.z, w, a[k].z);
        a[k].w = fmaf(v.w, w, a[k].w);
      }
    }
#pragma unroll
    for (int k = 0; k < R; ++k)
      if (rowAt(k) < rows)
        reinterpret_cast<float4 *>(out + rowAt(k) * headDim)[c] = a[k];
  }
  if (c0 == 0) {
#pragma unroll
    for (int k = 0; k < R; ++k)
      if (rowAt(k) < rows)
        lse[rowAt(k)] = merged[k];
  }
}

template <typename Access>
int launchMerge(const Access &acc, int n, int64_t rows, int headDim, float *out,
                float *lse, cudaStream_t stream) {
  if (n < 1 || rows < 0 || headDim <= 0 || headDim % 4 != 0 ||
      reinterpret_cast<uintptr_t>(out) % 16 != 0 || !out || !lse)
    return int(cudaErrorInvalidValue);
  for (int s = 0; s < n; ++s)
    if (!acc.out(s) || !acc.lse(s) ||
        reinterpret_cast<uintptr_t>(acc.out(s)) % 16 != 0)
      return int(cudaErrorInvalidValue);
  if (rows == 0)
    return 0;
  int vecs = headDim / 4;
  int tpr = vecs >= 32 ? 32 : vecs >= 16 ? 16 : vecs >= 8 ? 8 : 4;
  // Loads in flight a thread: R rows x Pre states (n <= 2: 2 x 2,
  // n <= 4: 2 x 4, else 1 x 8, the rest streamed).
  int r = n <= 2 ? 4 : n <= 4 ? 2 : 1;
  int64_t rowsPerBlock = 256 / tpr * (r == 4 ? 2 : r);
  int64_t blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
  if (blocks > INT32_MAX)
    return int(cudaErrorInvalidValue);
  auto go = [&](auto tprC) {
    constexpr int T = decltype(tprC)::value;
    if (r == 4)
      mergeStatesKernel<Access, T, 2, 2><<<unsigned(blocks), 256, 0, stream>>>(
          acc, n, rows, headDim, out, lse);
    else if (r == 2)
      mergeStatesKernel<Access, T, 2, 4><<<unsigned(blocks), 256, 0, stream>>>(
          acc, n, rows, headDim, out, lse);
    else
      mergeStatesKernel<Access, T, 1, 8><<<unsigned(blocks), 256, 0, stream>>>(
          acc, n, rows, headDim, out, lse);
  };
  switch (tpr) {
  case 32:
    go(std::integral_constant<int, 32>{});
    break;
  case 16:
    go(std::integral_constant<int, 16>{});
    break;
  case 8:
    go(std::integral_constant<int, 8>{});
    break;
  default:
    go(std::integral_constant<int, 4>{});
    break;
  }
  return int(cudaGetLastError());
}

} // namespace

/// Used by the paged decode launcher to merge the split grid's states (its
/// splits under 1024 tokens, or the in-kernel merges turned off).
/// Many states, few rows (the splits of a decode): one block a row, the
/// states dealt round-robin to 256 / (D/4) groups of threads. A group loads
/// the lse and out rows of eight of its states at once, then sums out
/// relative to its own running max (rescaled when a chunk raises it, as a
/// flash kernel does), so that no load waits on a block-wide reduction; the
/// groups' sums meet in shared memory after one barrier (on H100s, 1 x 1M
/// decode's 115 splits, before the decode in parts: 4.6 us in the decode,
/// 4.2 alone; a max pass, an lse pass and a weighted pass took 7.9-8.6, and
/// two exps a state in a serial chain 5.3 and 4.9). out/lse may alias state
/// 0: every read of the row happens before that barrier, every write after
/// it.
template <int Vecs>
__global__ void __launch_bounds__(256)
    mergeManyKernel(StridedAccess acc, int n, float *out, float *lse) {
  constexpr int Groups = 256 / Vecs;
  __shared__ float4 sPart[Groups][Vecs];
  __shared__ float sMax[Groups], sRest[Groups];
  const int64_t row = blockIdx.x;
  const int g = threadIdx.x / Vecs, c = threadIdx.x % Vecs;
  detail::LseSum sum;
  float4 a = make_float4(0.f, 0.f, 0.f, 0.f);
  // Chunks of kChunk states a thread, all loaded before any is used.
  constexpr int kChunk = 8;
  for (int s0 = g; s0 < n; s0 += Groups * kChunk) {
    float l[kChunk];
    float4 v[kChunk];
#pragma unroll
    for (int k = 0; k < kChunk; ++k) {
      const int s = s0 + k * Groups;
      l[k] = s < n ? acc.lse(s)[row] : -INFINITY;
      v[k] = s < n ? __ldcs(reinterpret_cast<const float4 *>(acc.out(s) +
                                                             row * (Vecs * 4)) +
                            c)
                   : make_float4(0.f, 0.f, 0.f, 0.f);
    }
    detail::foldStates(sum, a, l, v);
  }
  sPart[g][c] = a;
  if (c == 0) {
    sMax[g] = sum.m;
    sRest[g] = sum.rest;
  }
  __syncthreads();
  if (g != 0)
    return;
  detail::LseSum all;
#pragma unroll
  for (int k = 0; k < Groups; ++k)
    all.add(sMax[k], sRest[k]);
  const float merged = all.lse();
  float4 o = make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
  for (int k = 0; k < Groups; ++k) {
    if (sMax[k] == -INFINITY)
      continue;
    const float w = expf(sMax[k] - merged);
    const float4 b = sPart[k][c];
    o.x = fmaf(b.x, w, o.x);
    o.y = fmaf(b.y, w, o.y);
    o.z = fmaf(b.z, w, o.z);
    o.w = fmaf(b.w, w, o.w);
  }
  reinterpret_cast<float4 *>(out + row * (Vecs * 4))[c] = o;
  if (c == 0)
    lse[row] = merged;
}

int mergeStridedStates(const float *outs, const float *lses, int n,
                       int64_t rows, int headDim, float *out, float *lse,
                       cudaStream_t stream) {
  StridedAccess a{outs, lses, rows * headDim, rows};
  if (n > 8 && rows <= 4096 && rows < INT32_MAX &&
      (headDim == 64 || headDim == 128 || headDim == 256)) {
    if (headDim == 64)
      mergeManyKernel<16><<<unsigned(rows), 256, 0, stream>>>(a, n, out, lse);
    else if (headDim == 128)
      mergeManyKernel<32><<<unsigned(rows), 256, 0, stream>>>(a, n, out, lse);
    else
      mergeManyKernel<64><<<unsigned(rows), 256, 0, stream>>>(a, n, out, lse);
    return int(cudaGetLastError());
  }
  return launchMerge(a, n, rows, headDim, out, lse, stream);
}

} // namespace cuda
} // namespace distattn

extern "C" int da_merge_states(const float *const *outs,
                               const float *const *lses, int n, int64_t rows,
                               int headDim, float *out, float *lse,
                               void *stream) {
  using namespace distattn::cuda;
  if (n < 1 || n > kMaxPtrStates || !outs || !lses)
    return int(cudaErrorInvalidValue);
  PtrAccess a{};
  for (int s = 0; s < n; ++s) {
    a.t.outs[s] = outs[s];
    a.t.lses[s] = lses[s];
  }
  return launchMerge(a, n, rows, headDim, out, lse,
                     static_cast<cudaStream_t>(stream));
}

extern "C" int da_merge_states_strided(const float *outs, const float *lses,
                                       int n, int64_t rows, int headDim,
                                       float *out, float *lse, void *stream) {
  return distattn::cuda::mergeStridedStates(outs, lses, n, rows, headDim, out,
                                            lse,
                                            static_cast<cudaStream_t>(stream));
}
