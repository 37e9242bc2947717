//===- tma.cuh - Hopper asynchronous copies: mbarriers and TMA -----------===//
//
// What the Hopper kernels (the wgmma forward, the paged decode's TMA ring)
// share: the sm_90a guard and its run-time probe, mbarrier phases, tensor
// loads (TMA) and the proxy fence between them and ordinary shared-memory
// accesses, and the driver's tensor-map encoder reached through the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_CUDA_TMA_CUH
#define DISTATTN_CUDA_TMA_CUH

#include "common.cuh"

#include <atomic>
#include <cuda.h>         // CUtensorMap (the type only: no driver link)
#include <cudaTypedefs.h> // PFN_cuTensorMapEncodeTiled
#include <type_traits>
#include <utility>

namespace distattn {
namespace cuda {
namespace tma {

// Hopper's asynchronous copies and wgmma exist in sm_90a images alone
// (this library's default): compiled for another target, the kernels that
// use them are empty, and a flag each image holds (read back by
// imageFlag) says so.
#if defined(__CUDA_ARCH__) && !defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define DISTATTN_SM90A 0
#else
#define DISTATTN_SM90A 1
#endif

/// The value of an int __device__ flag in the current device's code image
/// (`symbol`: its address here), asked once a device and cached in `known`
/// / `set`, one bit a device.
inline bool imageFlag(const void *symbol, std::atomic<uint64_t> &known,
                      std::atomic<uint64_t> &set) {
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess)
    return false;
  const uint64_t bit = uint64_t(1) << (device & 63);
  if (!(known.load() & bit)) {
    // On a stream of its own that waits for no other, so that a launch
    // behind transfers in flight is not held up.
    int value = 0;
    cudaStream_t probe = nullptr;
    if (cudaStreamCreateWithFlags(&probe, cudaStreamNonBlocking) !=
            cudaSuccess ||
        cudaMemcpyFromSymbolAsync(&value, symbol, sizeof value, 0,
                                  cudaMemcpyDeviceToHost,
                                  probe) != cudaSuccess ||
        cudaStreamSynchronize(probe) != cudaSuccess) {
      (void)cudaGetLastError();
      value = 0;
    }
    if (probe)
      cudaStreamDestroy(probe);
    if (value)
      set.fetch_or(bit);
    known.fetch_or(bit);
  }
  return (set.load() & bit) != 0;
}

__device__ __forceinline__ void mbarInit(uint32_t bar, uint32_t count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar),
               "r"(count)
               : "memory");
}
/// The barriers' initialisation made visible to TMA (the async proxy).
__device__ __forceinline__ void mbarInitFence() {
  asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
}
/// Arrives and adds `bytes` to the transactions the phase waits for.
__device__ __forceinline__ void mbarExpectTx(uint32_t bar, uint32_t bytes) {
  asm volatile(
      "mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar),
      "r"(bytes)
      : "memory");
}
__device__ __forceinline__ void mbarArrive(uint32_t bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar)
               : "memory");
}
/// Waits for the phase of parity `parity` to complete.
__device__ __forceinline__ void mbarWait(uint32_t bar, uint32_t parity) {
  asm volatile("{\n"
               ".reg .pred done;\n"
               "WAIT:\n"
               "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
               "@!done bra WAIT;\n"
               "}\n" ::"r"(bar),
               "r"(parity)
               : "memory");
}
/// One box of a 3-D tensor map into shared memory at `dst`, its bytes
/// counted on `bar`.
__device__ __forceinline__ void tmaLoad3d(uint32_t dst, const CUtensorMap *map,
                                          int c0, int c1, int c2,
                                          uint32_t bar) {
  asm volatile(
      "cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::"
      "complete_tx::bytes [%0], [%1, {%2, %3, %4}], [%5];\n" ::"r"(dst),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(bar)
      : "memory");
}

/// One box of a 2-D tensor map into shared memory at `dst`, its bytes
/// counted on `bar`.
__device__ __forceinline__ void tmaLoad2d(uint32_t dst, const CUtensorMap *map,
                                          int c0, int c1, uint32_t bar) {
  asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::"
               "complete_tx::bytes [%0], [%1, {%2, %3}], [%4];\n" ::"r"(dst),
               "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(bar)
               : "memory");
}

/// Byte offset of 16-byte unit u of row r of a [Rows, D] tile of 16-bit
/// elements in the 128-byte swizzle TMA writes and wgmma and ldmatrix read
/// here: column halves of 64 elements (128 bytes a row) one after the other,
/// unit u % 8 of a row stored at (u % 8) ^ (r % 8).
template <int Rows>
__host__ __device__ __forceinline__ uint32_t swizzled128(int r, int u) {
  return uint32_t((u >> 3) * (Rows * 128) + r * 128 +
                  (((u & 7) ^ (r & 7)) << 4));
}

/// Shared memory's generic-proxy accesses (cp.async stores, ldmatrix reads,
/// plain stores) ordered with the async proxy's (wgmma reads, TMA writes).
__device__ __forceinline__ void fenceProxyAsync() {
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}

/// The driver's cuTensorMapEncodeTiled through the runtime (no libcuda
/// link); null where the driver lacks it.
inline PFN_cuTensorMapEncodeTiled_v12000 tensorMapEncoder() {
  static PFN_cuTensorMapEncodeTiled_v12000 encode = [] {
    void *fn = nullptr;
    cudaDriverEntryPointQueryResult found{};
    if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &fn, 12000,
                                         cudaEnableDefault,
                                         &found) != cudaSuccess ||
        found != cudaDriverEntryPointSuccess) {
      (void)cudaGetLastError();
      fn = nullptr;
    }
    return reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(fn);
  }();
  return encode;
}

/// Tensor maps of K and V (16-bit elements T, `rank` dimensions, D
/// innermost) in the 128-byte swizzle, boxes of `box`, L2 promotion of
/// 256 bytes, rows past the extent read as zeros. False where the driver
/// lacks the encoder or refuses the maps.
template <typename T>
bool encodeKvSwizzled(CUtensorMap *k, const void *kData, CUtensorMap *v,
                      const void *vData, int rank, const cuuint64_t *dims,
                      const cuuint64_t *strides, const cuuint32_t *box) {
  PFN_cuTensorMapEncodeTiled_v12000 encode = tensorMapEncoder();
  if (!encode)
    return false;
  const cuuint32_t unit[3] = {1, 1, 1};
  const CUtensorMapDataType type = std::is_same<T, __half>::value
                                       ? CU_TENSOR_MAP_DATA_TYPE_FLOAT16
                                       : CU_TENSOR_MAP_DATA_TYPE_BFLOAT16;
  for (auto [map, data] :
       {std::pair<CUtensorMap *, const void *>{k, kData}, {v, vData}})
    if (encode(map, type, rank, const_cast<void *>(data), dims, strides, box,
               unit, CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
               CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
               CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE) != CUDA_SUCCESS)
      return false;
  return true;
}

} // namespace tma
} // namespace cuda
} // namespace distattn

#endif // DISTATTN_CUDA_TMA_CUH
