//===- ManagerTest.cpp - rManager and gManager, one operation at a time ---===//
//
// Each test drives a small cluster through one operation (or one refusal)
// and checks both the operation's visible result and the ground-truth
// invariants of Invariants.h.
//
//===----------------------------------------------------------------------===//
#include "Invariants.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace distattn::rblock;
using distattn::rblock::test::checkInvariants;

namespace {

constexpr int32_t kTpb = 16;

RManagerConfig smallConfig(int32_t slots = 4, int32_t cap = 4) {
  RManagerConfig cfg;
  cfg.numSlots = slots;
  cfg.tokensPerBlock = kTpb;
  cfg.lendCap = cap;
  cfg.bytesPerBlock = 8;
  return cfg;
}

int64_t blocks(int64_t n) { return n * kTpb; }

// Stamps every block of a request with (request, index) so moves can be
// checked to carry the bytes along.
void stamp(RManager &owner, RequestId r) {
  const BlockTable *t = owner.table(r);
  for (int32_t i = 0; i < int32_t(t->blocks.size()); ++i) {
    int32_t data[2] = {int32_t(r), i};
    ASSERT_EQ(owner.writeBlock(r, i, data), Status::Ok);
  }
}

void expectStamped(RManager &owner, RequestId r) {
  const BlockTable *t = owner.table(r);
  for (int32_t i = 0; i < int32_t(t->blocks.size()); ++i) {
    int32_t data[2] = {-1, -1};
    ASSERT_EQ(owner.readBlock(r, i, data), Status::Ok);
    EXPECT_EQ(data[0], int32_t(r));
    EXPECT_EQ(data[1], i);
  }
}

int32_t remoteBlocks(const RManager &owner, RequestId r) {
  int32_t n = 0;
  for (const BlockRef &b : owner.table(r)->blocks)
    n += b.holder != owner.id();
  return n;
}

Message lendMessage(InstanceId from, InstanceId owner, int32_t count) {
  Message m;
  m.kind = MsgKind::Lend;
  m.src = from;
  m.request = 99;
  m.a = owner;
  for (int32_t i = 0; i < count; ++i)
    m.ints.push_back(i);
  return m;
}

TEST(RManager, AllocatesLocallyFirst) {
  Cluster c(2, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(3)), Status::Ok);
  EXPECT_EQ(remoteBlocks(c.at(0), 1), 0);
  EXPECT_EQ(c.at(0).pool().numUsed(), 3);
  EXPECT_EQ(c.gmanager().totalDebt(), 0);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, AppendFillsThePartialBlockBeforeTakingANewOne) {
  Cluster c(1, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, 10), Status::Ok);
  EXPECT_EQ(c.at(0).table(1)->blocks.size(), 1u);
  ASSERT_EQ(c.at(0).append(1, 6), Status::Ok);
  EXPECT_EQ(c.at(0).table(1)->blocks.size(), 1u);
  ASSERT_EQ(c.at(0).append(1, 1), Status::Ok);
  EXPECT_EQ(c.at(0).table(1)->blocks.size(), 2u);
  EXPECT_EQ(c.at(0).table(1)->tokens, 17);
  EXPECT_EQ(c.at(0).append(2, 1), Status::UnknownRequest);
  EXPECT_EQ(c.at(0).allocate(1, 1), Status::DuplicateRequest);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, BorrowsFromACreditorWhenLocalPoolIsFull) {
  Cluster c(3, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(6)), Status::Ok);
  EXPECT_EQ(remoteBlocks(c.at(0), 1), 2);
  // Equal free capacity: the lower id wins, and it grants both blocks.
  EXPECT_EQ(c.gmanager().ledger(0, 1), 2);
  EXPECT_EQ(c.at(1).lent(), 2);
  EXPECT_EQ(c.at(0).stats().borrowedBlocks, 2u);
  stamp(c.at(0), 1);
  expectStamped(c.at(0), 1);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, FreeReleasesLocalAndBorrowedBlocks) {
  Cluster c(3, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(7)), Status::Ok);
  ASSERT_EQ(c.at(0).free(1), Status::Ok);
  for (InstanceId i = 0; i < 3; ++i)
    EXPECT_EQ(c.at(i).pool().numUsed(), 0);
  EXPECT_EQ(c.gmanager().totalDebt(), 0);
  EXPECT_EQ(c.at(0).free(1), Status::UnknownRequest);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, OutOfMemoryIsAllOrNothing) {
  Cluster c(2, smallConfig(4, 2));
  ASSERT_EQ(c.at(0).allocate(1, blocks(2)), Status::Ok);
  // 2 free locally + 2 lendable on instance 1 < 5.
  EXPECT_EQ(c.at(0).append(1, blocks(5)), Status::OutOfMemory);
  EXPECT_EQ(c.at(0).table(1)->blocks.size(), 2u);
  EXPECT_EQ(c.at(0).pool().numUsed(), 2);
  EXPECT_EQ(c.at(1).pool().numUsed(), 0);
  EXPECT_EQ(c.gmanager().totalDebt(), 0);
  EXPECT_EQ(c.at(0).allocate(2, blocks(9)), Status::OutOfMemory);
  EXPECT_EQ(c.at(0).table(2), nullptr);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, CreditorRefusesPastItsLendCap) {
  Cluster c(2, smallConfig(4, 1));
  Message grant = c.transport().call(1, lendMessage(0, 0, 3));
  EXPECT_EQ(grant.status, Status::Ok);
  EXPECT_EQ(grant.ints.size(), 1u) << "grants up to the cap, not past it";
  Message refuse = c.transport().call(1, lendMessage(0, 0, 1));
  EXPECT_EQ(refuse.status, Status::OverLendCap);
  EXPECT_EQ(c.at(1).lent(), 1);
  EXPECT_EQ(c.at(1).stats().refusalsGiven, 1u);
}

TEST(RManager, CreditorRefusesWhenFull) {
  Cluster c(2, smallConfig(2, 4));
  ASSERT_EQ(c.at(1).allocate(1, blocks(2)), Status::Ok);
  Message refuse = c.transport().call(1, lendMessage(0, 0, 1));
  EXPECT_EQ(refuse.status, Status::NoFreeBlocks);
  EXPECT_TRUE(refuse.ints.empty());
}

TEST(RManager, CreditorRefusesAForwardedRequest) {
  Cluster c(3, smallConfig());
  // Instance 2 asks on behalf of a request owned by 0: refused, not served.
  Message refuse = c.transport().call(1, lendMessage(2, 0, 1));
  EXPECT_EQ(refuse.status, Status::NotOwner);
  EXPECT_EQ(c.at(1).pool().numUsed(), 0);
}

TEST(RManager, BorrowerTriesTheNextCreditorAfterARefusal) {
  Cluster c(3, smallConfig());
  // The gManager still believes instance 1 is empty (no heartbeat since),
  // so it proposes 1 first; 1 refuses and 2 serves.
  ASSERT_EQ(c.at(1).allocate(5, blocks(4)), Status::Ok);
  ASSERT_EQ(c.at(0).allocate(1, blocks(5)), Status::Ok);
  EXPECT_EQ(c.at(0).stats().refusalsSeen, 1u);
  EXPECT_EQ(c.gmanager().ledger(0, 1), 0);
  EXPECT_EQ(c.gmanager().ledger(0, 2), 1);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, RefusedBorrowIsNeverForwarded) {
  Cluster c(3, smallConfig(4, 1));
  std::vector<std::pair<InstanceId, InstanceId>> lends; // (from, to)
  c.transport().replyFilter = [&](const Message &req, const Message &) {
    if (req.kind == MsgKind::Lend)
      lends.push_back({req.src, req.dst});
    return true;
  };
  ASSERT_EQ(c.at(0).allocate(1, blocks(4)), Status::Ok);
  EXPECT_EQ(c.at(0).append(1, blocks(3)), Status::OutOfMemory);
  ASSERT_FALSE(lends.empty());
  for (auto [from, to] : lends)
    EXPECT_EQ(from, 0) << "instance " << from << " passed a borrow on to "
                       << to;
  EXPECT_EQ(c.gmanager().totalDebt(), 0);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, ReleaseOfAnotherOwnersSlotIsRefused) {
  Cluster c(3, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(5)), Status::Ok);
  Message rel;
  rel.kind = MsgKind::Release;
  rel.src = 2;
  rel.ints = {c.at(0).table(1)->blocks[4].slot};
  EXPECT_EQ(c.transport().call(1, rel).status, Status::BadSlot);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, RecallMovesBorrowedBlocksHome) {
  Cluster c(2, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(2)), Status::Ok);
  ASSERT_EQ(c.at(0).allocate(2, blocks(4)), Status::Ok); // 2 local, 2 on 1
  stamp(c.at(0), 2);
  ASSERT_EQ(c.at(0).free(1), Status::Ok); // room at home again
  EXPECT_EQ(c.at(1).recall(8), 2);
  EXPECT_EQ(remoteBlocks(c.at(0), 2), 0);
  EXPECT_EQ(c.at(1).pool().numUsed(), 0);
  EXPECT_EQ(c.gmanager().totalDebt(), 0);
  expectStamped(c.at(0), 2);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, RecallMovesBlocksToAnotherCreditorWhenHomeIsFull) {
  Cluster c(3, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(6)), Status::Ok);
  stamp(c.at(0), 1);
  ASSERT_EQ(c.gmanager().ledger(0, 1), 2);
  c.heartbeatAll();
  EXPECT_EQ(c.at(1).recall(2), 2);
  EXPECT_EQ(c.gmanager().ledger(0, 1), 0);
  EXPECT_EQ(c.gmanager().ledger(0, 2), 2);
  EXPECT_EQ(c.at(0).stats().blocksMoved, 2u);
  expectStamped(c.at(0), 1);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, RecallLeavesBlocksInPlaceWhenNoOneHasRoom) {
  Cluster c(2, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(6)), Status::Ok);
  stamp(c.at(0), 1);
  EXPECT_EQ(c.at(1).recall(2), 0);
  EXPECT_EQ(c.gmanager().ledger(0, 1), 2);
  expectStamped(c.at(0), 1);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, UnacknowledgedCopyLeavesTheSourceInPlace) {
  Cluster c(3, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(6)), Status::Ok);
  stamp(c.at(0), 1);
  c.heartbeatAll();
  std::vector<BlockRef> before = c.at(0).table(1)->blocks;
  // Every copy's acknowledgement is lost on the way back.
  c.transport().replyFilter = [](const Message &req, const Message &) {
    return req.kind != MsgKind::WriteBlocks;
  };
  EXPECT_EQ(c.at(1).recall(2), 0);
  c.transport().replyFilter = nullptr;
  EXPECT_EQ(c.at(0).table(1)->blocks, before);
  EXPECT_EQ(c.at(0).stats().copyFailures, 2u);
  EXPECT_EQ(c.at(2).pool().numUsed(), 0) << "reservations are given back";
  expectStamped(c.at(0), 1);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, PullHomeBringsBlocksBackWhenRoomFrees) {
  Cluster c(2, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(2)), Status::Ok);
  ASSERT_EQ(c.at(0).allocate(2, blocks(5)), Status::Ok); // 3 on instance 1
  stamp(c.at(0), 2);
  ASSERT_EQ(c.at(0).free(1), Status::Ok);
  EXPECT_EQ(c.at(0).pullHome(2, 8), 2);
  EXPECT_EQ(remoteBlocks(c.at(0), 2), 1);
  expectStamped(c.at(0), 2);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(RManager, HostTierIsUsedBeforeBorrowingAndPromotedLater) {
  RManagerConfig cfg = smallConfig();
  cfg.hostTierSlots = 2;
  Cluster c(2, cfg);
  ASSERT_EQ(c.at(0).allocate(1, blocks(2)), Status::Ok);
  ASSERT_EQ(c.at(0).allocate(2, blocks(5)),
            Status::Ok); // 2 fast, 2 host, 1 remote
  stamp(c.at(0), 2);
  const BlockPool &pool = c.at(0).pool();
  int32_t host = 0;
  for (const BlockRef &b : c.at(0).table(2)->blocks)
    host += b.holder == 0 && pool.tierOf(b.slot) == Tier::Host;
  EXPECT_EQ(host, 2);
  EXPECT_EQ(remoteBlocks(c.at(0), 2), 1);
  ASSERT_EQ(c.at(0).free(1), Status::Ok);
  EXPECT_EQ(c.at(0).promote(2, 8), 2);
  for (const BlockRef &b : c.at(0).table(2)->blocks)
    if (b.holder == 0)
      EXPECT_EQ(pool.tierOf(b.slot), Tier::Fast);
  expectStamped(c.at(0), 2);
  EXPECT_EQ(checkInvariants(c), "");
}

// The pool keeps a request's blocks in chunks of their own: two requests
// growing side by side do not interleave, and blocks promoted from the host
// tier land next to each other.
TEST(RManager, KeepsARequestsBlocksTogether) {
  RManagerConfig cfg = smallConfig(12);
  cfg.chunkSlots = 4;
  cfg.hostTierSlots = 4;
  Cluster c(1, cfg);
  auto slotsOf = [&](RequestId r) {
    std::vector<SlotId> v;
    for (const BlockRef &b : c.at(0).table(r)->blocks)
      v.push_back(b.slot);
    return v;
  };
  ASSERT_EQ(c.at(0).allocate(1, blocks(1)), Status::Ok);
  ASSERT_EQ(c.at(0).allocate(2, blocks(1)), Status::Ok);
  for (int step = 0; step < 3; ++step) {
    ASSERT_EQ(c.at(0).append(1, blocks(1)), Status::Ok);
    ASSERT_EQ(c.at(0).append(2, blocks(1)), Status::Ok);
  }
  EXPECT_EQ(slotsOf(1), (std::vector<SlotId>{0, 1, 2, 3}));
  EXPECT_EQ(slotsOf(2), (std::vector<SlotId>{4, 5, 6, 7}));
  // Request 3: the fast tier's last chunk, then the host tier's.
  ASSERT_EQ(c.at(0).allocate(3, blocks(7)), Status::Ok);
  EXPECT_EQ(slotsOf(3), (std::vector<SlotId>{8, 9, 10, 11, 12, 13, 14}));
  ASSERT_EQ(c.at(0).free(1), Status::Ok);
  ASSERT_EQ(c.at(0).free(2), Status::Ok); // two wholly free chunks
  EXPECT_EQ(c.at(0).promote(3, 3), 3);
  EXPECT_EQ(slotsOf(3), (std::vector<SlotId>{8, 9, 10, 11, 0, 1, 2}));
  EXPECT_EQ(checkInvariants(c), "");
}

// A request that grows by borrowing a block a step gets them next to each
// other on its creditor, not one in a fresh chunk each.
TEST(RManager, LendsARequestsBlocksTogether) {
  RManagerConfig cfg = smallConfig(8, 8);
  cfg.chunkSlots = 4;
  Cluster c(2, cfg);
  ASSERT_EQ(c.at(1).allocate(5, blocks(1)), Status::Ok); // slot 0 on 1
  ASSERT_EQ(c.at(0).allocate(1, blocks(8)), Status::Ok); // 0's pool full
  c.heartbeatAll();
  std::vector<SlotId> lent;
  for (int step = 0; step < 3; ++step) {
    ASSERT_EQ(c.at(0).append(1, blocks(1)), Status::Ok);
    const BlockRef &b = c.at(0).table(1)->blocks.back();
    ASSERT_EQ(b.holder, 1);
    lent.push_back(b.slot);
  }
  EXPECT_EQ(lent, (std::vector<SlotId>{4, 5, 6}));
  ASSERT_EQ(c.at(0).free(1), Status::Ok);
  EXPECT_EQ(c.at(1).lent(), 0);
  EXPECT_EQ(checkInvariants(c), "");
}

// Builds the debt cycle 0 -> 1 -> 2 -> 0 (one block each) from ordinary
// allocations: each instance fills its pool and borrows one block from the
// instance the gManager finds emptiest.
void makeCycle(Cluster &c) {
  ASSERT_EQ(c.at(0).allocate(10, blocks(4)), Status::Ok);
  ASSERT_EQ(c.at(0).allocate(11, blocks(1)), Status::Ok); // on 1
  c.heartbeatAll();
  ASSERT_EQ(c.at(1).allocate(20, blocks(3)), Status::Ok);
  ASSERT_EQ(c.at(1).allocate(21, blocks(1)), Status::Ok); // on 2
  c.heartbeatAll();
  ASSERT_EQ(c.at(0).free(10), Status::Ok);
  ASSERT_EQ(c.at(2).allocate(30, blocks(3)), Status::Ok);
  c.heartbeatAll();
  ASSERT_EQ(c.at(2).allocate(31, blocks(1)), Status::Ok); // on 0
  ASSERT_EQ(c.gmanager().ledger(0, 1), 1);
  ASSERT_EQ(c.gmanager().ledger(1, 2), 1);
  ASSERT_EQ(c.gmanager().ledger(2, 0), 1);
}

TEST(Dgfm, FindsTheDebtCycle) {
  Cluster c(3, smallConfig());
  makeCycle(c);
  std::vector<InstanceId> cycle = c.gmanager().findCycle();
  EXPECT_EQ(cycle.size(), 3u);
}

TEST(Dgfm, CancellingACycleBringsKvHomeWithoutChangingMemoryUse) {
  Cluster c(3, smallConfig());
  makeCycle(c);
  for (auto [o, r] : {std::pair{0, 11}, {1, 21}, {2, 31}})
    stamp(c.at(o), r);
  std::vector<int32_t> used;
  for (InstanceId i = 0; i < 3; ++i)
    used.push_back(c.at(i).pool().numUsed());
  DgfmStats s = c.gmanager().runDgfm();
  EXPECT_EQ(s.cycles, 1);
  EXPECT_EQ(s.blocksMovedHome, 3);
  EXPECT_EQ(c.gmanager().totalDebt(), 0);
  for (InstanceId i = 0; i < 3; ++i) {
    EXPECT_EQ(c.at(i).pool().numUsed(), used[i]) << "instance " << i;
    EXPECT_EQ(c.at(i).lent(), 0);
  }
  for (auto [o, r] : {std::pair{0, 11}, {1, 21}, {2, 31}}) {
    EXPECT_EQ(remoteBlocks(c.at(o), r), 0);
    expectStamped(c.at(o), r);
  }
  EXPECT_TRUE(c.gmanager().findCycle().empty());
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(Dgfm, LeavesAnAcyclicDebtGraphAlone) {
  Cluster c(3, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(6)), Status::Ok);
  EXPECT_TRUE(c.gmanager().findCycle().empty());
  DgfmStats s = c.gmanager().runDgfm();
  EXPECT_EQ(s.cycles, 0);
  EXPECT_EQ(c.gmanager().ledger(0, 1), 2);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(Dgfm, AbortsWithoutFreeingWhenACopyIsNotAcknowledged) {
  Cluster c(3, smallConfig());
  makeCycle(c);
  c.transport().replyFilter = [](const Message &req, const Message &) {
    return !(req.kind == MsgKind::ReadBlocks && req.src == 2);
  };
  DgfmStats s = c.gmanager().runDgfm();
  c.transport().replyFilter = nullptr;
  EXPECT_EQ(s.cycles, 0);
  EXPECT_EQ(c.gmanager().ledger(0, 1), 1);
  EXPECT_EQ(c.gmanager().ledger(2, 0), 1);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(Failure, BlocksOnAFailedInstanceAreReportedLostToTheirOwner) {
  Cluster c(3, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(6)), Status::Ok); // 2 on instance 1
  c.fail(1);
  const BlockTable *t = c.at(0).table(1);
  int32_t lost = 0;
  for (const BlockRef &b : t->blocks)
    lost += b.lost();
  EXPECT_EQ(lost, 2);
  EXPECT_EQ(c.at(0).stats().blocksReportedLost, 2u);
  EXPECT_EQ(c.at(0).append(1, 1), Status::RequestLost);
  int32_t data[2];
  EXPECT_EQ(c.at(0).readBlock(1, 5, data), Status::RequestLost);
  EXPECT_EQ(c.gmanager().totalDebt(), 0);
  EXPECT_EQ(checkInvariants(c), "");
  EXPECT_EQ(c.at(0).free(1), Status::Ok);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(Failure, CreditorsFreeWhatTheyHeldForAFailedOwner) {
  Cluster c(3, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(6)), Status::Ok);
  ASSERT_EQ(c.at(1).lent(), 2);
  c.fail(0);
  EXPECT_EQ(c.at(1).lent(), 0);
  EXPECT_EQ(c.at(1).pool().numUsed(), 0);
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(Failure, AFailedInstanceIsNeverProposedAndARestartComesBackEmpty) {
  Cluster c(3, smallConfig());
  ASSERT_EQ(c.at(0).allocate(1, blocks(6)), Status::Ok);
  c.fail(1);
  for (InstanceId i : c.gmanager().creditorsFor(0))
    EXPECT_NE(i, 1);
  EXPECT_EQ(c.transport().call(1, lendMessage(0, 0, 1)).status,
            Status::Unreachable);
  c.restart(1);
  EXPECT_EQ(c.at(1).pool().numUsed(), 0);
  // The owner's lost entries stay lost: the restarted pool's slots are new
  // memory, never handed back as the old blocks.
  EXPECT_TRUE(c.at(0).table(1)->hasLost());
  EXPECT_EQ(checkInvariants(c), "");
}

TEST(Failure, MissedHeartbeatsDeclareAnInstanceFailed) {
  Cluster c(3, smallConfig());
  GManager &g = c.gmanager();
  // Everyone beat at time 0; instance 1 stays silent from then on.
  g.setClock(4);
  c.at(0).heartbeat();
  c.at(2).heartbeat();
  std::vector<InstanceId> failed = g.checkLiveness(4, 5);
  EXPECT_TRUE(failed.empty());
  g.setClock(8);
  c.at(0).heartbeat();
  c.at(2).heartbeat();
  failed = g.checkLiveness(8, 5);
  EXPECT_EQ(failed, std::vector<InstanceId>{1});
  EXPECT_FALSE(g.alive(1));
}

TEST(Transport, RefusesAnotherProtocolVersion) {
  Cluster c(2, smallConfig());
  Message m = lendMessage(0, 0, 1);
  m.version = kProtocolVersion + 1;
  EXPECT_EQ(c.transport().call(1, m).status, Status::VersionMismatch);
  EXPECT_EQ(c.at(1).pool().numUsed(), 0);
}

} // namespace
