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

namespace {

/// The lowest set bit of `bits` in [from, to), or -1.
int64_t firstSet(const std::vector<uint64_t> &bits, int64_t from, int64_t to) {
  if (from >= to)
    return -1;
  for (int64_t w = from >> 6; (w << 6) < to; ++w) {
    uint64_t word = bits[w];
    if (w == from >> 6)
      word &= ~uint64_t(0) << (from & 63);
    if (word) {
      const int64_t i = (w << 6) + __builtin_ctzll(word);
      return i < to ? i : -1;
    }
  }
  return -1;
}

void setBit(std::vector<uint64_t> &bits, int64_t i) {
  bits[i >> 6] |= uint64_t(1) << (i & 63);
}
void clearBit(std::vector<uint64_t> &bits, int64_t i) {
  bits[i >> 6] &= ~(uint64_t(1) << (i & 63));
}

} // namespace

BlockPool::BlockPool(int32_t numSlots, std::unique_ptr<BlockStorage> storage,
                     int32_t fastSlots, int32_t chunkSlots)
    : slots(numSlots),
      fast(fastSlots < 0 ? numSlots : std::min(fastSlots, numSlots)),
      chunk(std::max(chunkSlots, 1)), store(std::move(storage)) {
  const int64_t chunks = (int64_t(numSlots) + chunk - 1) / chunk;
  freeBits.assign((int64_t(numSlots) + 63) / 64, 0);
  wholeBits.assign((chunks + 63) / 64, 0);
  chunkFree.assign(chunks, 0);
  // A tier's slots, and its whole chunks (none cut by the tier boundary),
  // end where the hints (none free below) start the next tier's.
  slotHint[0] = 0, slotHi[0] = fast, slotHint[1] = fast, slotHi[1] = numSlots;
  chunkHint[0] = 0, chunkHi[0] = fast / chunk;
  chunkHint[1] = (int64_t(fast) + chunk - 1) / chunk;
  chunkHi[1] = numSlots / chunk;
  for (SlotId s = 0; s < numSlots; ++s) {
    setBit(freeBits, s);
    ++freeCount[int(tierOf(s))];
    ++chunkFree[s / chunk];
  }
  for (int64_t c = 0; c < chunks; ++c)
    if (wholeChunk(int32_t(c)))
      setBit(wholeBits, c);
}

bool BlockPool::wholeChunk(int32_t c) const {
  const int64_t first = int64_t(c) * chunk, last = first + chunk - 1;
  return last < capacity() && tierOf(SlotId(first)) == tierOf(SlotId(last));
}

void BlockPool::take(SlotId s) {
  const int32_t c = s / chunk;
  clearBit(freeBits, s);
  --freeCount[int(tierOf(s))];
  if (chunkFree[c]-- == chunk)
    clearBit(wholeBits, c);
}

SlotId BlockPool::allocateIn(Tier tier, InstanceId owner, RequestId request,
                             int32_t index, SlotId after) {
  const int t = int(tier);
  if (freeCount[t] == 0)
    return kNoSlot;
  int64_t s = -1;
  if (after >= 0 && after < capacity() - 1) {
    const SlotId next = after + 1;
    if (next / chunk == after / chunk && tierOf(next) == tier && isFree(next))
      s = next;
  }
  if (s < 0) {
    const int64_t c = firstSet(wholeBits, chunkHint[t], chunkHi[t]);
    chunkHint[t] = c < 0 ? chunkHi[t] : c;
    if (c >= 0)
      s = c * chunk;
  }
  if (s < 0) {
    s = firstSet(freeBits, slotHint[t], slotHi[t]);
    if (s < 0) // the count and the bits disagree: never
      return kNoSlot;
    slotHint[t] = s;
  }
  take(SlotId(s));
  slots[s] = SlotInfo{owner, request, index};
  return SlotId(s);
}

Status BlockPool::release(SlotId s) {
  if (s < 0 || s >= capacity() || isFree(s))
    return Status::BadSlot;
  const int t = int(tierOf(s));
  slots[s] = SlotInfo{};
  setBit(freeBits, s);
  ++freeCount[t];
  slotHint[t] = std::min<int64_t>(slotHint[t], s);
  const int32_t c = s / chunk;
  if (++chunkFree[c] == chunk && wholeChunk(c)) {
    setBit(wholeBits, c);
    chunkHint[t] = std::min<int64_t>(chunkHint[t], c);
  }
  return Status::Ok;
}

} // namespace distattn::rblock
