//===- Types.h - rBlock identifiers and status codes ------------*- C++ -*-===//
//
// The vocabulary of the rBlock memory manager (DistKV-LLM): an instance owns
// a pool of rBlocks, each holding the KV of a fixed number of tokens. A block
// is addressed by the instance that holds it and its slot in that pool. The
// instance that serves a request is its owner; when the owner stores a block
// on another instance it is a debtor and the holder is its creditor.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_TYPES_H
#define DISTATTN_RBLOCK_TYPES_H

#include <cstdint>

namespace distattn::rblock {

using InstanceId = int32_t;
using SlotId = int32_t;
using RequestId = int64_t;

constexpr InstanceId kNoInstance = -1;
/// The gManager's address on a transport; instances are 0..N-1.
constexpr InstanceId kGManagerId = -2;
/// Holder of a block whose instance failed: the data is gone and the owner
/// has been told so. Such an entry is never read and never reallocated.
constexpr InstanceId kLostHolder = -3;
constexpr SlotId kNoSlot = -1;

/// Where one logical block of a request lives.
struct BlockRef {
  InstanceId holder = kNoInstance;
  SlotId slot = kNoSlot;
  bool operator==(const BlockRef &o) const {
    return holder == o.holder && slot == o.slot;
  }
  bool lost() const { return holder == kLostHolder; }
};

/// Outcome of an rManager operation. Refusals name their reason so that a
/// borrower can tell "try the next creditor" from "give up".
enum class Status : int32_t {
  Ok = 0,
  OutOfMemory,    // neither the local pool nor any creditor had room
  NoFreeBlocks,   // creditor refusal: pool full
  OverLendCap,    // creditor refusal: lending more would pass the lend cap
  NotOwner,       // creditor refusal: sender is not the request's owner
                  // (a forwarded request; creditors never forward either)
  UnknownRequest, // no such request at this instance
  DuplicateRequest,
  RequestLost,     // some of the request's blocks died with an instance
  BadSlot,         // slot is free or belongs to someone else
  Unreachable,     // the destination instance is down
  VersionMismatch, // peer speaks another protocol version
  CopyFailed,      // a copy was not acknowledged; the source stays valid
};

const char *statusName(Status s);

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_TYPES_H
