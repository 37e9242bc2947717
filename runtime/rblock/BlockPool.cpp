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

int32_t chunkSlotsFor(size_t bytesPerBlock) {
  if (bytesPerBlock == 0 || bytesPerBlock >= kLargePageBytes)
    return 1;
  return int32_t(kLargePageBytes / bytesPerBlock);
}

BlockPool::BlockPool(int32_t numSlots, std::unique_ptr<BlockStorage> storage,
                     int32_t fastSlots, int32_t chunkSlots)
    : slots(numSlots),
      fast(fastSlots < 0 ? numSlots : std::min(fastSlots, numSlots)),
      chunk(std::max(chunkSlots, 1)), store(std::move(storage)) {
  const int32_t chunks = (numSlots + chunk - 1) / chunk;
  chunkFree.assign(chunks, 0);
  for (SlotId s = 0; s < numSlots; ++s) {
    freeSlots[int(tierOf(s))].insert(freeSlots[int(tierOf(s))].end(), s);
    ++chunkFree[s / chunk];
  }
  for (int32_t c = 0; c < chunks; ++c)
    if (wholeChunk(c))
      freeChunks[int(tierOf(c * chunk))].insert(c);
}

bool BlockPool::wholeChunk(int32_t c) const {
  const int64_t first = int64_t(c) * chunk, last = first + chunk - 1;
  return last < capacity() && tierOf(SlotId(first)) == tierOf(SlotId(last));
}

void BlockPool::take(SlotId s) {
  const int32_t c = s / chunk;
  freeSlots[int(tierOf(s))].erase(s);
  if (chunkFree[c]-- == chunk)
    freeChunks[int(tierOf(s))].erase(c);
}

SlotId BlockPool::allocateIn(Tier tier, InstanceId owner, RequestId request,
                             int32_t index, SlotId after) {
  const std::set<SlotId> &free = freeSlots[int(tier)];
  if (free.empty())
    return kNoSlot;
  const SlotId next = after + 1;
  SlotId s;
  if (after >= 0 && next < capacity() && next / chunk == after / chunk &&
      tierOf(next) == tier && !slots[next].used())
    s = next;
  else if (!freeChunks[int(tier)].empty())
    s = *freeChunks[int(tier)].begin() * chunk;
  else
    s = *free.begin();
  take(s);
  slots[s] = SlotInfo{owner, request, index};
  return s;
}

Status BlockPool::release(SlotId s) {
  if (s < 0 || s >= capacity() || !slots[s].used())
    return Status::BadSlot;
  slots[s] = SlotInfo{};
  freeSlots[int(tierOf(s))].insert(s);
  const int32_t c = s / chunk;
  if (++chunkFree[c] == chunk && wholeChunk(c))
    freeChunks[int(tierOf(s))].insert(c);
  return Status::Ok;
}

} // namespace distattn::rblock
