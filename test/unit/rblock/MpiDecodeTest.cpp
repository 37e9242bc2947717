//===- MpiDecodeTest.cpp - Decode over rBlocks on 4 MPI ranks -------------===//
//
// Four processes, one instance each, the gManager on rank 0. Rank 0 owns a
// request whose 4-block pool is too small, so the rManager borrows the rest
// from ranks 1-3 over MPI (gManager query, Lend, ledger update), writes the
// KV into the borrowed blocks, and decodes: the query goes to each rank, each
// returns (out, lse), rank 0 merges and compares with the single-rank
// reference. Freeing the request must leave every pool and the ledger empty.
//
// A second test builds a debt cycle over the four ranks and has DGFM cancel
// it, then recalls blocks, all over MPI.
//
// Run directly (as lit does), each test starts itself under
// `mpirun -np 4 --oversubscribe` and checks the exit status.
//
//===----------------------------------------------------------------------===//
#include "SpreadRequest.h"

#include "distattn/rblock/GManager.h"
#include "distattn/rblock/MpiTransport.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace distattn;
using namespace distattn::rblock;
using distattn::rblock::test::relativeError;
using distattn::rblock::test::SpreadRequest;

namespace {

bool underMpirun() { return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr; }

std::string selfPath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

/// Outside mpirun: runs the current test again as 4 MPI ranks and returns
/// true (the caller returns); under mpirun: returns false.
bool relaunchUnderMpirun() {
  if (underMpirun())
    return false;
  const testing::TestInfo *info =
      testing::UnitTest::GetInstance()->current_test_info();
  // A rank that fails an assertion early leaves the others waiting at a
  // barrier: the time limit turns that hang into a failure.
  std::string cmd =
      "timeout 120 " + std::string(DISTATTN_MPIEXEC) + " -np 4 --oversubscribe";
  if (geteuid() == 0)
    cmd += " --allow-run-as-root";
  cmd += " " + selfPath() + " --gtest_filter=" + info->test_suite_name() + "." +
         info->name();
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd;
  return true;
}

TEST(RBlockMpi, DecodeSpreadOverFourRanksMatchesSingleRank) {
  if (relaunchUnderMpirun())
    return;
  MpiTransport net;
  ASSERT_EQ(net.size(), 4) << "run with mpirun -np 4";
  SpreadRequest req;
  RManager self(net.rank(), req.config(), net);
  net.attach(net.rank(), &self);
  if (net.rank() != 0) {
    ASSERT_EQ(self.heartbeat(), Status::Ok);
    net.serve();
    return;
  }
  GManager global(net.size(), net);
  net.attach(kGManagerId, &global);
  ASSERT_EQ(self.heartbeat(), Status::Ok);
  while (global.heartbeatsReceived() < uint64_t(net.size()))
    net.poll();

  req.place(self, 1, 2024);
  std::set<InstanceId> holders;
  for (const BlockRef &b : self.table(1)->blocks)
    holders.insert(b.holder);
  EXPECT_EQ(holders.size(), 4u);
  for (InstanceId i = 1; i < 4; ++i)
    EXPECT_GT(global.ledger(0, i), 0) << "rank " << i;

  float scale = float(defaultScale(req.layout.headDim));
  std::vector<float> out(req.query.size()), lse(req.layout.qHeads);
  DecodeStats stats;
  EXPECT_EQ(decodeAcrossInstances(self, 1, req.layout, req.query.data(), scale,
                                  out.data(), lse.data(), &stats),
            Status::Ok);
  EXPECT_EQ(stats.remoteQueries, 3);
  std::vector<float> refOut, refLse;
  req.reference(scale, refOut, refLse);
  double errOut = relativeError(out, refOut),
         errLse = relativeError(lse, refLse);
  EXPECT_LE(errOut, 1e-5);
  EXPECT_LE(errLse, 1e-5);
  std::printf("rank 0: decode over %d ranks, rel error out %.3g lse %.3g\n",
              stats.holders, errOut, errLse);

  EXPECT_EQ(self.free(1), Status::Ok);
  EXPECT_EQ(global.totalDebt(), 0);
  EXPECT_EQ(self.pool().numUsed(), 0);
  net.stopAll();
}

// The debt cycle 0 -> 1 -> 2 -> 3 -> 0 built by ordinary allocations, each
// rank in turn (the others serve meanwhile), then cancelled by the gManager
// on rank 0 over MPI: staged copies, releases and installs are nested
// exchanges between ranks. Afterwards every owner's blocks are home with
// their bytes intact and the ledger is empty; then a recall moves blocks
// over MPI too.
TEST(RBlockMpi, DgfmCancelsACycleAcrossFourRanks) {
  if (relaunchUnderMpirun())
    return;
  MpiTransport net;
  ASSERT_EQ(net.size(), 4) << "run with mpirun -np 4";
  int me = net.rank();
  RManagerConfig cfg;
  cfg.numSlots = 4;
  cfg.lendCap = 4;
  cfg.tokensPerBlock = 16;
  cfg.bytesPerBlock = 8;
  RManager self(me, cfg, net);
  net.attach(me, &self);
  std::unique_ptr<GManager> global;
  if (me == 0) {
    global = std::make_unique<GManager>(net.size(), net);
    net.attach(kGManagerId, global.get());
  }
  auto stamp = [&](RequestId r) {
    const BlockTable *t = self.table(r);
    for (int32_t i = 0; i < int32_t(t->blocks.size()); ++i) {
      int32_t data[2] = {int32_t(r), i};
      EXPECT_EQ(self.writeBlock(r, i, data), Status::Ok);
    }
  };
  auto stamped = [&](RequestId r) {
    const BlockTable *t = self.table(r);
    for (int32_t i = 0; i < int32_t(t->blocks.size()); ++i) {
      int32_t data[2] = {-1, -1};
      EXPECT_EQ(self.readBlock(r, i, data), Status::Ok);
      EXPECT_EQ(data[0], int32_t(r));
      EXPECT_EQ(data[1], i);
    }
  };
  auto turn = [&](int rank, auto &&body) {
    self.heartbeat();
    net.barrier();
    if (me == rank)
      body();
    net.barrier();
  };
  RequestId mine = 100 + me; // the request that borrows one block
  turn(0, [&] { ASSERT_EQ(self.allocate(1, 4 * 16), Status::Ok); });
  turn(0, [&] { ASSERT_EQ(self.allocate(mine, 16), Status::Ok); });
  for (int r = 1; r <= 2; ++r) {
    turn(r, [&] { ASSERT_EQ(self.allocate(1, 3 * 16), Status::Ok); });
    turn(r, [&] { ASSERT_EQ(self.allocate(mine, 16), Status::Ok); });
  }
  turn(0, [&] { ASSERT_EQ(self.free(1), Status::Ok); });
  turn(3, [&] { ASSERT_EQ(self.allocate(1, 3 * 16), Status::Ok); });
  turn(3, [&] { ASSERT_EQ(self.allocate(mine, 16), Status::Ok); });
  turn(me, [&] {
    stamp(mine);
    EXPECT_NE(self.table(mine)->blocks[0].holder, me) << "rank " << me;
  });
  turn(0, [&] {
    for (InstanceId d = 0; d < 4; ++d)
      EXPECT_EQ(global->ledger(d, (d + 1) % 4), 1) << "debtor " << d;
    DgfmStats s = global->runDgfm();
    EXPECT_EQ(s.cycles, 1);
    EXPECT_EQ(s.blocksMovedHome, 4);
    EXPECT_EQ(global->totalDebt(), 0);
  });
  turn(me, [&] {
    EXPECT_EQ(self.table(mine)->blocks[0].holder, me) << "rank " << me;
    EXPECT_EQ(self.lent(), 0);
    stamped(mine);
  });
  // Recall over MPI: rank 1 (full) borrows two blocks, frees room at home,
  // and its creditor takes the blocks back: they move home to rank 1.
  turn(2, [&] { ASSERT_EQ(self.free(1), Status::Ok); });
  turn(1, [&] {
    ASSERT_EQ(self.allocate(7, 2 * 16), Status::Ok);
    stamp(7);
    for (const BlockRef &b : self.table(7)->blocks)
      EXPECT_NE(b.holder, 1);
  });
  turn(1, [&] { ASSERT_EQ(self.free(1), Status::Ok); });
  turn(me, [&] {
    if (self.lent() > 0)
      EXPECT_EQ(self.recall(4), 2) << "rank " << me;
  });
  turn(1, [&] {
    for (const BlockRef &b : self.table(7)->blocks)
      EXPECT_EQ(b.holder, 1);
    stamped(7);
  });
  turn(0, [&] { EXPECT_EQ(global->totalDebt(), 0); });
}

} // namespace

int main(int argc, char **argv) {
  testing::InitGoogleTest(&argc, argv);
  if (!underMpirun())
    return RUN_ALL_TESTS();
  MPI_Init(&argc, &argv);
  int rc = RUN_ALL_TESTS();
  MPI_Finalize();
  return rc;
}
