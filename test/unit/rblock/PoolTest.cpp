//===- PoolTest.cpp - rBlock pool, block tables and the wire format -------===//
#include "distattn/rblock/BlockPool.h"
#include "distattn/rblock/BlockTable.h"
#include "distattn/rblock/Protocol.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

using namespace distattn::rblock;

namespace {

TEST(BlockPool, AllocatesEverySlotOnceThenRefuses) {
  BlockPool pool(8);
  std::set<SlotId> seen;
  for (int i = 0; i < 8; ++i) {
    SlotId s = pool.allocate(0, 7, i);
    ASSERT_NE(s, kNoSlot);
    EXPECT_TRUE(seen.insert(s).second) << "slot handed out twice";
    EXPECT_EQ(pool.info(s).request, 7);
    EXPECT_EQ(pool.info(s).index, i);
  }
  EXPECT_EQ(pool.numFree(), 0);
  EXPECT_EQ(pool.allocate(0, 7, 8), kNoSlot);
}

TEST(BlockPool, ReleaseReturnsSlotAndRejectsDoubleFree) {
  BlockPool pool(4);
  SlotId s = pool.allocate(1, 3, 0);
  EXPECT_EQ(pool.numUsed(), 1);
  EXPECT_EQ(pool.release(s), Status::Ok);
  EXPECT_EQ(pool.numFree(), 4);
  EXPECT_FALSE(pool.info(s).used());
  EXPECT_EQ(pool.release(s), Status::BadSlot);
  EXPECT_EQ(pool.release(99), Status::BadSlot);
  EXPECT_EQ(pool.numFree(), 4) << "a double free must not grow the free list";
}

// The lowest free slot first, whatever the order of the frees: after a
// churn, a request's blocks come out in address order (the paged decode's
// reads of one sequence then run front to back).
TEST(BlockPool, HandsOutTheLowestFreeSlot) {
  BlockPool pool(16);
  for (int i = 0; i < 16; ++i)
    ASSERT_EQ(pool.allocate(0, 1, i), i);
  for (SlotId s : {11, 3, 14, 7, 5, 12})
    ASSERT_EQ(pool.release(s), Status::Ok);
  std::vector<SlotId> next;
  for (int i = 0; i < 4; ++i)
    next.push_back(pool.allocate(0, 2, i));
  EXPECT_EQ(next, (std::vector<SlotId>{3, 5, 7, 11}));
  ASSERT_EQ(pool.release(4), Status::Ok); // below what is left: taken next
  EXPECT_EQ(pool.allocate(0, 2, 4), 4);
  EXPECT_EQ(pool.allocate(0, 2, 5), 12);
  EXPECT_EQ(pool.allocate(0, 2, 6), 14);
  EXPECT_EQ(pool.allocate(0, 2, 7), kNoSlot);
}

// Chunks of a large page: a request's blocks fill a chunk of its own (each
// next block in the slot after its last), two requests growing side by side
// do not interleave, and where no chunk is wholly free the lowest free slot
// serves. A chunk cut by the tiers is never taken as a fresh one.
TEST(BlockPool, KeepsARequestsBlocksInChunksOfTheirOwn) {
  BlockPool pool(32, nullptr, -1, 8);
  EXPECT_EQ(pool.chunkSlots(), 8);
  SlotId lastA = kNoSlot, lastB = kNoSlot;
  std::vector<SlotId> a, b;
  for (int i = 0; i < 9; ++i) { // side by side, a block each in turn
    a.push_back(lastA = pool.allocate(0, 1, i, lastA));
    if (i < 8)
      b.push_back(lastB = pool.allocate(0, 2, i, lastB));
  }
  EXPECT_EQ(a, (std::vector<SlotId>{0, 1, 2, 3, 4, 5, 6, 7, 16}));
  EXPECT_EQ(b, (std::vector<SlotId>{8, 9, 10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(pool.allocate(0, 3, 0), 24); // a new request: a fresh chunk
  ASSERT_EQ(pool.release(9), Status::Ok);
  EXPECT_EQ(pool.allocate(0, 4, 0, 15), 9); // no slot after, no fresh chunk
  EXPECT_EQ(pool.allocate(0, 3, 1, 24), 25);

  BlockPool tiers(16, nullptr, 12, 8); // chunk 1 holds fast and host slots
  for (int i = 0; i < 8; ++i)
    ASSERT_EQ(tiers.allocate(0, 1, i), i); // the one whole fast chunk
  EXPECT_EQ(tiers.allocate(0, 2, 0), 8);   // then the lowest fast slot
  EXPECT_EQ(tiers.allocateIn(Tier::Host, 0, 3, 0), 12);
}

// The bitmaps and their hints against the policy written plainly (linear
// scans), over random allocations (with and without a previous block) and
// frees in a pool of several bitmap words, two tiers and a chunk cut by
// them.
TEST(BlockPool, BitmapsMatchThePolicyWrittenPlainly) {
  const int32_t n = 300, fast = 203, chunk = 8;
  BlockPool pool(n, nullptr, fast, chunk);
  std::vector<bool> used(n, false);
  auto tierOf = [&](int32_t s) { return s < fast ? Tier::Fast : Tier::Host; };
  auto plain = [&](Tier t, SlotId after) -> SlotId {
    auto freeIn = [&](int32_t s) { return !used[s] && tierOf(s) == t; };
    if (after >= 0 && after + 1 < n && (after + 1) / chunk == after / chunk &&
        freeIn(after + 1))
      return after + 1;
    for (int32_t c = 0; (c + 1) * chunk <= n; ++c) {
      bool whole = true;
      for (int32_t s = c * chunk; s < (c + 1) * chunk; ++s)
        whole = whole && freeIn(s);
      if (whole)
        return c * chunk;
    }
    for (int32_t s = 0; s < n; ++s)
      if (freeIn(s))
        return s;
    return kNoSlot;
  };
  std::mt19937 gen(11);
  std::vector<SlotId> live;
  for (int op = 0; op < 20000; ++op) {
    if (live.empty() || gen() % 100 < 55) {
      const Tier t = gen() % 4 ? Tier::Fast : Tier::Host;
      const SlotId after =
          live.empty() || gen() % 3 == 0 ? kNoSlot : live[gen() % live.size()];
      const SlotId want = plain(t, after);
      ASSERT_EQ(pool.allocateIn(t, 0, 1, 0, after), want) << "op " << op;
      if (want != kNoSlot) {
        used[want] = true;
        live.push_back(want);
      }
    } else {
      const size_t i = gen() % live.size();
      ASSERT_EQ(pool.release(live[i]), Status::Ok);
      used[live[i]] = false;
      live[i] = live.back();
      live.pop_back();
    }
    ASSERT_EQ(pool.numUsed(), int32_t(live.size()));
  }
}

TEST(BlockPool, ChunksHoldALargePageOfBlocks) {
  EXPECT_EQ(chunkSlotsFor(0), 1); // bytes unknown (the simulator)
  EXPECT_EQ(chunkSlotsFor(512 << 10), 4);
  EXPECT_EQ(chunkSlotsFor(256 << 10), 8);
  EXPECT_EQ(chunkSlotsFor(3 << 20), 1);
}

TEST(BlockPool, FastTierFillsBeforeTheHostTier) {
  BlockPool pool(5, nullptr, 3);
  EXPECT_EQ(pool.fastSlots(), 3);
  std::vector<SlotId> got;
  for (int i = 0; i < 5; ++i)
    got.push_back(pool.allocate(0, 1, i));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(pool.tierOf(got[i]), Tier::Fast);
  for (int i = 3; i < 5; ++i)
    EXPECT_EQ(pool.tierOf(got[i]), Tier::Host);
  EXPECT_EQ(pool.allocate(0, 1, 5), kNoSlot);
  // A freed fast slot goes back to the fast tier and is taken first.
  ASSERT_EQ(pool.release(got[1]), Status::Ok);
  ASSERT_EQ(pool.release(got[4]), Status::Ok);
  EXPECT_EQ(pool.numFree(Tier::Fast), 1);
  EXPECT_EQ(pool.numFree(Tier::Host), 1);
  EXPECT_EQ(pool.allocate(0, 2, 0), got[1]);
  EXPECT_EQ(pool.allocateIn(Tier::Fast, 0, 2, 1), kNoSlot);
  EXPECT_EQ(pool.allocateIn(Tier::Host, 0, 2, 1), got[4]);
}

TEST(BlockPool, HostStorageKeepsEachSlotsBytes) {
  BlockPool pool(3, std::make_unique<HostBlockStorage>(3, 8));
  for (SlotId s = 0; s < 3; ++s) {
    unsigned char data[8];
    for (int i = 0; i < 8; ++i)
      data[i] = static_cast<unsigned char>(s * 10 + i);
    pool.storage()->write(s, data);
  }
  unsigned char back[8];
  pool.storage()->read(1, back);
  EXPECT_EQ(back[0], 10);
  EXPECT_EQ(back[7], 17);
  EXPECT_EQ(
      static_cast<const unsigned char *>(pool.storage()->hostAddress(2))[3],
      23);
}

TEST(BlockTable, PagedTableHasOneRowPerRequestOnTheHolder) {
  BlockTable a{1, 40, {{0, 5}, {1, 2}, {0, 6}}}; // 16 + 16 + 8 tokens
  BlockTable b{2, 16, {{1, 0}}};
  BlockTable c{3, 20, {{0, 1}, {0, 3}}}; // 16 + 4
  PagedBlockTable on0 = buildPagedTable({&a, &b, &c}, 0, 16);
  EXPECT_EQ(on0.requests, (std::vector<RequestId>{1, 3}));
  EXPECT_EQ(on0.rowPtr, (std::vector<int32_t>{0, 2, 4}));
  EXPECT_EQ(on0.slots, (std::vector<int32_t>{5, 6, 1, 3}));
  EXPECT_EQ(on0.seqLens, (std::vector<int32_t>{24, 20}));
  EXPECT_EQ(on0.lastBlockTokens, (std::vector<int32_t>{8, 4}));
  PagedBlockTable on1 = buildPagedTable({&a, &b, &c}, 1, 16);
  EXPECT_EQ(on1.requests, (std::vector<RequestId>{1, 2}));
  EXPECT_EQ(on1.slots, (std::vector<int32_t>{2, 0}));
  EXPECT_EQ(on1.seqLens, (std::vector<int32_t>{16, 16}));
  EXPECT_EQ(buildPagedTable({&a}, 5, 16).rows(), 0);
}

TEST(Protocol, RoundTripsEveryField) {
  Message m;
  m.kind = MsgKind::Lend;
  m.src = 3;
  m.dst = 1;
  m.request = int64_t(1) << 40;
  m.a = -5;
  m.b = 77;
  m.status = Status::OverLendCap;
  m.ints = {1, -2, 3};
  m.floats = {0.5f, -1.25f};
  m.bytes = {9, 8, 7, 6};
  std::optional<Message> back = decode(encode(m));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->version, kProtocolVersion);
  EXPECT_EQ(back->kind, MsgKind::Lend);
  EXPECT_EQ(back->src, 3);
  EXPECT_EQ(back->dst, 1);
  EXPECT_EQ(back->request, m.request);
  EXPECT_EQ(back->a, -5);
  EXPECT_EQ(back->b, 77);
  EXPECT_EQ(back->status, Status::OverLendCap);
  EXPECT_EQ(back->ints, m.ints);
  EXPECT_EQ(back->floats, m.floats);
  EXPECT_EQ(back->bytes, m.bytes);
}

TEST(Protocol, RejectsMalformedBuffers) {
  std::vector<unsigned char> wire = encode(Message{});
  std::vector<unsigned char> shortWire(wire.begin(), wire.end() - 1);
  EXPECT_FALSE(decode(shortWire).has_value());
  wire[0] ^= 0xff; // magic
  EXPECT_FALSE(decode(wire).has_value());
  Message withInts;
  withInts.ints = {1, 2};
  std::vector<unsigned char> longer = encode(withInts);
  longer.push_back(0); // trailing garbage
  EXPECT_FALSE(decode(longer).has_value());
}

TEST(Protocol, KeepsAForeignVersionForTheReceiverToRefuse) {
  Message m;
  m.version = kProtocolVersion + 1;
  std::optional<Message> back = decode(encode(m));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->version, kProtocolVersion + 1);
}

} // namespace
