//===- paged_decode_kernel.cuh - Decode attention over paged KV -----------===//
//
// One query token per sequence against a KV cache held in pages of a pool
// [numPages, Hkv, pageSize, D], addressed through a CSR page table. The KV of
// each sequence is split into chunks; a warp computes the state of one
// (sequence, kv head, chunk) for all q heads of the group at once (GQA: the
// group's heads are the rows of the m16n8k16 tiles, so K/V are read once per
// group), streaming 32-token tiles through its own ring of Stages buffers.
// The warps share nothing while they stream. A block holds several for two
// reasons: their rings then fill an SM's shared memory (one block's reserve
// and alignment instead of one a warp: seven TMA rings of head_dim 128 where
// one-warp blocks fit six, three rings of head_dim 256 where they fit two);
// and where a block's warps are all the splits of their (sequence, kv head,
// row tile) units, they deal the sequence's tiles round robin instead of
// taking a chunk each and merge their states at the end (combineSplits: no
// workspace, no second launch). A unit of more splits than a block's warps
// may be planned in parts, a block each, which merge their warps' states
// in the block and the parts in the last block to finish (mergeParts: no
// second launch either). Else merge.cu merges the splits' states exactly
// over the workspace. Figures for each in bench/RESULTS.md. Where a
// page holds whole or half tiles (head_dim 64 and 128, on sm_90a), lane 0 fills
// a slot with one TMA copy (two in pages of 16) a column half of K and of V
// (the pool seen as a [rows, D] tensor) and the warp waits on the slot's
// mbarrier; else each lane looks up the page of one token of the tile, the
// other lanes get the row's address by shuffle, and cp.async copies it.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_CUDA_PAGED_DECODE_KERNEL_CUH
#define DISTATTN_CUDA_PAGED_DECODE_KERNEL_CUH

#include "common.cuh"
#include "distattn/cuda/index_math.h"
#include "lse_sum.cuh"
#include "tma.cuh"

namespace distattn {
namespace cuda {
// Internal to paged_decode.cu, its one includer (the kernel's image flag
// is a definition).
namespace {

using namespace detail;

constexpr int kDecBc = 32; // tokens per tile = lanes of the warp

struct DecParams {
  const void *q, *kPages, *vPages;
  const int32_t *indptr, *indices, *kvLens;
  // Final (one split, or merged in the block) or partial [split][B*Hq].
  float *out, *lse;
  int qHeads, kvHeads, group, rowTiles, pageSize;
  int chunk;     // tokens per split
  int splits;    // chunks of the longest sequence
  int64_t items; // B * kvHeads * rowTiles * splits: one a warp
  // The splits of a (sequence, kv head, row tile) are warps of one block,
  // which merge their states there and write the final out and lse; or,
  // where parts > 1, of `parts` blocks, each merging its warps' states into
  // its part's slot of out and lse ([part][B*Hq]), the unit's last block to
  // arrive (arrivals, one count a unit, zero between launches) merging the
  // parts into finalOut and finalLse.
  bool combine;
  int combineWarps; // warps a block when combined (a multiple of splits)
  int parts;        // blocks a unit (1: a block holds whole units)
  float *finalOut, *finalLse;
  int *arrivals, *tilesTaken; // a count each a unit, zero between launches
  int64_t statesPerSplit;     // B * Hq
  float scaleLog2;
};

/// With Tma (head_dim 64 and 128, pages of whole or half tiles) each K and
/// V tile lands by one tensor copy (two in pages of 16), unpadded in the
/// 128-byte swizzle (column half h of row r at h * kDecBc * 128 + r * 128,
/// 16-byte unit u at u ^ r % 8), aligned to the swizzle's 1024-byte period;
/// else rows are padded to D + 8 elements against ldmatrix's bank conflicts.
/// Shared memory: the warps' rings, one after another (each a multiple of
/// 1024 bytes with Tma), then the TMA rings' mbarriers, Stages a warp.
template <typename T, int D, int Stages, bool Tma = false> struct DecCfg {
  static constexpr int Ld = Tma ? D : D + 8;
  // Q is held in registers for D <= 128: its staging buffer then aliases
  // the last ring slot, which is first filled after Q has been read.
  static constexpr bool QInRegs = D <= 128;
  static_assert(!Tma || QInRegs, "Q's staging is the last slot");
  static constexpr size_t RingBytes =
      size_t((QInRegs ? 0 : 16) + 2 * Stages * kDecBc) * Ld * sizeof(T);
  static_assert(!Tma || RingBytes % 1024 == 0, "rings keep the alignment");
  static constexpr size_t BarBytes = Tma ? 8 * Stages : 0;
  static constexpr size_t smemBytes(int warps) {
    return warps * (RingBytes + BarBytes) + (Tma ? 1024 : 0);
  }
};

/// Most warps a block holds (one ring each); 256 threads leave the kernel
/// its 255 registers a thread.
constexpr int kDecMaxWarps = 8;

/// K's and V's pools as TMA sees them: [rows, D] (row = pagedRowIndex).
struct DecMaps {
  CUtensorMap k, v;
};

/// The end of a combined launch: every warp leaves its unnormalized state
/// (16 rows of O, then the rows' running max in log2 units and sums) at the
/// start of its own ring, free once every copy into it has landed. The
/// first split's warp of each group of `splits` warps (a unit's splits, or
/// its part's) computes each split's weight for each row and the merged lse
/// (into lse); after the second barrier the group's warps deal the output's
/// float4s round robin by `split` (the warp's place in the group) and sum
/// the weighted O of the group's states into out.
/// Every warp of the block, those past the last item too, passes both
/// barriers.
template <int D>
__device__ __forceinline__ void
combineSplits(unsigned char *ring0, size_t ringBytes, int warp, int split,
              int splits, bool active, const float (&accO)[D / 8][4],
              const float (&rowMax)[2], const float (&rowSum)[2], int64_t qRow0,
              int rowsHere, float *out, float *lse) {
  constexpr int kMaxOf = 16 * D, kSumOf = kMaxOf + 16, kWeightOf = kSumOf + 16;
  const int lane = threadIdx.x % 32, g = lane >> 2, t = lane & 3;
  auto stateOf = [&](int w) {
    return reinterpret_cast<float *>(ring0 + w * ringBytes);
  };
  float *mine = stateOf(warp);
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float l = rowSum[r];
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    const int row = g + 8 * r;
#pragma unroll
    for (int nt = 0; nt < D / 8; ++nt)
      *reinterpret_cast<float2 *>(mine + row * D + nt * 8 + 2 * t) =
          make_float2(accO[nt][2 * r], accO[nt][2 * r + 1]);
    if (t == 0) {
      mine[kMaxOf + row] = rowMax[r];
      mine[kSumOf + row] = l;
    }
  }
  const int first = warp - split; // the unit's first split's warp
  float *lead = stateOf(first);
  __syncthreads();
  // Row `lane`'s weights (exp2(m_s - M) / L, 0 for an empty split; M the
  // largest m_s, L the sum of l_s exp2(m_s - M)) and lse.
  if (active && split == 0 && lane < 16) {
    const int row = lane;
    float mAll = -INFINITY;
    for (int s = 0; s < splits; ++s)
      mAll = fmaxf(mAll, stateOf(first + s)[kMaxOf + row]);
    float l = 0.f;
    for (int s = 0; s < splits; ++s) {
      const float m = stateOf(first + s)[kMaxOf + row];
      if (m != -INFINITY)
        l = fmaf(stateOf(first + s)[kSumOf + row], fastExp2(m - mAll), l);
    }
    const float inv = l > 0.f ? 1.f / l : 0.f;
    for (int s = 0; s < splits; ++s) {
      const float m = stateOf(first + s)[kMaxOf + row];
      lead[kWeightOf + s * 16 + row] =
          m == -INFINITY ? 0.f : fastExp2(m - mAll) * inv;
    }
    if (row < rowsHere)
      lse[qRow0 + row] = l > 0.f ? mAll * kLn2 + logf(l) : -INFINITY;
  }
  __syncthreads();
  if (!active)
    return;
  for (int e = split * 32 + lane; e < 16 * D / 4; e += splits * 32) {
    const int row = e / (D / 4), col = (e % (D / 4)) * 4;
    if (row >= rowsHere)
      break; // rows go up with e
    float4 o = make_float4(0.f, 0.f, 0.f, 0.f);
    for (int s = 0; s < splits; ++s) {
      const float w = lead[kWeightOf + s * 16 + row];
      const float4 v =
          *reinterpret_cast<const float4 *>(stateOf(first + s) + row * D + col);
      o.x = fmaf(v.x, w, o.x);
      o.y = fmaf(v.y, w, o.y);
      o.z = fmaf(v.z, w, o.z);
      o.w = fmaf(v.w, w, o.w);
    }
    *reinterpret_cast<float4 *>(out + (qRow0 + row) * D + col) = o;
  }
}

/// The end of a block holding one part of a unit's splits (parts > 1),
/// after combineSplits left the part's state in its slot of p.out and
/// p.lse: the unit's last block to arrive merges the parts' states exactly
/// into the final out and lse, and sets the unit's counts back to zero for
/// the next launch. No second launch, and the merge runs in the tail of
/// the parts' blocks instead of after all of them (bench/RESULTS.md). Each
/// thread fences its stores before the block counts itself in, so that the
/// last block sees every part (the CUDA programming guide's last-block
/// pattern); that block reads the parts through L2, a thread a float4 of
/// out, kChunk parts' loads in flight at once before it folds them. The
/// fence is every thread's, not thread 0's alone: it also orders each lane
/// 0's last take of tiles (whose answer a warp past the sequence's end never
/// reads) before the count, and so before the reset.
template <int D>
__device__ __forceinline__ void mergeParts(const DecParams &p, int64_t unit,
                                           int64_t qRow0, int rowsHere) {
  __shared__ int lastHere;
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0)
    lastHere = atomicAdd(p.arrivals + unit, 1) == p.parts - 1;
  __syncthreads();
  if (!lastHere)
    return;
  __threadfence();
  constexpr int kChunk = 16;
  const int64_t stride = p.statesPerSplit;
  for (int e = threadIdx.x; e < rowsHere * (D / 4); e += blockDim.x) {
    const int row = e / (D / 4), col = (e % (D / 4)) * 4;
    const float *lseOf = p.lse + qRow0 + row;
    const float *outOf = p.out + (qRow0 + row) * D + col;
    LseSum sum;
    float4 a = make_float4(0.f, 0.f, 0.f, 0.f);
    for (int s0 = 0; s0 < p.parts; s0 += kChunk) {
      float l[kChunk];
      float4 v[kChunk];
#pragma unroll
      for (int k = 0; k < kChunk; ++k) {
        const int64_t s = s0 + k;
        const bool in = s < p.parts;
        l[k] = in ? __ldcg(lseOf + s * stride) : -INFINITY;
        v[k] = in ? __ldcg(reinterpret_cast<const float4 *>(outOf +
                                                            s * stride * D))
                  : make_float4(0.f, 0.f, 0.f, 0.f);
      }
      foldStates(sum, a, l, v);
    }
    // out = a * exp(m - lse) = a / (1 + rest); 0 where every part is empty.
    const float inv = 1.f / (1.f + sum.rest);
    *reinterpret_cast<float4 *>(p.finalOut + (qRow0 + row) * D + col) =
        make_float4(a.x * inv, a.y * inv, a.z * inv, a.w * inv);
    if (col == 0)
      p.finalLse[qRow0 + row] = sum.lse();
  }
  if (threadIdx.x == 0) {
    p.arrivals[unit] = 0;
    p.tilesTaken[unit] = 0;
  }
}

// The TMA ring exists in sm_90a images alone (tma.cuh).
__device__ int kDecodeTmaCompiled = DISTATTN_SM90A;

template <typename T, int D, int Stages, bool L2Hint, bool Tma>
__global__ void __launch_bounds__(32 * kDecMaxWarps)
    pagedDecodeKernel(const DecParams p, const __grid_constant__ DecMaps maps) {
#if DISTATTN_SM90A
  constexpr bool kTmaHere = Tma;
#else
  constexpr bool kTmaHere = false;
  if constexpr (Tma)
    return; // not in this image: the launcher never picks it
#endif
  using Cfg = DecCfg<T, D, Stages, Tma>;
  constexpr int Ld = Cfg::Ld, CPR = D / 8;
  constexpr int TileElems = kDecBc * Ld;
  // This warp's item: consecutive warps take consecutive chunks of one
  // (sequence, kv head, row tile). Past the last item a warp has nothing to
  // do; it leaves, unless the block's warps merge their states at the end
  // (combine), where it runs an empty range to meet them at the barrier.
  const int warp = threadIdx.x / 32, warps = blockDim.x / 32;
  const int64_t item = int64_t(blockIdx.x) * warps + warp;
  const bool active = item < p.items;
  if (!active && !p.combine)
    return;
  const int64_t itemHere = active ? item : p.items - 1;
  const int split = int(itemHere % p.splits);
  const int64_t unit = itemHere / p.splits; // (b, kvh, rt)
  const int rowUnits = p.kvHeads * p.rowTiles;
  const int kvh = int(unit % rowUnits) / p.rowTiles,
            rt = int(unit % rowUnits) % p.rowTiles;
  const int b = int(unit / rowUnits);

  extern __shared__ __align__(16) unsigned char smemRaw[];
  constexpr bool QInRegs = Cfg::QInRegs;
  unsigned char *smemAll =
      Tma ? smemRaw + ((1024 - smemAddr(smemRaw) % 1024) % 1024) : smemRaw;
  unsigned char *smem = smemAll + warp * Cfg::RingBytes;
  T *sK = reinterpret_cast<T *>(smem) + (QInRegs ? 0 : 16 * Ld);
  T *sV = sK + Stages * TileElems; // Stages tiles each
  T *sQ = QInRegs ? sK + (Stages - 1) * TileElems : reinterpret_cast<T *>(smem);
  // TMA: a slot's mbarrier, its tile's bytes landed.
  const uint32_t full0 =
      smemAddr(smemAll + warps * Cfg::RingBytes + warp * Cfg::BarBytes);
  const int lane = threadIdx.x % 32, g = lane >> 2, t = lane & 3;
  if constexpr (kTmaHere) {
    if (lane == 0) {
      for (int st = 0; st < Stages; ++st)
        tma::mbarInit(full0 + 8 * st, 1);
      tma::mbarInitFence();
    }
    __syncwarp();
  }

  const int hg0 = rt * 16;
  const int rowsHere = min(16, p.group - hg0);
  const int64_t qRow0 = int64_t(b) * p.qHeads + int64_t(kvh) * p.group + hg0;

  const int kvLen = active ? p.kvLens[b] : 0;
  // The tiles this warp streams, tile i at tokens tileStartOf(i)... Merged
  // in the block, the unit's warps deal the whole sequence's tiles round
  // robin, so that the block reads one K and one V run front to back (as
  // one CTA a sequence's kv head does), which the memory serves faster
  // than a run a warp (bench/RESULTS.md); else the split's own chunk.
  // In parts, the unit's warps take its tiles in runs of kGrab (shorter
  // near the sequence's end) as they go
  // (split s the s-th run first, then runs past the splits' first ones
  // from a count a unit): the SMs of an H100 do not read at one rate (some
  // a quarter faster, the same ones launch after launch), and a fixed share
  // left the fast ones idle for the last quarter of the kernel
  // (bench/RESULTS.md). The next run is taken two tiles before its first
  // page lookup, which is when a warp reads the count's answer (TileRuns).
  const bool inParts = p.parts > 1;
  constexpr int kGrab = Stages + 2 > 4 ? Stages + 2 : 4; // tiles a run
  int *const tileCount = p.tilesTaken + unit; // null outside parts, unread
  TileRuns<kGrab, Stages> runs(split);
  int taken = 0;
  const int unitTiles = (kvLen + kDecBc - 1) / kDecBc;
  int begin = 0, end = kvLen, nTiles = 0, tileWays = 1, tileOf0 = 0;
  if (inParts) {
    nTiles = INT_MAX; // until a run starts past the sequence
  } else if (p.combine) {
    tileWays = p.splits;
    tileOf0 = split;
    nTiles =
        int(dealtTileCount(split, p.splits, (kvLen + kDecBc - 1) / kDecBc));
  } else {
    int64_t begin64, end64;
    splitRange(split, p.chunk, kvLen, &begin64, &end64);
    // A sequence longer than the launch's maxKvLen (a caller's error)
    // would lose its tokens past the last split; that split takes them.
    if (split == p.splits - 1)
      end64 = kvLen;
    begin = int(begin64);
    end = int(end64);
    nTiles = (end - begin + kDecBc - 1) / kDecBc;
  }
  auto tileStartOf = [&](int tile) {
    if (inParts)
      return runs.tileAt(tile) * kDecBc;
    return begin + int(dealtTile(tileOf0, tileWays, tile)) * kDecBc;
  };
  const int first = p.indptr[b];
  const T *kPool = static_cast<const T *>(p.kPages);
  const T *vPool = static_cast<const T *>(p.vPages);

  // Q rows: the group's heads (rows >= rowsHere zero-filled).
  {
    const T *qBase = static_cast<const T *>(p.q) + qRow0 * D;
#pragma unroll
    for (int it = 0; it < 16 * CPR / 32; ++it) {
      int c = lane + it * 32, r = c / CPR, col = (c % CPR) * 8;
      bool valid = r < rowsHere;
      cpAsync16(smemAddr(sQ + r * Ld + col),
                valid ? qBase + int64_t(r) * D + col : qBase, valid);
    }
    cpAsyncCommit();
  }

  // Page lookup of row `lane` of a tile (the global load of the page id),
  // done one tile ahead of the copy that needs it so that its latency hides
  // under the current tile's math. Returns the token's row in the pool, or
  // kNoRow past the split. A row index, not an element offset: 32 bits, so
  // one shuffle hands it to the copying lanes (a pool has under 2^32 rows:
  // 2^32 rows of the smallest, head_dim 64 in 16 bits, are 512 GiB).
  constexpr uint32_t kNoRow = 0xffffffffu;
  auto lookup = [&](int tile) -> uint32_t {
    int tok = tileStartOf(tile) + lane;
    if (tile >= nTiles || tok >= end)
      return kNoRow;
    int q = tok / p.pageSize;
    int page = __ldg(p.indices + first + q);
    return uint32_t(
        pagedRowIndex(page, kvh, tok - q * p.pageSize, p.kvHeads, p.pageSize));
  };
  // TMA in pages of 16: half-tile boxes (the maps' boxes are 16 rows).
  const bool halfBoxes = p.pageSize % kDecBc != 0;
  auto issue = [&](int tile, uint32_t rowOfLane) {
    int slot = tile % Stages;
    T *dk = sK + slot * TileElems, *dv = sV + slot * TileElems;
    if constexpr (kTmaHere) {
      // Lane 0's row is the tile's first. A tile in one page is one box a
      // column half of K and of V; in pages of 16 (maps of 16-row boxes),
      // two, the second from lane 16's row (absent past the split's end,
      // whose rows are zeroed after the wait).
      const uint32_t row16 = __shfl_sync(0xffffffffu, rowOfLane, 16);
      if (lane == 0 && rowOfLane != kNoRow) {
        const int boxes = !halfBoxes ? 1 : row16 == kNoRow ? 1 : 2;
        const int rows = halfBoxes ? 16 * boxes : kDecBc;
        // The slot's last reads (ldmatrix) and writes (zeroed rows) before
        // TMA's writes.
        tma::fenceProxyAsync();
        const uint32_t full = full0 + 8 * slot;
        tma::mbarExpectTx(full, 2 * rows * D * sizeof(T));
#pragma unroll
        for (int h = 0; h < D / 64; ++h)
          for (int box = 0; box < boxes; ++box) {
            const uint32_t at = h * kDecBc * 128 + box * 16 * 128;
            const int row = int(box == 0 ? rowOfLane : row16);
            tma::tmaLoad2d(smemAddr(dk) + at, &maps.k, h * 64, row, full);
            tma::tmaLoad2d(smemAddr(dv) + at, &maps.v, h * 64, row, full);
          }
      }
      return;
    }
    // head_dim 256 (255 registers) shuffles the 64-bit element offset
    // instead: forming it per copy there spills.
    const int64_t offOfLane = rowOfLane == kNoRow ? -1 : int64_t(rowOfLane) * D;
#pragma unroll
    for (int it = 0; it < kDecBc * CPR / 32; ++it) {
      int c = lane + it * 32, r = c / CPR, col = (c % CPR) * 8;
      bool v;
      int64_t o;
      if constexpr (D > 128) {
        o = __shfl_sync(0xffffffffu, offOfLane, r);
        v = o >= 0;
        o = (v ? o : 0) + col;
      } else {
        uint32_t row = __shfl_sync(0xffffffffu, rowOfLane, r);
        v = row != kNoRow;
        o = int64_t(size_t(v ? row : 0u) * D) + col;
      }
      if constexpr (L2Hint) {
        cpAsync16L2(smemAddr(dk + r * Ld + col), kPool + o, v);
        cpAsync16L2(smemAddr(dv + r * Ld + col), vPool + o, v);
      } else {
        cpAsync16(smemAddr(dk + r * Ld + col), kPool + o, v);
        cpAsync16(smemAddr(dv + r * Ld + col), vPool + o, v);
      }
    }
  };

#pragma unroll
  for (int s = 0; s < Stages - 1; ++s) {
    issue(s, lookup(s));
    cpAsyncCommit();
  }
  uint32_t nextRow = lookup(Stages - 1);

  float accO[D / 8][4];
#pragma unroll
  for (int i = 0; i < D / 8; ++i)
    accO[i][0] = accO[i][1] = accO[i][2] = accO[i][3] = 0.f;
  float rowMax[2] = {-INFINITY, -INFINITY}, rowSum[2] = {0.f, 0.f};

  const int kRow = (lane & 7) + ((lane >> 4) << 3),
            kCol = ((lane >> 3) & 1) * 8;
  const int vRow = lane & 15, vCol = (lane >> 4) * 8;

  uint32_t qf[QInRegs ? D / 16 : 1][4];
  const uint32_t sQa = smemAddr(sQ + (lane & 15) * Ld + (lane >> 4) * 8);
  cpAsyncWait<Stages - 1>(); // the Q group (committed first) landed
  __syncwarp();
  if constexpr (QInRegs) {
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk)
      ldmatrixX4(qf[kk][0], qf[kk][1], qf[kk][2], qf[kk][3],
                 sQa + kk * 16 * sizeof(T));
    __syncwarp(); // Q read before its slot is refilled
  }

  for (int tile = 0; tile < nTiles && (!inParts || tileStartOf(tile) < end);
       ++tile) {
    if (inParts) {
      // The answer to the last take is read before the next take (both
      // fall on one tile where runs are short); both before the copy's
      // issue (after it, 1 x 128K ran 0.8% slower: bench/RESULTS.md
      // 2026-11-26 11:24).
      runs.reach(tile);
      if (runs.readsAt(tile))
        runs.read(__shfl_sync(0xffffffffu, taken, 0), p.splits);
      if (runs.takesAt(tile)) {
        const int length = runs.takeLength(unitTiles, p.splits);
        if (lane == 0)
          taken = atomicAdd(tileCount, length);
        runs.take(length);
      }
    }
    issue(tile + Stages - 1, nextRow);
    cpAsyncCommit();
    nextRow = lookup(tile + Stages);
    const int slot = tile % Stages;
    const int tileStart = tileStartOf(tile);
    if constexpr (kTmaHere) {
      tma::mbarWait(full0 + 8 * slot, (tile / Stages) & 1);
      // Rows past the split's end: a neighbour's keys (masked below) or, in
      // the last page, memory never written, whose NaNs P = 0 would not
      // cancel; V's are zeroed as cp.async zero-fills them.
      if (tileStart + kDecBc > end) {
        const uint32_t v0 = smemAddr(sV + slot * TileElems);
        for (int c = lane; c < kDecBc * CPR; c += 32) {
          const int r = c / CPR, u = c % CPR;
          if (tileStart + r >= end)
            asm volatile("st.shared.v4.b32 [%0], {%1, %1, %1, %1};\n" ::"r"(
                             v0 + tma::swizzled128<kDecBc>(r, u)),
                         "r"(0)
                         : "memory");
        }
      }
    } else {
      cpAsyncWait<Stages - 1>();
    }
    __syncwarp();
    // ldmatrix's address of (row, col) of this slot's tile of K or V;
    // swizzled, the 16-byte unit col / 8 is xor'ed with the row's low 3
    // bits (lane & 7 for every row a lane addresses).
    auto tileAddr = [&](const T *ring, int row, int col) -> uint32_t {
      const uint32_t tile = smemAddr(ring + slot * TileElems);
      if constexpr (kTmaHere)
        return tile + tma::swizzled128<kDecBc>(row, col >> 3);
      else
        return tile + uint32_t(row * Ld + col) * sizeof(T);
    };
    float s[kDecBc / 8][4];
#pragma unroll
    for (int i = 0; i < kDecBc / 8; ++i)
      s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.f;
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      uint32_t a[4];
      if constexpr (QInRegs) {
        a[0] = qf[kk][0];
        a[1] = qf[kk][1];
        a[2] = qf[kk][2];
        a[3] = qf[kk][3];
      } else {
        ldmatrixX4(a[0], a[1], a[2], a[3], sQa + kk * 16 * sizeof(T));
      }
#pragma unroll
      for (int np = 0; np < kDecBc / 16; ++np) {
        uint32_t b0, b1, b2, b3;
        ldmatrixX4(b0, b1, b2, b3,
                   tileAddr(sK, kRow + np * 16, kCol + kk * 16));
        MmaOp<T>::run(s[2 * np], a, b0, b1);
        MmaOp<T>::run(s[2 * np + 1], a, b2, b3);
      }
    }
    if (tileStart + kDecBc > end) {
#pragma unroll
      for (int nt = 0; nt < kDecBc / 8; ++nt)
#pragma unroll
        for (int e = 0; e < 4; ++e)
          if (tileStart + nt * 8 + 2 * t + (e & 1) >= end)
            s[nt][e] = -INFINITY;
    }
    // The running max rarely moves after the first tiles of a split; then
    // every row's correction is exactly 1 (or 0 on an all -inf row with
    // nothing accumulated), and the warp skips rescaling its D/8 x 4
    // accumulators together (one vote, no divergence).
    float mUseOf[2], corrOf[2];
    bool moved = false;
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float mx = -INFINITY;
#pragma unroll
      for (int nt = 0; nt < kDecBc / 8; ++nt)
        mx = fmaxf(mx, fmaxf(s[nt][2 * r], s[nt][2 * r + 1]));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
      float mNew = fmaxf(rowMax[r], mx * p.scaleLog2);
      mUseOf[r] = mNew == -INFINITY ? 0.f : mNew;
      corrOf[r] = fastExp2(rowMax[r] - mUseOf[r]);
      moved |= mNew != rowMax[r];
      rowMax[r] = mNew;
    }
    if (__any_sync(0xffffffffu, moved)) {
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        rowSum[r] *= corrOf[r];
#pragma unroll
        for (int nt = 0; nt < D / 8; ++nt) {
          accO[nt][2 * r] *= corrOf[r];
          accO[nt][2 * r + 1] *= corrOf[r];
        }
      }
    }
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const float mUse = mUseOf[r];
      float sum = 0.f;
#pragma unroll
      for (int nt = 0; nt < kDecBc / 8; ++nt) {
        s[nt][2 * r] = fastExp2(fmaf(s[nt][2 * r], p.scaleLog2, -mUse));
        s[nt][2 * r + 1] = fastExp2(fmaf(s[nt][2 * r + 1], p.scaleLog2, -mUse));
        sum += s[nt][2 * r] + s[nt][2 * r + 1];
      }
      rowSum[r] += sum;
    }
#pragma unroll
    for (int kk = 0; kk < kDecBc / 16; ++kk) {
      uint32_t a[4];
      a[0] = MmaOp<T>::pack(s[2 * kk][0], s[2 * kk][1]);
      a[1] = MmaOp<T>::pack(s[2 * kk][2], s[2 * kk][3]);
      a[2] = MmaOp<T>::pack(s[2 * kk + 1][0], s[2 * kk + 1][1]);
      a[3] = MmaOp<T>::pack(s[2 * kk + 1][2], s[2 * kk + 1][3]);
#pragma unroll
      for (int dp = 0; dp < D / 16; ++dp) {
        uint32_t b0, b1, b2, b3;
        ldmatrixX4Trans(b0, b1, b2, b3,
                        tileAddr(sV, vRow + kk * 16, vCol + dp * 16));
        MmaOp<T>::run(accO[2 * dp], a, b0, b1);
        MmaOp<T>::run(accO[2 * dp + 1], a, b2, b3);
      }
    }
    __syncwarp(); // slot reads done before the ring refills it
  }
  cpAsyncWait<0>();

  if (p.combine) {
    // cp.async completes per thread: every lane's copies (the zero-filled
    // ones past the range too) land before any lane writes over them.
    __syncwarp();
    // In parts, a block is one part (its warps the part's splits, in
    // order); else its units' splits are fewer than its warps: part 0.
    const int part = split / warps;
    combineSplits<D>(smemAll, Cfg::RingBytes, warp, inParts ? warp : split,
                     inParts ? warps : p.splits, active, accO, rowMax, rowSum,
                     qRow0, rowsHere, p.out + part * p.statesPerSplit * D,
                     p.lse + part * p.statesPerSplit);
    if (inParts)
      mergeParts<D>(p, unit, qRow0, rowsHere);
    return;
  }
  float *oBase = p.out + int64_t(split) * p.statesPerSplit * D;
  float *lBase = p.lse + int64_t(split) * p.statesPerSplit;
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float l = rowSum[r];
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    int hr = g + 8 * r;
    if (hr >= rowsHere)
      continue;
    float inv = l > 0.f ? 1.f / l : 0.f;
    int64_t row = qRow0 + hr;
    float *orow = oBase + row * D + 2 * t;
#pragma unroll
    for (int nt = 0; nt < D / 8; ++nt)
      *reinterpret_cast<float2 *>(orow + nt * 8) =
          make_float2(accO[nt][2 * r] * inv, accO[nt][2 * r + 1] * inv);
    if (t == 0)
      lBase[row] = l > 0.f ? rowMax[r] * kLn2 + logf(l) : -INFINITY;
  }
}

} // namespace
} // namespace cuda
} // namespace distattn

#endif // DISTATTN_CUDA_PAGED_DECODE_KERNEL_CUH
