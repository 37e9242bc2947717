//===- PropertyTest.cpp - 100,000 random rBlock operations ----------------===//
//
// Drives a 4-instance cluster through random allocate, append, free, lend,
// borrow, recall, pull-home, host-tier promotion, DGFM, heartbeat, instance
// failure and restart, and after every single operation checks the ground
// truth (Invariants.h) plus what this test tracks itself:
//  * a block is marked lost only if it sat on an instance that failed, and
//    every block that did is marked lost at its owner (never reused as if
//    valid);
//  * every block's bytes still carry the (request, index) stamp written when
//    it was allocated, wherever recall or DGFM moved it;
//  * DGFM changes no instance's memory use and never raises the debt.
//
//===----------------------------------------------------------------------===//
#include "Invariants.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <tuple>

using namespace distattn::rblock;
using distattn::rblock::test::checkInvariants;

namespace {

constexpr int32_t kInstances = 4;
constexpr int32_t kTpb = 4;

struct Key {
  InstanceId owner;
  RequestId request;
  int32_t index;
  bool operator<(const Key &o) const {
    return std::tie(owner, request, index) <
           std::tie(o.owner, o.request, o.index);
  }
};

struct OpCounts {
  int64_t allocOk = 0, allocOom = 0, appendOk = 0, frees = 0, borrowOk = 0,
          lendRefused = 0, recallMoved = 0, pulledHome = 0, dgfmCycles = 0,
          dgfmMoved = 0, failures = 0, restarts = 0, lostReported = 0,
          dataChecks = 0, promoted = 0;
};

class RandomCluster {
public:
  explicit RandomCluster(unsigned seed) : rng(seed), c(kInstances, config()) {}

  static RManagerConfig config() {
    RManagerConfig cfg;
    cfg.numSlots = 24;
    cfg.tokensPerBlock = kTpb;
    cfg.lendCap = 12;
    cfg.bytesPerBlock = 8;
    cfg.hostTierSlots = 6;
    cfg.chunkSlots = 4; // chunks whole and cut (by the tiers at 24)
    return cfg;
  }

  void step();
  std::string check();
  OpCounts counts;

private:
  int32_t pick(int32_t n) {
    return std::uniform_int_distribution<int32_t>(0, n - 1)(rng);
  }
  InstanceId liveInstance() {
    for (;;) {
      InstanceId i = pick(kInstances);
      if (c.alive(i))
        return i;
    }
  }
  int32_t liveCount() const {
    int32_t n = 0;
    for (InstanceId i = 0; i < kInstances; ++i)
      n += c.alive(i);
    return n;
  }
  /// A random request of a live owner, or -1.
  RequestId someRequest(InstanceId owner) {
    const auto &tables = c.at(owner).tables();
    if (tables.empty())
      return -1;
    auto it = tables.begin();
    std::advance(it, pick(int32_t(tables.size())));
    return it->first;
  }
  void stampNewBlocks(RManager &owner, RequestId r, size_t from);
  void checkData(RManager &owner, RequestId r);
  void failOne();

  std::mt19937 rng;
  Cluster c;
  RequestId nextRequest = 1;
  std::set<Key> expectLost; // blocks that sat on a failed instance
  std::string dataError;
};

void RandomCluster::stampNewBlocks(RManager &owner, RequestId r, size_t from) {
  const BlockTable *t = owner.table(r);
  for (size_t i = from; i < t->blocks.size(); ++i) {
    int32_t data[2] = {int32_t(r), int32_t(i)};
    if (owner.writeBlock(r, int32_t(i), data) != Status::Ok)
      dataError = "stamping a fresh block failed";
  }
}

void RandomCluster::checkData(RManager &owner, RequestId r) {
  const BlockTable *t = owner.table(r);
  if (!t || t->hasLost())
    return;
  ++counts.dataChecks;
  for (int32_t i = 0; i < int32_t(t->blocks.size()); ++i) {
    int32_t data[2] = {-1, -1};
    if (owner.readBlock(r, i, data) != Status::Ok || data[0] != int32_t(r) ||
        data[1] != i)
      dataError = "request " + std::to_string(r) + " block " +
                  std::to_string(i) + " lost its bytes";
  }
}

void RandomCluster::failOne() {
  InstanceId f = liveInstance();
  // Which blocks of other owners sit on f right now.
  std::set<Key> onF;
  const BlockPool &pool = c.at(f).pool();
  for (SlotId s = 0; s < pool.capacity(); ++s) {
    const SlotInfo &info = pool.info(s);
    if (info.used() && info.owner != f)
      onF.insert(Key{info.owner, info.request, info.index});
  }
  uint64_t before = 0, after = 0;
  for (InstanceId i = 0; i < kInstances; ++i)
    if (c.alive(i) && i != f)
      before += c.at(i).stats().blocksReportedLost;
  c.fail(f);
  for (InstanceId i = 0; i < kInstances; ++i)
    if (c.alive(i))
      after += c.at(i).stats().blocksReportedLost;
  // f's own requests died with it.
  for (auto it = expectLost.begin(); it != expectLost.end();)
    it = it->owner == f ? expectLost.erase(it) : std::next(it);
  expectLost.insert(onF.begin(), onF.end());
  if (after - before != onF.size())
    dataError = "failure reported " + std::to_string(after - before) +
                " lost blocks, " + std::to_string(onF.size()) + " were on it";
  counts.lostReported += int64_t(onF.size());
  ++counts.failures;
}

void RandomCluster::step() {
  int32_t op = pick(100);
  InstanceId i = liveInstance();
  RManager &m = c.at(i);
  if (op < 25) { // allocate; large ones borrow
    RequestId r = nextRequest++;
    int64_t tokens = 1 + pick(op < 5 ? 120 : 40);
    uint64_t borrowed = m.stats().borrowedBlocks;
    Status s = m.allocate(r, tokens);
    if (s == Status::Ok) {
      ++counts.allocOk;
      counts.borrowOk += m.stats().borrowedBlocks > borrowed;
      stampNewBlocks(m, r, 0);
    } else {
      ++counts.allocOom;
    }
  } else if (op < 45) { // append
    RequestId r = someRequest(i);
    if (r < 0)
      return;
    size_t had = m.table(r)->blocks.size();
    if (m.append(r, 1 + pick(24)) == Status::Ok) {
      ++counts.appendOk;
      stampNewBlocks(m, r, had);
    }
  } else if (op < 68) { // free
    RequestId r = someRequest(i);
    if (r < 0)
      return;
    const BlockTable *t = m.table(r);
    for (int32_t k = 0; k < int32_t(t->blocks.size()); ++k)
      expectLost.erase(Key{i, r, k});
    m.free(r);
    ++counts.frees;
  } else if (op < 71) { // lend on someone else's behalf: must be refused
    InstanceId creditor = liveInstance();
    Message lend;
    lend.kind = MsgKind::Lend;
    lend.src = i;
    lend.request = 1 << 30;
    lend.a = (i + 1) % kInstances; // not the sender: a forwarded request
    lend.ints = {0};
    int32_t used = c.at(creditor).pool().numUsed();
    Message r = c.transport().call(creditor, lend);
    if (r.status == Status::Ok || c.at(creditor).pool().numUsed() != used)
      dataError = "a forwarded lend was served";
    ++counts.lendRefused;
  } else if (op < 79) { // recall
    counts.recallMoved += m.recall(1 + pick(8));
  } else if (op < 84) { // pull home, or promote from the host tier
    RequestId r = someRequest(i);
    if (r >= 0 && op < 82)
      counts.pulledHome += m.pullHome(r, 1 + pick(8));
    else if (r >= 0)
      counts.promoted += m.promote(r, 1 + pick(8));
  } else if (op < 88) { // DGFM
    std::vector<int32_t> used;
    for (InstanceId k = 0; k < kInstances; ++k)
      used.push_back(c.alive(k) ? c.at(k).pool().numUsed() : 0);
    int64_t debt = c.gmanager().totalDebt();
    DgfmStats s = c.gmanager().runDgfm();
    counts.dgfmCycles += s.cycles;
    counts.dgfmMoved += s.blocksMovedHome;
    for (InstanceId k = 0; k < kInstances; ++k)
      if (c.alive(k) && c.at(k).pool().numUsed() != used[k])
        dataError =
            "DGFM changed instance " + std::to_string(k) + "'s memory use";
    if (c.gmanager().totalDebt() != debt - s.blocksMovedHome)
      dataError = "DGFM debt does not add up";
  } else if (op < 96) { // heartbeats
    c.heartbeatAll();
  } else if (op < 99) { // read a request back
    RequestId r = someRequest(i);
    if (r >= 0)
      checkData(m, r);
  } else if (pick(5) == 0) { // failure or restart, rarely
    if (liveCount() > 2 && pick(2) == 0) {
      failOne();
    } else {
      for (InstanceId k = 0; k < kInstances; ++k)
        if (!c.alive(k)) {
          c.restart(k);
          ++counts.restarts;
          break;
        }
    }
  }
}

std::string RandomCluster::check() {
  if (!dataError.empty())
    return dataError;
  std::string err = checkInvariants(c);
  if (!err.empty())
    return err;
  // Lost entries are exactly the expected ones.
  for (InstanceId o = 0; o < kInstances; ++o) {
    if (!c.alive(o))
      continue;
    for (const auto &[id, t] : c.at(o).tables())
      for (int32_t k = 0; k < int32_t(t.blocks.size()); ++k) {
        bool expected = expectLost.count(Key{o, id, k}) != 0;
        if (t.blocks[k].lost() != expected)
          return "request " + std::to_string(id) + " block " +
                 std::to_string(k) +
                 (expected ? " sat on a failed instance but is not lost"
                           : " is marked lost but its holder never failed");
      }
  }
  return "";
}

TEST(RBlockProperty, HundredThousandRandomOperationsKeepTheInvariants) {
  RandomCluster rc(20260101);
  constexpr int kOps = 100000;
  for (int n = 0; n < kOps; ++n) {
    rc.step();
    std::string err = rc.check();
    ASSERT_EQ(err, "") << "after operation " << n;
  }
  const OpCounts &k = rc.counts;
  // The run exercised every path, not just the easy ones.
  EXPECT_GT(k.allocOk, 1000);
  EXPECT_GT(k.allocOom, 100);
  EXPECT_GT(k.borrowOk, 100);
  EXPECT_GT(k.frees, 1000);
  EXPECT_GT(k.recallMoved, 100);
  EXPECT_GT(k.pulledHome, 100);
  EXPECT_GT(k.dgfmCycles, 10);
  EXPECT_GT(k.failures, 10);
  EXPECT_GT(k.lostReported, 10);
  EXPECT_GT(k.restarts, 10);
  EXPECT_GT(k.dataChecks, 1000);
  EXPECT_GT(k.promoted, 100);
  RecordProperty("dgfm_cycles", int(k.dgfmCycles));
  std::printf("promoted %lld ", (long long)k.promoted);
  std::printf("allocOk %lld allocOom %lld borrows %lld appends %lld frees %lld "
              "recallMoved %lld pulledHome %lld dgfmCycles %lld dgfmMoved "
              "%lld failures %lld restarts %lld lost %lld dataChecks %lld\n",
              (long long)k.allocOk, (long long)k.allocOom,
              (long long)k.borrowOk, (long long)k.appendOk, (long long)k.frees,
              (long long)k.recallMoved, (long long)k.pulledHome,
              (long long)k.dgfmCycles, (long long)k.dgfmMoved,
              (long long)k.failures, (long long)k.restarts,
              (long long)k.lostReported, (long long)k.dataChecks);
}

} // namespace
