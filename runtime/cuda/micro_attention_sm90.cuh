//===- micro_attention_sm90.cuh - Hopper micro-attention (wgmma) ----------===//
//
// The forward kernel on Hopper's warpgroup MMA: a block of two (or three)
// warpgroups owns 128 (192) query rows, 64 each, of one kv-head group; K and V
// tiles of 128 keys stream through shared memory in a two-stage cp.async ring
// (tile j+1 loads while tile j is computed). S = Q K^T runs with both operands
// in shared memory, O += P V with P from registers (the S accumulators,
// softmaxed and packed to 16 bits: wgmma's A fragment is mma.sync's) and V
// read N-major (transposed B), so V needs no transpose anywhere. Shared
// memory uses the 128-byte swizzle: a row of 64 elements (128 B) is one
// swizzle line, 16-byte unit u of row r stored at u ^ (r % 8), which both
// the cp.async stores and wgmma's reads see conflict-free. Each operand of
// D = 128 is two such column halves of 64, one after the other.
//
// Masks, GQA row flattening, the fp32 (out, lse) epilogue and merge-into are
// those of the mma.sync kernel (micro_attention.cu), whose per-thread row
// layout (rows g and g + 8 of a warp's 16, columns 2t, 2t + 1 of each 8)
// wgmma's accumulators share.
//
// Warp-specialised variant (Ws, configs 10 to 14, head_dim 64 and 128): a
// producer warp (10, 11) or warpgroup (12-14, whose registers setmaxnreg
// hands to the consumers) beside the warpgroups loads K and V with TMA (tensor
// maps of [batch * kvHeads, kvLen, D] in the same 128-byte swizzle, rows past
// kvLen zero-filled) into a ring of St stages, each with a "full" mbarrier
// (TMA's transaction count) and an "empty" one (every consumer thread
// arrives when its MMAs have read the stage). In 10 and 11 the warpgroups
// never wait for each other, so one's softmax runs under the other's MMAs
// as the warp schedulers find it.
//
// Schedules of the warp-specialised consumers (Sched, FlashAttention-3's):
//   kSerial:   per tile S, softmax, O += P V, each MMA waited for;
//   kOverlap:  tile j + 1's S is issued before tile j's P V, and tile j + 1's
//              softmax runs while that P V is in flight (one S buffer: P is
//              packed out of it before the next S lands);
//   kPingPong: kOverlap, and the warpgroups take turns issuing their MMAs
//              (two named barriers), so one's softmax lines up with the
//              other's MMAs instead of both contending for the tensor cores.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_CUDA_MICRO_ATTENTION_SM90_CUH
#define DISTATTN_CUDA_MICRO_ATTENTION_SM90_CUH

#include "tma.cuh"
#include "wgmma_ops.cuh"

namespace distattn {
namespace cuda {
namespace sm90 {

using namespace detail;
using namespace tma;

constexpr int kBc = 128; // keys a tile

/// How the warp-specialised consumers order their MMAs and softmax (see the
/// file comment).
enum Sched { kSerial = 0, kOverlap = 1, kPingPong = 2 };

__device__ int kWgmmaCompiled = DISTATTN_SM90A;

/// Whether the current device runs the wgmma kernel (its code image in
/// this library was built for sm_90a); asked once a device.
inline bool wgmmaAvailable() {
  static std::atomic<uint64_t> known{0}, available{0};
  return imageFlag(&kWgmmaCompiled, known, available);
}

/// WGs warpgroups of 64 query rows each share the K/V tiles, St stages of
/// them; with Ws a producer warp more, or a producer warpgroup where the
/// consumers overlap MMAs with softmax: setmaxnreg moves registers between
/// warpgroups only, and the overlap needs more than the 168 that 9 warps
/// (3 on some scheduler's 64 KiB register file) leave.
template <int D, int WGs, bool Ws = false, int St = 2, int Sch = kSerial>
struct Smem {
  static constexpr int Br = 64 * WGs, Consumers = 128 * WGs;
  static constexpr int Producers = !Ws ? 0 : Sch == kSerial ? 32 : 128;
  static constexpr int Threads = Consumers + Producers;
  static constexpr uint32_t QBytes = Br * D * 2, KvBytes = kBc * D * 2;
  // Q, then K and V for each stage; +1 KiB to align to the swizzle
  // pattern's 1024-byte period.
  static constexpr size_t Bytes = QBytes + 2 * St * KvBytes + 1024;
};

/// K and V as TMA sees them (the warp-specialised kernel).
struct KvMaps {
  CUtensorMap k, v;
};

/// Registers a thread of the producer and of the WGs consumer warpgroups
/// keep after setmaxnreg (FlashAttention-3's split): 128 x 24 + 256 x 240
/// and 128 x 32 + 384 x 160 fit the 64 K of an SM, and each scheduler's
/// warps (one of every warpgroup) its 16 K.
template <int WGs> constexpr int kProducerRegs = WGs == 2 ? 24 : 32;
template <int WGs> constexpr int kConsumerRegs = WGs == 2 ? 240 : 160;
/// This warpgroup's register count, raised (Inc) or lowered to N; every
/// thread of the warpgroup executes it.
template <bool Inc, int N> __device__ __forceinline__ void setMaxNReg() {
  if constexpr (Inc)
    asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(N));
  else
    asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(N));
}

/// Named barriers (id 0 is __syncthreads'): `threads` arrivals complete a
/// phase; sync waits for it, arrive does not. Ping-pong takes ids 1 to
/// the warpgroup count; the consumers' wait for Q this one.
constexpr int kQReadyBarrier = 8;
__device__ __forceinline__ void namedBarSync(int id, int threads) {
  asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}
__device__ __forceinline__ void namedBarArrive(int id, int threads) {
  asm volatile("bar.arrive %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}

/// Shared-memory matrix descriptor, 128-byte swizzle: start address,
/// leading and stride byte offsets (16-byte units).
__device__ __forceinline__ uint64_t descriptor(uint32_t addr, uint32_t lbo,
                                               uint32_t sbo) {
  return uint64_t((addr & 0x3FFFF) >> 4) | uint64_t(lbo >> 4) << 16 |
         uint64_t(sbo >> 4) << 32 | uint64_t(1) << 62;
}

__device__ __forceinline__ void wgmmaFence() {
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wgmmaCommit() {
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
/// Waits until at most N of this thread's wgmma groups are in flight.
template <int N> __device__ __forceinline__ void wgmmaWait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}
/// Keeps the compiler from moving accumulator reads or writes across an
/// in-flight wgmma.
template <int N> __device__ __forceinline__ void pin(float (&r)[N]) {
#pragma unroll
  for (int i = 0; i < N; ++i)
    asm volatile("" : "+f"(r[i])::"memory");
}

/// cp.async a [R, D] tile (rows [rowStart, rowStart + R) of `g`, row-major;
/// rows >= rowEnd zero-filled) into the swizzled layout at `s`: column half
/// h of row r at s + h * R * 128 + r * 128, unit u at u ^ (r % 8).
template <int D, int R, int Threads>
__device__ __forceinline__ void
loadSwizzled(uint32_t s, const void *g, int rowStart, int rowEnd, int tid) {
  constexpr int Units = D / 8; // 16-byte units a row
  constexpr int Total = R * Units;
  const char *base = static_cast<const char *>(g);
#pragma unroll
  for (int it = 0; it < (Total + Threads - 1) / Threads; ++it) {
    int c = tid + it * Threads;
    if (Total % Threads != 0 && c >= Total)
      break;
    int r = c / Units, u = c % Units;
    int gr = rowStart + r;
    bool valid = gr < rowEnd;
    const char *src = valid ? base + (int64_t(gr) * D + u * 8) * 2 : base;
    uint32_t dst = s + swizzled128<R>(r, u);
    cpAsync16(dst, src, valid);
  }
}

template <typename T, int D, int WGs, bool Ws, int St, int Sch>
__global__ void __launch_bounds__(Smem<D, WGs, Ws, St, Sch>::Threads, 1)
    microAttentionFwdSm90(const FwdParams p,
                          const __grid_constant__ KvMaps maps) {
#if DISTATTN_SM90A
  using Mma = Wgmma<kBc, std::is_same<T, __half>::value>;
  using MmaO = Wgmma<D, std::is_same<T, __half>::value>;
  using S = Smem<D, WGs, Ws, St, Sch>;
  constexpr int kBr = S::Br, kConsumers = S::Consumers, Warps = 4 * WGs;
  extern __shared__ __align__(16) unsigned char smemRaw[];
  const uint32_t base = (smemAddr(smemRaw) + 1023) & ~1023u;
  const uint32_t sQ = base, sK0 = sQ + S::QBytes;
  auto sK = [&](int stage) { return sK0 + stage * 2 * S::KvBytes; };
  auto sV = [&](int stage) {
    return sK0 + stage * 2 * S::KvBytes + S::KvBytes;
  };
  // Slots for the producer's warps too, which take the consumers' limits.
  __shared__ int sLimMin[S::Threads / 32], sLimMax[S::Threads / 32];
  __shared__ uint64_t fullBar[St], emptyBar[St];

  const int tid = threadIdx.x, lane = tid & 31;
  // Warp and warpgroup through a broadcast, which the compiler knows is the
  // same on every lane: what derives from them (the shared-memory
  // descriptors of this warpgroup's Q rows) can live in uniform registers
  // instead of being moved there before every wgmma (CUTLASS does the same).
  const int warp = __shfl_sync(0xffffffffu, tid >> 5, 0);
  const int wg = warp >> 2, g = lane >> 2, t = lane & 3;
  const int mTile = p.numMTiles - 1 - int(blockIdx.x); // heavy tiles first
  const int kvh = blockIdx.y, b = blockIdx.z;
  const int m0 = mTile * kBr;
  const int64_t headRow0 = int64_t(b * p.qHeads + kvh * p.group) * p.qLen;
  const T *qBase = static_cast<const T *>(p.q) + headRow0 * D;
  const int64_t kvOff = int64_t(b * p.kvHeads + kvh) * p.kvLen * D;
  const T *kBase = static_cast<const T *>(p.k) + kvOff;
  const T *vBase = static_cast<const T *>(p.v) + kvOff;

  // Warp-specialised: Q by the consumers (cp.async) from the start, under
  // the row limits' barrier and the producer's first K and V loads.
  if constexpr (Ws)
    if (tid < kConsumers) {
      loadSwizzled<D, kBr, kConsumers>(sQ, qBase, m0, p.rows, tid);
      cpAsyncCommit();
    }

  // This thread's rows: g and g + 8 of its warp's 16.
  const int rowBase = m0 + warp * 16 + g;
  int rowLim[2], limMin, limMax;
  rowLimits<Warps>(
      p, [&](int h) { return rowBase + 8 * h; }, rowLim, limMin, limMax,
      sLimMin, sLimMax);
  const int nTiles = int(kvTilesToVisit(limMax, kBc));

  float o[D / 2];
#pragma unroll
  for (int i = 0; i < D / 2; ++i)
    o[i] = 0.f;
  float rowMax[2] = {-INFINITY, -INFINITY}, rowSum[2] = {0.f, 0.f};
  float s[kBc / 2];         // S, then exp(S - max) in place
  uint32_t pf[kBc / 16][4]; // P packed as wgmma's A fragments
  // This warpgroup's 64 rows of Q, column half 0.
  const uint32_t qRows = sQ + wg * 64 * 128;

  // S = Q K^T: 64 x 128 a warpgroup, k-steps of 16 along D (issued only).
  auto issueS = [&](uint32_t k) {
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      const uint32_t half = kk / 4, in = (kk % 4) * 32;
      uint64_t a = descriptor(qRows + half * kBr * 128 + in, 16, 1024);
      uint64_t bk = descriptor(k + half * kBc * 128 + in, 16, 1024);
      Mma::ss(s, a, bk, kk > 0);
    }
    wgmmaCommit();
  };
  // O += P V: k-steps of 16 keys; V's rows are the keys, read N-major.
  auto issuePV = [&](uint32_t v) {
#pragma unroll
    for (int kk = 0; kk < kBc / 16; ++kk) {
      uint64_t bv = descriptor(v + kk * 16 * 128, kBc * 128, 1024);
      MmaO::rsTransB(o, pf[kk], bv, 1);
    }
    wgmmaCommit();
  };
  // Mask tile `tile` of S, softmax it in place (base 2, scale folded in)
  // and return each row's correction of what O holds.
  auto softmax = [&](int tile, float(&corr)[2]) {
    if (kvTileNeedsMask(tile, kBc, limMin)) {
#pragma unroll
      for (int i = 0; i < kBc / 2; ++i) {
        int j = tile * kBc + (i >> 2) * 8 + 2 * t + (i & 1);
        if (j > rowLim[(i >> 1) & 1])
          s[i] = -INFINITY;
      }
    }
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      float part[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
#pragma unroll
      for (int nb = 0; nb < kBc / 8; ++nb)
        part[nb & 3] = fmaxf(part[nb & 3],
                             fmaxf(s[4 * nb + 2 * h], s[4 * nb + 2 * h + 1]));
      float mx = fmaxf(fmaxf(part[0], part[1]), fmaxf(part[2], part[3]));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
      float mNew = fmaxf(rowMax[h], mx * p.scaleLog2);
      float mUse = mNew == -INFINITY ? 0.f : mNew;
      corr[h] = fastExp2(rowMax[h] - mUse);
      rowMax[h] = mNew;
      float sum[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
      for (int nb = 0; nb < kBc / 8; ++nb) {
        float &e0 = s[4 * nb + 2 * h], &e1 = s[4 * nb + 2 * h + 1];
        e0 = fastExp2(fmaf(e0, p.scaleLog2, -mUse));
        e1 = fastExp2(fmaf(e1, p.scaleLog2, -mUse));
        sum[nb & 3] += e0 + e1;
      }
      rowSum[h] =
          fmaf(rowSum[h], corr[h], (sum[0] + sum[1]) + (sum[2] + sum[3]));
    }
  };
  // O *= corr, the rows' correction for the max of the next P.
  auto rescale = [&](const float(&corr)[2]) {
#pragma unroll
    for (int nb = 0; nb < D / 8; ++nb)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        o[4 * nb + e] *= corr[e >> 1];
  };
  // P packed out of S for the next O += P V.
  auto pack = [&] {
#pragma unroll
    for (int nb = 0; nb < kBc / 8; ++nb)
#pragma unroll
      for (int h = 0; h < 2; ++h) // k-step nb / 2: regs h (+2: odd 8 columns)
        pf[nb >> 1][h + 2 * (nb & 1)] =
            MmaOp<T>::pack(s[4 * nb + 2 * h], s[4 * nb + 2 * h + 1]);
  };
  // Tile by tile (the cp.async kernel and kSerial): S, softmax, O += P V;
  // tile + 1 loads meanwhile. One tile from stage `stage` of the ring: S,
  // softmax, O += P V, every MMA done (its shared memory read) on return.
  float corr[2];
  auto computeTile = [&](int tile, int stage) {
    wgmmaFence();
    issueS(sK(stage));
    wgmmaWait<0>();
    pin(s);
    softmax(tile, corr);
    rescale(corr);
    pack();
    wgmmaFence();
    issuePV(sV(stage));
    wgmmaWait<0>();
    pin(o);
  };
  if constexpr (Ws) {
    // K and V by the producer warp (TMA).
    const uint32_t full0 = smemAddr(fullBar), empty0 = smemAddr(emptyBar);
    if (tid == 0) {
      for (int st = 0; st < St; ++st) {
        mbarInit(full0 + 8 * st, 1);
        mbarInit(empty0 + 8 * st, kConsumers);
      }
      mbarInitFence();
    }
    // The barriers' initialisation seen before any TMA or wait on them; Q
    // is still in flight, so the producer's first K and V load with it.
    __syncthreads();
    if (warp >= Warps) {
      if constexpr (S::Producers == 128)
        setMaxNReg<false, kProducerRegs<WGs>>();
      if (warp == Warps && lane == 0) {
        const int head = b * p.kvHeads + kvh;
        for (int tile = 0; tile < nTiles; ++tile) {
          const int stage = tile % St;
          // Stage reuse: wait for the consumers' release of its last tile.
          if (tile >= St)
            mbarWait(empty0 + 8 * stage, ((tile / St) & 1) ^ 1);
          const uint32_t full = full0 + 8 * stage;
          mbarExpectTx(full, 2 * S::KvBytes);
#pragma unroll
          for (int half = 0; half < D / 64; ++half) {
            tmaLoad3d(sK(stage) + half * kBc * 128, &maps.k, half * 64,
                      tile * kBc, head, full);
            tmaLoad3d(sV(stage) + half * kBc * 128, &maps.v, half * 64,
                      tile * kBc, head, full);
          }
        }
      }
      return;
    }
    if constexpr (S::Producers == 128)
      setMaxNReg<true, kConsumerRegs<WGs>>();
    // Q landed and, through the fence, is seen by every consumer's wgmma.
    cpAsyncWait<0>();
    fenceProxyAsync();
    namedBarSync(kQReadyBarrier, kConsumers);
    auto waitFull = [&](int tile) {
      mbarWait(full0 + 8 * (tile % St), (tile / St) & 1);
    };
    // This thread's reads of the tile's stage done.
    auto release = [&](int tile) { mbarArrive(empty0 + 8 * (tile % St)); };
    if constexpr (Sch == kSerial) {
      for (int tile = 0; tile < nTiles; ++tile) {
        waitFull(tile);
        computeTile(tile, tile % St);
        release(tile);
      }
    } else {
      // Ping-pong: warpgroup w issues after barrier 1 + w's phase, which the
      // one before it (cyclically) completes once its own MMAs are issued;
      // the first warpgroup's first turn is its own arrival. All run
      // nTiles + 1 turns, and the last warpgroup's last arrival is left
      // out, so no barrier is left mid-phase at exit. A phase is one
      // warpgroup's sync and another's arrival: 256 threads.
      auto myTurn = [&] {
        if constexpr (Sch == kPingPong)
          namedBarSync(1 + wg, 256);
      };
      auto yieldTurn = [&](bool last) {
        if constexpr (Sch == kPingPong)
          if (!(last && wg == WGs - 1))
            namedBarArrive(1 + (wg + 1) % WGs, 256);
      };
      if (nTiles > 0) {
        if (Sch == kPingPong && wg == 0)
          namedBarArrive(1, 256);
        waitFull(0);
        myTurn();
        wgmmaFence();
        issueS(sK(0));
        yieldTurn(false);
        wgmmaWait<0>();
        pin(s);
        softmax(0, corr);
        pack();
      }
      for (int tile = 1; tile < nTiles; ++tile) {
        waitFull(tile);
        myTurn();
        wgmmaFence();
        issueS(sK(tile % St));
        rescale(corr); // under S; O's last P V was waited for
        wgmmaFence();
        issuePV(sV((tile - 1) % St));
        yieldTurn(false);
        wgmmaWait<1>(); // S landed; P V may still run
        pin(s);
        softmax(tile, corr);
        wgmmaWait<0>();
        pin(o);
        release(tile - 1);
        pack();
      }
      if (nTiles > 0) {
        myTurn();
        rescale(corr);
        wgmmaFence();
        issuePV(sV((nTiles - 1) % St));
        yieldTurn(true);
        wgmmaWait<0>();
        pin(o);
        release(nTiles - 1);
      }
    }
  } else {
    constexpr int kThreads = S::Threads;
    if (nTiles > 0) {
      loadSwizzled<D, kBr, kThreads>(sQ, qBase, m0, p.rows, tid);
      loadSwizzled<D, kBc, kThreads>(sK(0), kBase, 0, p.kvLen, tid);
      loadSwizzled<D, kBc, kThreads>(sV(0), vBase, 0, p.kvLen, tid);
      cpAsyncCommit();
    }
    for (int tile = 0; tile < nTiles; ++tile) {
      const int stage = tile & 1;
      if (tile + 1 < nTiles) {
        // The other stage was released by the barrier that ended tile - 1.
        loadSwizzled<D, kBc, kThreads>(sK(stage ^ 1), kBase, (tile + 1) * kBc,
                                       p.kvLen, tid);
        loadSwizzled<D, kBc, kThreads>(sV(stage ^ 1), vBase, (tile + 1) * kBc,
                                       p.kvLen, tid);
        cpAsyncCommit();
        cpAsyncWait<1>();
      } else {
        cpAsyncWait<0>();
      }
      fenceProxyAsync();
      __syncthreads();
      computeTile(tile, stage);
      __syncthreads(); // this stage's K and V are free for tile + 2
    }
  }

  // Epilogue: normalise, lse in natural log, store or merge.
#pragma unroll
  for (int h = 0; h < 2; ++h)
    storeRow<D>(p, headRow0, rowBase + 8 * h, rowMax[h], rowSum[h], t,
                [&](int nb, int lo) { return o[4 * nb + 2 * h + lo]; });
#endif // DISTATTN_SM90A
}

/// K's and V's tensor maps: [batch * kvHeads, kvLen, D] with D innermost,
/// boxes of 64 columns (one 128-byte swizzle line) by kBc rows, rows past
/// kvLen read as zeros. False where TMA cannot take them.
template <typename T, int D>
bool encodeKvMaps(const FwdParams &p, int batch, KvMaps &maps) {
  const cuuint64_t dims[3] = {cuuint64_t(D), cuuint64_t(p.kvLen),
                              cuuint64_t(batch) * cuuint64_t(p.kvHeads)};
  const cuuint64_t strides[2] = {cuuint64_t(D) * sizeof(T),
                                 cuuint64_t(p.kvLen) * D * sizeof(T)};
  const cuuint32_t box[3] = {64, kBc, 1};
  return encodeKvSwizzled<T>(&maps.k, p.k, &maps.v, p.v, 3, dims, strides, box);
}

template <typename T, int D, int WGs, bool Ws = false, int St = 2,
          int Sch = kSerial>
int launchFwdSm90(FwdParams p, int batch, cudaStream_t stream) {
  using S = Smem<D, WGs, Ws, St, Sch>;
  KvMaps maps{};
  // TMA takes 16-byte aligned K and V; elsewhere the cp.async kernel runs.
  if constexpr (Ws)
    if (reinterpret_cast<uintptr_t>(p.k) % 16 != 0 ||
        reinterpret_cast<uintptr_t>(p.v) % 16 != 0 ||
        !encodeKvMaps<T, D>(p, batch, maps))
      return launchFwdSm90<T, D, WGs>(p, batch, stream);
  auto kernel = microAttentionFwdSm90<T, D, WGs, Ws, St, Sch>;
  static std::atomic<uint64_t> configured{0};
  cudaError_t e = allowSharedMemory(configured, kernel, S::Bytes);
  if (e != cudaSuccess)
    return int(e);
  p.numMTiles = (p.rows + S::Br - 1) / S::Br;
  dim3 grid(p.numMTiles, p.kvHeads, batch);
  kernel<<<grid, S::Threads, S::Bytes, stream>>>(p, maps);
  return int(cudaGetLastError());
}

} // namespace sm90
} // namespace cuda
} // namespace distattn

#endif // DISTATTN_CUDA_MICRO_ATTENTION_SM90_CUH
