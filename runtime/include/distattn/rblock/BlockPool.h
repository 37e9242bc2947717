//===- BlockPool.h - An instance's rBlock pool ------------------*- C++ -*-===//
//
// The pool is the bookkeeping of one instance's KV memory: which slots are
// free and, for every used slot, which request's block it holds. Slots are
// grouped in chunks of a GPU large page (2 MiB) and a request's blocks fill
// chunks of their own where the pool has them, each next block in the slot
// after the last (then the lowest free slot): the paged decode reads a
// sequence's blocks within large pages as fast as a dense KV, and scattered
// ones about 1% slower (bench/RESULTS.md). Free slots and wholly free
// chunks are bitmaps scanned from a hint. The bytes live in a BlockStorage so
// that the same bookkeeping sits on host memory (tests, the host target) or on
// GPU memory with a host-memory tier (GpuBlockStorage): the pool never touches
// the bytes itself.
//
// Slots [0, fastSlots) are the fast tier (GPU memory), the rest the host
// tier; allocation takes the fast tier first.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_BLOCKPOOL_H
#define DISTATTN_RBLOCK_BLOCKPOOL_H

#include "distattn/rblock/Types.h"

#include <cstddef>
#include <cstdint>
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

/// Bytes of the GPU's large (TLB) page. The paged decode reads a sequence's
/// blocks as fast as cuDNN reads a dense KV only where they share such
/// pages; one block a page, the sequence's blocks scattered, it is about 1%
/// slower (bench/RESULTS.md 2026-11-26 09:22: pages of 128 in runs of 8
/// adjacent pages, 2 MiB, against random order).
constexpr size_t kLargePageBytes = size_t(2) << 20;

/// Slots a chunk for blocks of `bytesPerBlock`: a large page's worth (1 when
/// the bytes are unknown or a block is larger). Chunks coincide with large
/// pages where a block's bytes divide 2 MiB and the storage's base is
/// 2 MiB-aligned (cudaMalloc's granularity for large allocations, in
/// practice; not checked).
int32_t chunkSlotsFor(size_t bytesPerBlock);

class BlockPool {
public:
  /// `storage` may be null: the simulator tracks blocks without their bytes.
  /// `fastSlots` < 0 puts every slot in the fast tier. Slots are grouped in
  /// chunks of `chunkSlots` ([c * chunkSlots, (c + 1) * chunkSlots)).
  BlockPool(int32_t numSlots, std::unique_ptr<BlockStorage> storage = nullptr,
            int32_t fastSlots = -1, int32_t chunkSlots = 1);
  /// Takes a free slot for (owner, request, index), fast tier first, or
  /// kNoSlot when both tiers are full. `after`, where given, is the slot of
  /// the request's previous block: see allocateIn.
  SlotId allocate(InstanceId owner, RequestId request, int32_t index,
                  SlotId after = kNoSlot) {
    SlotId s = allocateIn(Tier::Fast, owner, request, index, after);
    return s != kNoSlot ? s
                        : allocateIn(Tier::Host, owner, request, index, after);
  }
  /// A free slot of `tier`, kept near the request's other blocks: the slot
  /// after `after` where it is free and in the same chunk, else the first of
  /// the lowest wholly free chunk (a request's blocks fill chunks of their
  /// own), else the lowest free slot.
  SlotId allocateIn(Tier tier, InstanceId owner, RequestId request,
                    int32_t index, SlotId after = kNoSlot);
  /// Returns a used slot to its tier's free slots. Freeing a free slot is a
  /// bug in the caller; it is reported, never silently double-listed.
  Status release(SlotId s);

  int32_t capacity() const { return int32_t(slots.size()); }
  int32_t numFree() const { return freeCount[0] + freeCount[1]; }
  int32_t numFree(Tier t) const { return freeCount[int(t)]; }
  int32_t numUsed() const { return capacity() - numFree(); }
  int32_t fastSlots() const { return fast; }
  int32_t chunkSlots() const { return chunk; }
  Tier tierOf(SlotId s) const { return s < fast ? Tier::Fast : Tier::Host; }
  const SlotInfo &info(SlotId s) const { return slots[s]; }
  BlockStorage *storage() { return store.get(); }
  const BlockStorage *storage() const { return store.get(); }

private:
  /// Whether chunk c is whole (not cut by the pool's end or the tiers).
  bool wholeChunk(int32_t c) const;
  bool isFree(SlotId s) const { return freeBits[s >> 6] >> (s & 63) & 1; }
  void take(SlotId s);

  std::vector<SlotInfo> slots;
  // Bitmaps, so that the lowest free slot (or wholly free chunk) is a scan
  // of words from a hint below which none is: a few instructions a call.
  std::vector<uint64_t> freeBits;    // slot s free
  std::vector<uint64_t> wholeBits;   // chunk c whole and every slot free
  std::vector<int32_t> chunkFree;    // free slots a chunk
  int32_t freeCount[2] = {0, 0};     // a tier each
  int64_t slotHi[2], chunkHi[2];     // a tier's ends (slots, whole chunks)
  int64_t slotHint[2], chunkHint[2]; // none free below, a tier each
  int32_t fast, chunk;
  std::unique_ptr<BlockStorage> store;
};

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_BLOCKPOOL_H
