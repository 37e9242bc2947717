//===- paged_decode.cu - Decode attention over paged (rBlock) KV ----------===//
//
// The launch side of the paged decode (the kernel: paged_decode_kernel.cuh):
// which loader a launch takes (the TMA ring on sm_90a where pages hold whole
// or half tiles, else cp.async), its ring depth and L2 hint (knobs), the
// tensor maps of the pools, how many warps a block holds, how many splits
// fill the SMs' resident warps, and the merge of the splits' states; then
// the C entry points.
//
//===----------------------------------------------------------------------===//
#include "distattn/cuda/kernels.h"
#include "paged_decode_kernel.cuh"

#include <algorithm>
#include <atomic>
#include <cstdlib>

namespace distattn {
namespace cuda {

int mergeStridedStates(const float *outs, const float *lses, int n,
                       int64_t rows, int headDim, float *out, float *lse,
                       cudaStream_t stream);

namespace {

using namespace detail;

constexpr int kDefaultDecodeStages = 4, kDefaultDecodeStagesTma = 2;
constexpr int kDefaultDecodeL2Hint = 1;

/// Whether the decode's TMA ring can run: an sm_90a image on this device
/// (asked once a device), the driver's encoder, and the knob
/// (da_paged_decode_set_tma or DISTATTN_DECODE_TMA; default on).
std::atomic<int> gDecodeTma{-1};
bool decodeTmaWanted() {
  static std::atomic<uint64_t> known{0}, compiled{0};
  return knob(gDecodeTma, -1, "DISTATTN_DECODE_TMA", onUnlessZero) == 1 &&
         tma::tensorMapEncoder() &&
         tma::imageFlag(&kDecodeTmaCompiled, known, compiled);
}

/// Whether a decode of head_dim D over pages of pageSize tokens takes the
/// TMA ring: pages of whole tiles, or of half tiles (two boxes a tile);
/// launchDecode falls back to cp.async where the maps do not encode.
bool decodeUsesTma(int headDim, int pageSize) {
  return headDim <= 128 && pageSize % 16 == 0 && decodeTmaWanted();
}

/// K's and V's pools as [rows, D] tensors, boxes of kDecBc rows (16 in
/// pages of 16) by 64 columns (one swizzle line). The pools' row count is not
/// an argument; the maps claim 2^31 - 1 rows, more than any pool has (2^31 rows
/// of head_dim 64 in 16 bits are 256 GiB), and only rows of the page table are
/// read.
template <typename T, int D>
bool encodeDecMaps(const DecParams &p, DecMaps &maps) {
  const cuuint64_t dims[2] = {cuuint64_t(D), cuuint64_t(INT32_MAX)};
  const cuuint64_t strides[1] = {cuuint64_t(D) * sizeof(T)};
  // Boxes of a tile, or of half a tile where pages hold half tiles.
  const cuuint32_t box[2] = {
      64, cuuint32_t(p.pageSize % kDecBc == 0 ? kDecBc : 16)};
  return tma::encodeKvSwizzled<T>(&maps.k, p.kPages, &maps.v, p.vPages, 2, dims,
                                  strides, box);
}

/// The device's shared memory: a block's opt-in most, and an SM's.
struct SmemLimits {
  int perBlock = 227 * 1024, perSm = 228 * 1024;
};
SmemLimits smemLimits() {
  SmemLimits l;
  int dev = 0;
  if (cudaGetDevice(&dev) == cudaSuccess) {
    cudaDeviceGetAttribute(&l.perBlock, cudaDevAttrMaxSharedMemoryPerBlockOptin,
                           dev);
    cudaDeviceGetAttribute(&l.perSm,
                           cudaDevAttrMaxSharedMemoryPerMultiprocessor, dev);
  }
  return l;
}

/// Whether a decode whose splits fit a block merges them there
/// (da_paged_decode_set_combine or DISTATTN_DECODE_COMBINE; default on).
std::atomic<int> gDecodeCombine{-1};
bool decodeCombineWanted() {
  return knob(gDecodeCombine, -1, "DISTATTN_DECODE_COMBINE", onUnlessZero) == 1;
}

/// More than the kernel's static shared memory (its mbarriers are dynamic).
constexpr size_t kDecStaticSmemBound = 256;

/// Warps a block of the decode holds: da_paged_decode_set_warps or
/// DISTATTN_DECODE_WARPS (1 to kDecMaxWarps), else as many rings as one
/// block's shared memory holds.
std::atomic<int> gDecodeWarps{0};
template <typename Cfg> int decodeWarps(const SmemLimits &l) {
  int n = knob(gDecodeWarps, 0, "DISTATTN_DECODE_WARPS", [](const char *e) {
    int n = e ? std::atoi(e) : 0;
    return n >= 1 && n <= kDecMaxWarps ? n : -1; // -1: as many as fit
  });
  if (n > 0)
    return n;
  for (n = kDecMaxWarps; n > 1; --n)
    if (Cfg::smemBytes(n) + kDecStaticSmemBound <= size_t(l.perBlock))
      return n;
  return 1;
}

template <typename T, int D, int Stages, bool L2Hint, bool Tma>
int launchDecodeKernel(const DecParams &p, const DecMaps &maps,
                       cudaStream_t stream) {
  using Cfg = DecCfg<T, D, Stages, Tma>;
  auto kernel = pagedDecodeKernel<T, D, Stages, L2Hint, Tma>;
  const SmemLimits limits = smemLimits();
  // The plan's count where it merges in the block (a multiple of the
  // splits, no more than fit); else as many as fit.
  const int warps = p.combine ? p.combineWarps : decodeWarps<Cfg>(limits);
  const size_t smem = Cfg::smemBytes(warps);
  // Refused here, not by the launch: a warp count set by hand whose rings
  // do not fit (a launch error would also be reported by the driver).
  if (smem + kDecStaticSmemBound > size_t(limits.perBlock))
    return int(cudaErrorInvalidValue);
  // The block's opt-in most less the kernel's static shared memory, once:
  // the launch's own size sets occupancy.
  static std::atomic<uint64_t> configured{0}; // one a kernel
  cudaError_t e = oncePerDevice(configured, [&] {
    cudaFuncAttributes fa;
    cudaError_t r = cudaFuncGetAttributes(&fa, kernel);
    if (r == cudaSuccess)
      r = allowSharedMemoryNow(kernel,
                               size_t(limits.perBlock) - fa.sharedSizeBytes);
    return r;
  });
  if (e != cudaSuccess)
    return int(e);
  const int64_t blocks = (p.items + warps - 1) / warps;
  if (blocks > INT32_MAX)
    return int(cudaErrorInvalidValue);
  kernel<<<unsigned(blocks), 32 * warps, smem, stream>>>(p, maps);
  return int(cudaGetLastError());
}

/// The TMA ring where `tma` (decodeUsesTma) and the maps encode, else
/// cp.async. L2Hint is the cp.async loader's: the maps carry their own L2
/// promotion, so the TMA kernel is built once, without it.
/// The plan sized the blocks for the TMA rings where `tma`; should the
/// encoder refuse the maps (it has not, for pools aligned as the entry point
/// requires), the cp.async rings may not fit the plan's warps, and a decode
/// merged in the block is then refused (cudaErrorInvalidValue) rather than
/// run without the workspace it was told it needs none of.
template <typename T, int D, int Stages, bool L2Hint = false>
int launchDecode(const DecParams &p, bool tma, cudaStream_t stream) {
  DecMaps maps{};
  if constexpr (D <= 128)
    if (tma && encodeDecMaps<T, D>(p, maps))
      return launchDecodeKernel<T, D, Stages, false, true>(p, maps, stream);
  return launchDecodeKernel<T, D, Stages, L2Hint, false>(p, maps, stream);
}

/// Ring depth for head_dim 128 (rings an SM, TMA / cp.async: 2: 7 / 6,
/// 3: 4 / 4, 4: 3 / 3),
/// from da_paged_decode_set_stages or DISTATTN_DECODE_STAGES; by default 4
/// for cp.async and 2 for the TMA ring (what an H100 ran fastest,
/// bench/RESULTS.md).
std::atomic<int> gDecodeStages{0};
int decodeStages(bool tma) {
  int n = knob(gDecodeStages, 0, "DISTATTN_DECODE_STAGES", [](const char *e) {
    int n = e ? std::atoi(e) : 0;
    return n >= 2 && n <= 4 ? n : -1; // -1: the loader's default
  });
  return n > 0 ? n : tma ? kDefaultDecodeStagesTma : kDefaultDecodeStages;
}

/// L2 256-byte prefetch hint on the head_dim 128 cp.async KV copies (head_dim
/// 64 and 256 always use it; the TMA maps promote to L2 in 256 bytes):
/// da_paged_decode_set_l2_hint or DISTATTN_DECODE_L2HINT; default on (+1.5% on
/// an H100, bench/RESULTS.md).
std::atomic<int> gDecodeL2Hint{-1};
bool decodeL2Hint() {
  return knob(gDecodeL2Hint, -1, "DISTATTN_DECODE_L2HINT", [](const char *e) {
           return e && std::atoi(e) == 1   ? 1
                  : e && std::atoi(e) == 0 ? 0
                                           : kDefaultDecodeL2Hint;
         }) == 1;
}

template <typename T>
int dispatchDecode(const DecParams &p, int headDim, cudaStream_t stream) {
  const bool tma = decodeUsesTma(headDim, p.pageSize);
  switch (headDim) {
  case 64:
    return launchDecode<T, 64, 4, true>(p, tma, stream);
  case 128:
    switch (decodeStages(tma) * 2 + int(decodeL2Hint())) {
    case 2 * 2 + 1:
      return launchDecode<T, 128, 2, true>(p, tma, stream);
    case 2 * 2:
      return launchDecode<T, 128, 2>(p, tma, stream);
    case 3 * 2 + 1:
      return launchDecode<T, 128, 3, true>(p, tma, stream);
    case 3 * 2:
      return launchDecode<T, 128, 3>(p, tma, stream);
    case 4 * 2 + 1:
      return launchDecode<T, 128, 4, true>(p, tma, stream);
    default:
      return launchDecode<T, 128, 4>(p, tma, stream);
    }
  case 256:
    return launchDecode<T, 256, 2, true>(p, tma, stream);
  default:
    return int(cudaErrorInvalidValue);
  }
}

bool validArgs(const DaPagedDecodeArgs *a) {
  return a && a->batch > 0 && a->qHeads > 0 && a->kvHeads > 0 &&
         a->qHeads % a->kvHeads == 0 && a->pageSize > 0 && a->maxKvLen >= 0 &&
         a->maxKvLen < (int64_t(1) << 30) && a->scale > 0.f &&
         (a->headDim == 64 || a->headDim == 128 || a->headDim == 256) &&
         (a->dtype == DA_BF16 || a->dtype == DA_FP16);
}

bool alignedArgs(const DaPagedDecodeArgs *a) {
  auto ok = [](const void *ptr, uintptr_t n) {
    return ptr && reinterpret_cast<uintptr_t>(ptr) % n == 0;
  };
  return ok(a->q, 16) && ok(a->kPages, 16) && ok(a->vPages, 16) &&
         ok(a->pageIndptr, 4) && ok(a->pageIndices, 4) && ok(a->kvLens, 4) &&
         ok(a->out, 16) && ok(a->lse, 4) &&
         (!a->workspace || ok(a->workspace, 16));
}

/// The blocks of a decode launch: warps a block and its shared memory.
struct DecBlock {
  int warps;
  size_t smemBytes;
};
template <int D, int Stages> DecBlock decBlock(bool tma, const SmemLimits &l) {
  auto of = [&](auto cfg) {
    using Cfg = decltype(cfg);
    const int w = decodeWarps<Cfg>(l);
    return DecBlock{w, Cfg::smemBytes(w)};
  };
  if constexpr (D <= 128)
    if (tma)
      return of(DecCfg<__half, D, Stages, true>{});
  return of(DecCfg<__half, D, Stages>{});
}

/// That of the instantiation dispatchDecode uses.
DecBlock decodeBlock(int headDim, int pageSize, const SmemLimits &l) {
  const bool tma = decodeUsesTma(headDim, pageSize);
  switch (headDim) {
  case 64:
    return decBlock<64, 4>(tma, l);
  case 128:
    switch (decodeStages(tma)) {
    case 2:
      return decBlock<128, 2>(tma, l);
    case 3:
      return decBlock<128, 3>(tma, l);
    default:
      return decBlock<128, 4>(tma, l);
    }
  default:
    return decBlock<256, 2>(false, l);
  }
}

/// The workspace's first bytes: the arrival and tile counts of the units
/// merged in parts, there whatever the plan so that no call's states ever
/// land on them; zero-filled once, a workspace stays valid for calls of any
/// shape (each call leaves them zero).
constexpr int64_t kDecCountBytes = 4096;
constexpr int64_t kDecMaxPartUnits = kDecCountBytes / (2 * sizeof(int));
/// Splits of fewer tokens are not planned in parts: there the merge in the
/// kernel's tail and the SMs the whole blocks leave idle cost more than the
/// second launch (on an H100, 1 x 32K: 1.8% slower; 1 x 128K, 1.2% faster).
constexpr int64_t kDecPartMinTokens = 1024;

/// How a decode is split: tokens a split, splits of the longest sequence,
/// and whether a block holds whole (sequence, kv head, row tile) units,
/// `warps` a block, merging their splits itself (no workspace, no merge
/// launch).
struct DecPlan {
  int64_t chunk = 0, splits = 1;
  bool combine = false;
  int warps = 1;
  int64_t parts = 1; // blocks a unit, where combined in parts
};

/// Tokens rounded up to whole kDecBc-token tiles.
int64_t wholeTiles(int64_t tokens) {
  return (tokens + kDecBc - 1) / kDecBc * kDecBc;
}

/// (sequence, kv head, row tile) units: a unit's splits share its q rows.
int64_t decodeUnits(const DaPagedDecodeArgs *a) {
  const int64_t group = a->qHeads / a->kvHeads;
  return int64_t(a->batch) * a->kvHeads * ((group + 15) / 16);
}

/// The warps are few per SM (shared memory bound), so the split count is
/// chosen to fill whole waves of resident warps: a partial last wave would
/// leave SMs idle while HBM has headroom. Where the splits are no more than
/// a block's warps and blocks of whole units take no more waves than the
/// split grid, the block merges them (on an H100, 16 x 64K: 128 blocks of
/// 7 splits, as many as without).
DecPlan planDecode(const DaPagedDecodeArgs *a) {
  int sms = 132;
  int dev = 0;
  if (cudaGetDevice(&dev) == cudaSuccess)
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
  const SmemLimits limits = smemLimits();
  const DecBlock blk = decodeBlock(a->headDim, a->pageSize, limits);
  // Resident blocks an SM (each also reserves 1 KiB) for `warps` rings.
  auto blocksPerWave = [&](int warps) {
    const size_t ringBytes = blk.smemBytes / blk.warps; // within 1 KiB
    return sms *
           std::max<int64_t>(
               1, std::min<int64_t>(
                      {32, 64 / warps,
                       limits.perSm / int64_t(ringBytes * warps + 2048)}));
  };
  const int64_t perWave = blocksPerWave(blk.warps);
  const int64_t slots = perWave * blk.warps;
  const int64_t units = decodeUnits(a);
  const int64_t maxLen = std::max<int64_t>(a->maxKvLen, 1);
  DecPlan plan;
  if (a->splitTokens > 0) {
    plan.chunk = wholeTiles(a->splitTokens);
  } else {
    int64_t splits = 1;
    for (int64_t waves = 1; waves <= 8; ++waves) {
      int64_t s = waves * slots / units;
      if (s < 1)
        continue;
      int64_t items = units * s;
      int64_t blocks = (items + blk.warps - 1) / blk.warps;
      int64_t used = (blocks + perWave - 1) / perWave * perWave * blk.warps;
      splits = s;
      if (items * 10 >= used * 9) // >= 90% of the launched waves' warps busy
        break;
    }
    plan.chunk =
        wholeTiles(std::max<int64_t>((maxLen + splits - 1) / splits, 256));
  }
  plan.splits =
      std::max<int64_t>(1, (a->maxKvLen + plan.chunk - 1) / plan.chunk);
  plan.warps = blk.warps;
  // A hand-set count whose rings do not fit is left to the launch, which
  // refuses it, whatever the splits.
  const bool fits =
      blk.smemBytes + kDecStaticSmemBound <= size_t(limits.perBlock);
  if (fits && plan.splits > 1 && plan.splits <= blk.warps) {
    const int warps = int(plan.splits * (blk.warps / plan.splits));
    const int64_t blocks = (units * plan.splits + warps - 1) / warps;
    const int64_t splitBlocks =
        (units * plan.splits + blk.warps - 1) / blk.warps;
    auto waves = [&](int64_t n, int w) {
      return (n + blocksPerWave(w) - 1) / blocksPerWave(w);
    };
    if (decodeCombineWanted() &&
        waves(blocks, warps) <= waves(splitBlocks, blk.warps)) {
      plan.combine = true;
      plan.warps = warps;
    }
  } else if (fits && plan.splits > blk.warps && a->splitTokens <= 0 &&
             plan.chunk >= kDecPartMinTokens && decodeCombineWanted()) {
    // Long sequences: the splits, rounded down to whole blocks where that
    // keeps 90% of them, in parts of a block each, which share the unit's
    // tiles as they go and merge in the kernel's tail (mergeParts) instead
    // of by a second launch (on an H100, 1 x 1M: 112 splits for 115); as
    // many units as the workspace has counts for.
    const int64_t parts = plan.splits / blk.warps;
    if (parts >= 2 && parts * blk.warps * 10 >= plan.splits * 9 &&
        units <= kDecMaxPartUnits) {
      plan.splits = parts * blk.warps;
      plan.chunk = wholeTiles((maxLen + plan.splits - 1) / plan.splits);
      plan.combine = true;
      plan.parts = parts;
    }
  }
  return plan;
}

/// The workspace of a plan: the arrival counts, then each split's states
/// (out, then lse) or each part's.
struct DecWorkspace {
  int64_t slots = 0; // state slots of [B*Hq] rows: splits, or parts
  size_t bytes(const DaPagedDecodeArgs *a) const {
    if (slots == 0)
      return 0;
    return size_t(kDecCountBytes) + size_t(slots) * a->batch * a->qHeads *
                                        (a->headDim + 1) * sizeof(float);
  }
};
DecWorkspace decodeWorkspace(const DecPlan &plan) {
  if (plan.parts > 1)
    return {plan.parts};
  if (plan.splits == 1 || plan.combine)
    return {};
  return {plan.splits};
}

} // namespace
} // namespace cuda
} // namespace distattn

extern "C" int64_t da_paged_decode_split_tokens(const DaPagedDecodeArgs *a) {
  if (!distattn::cuda::validArgs(a))
    return -1;
  return distattn::cuda::planDecode(a).chunk;
}

extern "C" size_t da_paged_decode_workspace(const DaPagedDecodeArgs *a) {
  if (!distattn::cuda::validArgs(a))
    return 0;
  const distattn::cuda::DecPlan plan = distattn::cuda::planDecode(a);
  return distattn::cuda::decodeWorkspace(plan).bytes(a);
}

extern "C" int da_paged_decode(const DaPagedDecodeArgs *a, void *stream) {
  using namespace distattn::cuda;
  if (!validArgs(a) || !alignedArgs(a))
    return int(cudaErrorInvalidValue);
  const DecPlan plan = planDecode(a);
  const int64_t chunk = plan.chunk, splits = plan.splits;
  int64_t states = int64_t(a->batch) * a->qHeads;
  DecParams p{};
  p.q = a->q;
  p.kPages = a->kPages;
  p.vPages = a->vPages;
  p.indptr = a->pageIndptr;
  p.indices = a->pageIndices;
  p.kvLens = a->kvLens;
  p.qHeads = a->qHeads;
  p.kvHeads = a->kvHeads;
  p.group = a->qHeads / a->kvHeads;
  p.rowTiles = (p.group + 15) / 16;
  p.pageSize = a->pageSize;
  p.chunk = int(chunk);
  p.splits = int(splits);
  p.items = int64_t(a->batch) * p.kvHeads * p.rowTiles * splits;
  p.combine = plan.combine;
  p.combineWarps = plan.warps;
  p.parts = int(plan.parts);
  p.statesPerSplit = states;
  p.scaleLog2 = a->scale * distattn::cuda::detail::kLog2e;
  // The arrival counts, then each split's states or each part's, in the
  // workspace; else the final out and lse directly.
  const DecWorkspace ws = decodeWorkspace(plan);
  float *wsOut = nullptr, *wsLse = nullptr;
  p.out = a->out;
  p.lse = a->lse;
  if (ws.slots > 0) {
    if (!a->workspace)
      return int(cudaErrorInvalidValue);
    unsigned char *base = static_cast<unsigned char *>(a->workspace);
    wsOut = reinterpret_cast<float *>(base + kDecCountBytes);
    wsLse = wsOut + ws.slots * states * a->headDim;
    p.out = wsOut;
    p.lse = wsLse;
    p.finalOut = a->out;
    p.finalLse = a->lse;
    p.arrivals = reinterpret_cast<int *>(base);
    p.tilesTaken = p.arrivals + kDecMaxPartUnits;
  }
  cudaStream_t s = static_cast<cudaStream_t>(stream);
  int rc = a->dtype == DA_BF16 ? dispatchDecode<__nv_bfloat16>(p, a->headDim, s)
                               : dispatchDecode<__half>(p, a->headDim, s);
  if (rc != 0 || splits == 1 || plan.combine)
    return rc;
  return mergeStridedStates(wsOut, wsLse, int(splits), states, a->headDim,
                            a->out, a->lse, s);
}

extern "C" int da_paged_decode_set_stages(int stages) {
  return distattn::cuda::detail::setKnob(distattn::cuda::gDecodeStages, stages,
                                         stages == 0 ||
                                             (stages >= 2 && stages <= 4));
}

extern "C" int da_paged_decode_set_l2_hint(int hint) {
  return distattn::cuda::detail::setKnob(distattn::cuda::gDecodeL2Hint, hint,
                                         hint >= -1 && hint <= 1);
}

extern "C" int da_paged_decode_set_warps(int warps) {
  return distattn::cuda::detail::setKnob(
      distattn::cuda::gDecodeWarps, warps,
      warps >= 0 && warps <= distattn::cuda::kDecMaxWarps);
}

extern "C" int da_paged_decode_set_combine(int on) {
  return distattn::cuda::detail::setKnob(distattn::cuda::gDecodeCombine, on,
                                         on >= -1 && on <= 1);
}

extern "C" int da_paged_decode_set_tma(int on) {
  return distattn::cuda::detail::setKnob(distattn::cuda::gDecodeTma, on,
                                         on >= -1 && on <= 1);
}
