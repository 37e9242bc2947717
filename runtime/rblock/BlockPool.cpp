//===- BlockPool.cpp - An instance's rBlock pool --------------------------===//
#include "distattn/rblock/BlockPool.h"

#include <algorithm>
#include <cstring>

namespace distattn::rblock {

HostBlockStorage::HostBlockStorage(int32_t numSlots, size_t bytesPerBlock)
    : slots(numSlots), bytes(bytesPerBlock),
      data(size_t(numSlots) * bytesPerBlock) {}

void HostBlockStorage::read(SlotId slot, void *dst) const {
  std::memcpy(dst, data.data() + size_t(slot) * bytes, bytes);
}

void HostBlockStorage::write(SlotId slot, const void *src) {
  std::memcpy(data.data() + size_t(slot) * bytes, src, bytes);
}

const void *HostBlockStorage::hostAddress(SlotId slot) const {
  return data.data() + size_t(slot) * bytes;
}

BlockPool::BlockPool(int32_t numSlots, std::unique_ptr<BlockStorage> storage,
                     int32_t fastSlots)
    : slots(numSlots),
      fast(fastSlots < 0 ? numSlots : std::min(fastSlots, numSlots)),
      store(std::move(storage)) {
  // Ascending order is a min-heap: a fresh pool hands out 0, 1, 2, ...
  freeLists[0].reserve(fast);
  freeLists[1].reserve(numSlots - fast);
  for (SlotId s = 0; s < numSlots; ++s)
    freeLists[int(tierOf(s))].push_back(s);
}

} // namespace distattn::rblock
