// Pure loads of a paged KV: the decode's reads with no math, to measure what
// a page order costs the memory system itself
// (bench/kernels/decode_ceiling.py).
//
// The pools are the kernel benchmark's: K and V each [pages, kvHeads,
// pageSize, 128] bf16, a sequence's pages listed in `indices` (pagesPerSeq a
// sequence, in order). Each warp owns a ring of two slots of one K tile and
// one V tile of `rows` rows (32: 8 KiB each, one 1-D bulk copy apiece), as
// the decode's TMA rings; `warps` warps a block (7 of 32-row tiles fill an
// H100 SM's shared memory, as the decode's do; 14 of 16-row tiles the same
// bytes in twice the copies).
//  headMajor (the decode's decomposition): a block a (sequence, kv head,
//    split of the pages); its warps deal the unit's tiles round robin, so a
//    block reads a page's 32 KiB of its kv head, then the next page's.
//  page-major: a block a (sequence, split of the pages), all kv heads; its
//    warps deal the page's kvHeads x 4 tiles round robin, so a block reads
//    each page's whole contiguous 256 KiB before the next.
#include "../../runtime/cuda/tma.cuh"
#include <cstdint>

namespace {
using namespace distattn::cuda;

constexpr int kD = 128, kRowBytes = kD * 2, kStages = 2;

__device__ __forceinline__ void bulkLoad(uint32_t dst, const void *src,
                                         uint32_t bytes, uint32_t bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::"
               "bytes [%0], [%1], %2, [%3];\n" ::"r"(dst),
               "l"(src), "r"(bytes), "r"(bar)
               : "memory");
}

__global__ void pagedLoads(const char *K, const char *V, const int *indices,
                           int pagesPerSeq, int kvHeads, int pageSize, int rows,
                           int splits, bool headMajor, int *sink) {
  extern __shared__ __align__(1024) unsigned char sm[];
  const int warp = threadIdx.x / 32, warps = blockDim.x / 32,
            lane = threadIdx.x % 32;
  const int unit = blockIdx.x / splits, split = blockIdx.x % splits;
  const int seq = headMajor ? unit / kvHeads : unit;
  const int head = headMajor ? unit % kvHeads : 0;
  const int p0 = int(int64_t(pagesPerSeq) * split / splits);
  const int p1 = int(int64_t(pagesPerSeq) * (split + 1) / splits);
  const int kTileBytes = rows * kRowBytes;
  const int64_t headBytes = int64_t(pageSize) * kRowBytes;
  const int perHead = pageSize / rows;
  const int perPage = headMajor ? perHead : kvHeads * perHead;
  const int n =
      ((p1 - p0) * perPage - warp + warps - 1) / warps; // this warp's tiles
  unsigned char *ring = sm + warp * kStages * 2 * kTileBytes;
  const uint32_t bar0 = detail::smemAddr(sm + warps * kStages * 2 * kTileBytes +
                                         warp * 8 * kStages);
  if (lane == 0) {
    for (int s = 0; s < kStages; ++s)
      tma::mbarInit(bar0 + 8 * s, 1);
    tma::mbarInitFence();
  }
  __syncwarp();
  const int *table = indices + int64_t(seq) * pagesPerSeq;
  // Tile i's byte offset in the pools; its page id is read one tile ahead
  // of its copy, as the decode does, so that the lookup's latency hides
  // under the wait for the tile before.
  auto offsetOf = [&](int i) -> int64_t {
    if (i >= n || lane != 0)
      return -1;
    const int t = warp + i * warps, pg = p0 + t / perPage, inPage = t % perPage;
    return int64_t(table[pg]) * kvHeads * headBytes +
           (headMajor ? head * headBytes : 0) + int64_t(inPage) * kTileBytes;
  };
  auto issue = [&](int i, int64_t at) {
    if (at < 0)
      return;
    const int s = i % kStages;
    const uint32_t dk = detail::smemAddr(ring + s * 2 * kTileBytes);
    // The slot's last generic reads before the async proxy's writes.
    tma::fenceProxyAsync();
    tma::mbarExpectTx(bar0 + 8 * s, 2 * kTileBytes);
    bulkLoad(dk, K + at, kTileBytes, bar0 + 8 * s);
    bulkLoad(dk + kTileBytes, V + at, kTileBytes, bar0 + 8 * s);
  };
  for (int s = 0; s < kStages; ++s)
    issue(s, offsetOf(s));
  int64_t next = offsetOf(kStages);
  int acc = 0; // one byte a tile read back, so that the loads are used
  for (int i = 0; i < n; ++i) {
    tma::mbarWait(bar0 + 8 * (i % kStages), (i / kStages) & 1);
    acc += ring[(i % kStages) * 2 * kTileBytes + lane * 4];
    __syncwarp();
    issue(i + kStages, next);
    next = offsetOf(i + kStages + 1);
  }
  if (acc == 0x7fffffff)
    *sink = acc;
}
} // namespace

/// Launches the loads of `seqs` sequences of pagesPerSeq pages each (pages of
/// pageSize tokens, a multiple of `rows`; head_dim 128 in 16 bits). Returns
/// 0, or a CUDA error code, or -1 for a shape the probe does not take.
extern "C" int da_probe_paged_loads(const void *K, const void *V,
                                    const int *indices, int seqs,
                                    int pagesPerSeq, int kvHeads, int pageSize,
                                    int rows, int splits, int warps,
                                    int headMajor, int *sink, void *stream) {
  if (seqs < 1 || pagesPerSeq < 1 || kvHeads < 1 || rows < 8 || rows % 8 != 0 ||
      pageSize % rows != 0 || warps < 1 || warps > 32 || splits < 1)
    return -1;
  const int smem = warps * kStages * (2 * rows * kRowBytes + 8);
  cudaError_t e = cudaFuncSetAttribute(
      pagedLoads, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
  if (e != cudaSuccess)
    return int(e);
  const int blocks = (headMajor ? seqs * kvHeads : seqs) * splits;
  pagedLoads<<<blocks, 32 * warps, smem, static_cast<cudaStream_t>(stream)>>>(
      static_cast<const char *>(K), static_cast<const char *>(V), indices,
      pagesPerSeq, kvHeads, pageSize, rows, splits, headMajor != 0, sink);
  return int(cudaGetLastError());
}
