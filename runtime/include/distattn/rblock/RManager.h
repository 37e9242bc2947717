//===- RManager.h - Per-instance rBlock manager -----------------*- C++ -*-===//
//
// One rManager per instance. As an owner it keeps its requests' block tables
// and grows them block by block: local slots first, then slots borrowed from
// creditors the gManager proposes (the next one is tried when one refuses).
// As a creditor it lends up to its lend cap, and it refuses what it cannot
// serve rather than forwarding it: the borrower asks the gManager again.
//
// Every move of a block (recall, DGFM) is copy-then-commit: reserve the
// destination, copy, wait for the acknowledgement, switch the table entry,
// and only then free the source slot. A move whose copy is not acknowledged
// leaves the block where it was.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_RMANAGER_H
#define DISTATTN_RBLOCK_RMANAGER_H

#include "distattn/rblock/BlockPool.h"
#include "distattn/rblock/BlockTable.h"
#include "distattn/rblock/Transport.h"

#include <functional>
#include <map>
#include <utility>
#include <vector>

namespace distattn::rblock {

struct RManagerConfig {
  int32_t numSlots = 64;
  int32_t tokensPerBlock = 16;
  /// Most slots this instance lends out at once; the rest stays for its own
  /// requests so that lending never starves the lender.
  int32_t lendCap = 32;
  /// Bytes of KV per block; 0 keeps bookkeeping only (the simulator).
  size_t bytesPerBlock = 0;
  /// Extra slots in the host-memory tier, after the numSlots fast ones.
  /// Local allocation fills the fast tier, then the host tier, and only then
  /// borrows: a host-tier block is local (no debt) but slower to read.
  int32_t hostTierSlots = 0;
  /// Slots a chunk of the pool (a request's blocks fill chunks of their
  /// own); 0: a GPU large page's worth of blocks (chunkSlotsFor).
  int32_t chunkSlots = 0;
};

/// Counters an rManager keeps about itself.
struct RManagerStats {
  uint64_t localAllocs = 0, borrowedBlocks = 0, refusalsSeen = 0,
           refusalsGiven = 0, blocksMoved = 0, copyFailures = 0,
           blocksReportedLost = 0;
};

class RManager final : public Endpoint {
public:
  /// `storage` holds the blocks' bytes (numSlots fast slots, then
  /// hostTierSlots host ones), e.g. a GpuBlockStorage; when null, host memory
  /// is used if config.bytesPerBlock > 0 and no bytes are kept otherwise.
  RManager(InstanceId self, const RManagerConfig &config, Transport &transport,
           std::unique_ptr<BlockStorage> storage = nullptr);

  // Owner side.
  /// Creates a request and gives it blocks for `tokens` tokens. All or
  /// nothing: on OutOfMemory no block stays allocated.
  Status allocate(RequestId request, int64_t tokens);
  /// Grows a request by `tokens` tokens, all or nothing.
  Status append(RequestId request, int64_t tokens);
  /// Frees every block of a request, local and borrowed.
  Status free(RequestId request);
  /// Moves up to `count` of the request's borrowed blocks home into free
  /// local slots (copy-then-commit). Returns blocks moved.
  int32_t pullHome(RequestId request, int32_t count);
  /// Moves up to `count` of the request's host-tier blocks into free fast
  /// slots (copy-then-commit). Returns blocks moved.
  int32_t promote(RequestId request, int32_t count);

  // Creditor side.
  /// Takes back up to `count` lent slots: each debtor moves those blocks home
  /// or to another creditor. Returns the slots freed here.
  int32_t recall(int32_t count);

  /// Reports free capacity to the gManager.
  Status heartbeat();

  /// Writes/reads the bytes of logical block `index` of an owned request,
  /// wherever it lives.
  Status writeBlock(RequestId request, int32_t index, const void *src);
  Status readBlock(RequestId request, int32_t index, void *dst);

  Message handle(const Message &m) override;

  InstanceId id() const { return self; }
  const RManagerConfig &config() const { return cfg; }
  const BlockPool &pool() const { return slots; }
  BlockPool &pool() { return slots; }
  const std::map<RequestId, BlockTable> &tables() const { return owned; }
  const BlockTable *table(RequestId r) const;
  /// Slots of this pool held for other instances' requests.
  int32_t lent() const { return lentSlots; }
  int32_t lendable() const;
  const RManagerStats &stats() const { return counters; }
  Transport &transport() { return net; }

  /// Called once per committed block move of one of this instance's
  /// requests (recall, pull home, DGFM), with the old and the new holder:
  /// what a cost model charges the move to (the trace simulator's links).
  std::function<void(RequestId, InstanceId from, InstanceId to)> onMove;

private:
  /// Where block `index` of `request` is, or why it cannot be read or
  /// written.
  Status locateBlock(RequestId request, int32_t index, BlockRef &ref) const;

  struct Staged {
    RequestId request;
    int32_t index;
    SlotId oldSlot;
    std::vector<unsigned char> bytes;
  };

  // Owner-side helpers.
  std::vector<BlockRef> borrow(RequestId request,
                               const std::vector<int32_t> &indices,
                               InstanceId exclude);
  void releaseRefs(const std::vector<BlockRef> &refs);
  Status grow(BlockTable &table, int64_t tokens);
  /// The local slot of block index - 1 of `table` (where the pool places
  /// block `index` next to it), or kNoSlot.
  SlotId slotBefore(const BlockTable &table, int32_t index) const;
  Status moveBlock(BlockTable &table, int32_t index, BlockRef to);
  Status copyBlock(RequestId request, BlockRef from, BlockRef to);
  void ledgerDelta(InstanceId creditor, int64_t delta);
  bool relocate(BlockTable &table, int32_t index, InstanceId avoid);

  // Message handlers.
  Message onLend(const Message &m);
  Message onRelease(const Message &m);
  Message onRead(const Message &m);
  Message onWrite(const Message &m);
  Message onRecall(const Message &m);
  Message onDgfmStage(const Message &m);
  Message onDgfmRelease(const Message &m);
  Message onDgfmInstall(const Message &m);
  Message onDgfmAbort(const Message &m);
  Message onInstanceFailed(const Message &m);
  Message onDecodeQuery(const Message &m);
  Status checkForeignSlots(const Message &m) const;

  InstanceId self;
  RManagerConfig cfg;
  Transport &net;
  BlockPool slots;
  std::map<RequestId, BlockTable> owned;
  std::map<InstanceId, std::vector<Staged>> staging; // DGFM, per creditor
  int32_t lentSlots = 0;
  /// The slot of the last block lent for each (owner, request) still
  /// holding one here: the next Lend places its blocks after it (the pool
  /// keeps a request's blocks together on the lender too).
  std::map<std::pair<InstanceId, RequestId>, SlotId> lastLent;
  RManagerStats counters;
};

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_RMANAGER_H
