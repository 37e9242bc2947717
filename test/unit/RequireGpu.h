//===- RequireGpu.h - Skip a GPU test, or fail it where a GPU is due
//-------===//
//
// GPU tests skip where the CUDA runtime finds no device (CI has none). On a
// GPU machine a missing device is a fault (a broken driver, a wrong
// CUDA_VISIBLE_DEVICES) that a skip would hide: DISTATTN_REQUIRE_GPU=1,
// which the GPU scripts set, turns the skip into a failure.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_TEST_UNIT_REQUIREGPU_H
#define DISTATTN_TEST_UNIT_REQUIREGPU_H

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace distattn::test {

/// Why no GPU test can run here, or "" when a CUDA device is there.
inline std::string whyNoGpu() {
  int count = 0;
  cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess)
    return std::string("cudaGetDeviceCount failed: ") +
           cudaGetErrorName(error) + " (" + cudaGetErrorString(error) + ")";
  return count > 0 ? "" : "the CUDA runtime finds no device";
}

inline bool gpuRequired() {
  const char *value = std::getenv("DISTATTN_REQUIRE_GPU");
  return value && std::strcmp(value, "") != 0 && std::strcmp(value, "0") != 0;
}

} // namespace distattn::test

/// In a test body: skips the test without a GPU, or fails it where
/// DISTATTN_REQUIRE_GPU is set (and not 0).
#define DISTATTN_REQUIRE_GPU_OR_SKIP()                                         \
  do {                                                                         \
    std::string whyNoGpu_ = ::distattn::test::whyNoGpu();                      \
    if (!whyNoGpu_.empty()) {                                                  \
      if (::distattn::test::gpuRequired())                                     \
        FAIL() << whyNoGpu_                                                    \
               << "; DISTATTN_REQUIRE_GPU is set, so this is a failure, not "  \
                  "a skip";                                                    \
      GTEST_SKIP() << whyNoGpu_                                                \
                   << " (DISTATTN_REQUIRE_GPU=1 makes this a failure)";        \
    }                                                                          \
  } while (0)

#endif // DISTATTN_TEST_UNIT_REQUIREGPU_H
