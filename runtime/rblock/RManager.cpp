//===- RManager.cpp - Per-instance rBlock manager -------------------------===//
#include "distattn/rblock/RManager.h"
#include "distattn/rblock/Decode.h"

#include <algorithm>

namespace distattn::rblock {

namespace {

std::unique_ptr<BlockStorage> makeStorage(const RManagerConfig &cfg) {
  if (cfg.bytesPerBlock == 0)
    return nullptr;
  // CPU-only mode: both tiers in host memory. A GPU instance passes a
  // GpuBlockStorage instead (same slot numbering).
  return std::make_unique<HostBlockStorage>(cfg.numSlots + cfg.hostTierSlots,
                                            cfg.bytesPerBlock);
}

Message makeMessage(MsgKind kind, InstanceId src, RequestId request = -1) {
  Message m;
  m.kind = kind;
  m.src = src;
  m.request = request;
  return m;
}

} // namespace

RManager::RManager(InstanceId self, const RManagerConfig &config,
                   Transport &transport, std::unique_ptr<BlockStorage> storage)
    : self(self), cfg(config), net(transport),
      slots(config.numSlots + config.hostTierSlots,
            storage ? std::move(storage) : makeStorage(config), config.numSlots,
            config.chunkSlots > 0 ? config.chunkSlots
                                  : chunkSlotsFor(config.bytesPerBlock)) {}

const BlockTable *RManager::table(RequestId r) const {
  auto it = owned.find(r);
  return it == owned.end() ? nullptr : &it->second;
}

int32_t RManager::lendable() const {
  return std::max(0, std::min(slots.numFree(), cfg.lendCap - lentSlots));
}

Status RManager::heartbeat() {
  Message m = makeMessage(MsgKind::Heartbeat, self);
  m.a = slots.numFree();
  m.b = lendable();
  return net.call(kGManagerId, m).status;
}

void RManager::ledgerDelta(InstanceId creditor, int64_t delta) {
  if (delta == 0)
    return;
  Message m = makeMessage(MsgKind::LedgerDelta, self);
  m.a = creditor;
  m.b = delta;
  net.call(kGManagerId, m);
}

//===----------------------------------------------------------------------===//
// Owner side
//===----------------------------------------------------------------------===//

std::vector<BlockRef> RManager::borrow(RequestId request,
                                       const std::vector<int32_t> &indices,
                                       InstanceId exclude) {
  std::vector<BlockRef> got;
  if (indices.empty())
    return got;
  Message ask = makeMessage(MsgKind::FindCreditors, self, request);
  ask.a = int64_t(indices.size());
  Message candidates = net.call(kGManagerId, ask);
  size_t next = 0;
  for (InstanceId creditor : candidates.ints) {
    if (next == indices.size())
      break;
    if (creditor == self || creditor == exclude)
      continue;
    Message lend = makeMessage(MsgKind::Lend, self, request);
    lend.a = self; // the owner; a creditor refuses anything else
    lend.ints.assign(indices.begin() + next, indices.end());
    Message grant = net.call(creditor, lend);
    // A refusal is final for this creditor: try the next one. The creditor
    // does not pass the request on, and neither do we.
    if (grant.status != Status::Ok || grant.ints.empty()) {
      ++counters.refusalsSeen;
      continue;
    }
    for (SlotId s : grant.ints)
      got.push_back(BlockRef{creditor, s});
    next += grant.ints.size();
    counters.borrowedBlocks += grant.ints.size();
    ledgerDelta(creditor, int64_t(grant.ints.size()));
  }
  return got;
}

void RManager::releaseRefs(const std::vector<BlockRef> &refs) {
  std::map<InstanceId, std::vector<SlotId>> remote;
  for (const BlockRef &r : refs) {
    if (r.lost() || r.holder == kNoInstance)
      continue;
    if (r.holder == self)
      slots.release(r.slot);
    else
      remote[r.holder].push_back(r.slot);
  }
  for (auto &[holder, list] : remote) {
    Message rel = makeMessage(MsgKind::Release, self);
    rel.ints = list;
    // An unreachable holder keeps its debt until the gManager declares it
    // failed and drops its ledger column.
    if (net.call(holder, rel).status == Status::Ok)
      ledgerDelta(holder, -int64_t(list.size()));
  }
}

Status RManager::grow(BlockTable &table, int64_t tokens) {
  int64_t tpb = cfg.tokensPerBlock;
  int64_t newTokens = table.tokens + tokens;
  int64_t need = (newTokens + tpb - 1) / tpb - int64_t(table.blocks.size());
  std::vector<BlockRef> fresh;
  std::vector<int32_t> remote;
  // Each block after the request's last local one (the pool keeps a
  // request's blocks in chunks of their own).
  SlotId last = slotBefore(table, int32_t(table.blocks.size()));
  for (int64_t i = 0; i < need; ++i) {
    int32_t index = int32_t(table.blocks.size() + i);
    SlotId s = remote.empty() ? slots.allocate(self, table.request, index, last)
                              : kNoSlot;
    if (s == kNoSlot) {
      remote.push_back(index);
    } else {
      fresh.push_back(BlockRef{self, s});
      last = s;
    }
  }
  std::vector<BlockRef> borrowed = borrow(table.request, remote, kNoInstance);
  fresh.insert(fresh.end(), borrowed.begin(), borrowed.end());
  if (borrowed.size() < remote.size()) {
    // All or nothing: give back what this call took.
    releaseRefs(fresh);
    return Status::OutOfMemory;
  }
  counters.localAllocs += fresh.size() - borrowed.size();
  table.blocks.insert(table.blocks.end(), fresh.begin(), fresh.end());
  table.tokens = newTokens;
  return Status::Ok;
}

Status RManager::allocate(RequestId request, int64_t tokens) {
  if (owned.count(request))
    return Status::DuplicateRequest;
  BlockTable &t = owned[request];
  t.request = request;
  Status s = grow(t, tokens);
  if (s != Status::Ok)
    owned.erase(request);
  return s;
}

Status RManager::append(RequestId request, int64_t tokens) {
  auto it = owned.find(request);
  if (it == owned.end())
    return Status::UnknownRequest;
  if (it->second.hasLost())
    return Status::RequestLost;
  return grow(it->second, tokens);
}

Status RManager::free(RequestId request) {
  auto it = owned.find(request);
  if (it == owned.end())
    return Status::UnknownRequest;
  releaseRefs(it->second.blocks);
  owned.erase(it);
  return Status::Ok;
}

Status RManager::copyBlock(RequestId request, BlockRef from, BlockRef to) {
  std::vector<unsigned char> bytes;
  if (cfg.bytesPerBlock) {
    if (from.holder == self) {
      bytes.resize(cfg.bytesPerBlock);
      slots.storage()->read(from.slot, bytes.data());
    } else {
      Message rd = makeMessage(MsgKind::ReadBlocks, self, request);
      rd.ints = {from.slot};
      Message got = net.call(from.holder, rd);
      if (got.status != Status::Ok || got.bytes.size() != cfg.bytesPerBlock)
        return Status::CopyFailed;
      bytes = std::move(got.bytes);
    }
  }
  if (to.holder == self) {
    if (cfg.bytesPerBlock)
      slots.storage()->write(to.slot, bytes.data());
    return Status::Ok;
  }
  // The reply to WriteBlocks is the acknowledgement the commit waits for;
  // without storage it still travels, so the protocol is the same.
  Message wr = makeMessage(MsgKind::WriteBlocks, self, request);
  wr.ints = {to.slot};
  wr.bytes = std::move(bytes);
  return net.call(to.holder, wr).status == Status::Ok ? Status::Ok
                                                      : Status::CopyFailed;
}

Status RManager::moveBlock(BlockTable &table, int32_t index, BlockRef to) {
  BlockRef from = table.blocks[index];
  Status s = copyBlock(table.request, from, to);
  if (s != Status::Ok) {
    ++counters.copyFailures;
    releaseRefs({to}); // undo the reservation; the source is untouched
    return s;
  }
  table.blocks[index] = to; // commit
  releaseRefs({from});      // only now: the copy is acknowledged
  if (onMove)
    onMove(table.request, from.holder, to.holder);
  ++counters.blocksMoved;
  return Status::Ok;
}

SlotId RManager::slotBefore(const BlockTable &table, int32_t index) const {
  if (index <= 0 || index > int32_t(table.blocks.size()))
    return kNoSlot;
  const BlockRef &prev = table.blocks[index - 1];
  return prev.holder == self ? prev.slot : kNoSlot;
}

bool RManager::relocate(BlockTable &table, int32_t index, InstanceId avoid) {
  SlotId home =
      slots.allocate(self, table.request, index, slotBefore(table, index));
  if (home != kNoSlot)
    return moveBlock(table, index, BlockRef{self, home}) == Status::Ok;
  std::vector<BlockRef> dest = borrow(table.request, {index}, avoid);
  if (dest.empty())
    return false;
  return moveBlock(table, index, dest.front()) == Status::Ok;
}

int32_t RManager::pullHome(RequestId request, int32_t count) {
  auto it = owned.find(request);
  if (it == owned.end())
    return 0;
  BlockTable &t = it->second;
  int32_t moved = 0;
  for (int32_t i = 0; i < int32_t(t.blocks.size()) && moved < count; ++i) {
    if (t.blocks[i].holder == self || t.blocks[i].lost())
      continue;
    SlotId home = slots.allocate(self, request, i, slotBefore(t, i));
    if (home == kNoSlot)
      break;
    if (moveBlock(t, i, BlockRef{self, home}) == Status::Ok)
      ++moved;
  }
  return moved;
}

int32_t RManager::promote(RequestId request, int32_t count) {
  auto it = owned.find(request);
  if (it == owned.end())
    return 0;
  BlockTable &t = it->second;
  int32_t moved = 0;
  for (int32_t i = 0; i < int32_t(t.blocks.size()) && moved < count; ++i) {
    if (t.blocks[i].holder != self ||
        slots.tierOf(t.blocks[i].slot) != Tier::Host)
      continue;
    SlotId fast =
        slots.allocateIn(Tier::Fast, self, request, i, slotBefore(t, i));
    if (fast == kNoSlot)
      break;
    if (moveBlock(t, i, BlockRef{self, fast}) == Status::Ok)
      ++moved;
  }
  return moved;
}

Status RManager::locateBlock(RequestId request, int32_t index,
                             BlockRef &ref) const {
  const BlockTable *t = table(request);
  if (!t || index < 0 || index >= int32_t(t->blocks.size()))
    return Status::UnknownRequest;
  ref = t->blocks[index];
  if (ref.lost())
    return Status::RequestLost;
  if (!cfg.bytesPerBlock)
    return Status::BadSlot;
  return Status::Ok;
}

Status RManager::writeBlock(RequestId request, int32_t index, const void *src) {
  BlockRef ref;
  if (Status status = locateBlock(request, index, ref); status != Status::Ok)
    return status;
  if (ref.holder == self) {
    slots.storage()->write(ref.slot, src);
    return Status::Ok;
  }
  Message wr = makeMessage(MsgKind::WriteBlocks, self, request);
  wr.ints = {ref.slot};
  auto *p = static_cast<const unsigned char *>(src);
  wr.bytes.assign(p, p + cfg.bytesPerBlock);
  return net.call(ref.holder, wr).status;
}

Status RManager::readBlock(RequestId request, int32_t index, void *dst) {
  BlockRef ref;
  if (Status status = locateBlock(request, index, ref); status != Status::Ok)
    return status;
  if (ref.holder == self) {
    slots.storage()->read(ref.slot, dst);
    return Status::Ok;
  }
  Message rd = makeMessage(MsgKind::ReadBlocks, self, request);
  rd.ints = {ref.slot};
  Message got = net.call(ref.holder, rd);
  if (got.status != Status::Ok)
    return got.status;
  if (got.bytes.size() != cfg.bytesPerBlock)
    return Status::CopyFailed;
  std::copy(got.bytes.begin(), got.bytes.end(),
            static_cast<unsigned char *>(dst));
  return Status::Ok;
}

//===----------------------------------------------------------------------===//
// Creditor side
//===----------------------------------------------------------------------===//

int32_t RManager::recall(int32_t count) {
  std::map<InstanceId, std::vector<SlotId>> byDebtor;
  int32_t picked = 0;
  for (SlotId s = 0; s < slots.capacity() && picked < count; ++s) {
    const SlotInfo &info = slots.info(s);
    if (info.used() && info.owner != self) {
      byDebtor[info.owner].push_back(s);
      ++picked;
    }
  }
  int32_t freed = 0;
  for (auto &[debtor, list] : byDebtor) {
    Message rc = makeMessage(MsgKind::Recall, self);
    rc.ints = list;
    Message done = net.call(debtor, rc);
    if (done.status == Status::Ok)
      freed += int32_t(done.a);
  }
  return freed;
}

Status RManager::checkForeignSlots(const Message &m) const {
  for (SlotId s : m.ints)
    if (s < 0 || s >= slots.capacity() || slots.info(s).owner != m.src)
      return Status::BadSlot;
  return Status::Ok;
}

Message RManager::onLend(const Message &m) {
  // Serve only the owner itself. A creditor that cannot serve refuses; it
  // never forwards, so a borrow is always one hop and its debt is visible
  // to the owner.
  if (m.a != m.src || m.src == self) {
    ++counters.refusalsGiven;
    return makeReply(m, Status::NotOwner);
  }
  int32_t can = lendable();
  if (can == 0) {
    ++counters.refusalsGiven;
    return makeReply(m, slots.numFree() == 0 ? Status::NoFreeBlocks
                                             : Status::OverLendCap);
  }
  Message r = makeReply(m, Status::Ok);
  int32_t n = std::min<int32_t>(can, int32_t(m.ints.size()));
  // After the last block lent for this request, where it still holds one.
  const auto key = std::make_pair(m.src, m.request);
  auto last = lastLent.find(key);
  SlotId after = kNoSlot;
  if (last != lastLent.end() && slots.info(last->second).owner == m.src &&
      slots.info(last->second).request == m.request)
    after = last->second;
  for (int32_t i = 0; i < n; ++i) {
    after = slots.allocate(m.src, m.request, m.ints[i], after);
    r.ints.push_back(after);
  }
  if (n > 0)
    lastLent[key] = after;
  lentSlots += n;
  return r;
}

Message RManager::onRelease(const Message &m) {
  Status s = checkForeignSlots(m);
  if (s != Status::Ok)
    return makeReply(m, s);
  for (SlotId slot : m.ints) {
    auto last =
        lastLent.find({slots.info(slot).owner, slots.info(slot).request});
    if (last != lastLent.end() && last->second == slot)
      lastLent.erase(last);
    if (slots.release(slot) == Status::Ok)
      --lentSlots;
  }
  return makeReply(m, Status::Ok);
}

Message RManager::onRead(const Message &m) {
  Status s = checkForeignSlots(m);
  if (s != Status::Ok)
    return makeReply(m, s);
  Message r = makeReply(m, Status::Ok);
  if (!cfg.bytesPerBlock)
    return r;
  r.bytes.resize(m.ints.size() * cfg.bytesPerBlock);
  for (size_t i = 0; i < m.ints.size(); ++i)
    slots.storage()->read(m.ints[i], r.bytes.data() + i * cfg.bytesPerBlock);
  return r;
}

Message RManager::onWrite(const Message &m) {
  Status s = checkForeignSlots(m);
  if (s != Status::Ok)
    return makeReply(m, s);
  if (!cfg.bytesPerBlock)
    return makeReply(m, Status::Ok);
  if (m.bytes.size() != m.ints.size() * cfg.bytesPerBlock)
    return makeReply(m, Status::BadSlot);
  for (size_t i = 0; i < m.ints.size(); ++i)
    slots.storage()->write(m.ints[i], m.bytes.data() + i * cfg.bytesPerBlock);
  return makeReply(m, Status::Ok);
}

Message RManager::onRecall(const Message &m) {
  // Which of our blocks sit in the recalled slots.
  std::map<SlotId, std::pair<RequestId, int32_t>> where;
  for (auto &[id, t] : owned)
    for (int32_t i = 0; i < int32_t(t.blocks.size()); ++i)
      if (t.blocks[i].holder == m.src)
        where[t.blocks[i].slot] = {id, i};
  Message r = makeReply(m, Status::Ok);
  for (SlotId s : m.ints) {
    auto it = where.find(s);
    if (it == where.end())
      continue;
    // Home first, else another creditor; never back to the recaller.
    if (relocate(owned[it->second.first], it->second.second, m.src))
      ++r.a;
  }
  return r;
}

Message RManager::onDgfmStage(const Message &m) {
  InstanceId creditor = InstanceId(m.a);
  std::vector<Staged> &list = staging[creditor];
  list.clear();
  Message rd = makeMessage(MsgKind::ReadBlocks, self);
  for (auto &[id, t] : owned)
    for (int32_t i = 0; i < int32_t(t.blocks.size()); ++i)
      if (t.blocks[i].holder == creditor && int64_t(list.size()) < m.b) {
        list.push_back(Staged{id, i, t.blocks[i].slot, {}});
        rd.ints.push_back(t.blocks[i].slot);
      }
  // Copy into staging: the creditor's slots stay valid until released.
  Message got = net.call(creditor, rd);
  if (got.status != Status::Ok ||
      got.bytes.size() != list.size() * cfg.bytesPerBlock) {
    staging.erase(creditor);
    return makeReply(m, Status::CopyFailed);
  }
  for (size_t k = 0; k < list.size(); ++k)
    list[k].bytes.assign(got.bytes.begin() + k * cfg.bytesPerBlock,
                         got.bytes.begin() + (k + 1) * cfg.bytesPerBlock);
  Message r = makeReply(m, Status::Ok);
  r.a = int64_t(list.size());
  return r;
}

Message RManager::onDgfmRelease(const Message &m) {
  InstanceId creditor = InstanceId(m.a);
  auto it = staging.find(creditor);
  if (it == staging.end())
    return makeReply(m, Status::BadSlot);
  Message rel = makeMessage(MsgKind::Release, self);
  for (const Staged &s : it->second)
    rel.ints.push_back(s.oldSlot);
  Status st = net.call(creditor, rel).status;
  if (st != Status::Ok)
    return makeReply(m, st);
  // The staged copies were acknowledged in DgfmStage, so freeing the old
  // slots is safe; the table points at staging until DgfmInstall.
  for (const Staged &s : it->second)
    owned[s.request].blocks[s.index] = BlockRef{};
  ledgerDelta(creditor, -int64_t(it->second.size()));
  return makeReply(m, Status::Ok);
}

Message RManager::onDgfmInstall(const Message &m) {
  Message r = makeReply(m, Status::Ok);
  for (auto it = staging.begin(); it != staging.end();) {
    bool installedAll = true;
    for (Staged &s : it->second) {
      if (owned[s.request].blocks[s.index].holder != kNoInstance)
        continue; // not released: still valid where it was
      SlotId home = slots.allocate(self, s.request, s.index,
                                   slotBefore(owned[s.request], s.index));
      if (home == kNoSlot) {
        // Only possible if the cycle's partner did not release: keep the
        // staged copy rather than lose the block.
        installedAll = false;
        r.status = Status::NoFreeBlocks;
        continue;
      }
      if (cfg.bytesPerBlock)
        slots.storage()->write(home, s.bytes.data());
      owned[s.request].blocks[s.index] = BlockRef{self, home};
      ++counters.blocksMoved;
      if (onMove)
        onMove(s.request, it->first, self);
      ++r.a;
    }
    it = installedAll ? staging.erase(it) : std::next(it);
  }
  return r;
}

Message RManager::onDgfmAbort(const Message &m) {
  staging.erase(InstanceId(m.a));
  return makeReply(m, Status::Ok);
}

Message RManager::onInstanceFailed(const Message &m) {
  InstanceId failed = InstanceId(m.a);
  Message r = makeReply(m, Status::Ok);
  // Blocks it held are gone: mark them lost, so they are never read and the
  // request can only be freed (or recomputed by the serving layer).
  for (auto &[id, t] : owned)
    for (BlockRef &b : t.blocks)
      if (b.holder == failed) {
        b = BlockRef{kLostHolder, kNoSlot};
        ++counters.blocksReportedLost;
        ++r.a;
      }
  // Blocks we held for it have no owner any more.
  for (SlotId s = 0; s < slots.capacity(); ++s)
    if (slots.info(s).owner == failed) {
      slots.release(s);
      --lentSlots;
    }
  for (auto it = lastLent.begin(); it != lastLent.end();)
    it = it->first.first == failed ? lastLent.erase(it) : std::next(it);
  staging.erase(failed);
  return r;
}

Message RManager::onDecodeQuery(const Message &m) {
  Message slotsOnly = m;
  slotsOnly.ints.assign(m.ints.begin() + kDecodeHeaderInts, m.ints.end());
  Status s = m.ints.size() < size_t(kDecodeHeaderInts)
                 ? Status::BadSlot
                 : checkForeignSlots(slotsOnly);
  if (s != Status::Ok || !cfg.bytesPerBlock)
    return makeReply(m, Status::BadSlot);
  return serveDecodeQuery(slots, cfg.tokensPerBlock, m);
}

Message RManager::handle(const Message &m) {
  switch (m.kind) {
  case MsgKind::Lend:
    return onLend(m);
  case MsgKind::Release:
    return onRelease(m);
  case MsgKind::ReadBlocks:
    return onRead(m);
  case MsgKind::WriteBlocks:
    return onWrite(m);
  case MsgKind::Recall:
    return onRecall(m);
  case MsgKind::DgfmStage:
    return onDgfmStage(m);
  case MsgKind::DgfmRelease:
    return onDgfmRelease(m);
  case MsgKind::DgfmInstall:
    return onDgfmInstall(m);
  case MsgKind::DgfmAbort:
    return onDgfmAbort(m);
  case MsgKind::InstanceFailed:
    return onInstanceFailed(m);
  case MsgKind::DecodeQuery:
    return onDecodeQuery(m);
  default:
    return makeReply(m, Status::BadSlot);
  }
}

} // namespace distattn::rblock
