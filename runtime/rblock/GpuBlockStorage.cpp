//===- GpuBlockStorage.cpp - rBlocks in GPU memory with a host tier -------===//
#include "distattn/rblock/GpuBlockStorage.h"

#include <cuda_runtime_api.h>

namespace distattn::rblock {

namespace {
std::string describe(const char *what, cudaError_t err) {
  return std::string(what) + ": " + cudaGetErrorString(err);
}
} // namespace

GpuBlockStorage::GpuBlockStorage(int32_t deviceSlots, int32_t hostSlots,
                                 size_t bytesPerBlock, int device)
    : deviceSlots(deviceSlots), hostSlots(hostSlots), bytes(bytesPerBlock),
      device(device) {
  cudaError_t err = cudaSetDevice(device);
  if (err != cudaSuccess) {
    failure = describe("cudaSetDevice", err);
    return;
  }
  if (deviceSlots > 0) {
    err = cudaMalloc(&deviceMem, size_t(deviceSlots) * bytes);
    if (err != cudaSuccess) {
      failure = describe("cudaMalloc", err);
      deviceMem = nullptr;
      return;
    }
  }
  if (hostSlots > 0) {
    // Pinned, so host-tier blocks copy to and from the GPU at full speed.
    err = cudaMallocHost(&hostMem, size_t(hostSlots) * bytes);
    if (err != cudaSuccess) {
      failure = describe("cudaMallocHost", err);
      hostMem = nullptr;
    }
  }
}

GpuBlockStorage::~GpuBlockStorage() {
  if (deviceMem)
    cudaFree(deviceMem);
  if (hostMem)
    cudaFreeHost(hostMem);
}

void *GpuBlockStorage::address(SlotId slot) const {
  if (slot < deviceSlots)
    return static_cast<char *>(deviceMem) + size_t(slot) * bytes;
  return static_cast<char *>(hostMem) + size_t(slot - deviceSlots) * bytes;
}

void GpuBlockStorage::read(SlotId slot, void *dst) const {
  cudaMemcpy(dst, address(slot), bytes, cudaMemcpyDefault);
}

void GpuBlockStorage::write(SlotId slot, const void *src) {
  cudaMemcpy(address(slot), src, bytes, cudaMemcpyDefault);
}

const void *GpuBlockStorage::hostAddress(SlotId slot) const {
  return slot < deviceSlots ? nullptr : address(slot);
}

} // namespace distattn::rblock
