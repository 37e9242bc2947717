//===- BlockPool.h - An instance's rBlock pool ------------------*- C++ -*-===//
//
// The pool is the bookkeeping of one instance's KV memory: which slots are
// free and, for every used slot, which request's block it holds. The free
// slots are min-heaps, so allocation takes the lowest free slot (O(log n)):
// a request's blocks come out in address order wherever the pool's holes
// allow, which the paged decode reads faster than scattered blocks (one
// long sequence after a churn of requests: 1.004x cuDNN against 1.001x
// with LIFO free lists and 0.991x in random order, bench/RESULTS.md). The bytes
// live in a BlockStorage so that the same bookkeeping sits on host memory
// (tests, the host target) or on GPU memory with a host-memory tier
// (GpuBlockStorage): the pool never touches the bytes itself.
//
// Slots [0, fastSlots) are the fast tier (GPU memory), the rest the host
// tier; allocation takes the fast tier first.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_BLOCKPOOL_H
#define DISTATTN_RBLOCK_BLOCKPOOL_H

#include "distattn/rblock/Types.h"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace distattn::rblock {

/// Where rBlock bytes live. The host implementation backs tests and the
/// simulator; GpuBlockStorage (device memory plus a pinned host tier)
/// implements the same calls with cudaMemcpy.
class BlockStorage {
public:
  virtual ~BlockStorage() = default;
  virtual size_t bytesPerBlock() const = 0;
  virtual int32_t numSlots() const = 0;
  /// Copies one whole block out of / into a slot (host buffer on our side).
  virtual void read(SlotId slot, void *dst) const = 0;
  virtual void write(SlotId slot, const void *src) = 0;
  /// Host-visible address of a slot, or nullptr when the storage is device
  /// memory (then kernels take the base pointer and slot indices instead).
  virtual const void *hostAddress(SlotId slot) const = 0;
};

/// rBlocks in one contiguous host allocation: slot s at base + s * bytes.
class HostBlockStorage final : public BlockStorage {
public:
  HostBlockStorage(int32_t numSlots, size_t bytesPerBlock);
  size_t bytesPerBlock() const override { return bytes; }
  int32_t numSlots() const override { return slots; }
  void read(SlotId slot, void *dst) const override;
  void write(SlotId slot, const void *src) override;
  const void *hostAddress(SlotId slot) const override;

private:
  int32_t slots;
  size_t bytes;
  std::vector<unsigned char> data;
};

/// What a used slot holds: block `index` of request `request` owned by
/// instance `owner`. A free slot has owner == kNoInstance.
struct SlotInfo {
  InstanceId owner = kNoInstance;
  RequestId request = -1;
  int32_t index = -1;
  bool used() const { return owner != kNoInstance; }
};

enum class Tier : uint8_t { Fast = 0, Host = 1 };

class BlockPool {
public:
  /// `storage` may be null: the simulator tracks blocks without their bytes.
  /// `fastSlots` < 0 puts every slot in the fast tier.
  BlockPool(int32_t numSlots, std::unique_ptr<BlockStorage> storage = nullptr,
            int32_t fastSlots = -1);

  /// Takes a free slot for (owner, request, index), fast tier first, or
  /// kNoSlot when both tiers are full.
  SlotId allocate(InstanceId owner, RequestId request, int32_t index) {
    SlotId s = allocateIn(Tier::Fast, owner, request, index);
    return s != kNoSlot ? s : allocateIn(Tier::Host, owner, request, index);
  }
  SlotId allocateIn(Tier tier, InstanceId owner, RequestId request,
                    int32_t index) {
    std::vector<SlotId> &heap = freeLists[int(tier)];
    if (heap.empty())
      return kNoSlot;
    std::pop_heap(heap.begin(), heap.end(), std::greater<SlotId>());
    SlotId s = heap.back();
    heap.pop_back();
    slots[s] = SlotInfo{owner, request, index};
    return s;
  }
  /// Returns a used slot to its tier's free slots. Freeing a free slot is a
  /// bug in the caller; it is reported, never silently double-listed.
  Status release(SlotId s) {
    if (s < 0 || s >= capacity() || !slots[s].used())
      return Status::BadSlot;
    slots[s] = SlotInfo{};
    std::vector<SlotId> &heap = freeLists[int(tierOf(s))];
    heap.push_back(s);
    std::push_heap(heap.begin(), heap.end(), std::greater<SlotId>());
    return Status::Ok;
  }

  int32_t capacity() const { return int32_t(slots.size()); }
  int32_t numFree() const {
    return int32_t(freeLists[0].size() + freeLists[1].size());
  }
  int32_t numFree(Tier t) const { return int32_t(freeLists[int(t)].size()); }
  int32_t numUsed() const { return capacity() - numFree(); }
  int32_t fastSlots() const { return fast; }
  Tier tierOf(SlotId s) const { return s < fast ? Tier::Fast : Tier::Host; }
  const SlotInfo &info(SlotId s) const { return slots[s]; }

  BlockStorage *storage() { return store.get(); }
  const BlockStorage *storage() const { return store.get(); }

private:
  std::vector<SlotInfo> slots;
  std::vector<SlotId> freeLists[2]; // min-heaps (std::greater), a tier each
  int32_t fast;
  std::unique_ptr<BlockStorage> store;
};

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_BLOCKPOOL_H
