//===- micro_attention.cu - Micro-attention forward with (out, lse) -------===//
//
// FA2-style tensor-core kernel (mma.sync m16n8k16, ldmatrix, cp.async): each
// block owns Br = 16 * MT * Warps query rows of one kv-head group, each warp
// 16 * MT of them (MT m16 tiles: two halve the shared-memory traffic per
// FLOP); K and V tiles of Bc keys stream through shared memory, either
// single-buffered (the V load overlaps QK^T, the next K load overlaps PV, two
// barriers a tile) or double-buffered (tile j+1 loads while tile j is
// computed, one barrier a tile). Online softmax in base 2 with the scale
// folded in; the epilogue writes the normalised fp32 output and the
// natural-log lse, or merges them into the state already in (out, lse).
// On Hopper the wgmma kernel (micro_attention_sm90.cuh; configs 8 to 14)
// is the default for head_dim 64 and 128, warp-specialised with TMA, its
// warpgroups in FlashAttention-3's ping-pong (configs 13 and 14).
//
// GQA: the G q heads of a kv head are laid out back to back in q/out
// ([B, Hq, Sq, D] with h = kvh * G + hg), so the block's rows are the G*Sq
// rows of the group flattened: one block reads each K/V tile once for all the
// heads of its group (decode-like tiles with Sq = 1 fill the rows with heads).
// Masks: row m is query i = m % Sq at position qOffset + qStride * i; its
// visible keys are the prefix [0, visibleKeyLimit] (index_math.h).
//
//===----------------------------------------------------------------------===//
#include "common.cuh"
#include "distattn/cuda/index_math.h"
#include "distattn/cuda/kernels.h"

#include <atomic>
#include <climits>
#include <cstdlib>
#include <type_traits>

namespace distattn {
namespace cuda {
namespace {

using namespace detail;

constexpr int kDefaultFwdConfigD128 = 13, kDefaultFwdConfigD64 = 14,
              kDefaultFwdConfigD256 = 5, kMaxFwdConfig = 14;

struct FwdParams {
  const void *q, *k, *v;
  float *out, *lse;
  int qHeads, kvHeads, group;
  int qLen, kvLen, rows; // rows = group * qLen
  float scaleLog2;
  int causal, merge;
  int64_t qOffset, qStride, kOffset, kStride;
  int numMTiles;
};

/// The visible-key limit of each row this thread owns (row x at rowOf(x);
/// rows at or past p.rows see every key, harmlessly) and the block's
/// smallest and largest, reduced over the warps through sMin/sMax.
template <int Warps, int NR, typename RowOf>
__device__ __forceinline__ void rowLimits(const FwdParams &p, RowOf rowOf,
                                          int (&rowLim)[NR], int &limMin,
                                          int &limMax, int *sMin, int *sMax) {
  limMin = INT_MAX;
  limMax = -1;
#pragma unroll
  for (int x = 0; x < NR; ++x) {
    if (rowOf(x) < p.rows) {
      int i = rowOf(x) % p.qLen;
      int lim = int(visibleKeyLimit(p.qOffset + p.qStride * i, p.kOffset,
                                    p.kStride, p.kvLen, p.causal != 0));
      rowLim[x] = lim;
      limMin = min(limMin, lim);
      limMax = max(limMax, lim);
    } else {
      rowLim[x] = p.kvLen - 1;
    }
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    limMin = min(limMin, __shfl_xor_sync(0xffffffffu, limMin, o));
    limMax = max(limMax, __shfl_xor_sync(0xffffffffu, limMax, o));
  }
  const int warp = threadIdx.x >> 5;
  if ((threadIdx.x & 31) == 0) {
    sMin[warp] = limMin;
    sMax[warp] = limMax;
  }
  __syncthreads();
  limMin = sMin[0];
  limMax = sMax[0];
#pragma unroll
  for (int w = 1; w < Warps; ++w) {
    limMin = min(limMin, sMin[w]);
    limMax = max(limMax, sMax[w]);
  }
}

/// Epilogue of one row: normalise, lse in natural log, store or merge into
/// the state in (out, lse). The thread holds columns 8 nb + 2t and + 1 for
/// nb < D / 8: acc(nb, 0) and acc(nb, 1). `rowSum` is its share of the sum.
template <int D, typename Acc>
__device__ __forceinline__ void storeRow(const FwdParams &p, int64_t headRow0,
                                         int rowM, float rowMax, float rowSum,
                                         int t, Acc acc) {
  float l = rowSum;
  l += __shfl_xor_sync(0xffffffffu, l, 1);
  l += __shfl_xor_sync(0xffffffffu, l, 2);
  if (rowM >= p.rows)
    return;
  float *lBase = p.lse + headRow0;
  float lseNew = l > 0.f ? rowMax * kLn2 + logf(l) : -INFINITY;
  float inv = l > 0.f ? 1.f / l : 0.f;
  float *orow = p.out + (headRow0 + rowM) * D + 2 * t;
  if (p.merge) {
    float wOld, wNew;
    float merged = mergeWeights(lBase[rowM], lseNew, &wOld, &wNew);
    float sNew = wNew * inv;
#pragma unroll
    for (int nb = 0; nb < D / 8; ++nb) {
      float2 o = *reinterpret_cast<float2 *>(orow + nb * 8);
      o.x = o.x * wOld + acc(nb, 0) * sNew;
      o.y = o.y * wOld + acc(nb, 1) * sNew;
      *reinterpret_cast<float2 *>(orow + nb * 8) = o;
    }
    if (t == 0)
      lBase[rowM] = merged;
  } else {
#pragma unroll
    for (int nb = 0; nb < D / 8; ++nb)
      *reinterpret_cast<float2 *>(orow + nb * 8) =
          make_float2(acc(nb, 0) * inv, acc(nb, 1) * inv);
    if (t == 0)
      lBase[rowM] = lseNew;
  }
}

} // namespace
} // namespace cuda
} // namespace distattn

// The Hopper kernel shares FwdParams and the launch conventions.
#include "micro_attention_sm90.cuh"

namespace distattn {
namespace cuda {
namespace {

template <typename T, int D, int Bc, int Warps, int MT, bool DB> struct FwdCfg {
  static constexpr int Br = 16 * MT * Warps; // MT m16 tiles per warp
  static constexpr int Threads = 32 * Warps;
  static constexpr int Ld = D + 8; // padded row: ldmatrix conflict-free
  static constexpr bool QInRegs = MT == 1 && D <= 128;
  static constexpr int KvSlots = DB ? 2 : 1; // double-buffered K/V ring
  static constexpr size_t SmemBytes =
      size_t(Br + 2 * KvSlots * Bc) * Ld * sizeof(T);
};

/// cp.async a [R, D] tile whose rows [rowStart, rowStart + R) are read from
/// `g` (row-major, D elements a row); rows >= rowEnd are zero-filled.
template <typename T, int D, int R, int Threads>
__device__ __forceinline__ void loadTile(T *s, const T *g, int rowStart,
                                         int rowEnd, int tid) {
  constexpr int Ld = D + 8;
  constexpr int ChunksPerRow = D / 8;
  constexpr int Total = R * ChunksPerRow;
  static_assert(Total % Threads == 0, "tile must split evenly");
#pragma unroll
  for (int it = 0; it < Total / Threads; ++it) {
    int c = tid + it * Threads;
    int r = c / ChunksPerRow, col = (c % ChunksPerRow) * 8;
    int gr = rowStart + r;
    bool valid = gr < rowEnd;
    const T *src = valid ? g + int64_t(gr) * D + col : g;
    cpAsync16(smemAddr(s + r * Ld + col), src, valid);
  }
}

template <typename T, int D, int Bc, int Warps, int MT, bool DB>
__global__ void __launch_bounds__(Warps * 32, 1)
    microAttentionFwd(const FwdParams p) {
  using Cfg = FwdCfg<T, D, Bc, Warps, MT, DB>;
  constexpr int Br = Cfg::Br, Threads = Cfg::Threads, Ld = Cfg::Ld;
  constexpr bool QInRegs = Cfg::QInRegs;
  constexpr int NR = 2 * MT; // rows this thread owns
  extern __shared__ __align__(16) unsigned char smemRaw[];
  T *sQ = reinterpret_cast<T *>(smemRaw);
  T *sK = sQ + Br * Ld;
  T *sV = sK + Cfg::KvSlots * Bc * Ld;
  constexpr uint32_t SlotBytes = Bc * Ld * sizeof(T);
  __shared__ int sLimMin[Warps], sLimMax[Warps];

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int g = lane >> 2, t = lane & 3;
  const int mTile = p.numMTiles - 1 - int(blockIdx.x); // heavy tiles first
  const int kvh = blockIdx.y, b = blockIdx.z;
  const int m0 = mTile * Br;
  const int64_t headRow0 = int64_t(b * p.qHeads + kvh * p.group) * p.qLen;
  const T *qBase = static_cast<const T *>(p.q) + headRow0 * D;
  const int64_t kvOff = int64_t(b * p.kvHeads + kvh) * p.kvLen * D;
  const T *kBase = static_cast<const T *>(p.k) + kvOff;
  const T *vBase = static_cast<const T *>(p.v) + kvOff;

  // Row x of this thread (x = 2*mt + half): m-tile mt of the warp, row g or
  // g + 8 of it. Visible-key limits of each, and the block's extremes.
  const int rowBase = m0 + warp * 16 * MT + g;
  auto rowOf = [&](int x) { return rowBase + (x >> 1) * 16 + 8 * (x & 1); };
  int rowLim[NR], limMin, limMax;
  rowLimits<Warps>(p, rowOf, rowLim, limMin, limMax, sLimMin, sLimMax);
  const int nTiles = int(kvTilesToVisit(limMax, Bc));

  float accO[MT][D / 8][4];
#pragma unroll
  for (int mt = 0; mt < MT; ++mt)
#pragma unroll
    for (int i = 0; i < D / 8; ++i)
      accO[mt][i][0] = accO[mt][i][1] = accO[mt][i][2] = accO[mt][i][3] = 0.f;
  float rowMax[NR], rowSum[NR];
#pragma unroll
  for (int x = 0; x < NR; ++x) {
    rowMax[x] = -INFINITY;
    rowSum[x] = 0.f;
  }
  uint32_t qf[QInRegs ? D / 16 : 1][4];

  // ldmatrix lane offsets (elements) inside a tile.
  const int aRow = warp * 16 * MT + (lane & 15), aCol = (lane >> 4) * 8;
  const int kRow = (lane & 7) + ((lane >> 4) << 3),
            kCol = ((lane >> 3) & 1) * 8;
  const int vRow = lane & 15, vCol = (lane >> 4) * 8;
  const uint32_t sQa = smemAddr(sQ + aRow * Ld + aCol);
  const uint32_t sKa = smemAddr(sK + kRow * Ld + kCol);
  const uint32_t sVa = smemAddr(sV + vRow * Ld + vCol);

  if (nTiles > 0) {
    loadTile<T, D, Br, Threads>(sQ, qBase, m0, p.rows, tid);
    loadTile<T, D, Bc, Threads>(sK, kBase, 0, p.kvLen, tid);
    if constexpr (DB)
      loadTile<T, D, Bc, Threads>(sV, vBase, 0, p.kvLen, tid);
    cpAsyncCommit();
  }
  for (int tile = 0; tile < nTiles; ++tile) {
    const uint32_t slotOff = DB ? (tile & 1) * SlotBytes : 0;
    cpAsyncWait<0>();
    if constexpr (DB) {
      // Tile `tile` landed; every warp is done with the other slot, which
      // now receives tile + 1 while this one is computed.
      __syncthreads();
      if (tile + 1 < nTiles) {
        const int nx = (tile + 1) & 1;
        loadTile<T, D, Bc, Threads>(sK + nx * Bc * Ld, kBase, (tile + 1) * Bc,
                                    p.kvLen, tid);
        loadTile<T, D, Bc, Threads>(sV + nx * Bc * Ld, vBase, (tile + 1) * Bc,
                                    p.kvLen, tid);
        cpAsyncCommit();
      }
    } else {
      __syncthreads(); // K tile (and Q) landed; every warp is done with V
      loadTile<T, D, Bc, Threads>(sV, vBase, tile * Bc, p.kvLen, tid);
      cpAsyncCommit();
    }
    if (QInRegs && tile == 0) {
#pragma unroll
      for (int kk = 0; kk < (QInRegs ? D / 16 : 1); ++kk)
        ldmatrixX4(qf[kk][0], qf[kk][1], qf[kk][2], qf[kk][3],
                   sQa + kk * 16 * sizeof(T));
    }
    // S = Q K^T (16*MT x Bc per warp).
    float s[MT][Bc / 8][4];
#pragma unroll
    for (int mt = 0; mt < MT; ++mt)
#pragma unroll
      for (int i = 0; i < Bc / 8; ++i)
        s[mt][i][0] = s[mt][i][1] = s[mt][i][2] = s[mt][i][3] = 0.f;
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      uint32_t a[MT][4];
      if constexpr (QInRegs) {
        a[0][0] = qf[kk][0];
        a[0][1] = qf[kk][1];
        a[0][2] = qf[kk][2];
        a[0][3] = qf[kk][3];
      } else {
#pragma unroll
        for (int mt = 0; mt < MT; ++mt)
          ldmatrixX4(a[mt][0], a[mt][1], a[mt][2], a[mt][3],
                     sQa + (mt * 16 * Ld + kk * 16) * sizeof(T));
      }
#pragma unroll
      for (int np = 0; np < Bc / 16; ++np) {
        uint32_t b0, b1, b2, b3;
        ldmatrixX4(b0, b1, b2, b3,
                   sKa + slotOff + (np * 16 * Ld + kk * 16) * sizeof(T));
#pragma unroll
        for (int mt = 0; mt < MT; ++mt) {
          MmaOp<T>::run(s[mt][2 * np], a[mt], b0, b1);
          MmaOp<T>::run(s[mt][2 * np + 1], a[mt], b2, b3);
        }
      }
    }
    if (kvTileNeedsMask(tile, Bc, limMin)) {
#pragma unroll
      for (int mt = 0; mt < MT; ++mt)
#pragma unroll
        for (int nt = 0; nt < Bc / 8; ++nt)
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            int j = tile * Bc + nt * 8 + 2 * t + (e & 1);
            if (j > rowLim[2 * mt + (e >> 1)])
              s[mt][nt][e] = -INFINITY;
          }
    }
    // Online softmax (base 2, scale folded in). Reductions as trees and the
    // rows interleaved: the chains of dependent max/add are what stalls.
    float mx[NR];
#pragma unroll
    for (int x = 0; x < NR; ++x) {
      const int mt = x >> 1, h = x & 1;
      float part[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
#pragma unroll
      for (int nt = 0; nt < Bc / 8; ++nt)
        part[nt & 3] =
            fmaxf(part[nt & 3], fmaxf(s[mt][nt][2 * h], s[mt][nt][2 * h + 1]));
      mx[x] = fmaxf(fmaxf(part[0], part[1]), fmaxf(part[2], part[3]));
    }
#pragma unroll
    for (int x = 0; x < NR; ++x)
      mx[x] = fmaxf(mx[x], __shfl_xor_sync(0xffffffffu, mx[x], 1));
#pragma unroll
    for (int x = 0; x < NR; ++x)
      mx[x] = fmaxf(mx[x], __shfl_xor_sync(0xffffffffu, mx[x], 2));
#pragma unroll
    for (int x = 0; x < NR; ++x) {
      const int mt = x >> 1, h = x & 1;
      float mNew = fmaxf(rowMax[x], mx[x] * p.scaleLog2);
      float mUse = mNew == -INFINITY ? 0.f : mNew;
      float corr = fastExp2(rowMax[x] - mUse);
      rowMax[x] = mNew;
#pragma unroll
      for (int nt = 0; nt < D / 8; ++nt) {
        accO[mt][nt][2 * h] *= corr;
        accO[mt][nt][2 * h + 1] *= corr;
      }
      float part[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
      for (int nt = 0; nt < Bc / 8; ++nt) {
        s[mt][nt][2 * h] = fastExp2(fmaf(s[mt][nt][2 * h], p.scaleLog2, -mUse));
        s[mt][nt][2 * h + 1] =
            fastExp2(fmaf(s[mt][nt][2 * h + 1], p.scaleLog2, -mUse));
        part[nt & 3] += s[mt][nt][2 * h] + s[mt][nt][2 * h + 1];
      }
      rowSum[x] =
          fmaf(rowSum[x], corr, (part[0] + part[1]) + (part[2] + part[3]));
    }
    if constexpr (!DB) {
      cpAsyncWait<0>();
      __syncthreads(); // V tile landed; every warp is done with K
      if (tile + 1 < nTiles) {
        loadTile<T, D, Bc, Threads>(sK, kBase, (tile + 1) * Bc, p.kvLen, tid);
        cpAsyncCommit();
      }
    }
    // O += P V.
#pragma unroll
    for (int kk = 0; kk < Bc / 16; ++kk) {
      uint32_t a[MT][4];
#pragma unroll
      for (int mt = 0; mt < MT; ++mt) {
        a[mt][0] = MmaOp<T>::pack(s[mt][2 * kk][0], s[mt][2 * kk][1]);
        a[mt][1] = MmaOp<T>::pack(s[mt][2 * kk][2], s[mt][2 * kk][3]);
        a[mt][2] = MmaOp<T>::pack(s[mt][2 * kk + 1][0], s[mt][2 * kk + 1][1]);
        a[mt][3] = MmaOp<T>::pack(s[mt][2 * kk + 1][2], s[mt][2 * kk + 1][3]);
      }
#pragma unroll
      for (int dp = 0; dp < D / 16; ++dp) {
        uint32_t b0, b1, b2, b3;
        ldmatrixX4Trans(b0, b1, b2, b3,
                        sVa + slotOff + (kk * 16 * Ld + dp * 16) * sizeof(T));
#pragma unroll
        for (int mt = 0; mt < MT; ++mt) {
          MmaOp<T>::run(accO[mt][2 * dp], a[mt], b0, b1);
          MmaOp<T>::run(accO[mt][2 * dp + 1], a[mt], b2, b3);
        }
      }
    }
  }

  // Epilogue: normalise, lse in natural log, store or merge.
#pragma unroll
  for (int x = 0; x < NR; ++x) {
    const int mt = x >> 1, h = x & 1;
    storeRow<D>(p, headRow0, rowOf(x), rowMax[x], rowSum[x], t,
                [&](int nb, int lo) { return accO[mt][nb][2 * h + lo]; });
  }
}

template <typename T, int D, int Bc, int Warps, int MT, bool DB = false>
int launchFwd(FwdParams p, int batch, cudaStream_t stream) {
  using Cfg = FwdCfg<T, D, Bc, Warps, MT, DB>;
  auto kernel = microAttentionFwd<T, D, Bc, Warps, MT, DB>;
  static std::atomic<uint64_t> configured{0};
  cudaError_t e = allowSharedMemory(configured, kernel, Cfg::SmemBytes);
  if (e != cudaSuccess)
    return int(e);
  p.numMTiles = (p.rows + Cfg::Br - 1) / Cfg::Br;
  dim3 grid(p.numMTiles, p.kvHeads, batch);
  kernel<<<grid, Cfg::Threads, Cfg::SmemBytes, stream>>>(p);
  return int(cudaGetLastError());
}

/// Block shapes for head_dim 64/128, chosen by da_micro_attention_set_config
/// or DISTATTN_FWD_CONFIG (1..14); 0 = the default (13 for D=128, 14 for D=64,
/// 5 for D=256):
///   1: 8 warps x 16 rows, 2: 4 warps x 16 rows, 3: 4 warps x 32 rows,
///   4: 4 warps x 32 rows with the other kv tile width (D=128: 32, D=64: 128),
///   5: 3 with double-buffered K/V (one barrier a tile), 6: 5 with kv tiles
///   of 32, 7: 5 with kv tiles of 48 (D=128; D=64: same as 5). head_dim 256
///   always runs 8 warps x 16 rows (5..7: double-buffered).
///   8: the Hopper wgmma kernel, 2 warpgroups x 64 rows (head_dim 64 and
///   128; 256 runs 5), 9: 8 with 3 warpgroups (head_dim 64; 128 runs 8),
///   10 and 11: the wgmma kernel warp-specialised, a TMA producer warp
///   beside 2 warpgroups, rings of 3 and 2 stages (head_dim 64 and 128; a
///   third warpgroup would leave 128 registers a thread, 13 warps on 4
///   schedulers' register files, and spill); 12: 10 with FlashAttention-3's
///   intra-warpgroup overlap (the next S before this P V), 13: 12 with the
///   warpgroups' MMAs in ping-pong, 14: 13 with 3 warpgroups (head_dim 64;
///   128 runs 13: its 160 registers a thread would spill).
std::atomic<int> gFwdConfig{0};
int fwdConfig() {
  return knob(gFwdConfig, 0, "DISTATTN_FWD_CONFIG", [](const char *e) {
    int c = e ? std::atoi(e) : 0;
    return c < 1 || c > kMaxFwdConfig ? -1 : c; // -1: the per head_dim default
  });
}

template <typename T>
int dispatchHeadDim(const FwdParams &p, int headDim, int batch,
                    cudaStream_t stream) {
  int c = fwdConfig();
  if (c < 1) // defaults measured on an H100 (bench/RESULTS.md)
    c = headDim == 128  ? kDefaultFwdConfigD128
        : headDim == 64 ? kDefaultFwdConfigD64
                        : kDefaultFwdConfigD256;
  // Not an sm_90a image (another GPU, or built for plain sm_90): the
  // mma.sync kernel's best configs instead.
  if (c >= 8 && headDim != 256 && !sm90::wgmmaAvailable())
    c = headDim == 128 ? 7 : 5;
  switch (headDim) {
  case 64:
    return c == 10   ? sm90::launchFwdSm90<T, 64, 2, true, 3>(p, batch, stream)
           : c == 11 ? sm90::launchFwdSm90<T, 64, 2, true, 2>(p, batch, stream)
           : c == 12 ? sm90::launchFwdSm90<T, 64, 2, true, 3, sm90::kOverlap>(
                           p, batch, stream)
           : c == 13 ? sm90::launchFwdSm90<T, 64, 2, true, 3, sm90::kPingPong>(
                           p, batch, stream)
           : c == 14 ? sm90::launchFwdSm90<T, 64, 3, true, 3, sm90::kPingPong>(
                           p, batch, stream)
           : c == 8 ? sm90::launchFwdSm90<T, 64, 2>(p, batch, stream)
           : c == 9 ? sm90::launchFwdSm90<T, 64, 3>(p, batch, stream)
           : c == 1 ? launchFwd<T, 64, 128, 8, 1>(p, batch, stream)
           : c == 2 ? launchFwd<T, 64, 128, 4, 1>(p, batch, stream)
           : c == 3 ? launchFwd<T, 64, 64, 4, 2>(p, batch, stream)
           : c == 4 ? launchFwd<T, 64, 128, 4, 2>(p, batch, stream)
           : c == 6 ? launchFwd<T, 64, 32, 4, 2, true>(p, batch, stream)
                    : launchFwd<T, 64, 64, 4, 2, true>(p, batch, stream);
  case 128:
    return c == 10   ? sm90::launchFwdSm90<T, 128, 2, true, 3>(p, batch, stream)
           : c == 11 ? sm90::launchFwdSm90<T, 128, 2, true, 2>(p, batch, stream)
           : c == 12 ? sm90::launchFwdSm90<T, 128, 2, true, 3, sm90::kOverlap>(
                           p, batch, stream)
           : c >= 13 ? sm90::launchFwdSm90<T, 128, 2, true, 3, sm90::kPingPong>(
                           p, batch, stream)
           : c >= 8 ? sm90::launchFwdSm90<T, 128, 2>(p, batch, stream)
           : c == 1 ? launchFwd<T, 128, 64, 8, 1>(p, batch, stream)
           : c == 2 ? launchFwd<T, 128, 64, 4, 1>(p, batch, stream)
           : c == 3 ? launchFwd<T, 128, 64, 4, 2>(p, batch, stream)
           : c == 4 ? launchFwd<T, 128, 32, 4, 2>(p, batch, stream)
           : c == 5 ? launchFwd<T, 128, 64, 4, 2, true>(p, batch, stream)
           : c == 6 ? launchFwd<T, 128, 32, 4, 2, true>(p, batch, stream)
                    : launchFwd<T, 128, 48, 4, 2, true>(p, batch, stream);
  case 256:
    return c >= 5 ? launchFwd<T, 256, 32, 8, 1, true>(p, batch, stream)
                  : launchFwd<T, 256, 32, 8, 1>(p, batch, stream);
  default:
    return int(cudaErrorInvalidValue);
  }
}

} // namespace
} // namespace cuda
} // namespace distattn

extern "C" int da_micro_attention(const DaMicroAttentionArgs *a, void *stream) {
  using namespace distattn::cuda;
  if (!a || a->batch <= 0 || a->qHeads <= 0 || a->kvHeads <= 0 ||
      a->qHeads % a->kvHeads != 0 || a->qLen <= 0 || a->kvLen <= 0 ||
      !(a->scale > 0.f) || a->qStride < 1 || a->kStride < 1)
    return int(cudaErrorInvalidValue);
  int64_t group = a->qHeads / a->kvHeads;
  if (group * a->qLen >= INT_MAX / 2 || a->kvLen >= INT_MAX / 2 ||
      a->batch > 65535 || a->kvHeads > 65535)
    return int(cudaErrorInvalidValue);
  // 16-byte cp.async of q/k/v rows, 8-byte stores of out.
  auto misaligned = [](const void *ptr, uintptr_t n) {
    return !ptr || reinterpret_cast<uintptr_t>(ptr) % n != 0;
  };
  if (misaligned(a->q, 16) || misaligned(a->k, 16) || misaligned(a->v, 16) ||
      misaligned(a->out, 8) || misaligned(a->lse, 4))
    return int(cudaErrorInvalidValue);
  FwdParams p{};
  p.q = a->q;
  p.k = a->k;
  p.v = a->v;
  p.out = a->out;
  p.lse = a->lse;
  p.qHeads = a->qHeads;
  p.kvHeads = a->kvHeads;
  p.group = int(group);
  p.qLen = int(a->qLen);
  p.kvLen = int(a->kvLen);
  p.rows = int(group * a->qLen);
  p.scaleLog2 = a->scale * detail::kLog2e;
  p.causal = a->causal;
  p.merge = a->mergeInto;
  p.qOffset = a->qOffset;
  p.qStride = a->qStride;
  p.kOffset = a->kOffset;
  p.kStride = a->kStride;
  cudaStream_t s = static_cast<cudaStream_t>(stream);
  if (a->dtype == DA_BF16)
    return dispatchHeadDim<__nv_bfloat16>(p, a->headDim, a->batch, s);
  if (a->dtype == DA_FP16)
    return dispatchHeadDim<__half>(p, a->headDim, a->batch, s);
  return int(cudaErrorInvalidValue);
}

extern "C" int da_micro_attention_set_config(int config) {
  return distattn::cuda::detail::setKnob(
      distattn::cuda::gFwdConfig, config,
      config >= 0 && config <= distattn::cuda::kMaxFwdConfig);
}
