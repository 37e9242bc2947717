//===- Protocol.h - rBlock manager messages and their wire form -*- C++ -*-===//
//
// Every exchange between rManagers and the gManager is a request message
// answered by a reply message. One message layout serves all kinds: a fixed
// header (magic, version, kind, addresses, request id, two scalars, a status)
// and three typed arrays. The version is checked on decode, so a peer of
// another version is answered with VersionMismatch instead of being
// misread.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_PROTOCOL_H
#define DISTATTN_RBLOCK_PROTOCOL_H

#include "distattn/rblock/Types.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace distattn::rblock {

constexpr uint32_t kProtocolMagic = 0x6b6c4272; // "rBlk"
constexpr uint16_t kProtocolVersion = 1;

enum class MsgKind : uint16_t {
  Reply = 0,      // status + payload answering any request
  Heartbeat,      // rManager -> gManager: a = free blocks, b = lendable
  FindCreditors,  // debtor -> gManager: a = blocks wanted; reply ints = ids
  LedgerDelta,    // debtor -> gManager: a = creditor, b = signed block count
  Lend,           // debtor -> creditor: a = owner, ints = logical indices;
                  // reply ints = granted slots (a prefix of the indices)
  Release,        // owner -> holder: ints = slots to free
  ReadBlocks,     // owner -> holder: ints = slots; reply bytes = contents
  WriteBlocks,    // owner -> holder: ints = slots, bytes = contents; the
                  // reply is the copy's acknowledgement
  Recall,         // creditor -> debtor: ints = slots the creditor wants back;
                  // reply a = blocks moved away
  DgfmStage,      // gManager -> debtor: a = creditor, b = count; stage that
                  // many of its blocks held there (copy into staging)
  DgfmRelease,    // gManager -> debtor: a = creditor; free the staged
                  // blocks' old slots there
  DgfmInstall,    // gManager -> debtor: move staged blocks into home slots
  DgfmAbort,      // gManager -> debtor: a = creditor; drop staged copies
                  // (nothing was freed)
  InstanceFailed, // gManager -> every live rManager: a = failed instance
  DecodeQuery,    // owner -> holder: ints = qHeads, kvHeads, headDim,
                  // tokens in the last slot, then the slots; floats = query
                  // then scale; reply floats = out then lse (Decode.h)
};

struct Message {
  uint16_t version = kProtocolVersion;
  MsgKind kind = MsgKind::Reply;
  InstanceId src = kNoInstance;
  InstanceId dst = kNoInstance;
  RequestId request = -1;
  int64_t a = 0;
  int64_t b = 0;
  Status status = Status::Ok;
  std::vector<int32_t> ints;
  std::vector<float> floats;
  std::vector<unsigned char> bytes;
};

Message makeReply(const Message &to, Status status);

std::vector<unsigned char> encode(const Message &m);
/// Decodes a wire buffer. Returns nullopt when the buffer is malformed (bad
/// magic or length); a well-formed message of another version decodes with
/// its version field set, and the receiver refuses it.
std::optional<Message> decode(const std::vector<unsigned char> &wire);

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_PROTOCOL_H
