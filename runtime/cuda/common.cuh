//===- common.cuh - PTX helpers shared by the attention kernels -*- CUDA
//-*-===//
#ifndef DISTATTN_CUDA_COMMON_CUH
#define DISTATTN_CUDA_COMMON_CUH

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>

namespace distattn {
namespace cuda {
namespace detail {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

__device__ __forceinline__ uint32_t smemAddr(const void *p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

/// 16-byte global->shared copy; zero-fills the destination when !valid.
__device__ __forceinline__ void cpAsync16(uint32_t dst, const void *src,
                                          bool valid) {
  int bytes = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst),
               "l"(src), "r"(bytes));
}
/// Same, with an L2 prefetch hint of 256 bytes (the line around the chunk).
__device__ __forceinline__ void cpAsync16L2(uint32_t dst, const void *src,
                                            bool valid) {
  int bytes = valid ? 16 : 0;
  asm volatile(
      "cp.async.cg.shared.global.L2::256B [%0], [%1], 16, %2;\n" ::"r"(dst),
      "l"(src), "r"(bytes));
}
__device__ __forceinline__ void cpAsyncCommit() {
  asm volatile("cp.async.commit_group;\n" ::);
}
template <int N> __device__ __forceinline__ void cpAsyncWait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

__device__ __forceinline__ void ldmatrixX4(uint32_t &r0, uint32_t &r1,
                                           uint32_t &r2, uint32_t &r3,
                                           uint32_t addr) {
  asm volatile(
      "ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
      : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
      : "r"(addr));
}
__device__ __forceinline__ void ldmatrixX4Trans(uint32_t &r0, uint32_t &r1,
                                                uint32_t &r2, uint32_t &r3,
                                                uint32_t addr) {
  asm volatile(
      "ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
      : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
      : "r"(addr));
}

template <typename T> struct MmaOp;
template <> struct MmaOp<__nv_bfloat16> {
  __device__ __forceinline__ static void run(float *c, const uint32_t *a,
                                             uint32_t b0, uint32_t b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
                 "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0),
                   "r"(b1));
  }
  __device__ __forceinline__ static uint32_t pack(float lo, float hi) {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t *>(&h);
  }
};
template <> struct MmaOp<__half> {
  __device__ __forceinline__ static void run(float *c, const uint32_t *a,
                                             uint32_t b0, uint32_t b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                 "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0),
                   "r"(b1));
  }
  __device__ __forceinline__ static uint32_t pack(float lo, float hi) {
    __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<uint32_t *>(&h);
  }
};

__device__ __forceinline__ float fastExp2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
  return y;
}

/// Merges state (oldLse) with (newLse): returns the merged lse and the two
/// weights exp(old - merged), exp(new - merged); max + log1p form.
__device__ __forceinline__ float mergeWeights(float oldLse, float newLse,
                                              float *wOld, float *wNew) {
  float m = fmaxf(oldLse, newLse);
  if (m == -INFINITY) {
    *wOld = 0.f;
    *wNew = 0.f;
    return -INFINITY;
  }
  float merged = m + log1pf(expf(-fabsf(oldLse - newLse)));
  *wOld = expf(oldLse - merged);
  *wNew = expf(newLse - merged);
  return merged;
}

/// Runs `configure` (cudaFuncSetAttribute calls) once per device: function
/// attributes belong to the device's context, so a process that launches on
/// several GPUs sets them on each.
template <typename F>
cudaError_t oncePerDevice(std::atomic<uint64_t> &done, F configure) {
  int dev = 0;
  cudaError_t e = cudaGetDevice(&dev);
  if (e != cudaSuccess)
    return e;
  uint64_t bit = dev < 64 ? uint64_t(1) << dev : 0;
  if (bit && (done.load(std::memory_order_acquire) & bit))
    return cudaSuccess;
  e = configure();
  if (e == cudaSuccess && bit)
    done.fetch_or(bit, std::memory_order_acq_rel);
  return e;
}

/// A launch knob: what its setter stored in `slot`, or else (while `slot`
/// holds `unset`) the environment variable `env` as `parse` reads it (null
/// when unset), read once.
template <typename Parse>
int knob(std::atomic<int> &slot, int unset, const char *env, Parse parse) {
  int value = slot.load(std::memory_order_relaxed);
  if (value == unset) {
    value = parse(std::getenv(env));
    slot.store(value, std::memory_order_relaxed);
  }
  return value;
}

/// A knob's setter: stores `value` where it is `valid`, else refuses it.
inline int setKnob(std::atomic<int> &slot, int value, bool valid) {
  if (!valid)
    return int(cudaErrorInvalidValue);
  slot.store(value, std::memory_order_relaxed);
  return 0;
}

/// `parse` of an on/off knob that is on unless its variable is "0".
inline int onUnlessZero(const char *e) {
  return e && std::atoi(e) == 0 ? 0 : 1;
}

/// Lets `kernel` use `smemBytes` of dynamic shared memory and prefer
/// shared memory over L1 on the current device.
template <typename Kernel>
cudaError_t allowSharedMemoryNow(Kernel kernel, size_t smemBytes) {
  cudaError_t r = cudaFuncSetAttribute(
      kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smemBytes));
  if (r == cudaSuccess)
    r = cudaFuncSetAttribute(kernel,
                             cudaFuncAttributePreferredSharedMemoryCarveout,
                             int(cudaSharedmemCarveoutMaxShared));
  return r;
}

/// allowSharedMemoryNow once per device (the attributes are per device;
/// the caller's `configured` is a static of the kernel's instantiation).
template <typename Kernel>
cudaError_t allowSharedMemory(std::atomic<uint64_t> &configured, Kernel kernel,
                              size_t smemBytes) {
  return oncePerDevice(configured,
                       [&] { return allowSharedMemoryNow(kernel, smemBytes); });
}

} // namespace detail
} // namespace cuda
} // namespace distattn

#endif // DISTATTN_CUDA_COMMON_CUH
