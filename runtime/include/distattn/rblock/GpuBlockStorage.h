//===- GpuBlockStorage.h - GPU rBlocks with a host tier ---------*- C++ -*-===//
//
// Slots [0, deviceSlots) live in one device allocation, the rest in one
// pinned host allocation (the host tier), numbered as the BlockPool's tiers.
// Copies go through cudaMemcpy (unified addressing picks the direction), so
// the rManager's copy-then-commit moves work unchanged; a paged decode kernel
// takes deviceBase() plus the CSR slot indices of a PagedBlockTable.
//
// Built only with DISTATTN_ENABLE_CUDA; no CUDA type appears here so that
// host-only code can include it.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_GPUBLOCKSTORAGE_H
#define DISTATTN_RBLOCK_GPUBLOCKSTORAGE_H

#include "distattn/rblock/BlockPool.h"

#include <string>

namespace distattn::rblock {

class GpuBlockStorage final : public BlockStorage {
public:
  GpuBlockStorage(int32_t deviceSlots, int32_t hostSlots, size_t bytesPerBlock,
                  int device = 0);
  ~GpuBlockStorage() override;
  GpuBlockStorage(const GpuBlockStorage &) = delete;
  GpuBlockStorage &operator=(const GpuBlockStorage &) = delete;

  /// False when an allocation failed; error() says which.
  bool ok() const { return failure.empty(); }
  const std::string &error() const { return failure; }

  size_t bytesPerBlock() const override { return bytes; }
  int32_t numSlots() const override { return deviceSlots + hostSlots; }
  void read(SlotId slot, void *dst) const override;
  void write(SlotId slot, const void *src) override;
  /// Host-tier slots are host addressable (pinned); device slots are not.
  const void *hostAddress(SlotId slot) const override;

  void *deviceBase() const { return deviceMem; }
  int32_t numDeviceSlots() const { return deviceSlots; }

private:
  void *address(SlotId slot) const;

  int32_t deviceSlots, hostSlots;
  size_t bytes;
  int device;
  void *deviceMem = nullptr;
  void *hostMem = nullptr;
  std::string failure;
};

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_GPUBLOCKSTORAGE_H
