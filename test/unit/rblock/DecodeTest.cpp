//===- DecodeTest.cpp - Decode over rBlocks spread across instances -------===//
//
// A request's KV is spread over four instances by ordinary borrowing; the
// owner ships the query to each holder, merges the returned (out, lse), and
// must match one micro-attention over the whole KV on a single rank.
//
//===----------------------------------------------------------------------===//
#include "SpreadRequest.h"

#include "distattn/paged_reference.h"
#include "distattn/rblock/Cluster.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

using namespace distattn;
using namespace distattn::rblock;
using distattn::rblock::test::relativeError;
using distattn::rblock::test::SpreadRequest;

namespace {

void expectMatchesReference(Cluster &c, SpreadRequest &req, RequestId r,
                            int32_t holders) {
  float scale = float(defaultScale(req.layout.headDim));
  std::vector<float> out(req.query.size()), lse(req.layout.qHeads);
  DecodeStats stats;
  ASSERT_EQ(decodeAcrossInstances(c.at(0), r, req.layout, req.query.data(),
                                  scale, out.data(), lse.data(), &stats),
            Status::Ok);
  EXPECT_EQ(stats.holders, holders);
  std::vector<float> refOut, refLse;
  req.reference(scale, refOut, refLse);
  EXPECT_LE(relativeError(out, refOut), 1e-5);
  EXPECT_LE(relativeError(lse, refLse), 1e-5);
}

TEST(RBlockDecode, SpreadOverFourInstancesMatchesSingleRank) {
  SpreadRequest req;
  Cluster c(4, req.config());
  req.place(c.at(0), 1, 7);
  std::set<InstanceId> holders;
  for (const BlockRef &b : c.at(0).table(1)->blocks)
    holders.insert(b.holder);
  ASSERT_EQ(holders.size(), 4u);
  expectMatchesReference(c, req, 1, 4);
}

TEST(RBlockDecode, StillMatchesAfterRecallMovesBlocks) {
  SpreadRequest req;
  req.tokens = 60; // 8 blocks: 4 local, 4 on instance 1
  Cluster c(4, req.config());
  req.place(c.at(0), 1, 11);
  c.heartbeatAll();
  ASSERT_EQ(c.at(1).recall(4), 4); // to instances 2 and 3
  expectMatchesReference(c, req, 1, 3);
}

TEST(RBlockDecode, RefusesARequestWithLostBlocks) {
  SpreadRequest req;
  Cluster c(4, req.config());
  req.place(c.at(0), 1, 3);
  c.fail(2);
  std::vector<float> out(req.query.size()), lse(req.layout.qHeads);
  EXPECT_EQ(decodeAcrossInstances(c.at(0), 1, req.layout, req.query.data(), 1.f,
                                  out.data(), lse.data()),
            Status::RequestLost);
}

TEST(RBlockDecode, HolderRefusesSlotsItDoesNotHoldForTheSender) {
  SpreadRequest req;
  Cluster c(4, req.config());
  req.place(c.at(0), 1, 5);
  BlockRef remote = c.at(0).table(1)->blocks.back();
  Message q;
  q.kind = MsgKind::DecodeQuery;
  q.src = 3; // not the owner
  q.ints = {8, 2, 64, 4, remote.slot};
  q.floats.assign(8 * 64 + 1, 0.f);
  EXPECT_EQ(c.transport().call(remote.holder, q).status, Status::BadSlot);
  // The owner itself, but a last-block length past the block: refused
  // rather than read out of bounds.
  q.src = 0;
  q.ints[3] = req.layout.tokensPerBlock + 1;
  EXPECT_EQ(c.transport().call(remote.holder, q).status, Status::BadSlot);
  q.ints[3] = 4;
  EXPECT_EQ(c.transport().call(remote.holder, q).status, Status::Ok);
}

// The CSR of a holder's blocks feeds the paged decode kernels' interface
// as is (host reference of runtime/cuda/paged_decode.cu): three requests of
// different lengths decoded in one batch from the pool's own memory agree
// with decoding each request on its own.
TEST(RBlockDecode, PagedTableFeedsThePagedDecodeReference) {
  SpreadRequest req;
  const KvLayout &layout = req.layout;
  RManagerConfig cfg = req.config();
  cfg.numSlots = 32;
  Cluster c(1, cfg);
  // Request 1 takes its first block above another request's twelve, the
  // slot after it taken, and grows into the twelve once they are freed (no
  // slot after its last, the pool's lowest): its slots out of logical
  // order, as in a busy pool.
  std::vector<int64_t> lengths = {100, 8, 37};
  ASSERT_EQ(c.at(0).allocate(99, 12 * layout.tokensPerBlock), Status::Ok);
  ASSERT_EQ(c.at(0).allocate(1, 1), Status::Ok);
  ASSERT_EQ(c.at(0).allocate(98, 1), Status::Ok);
  ASSERT_EQ(c.at(0).free(99), Status::Ok);
  ASSERT_EQ(c.at(0).append(1, lengths[0] - 1), Status::Ok);
  std::vector<SpreadRequest> reqs(lengths.size());
  std::vector<const BlockTable *> tables;
  for (size_t r = 0; r < lengths.size(); ++r) {
    reqs[r].tokens = lengths[r];
    reqs[r].place(c.at(0), RequestId(r + 1), unsigned(40 + r), r == 0);
    tables.push_back(c.at(0).table(RequestId(r + 1)));
  }
  PagedBlockTable csr = buildPagedTable(tables, 0, layout.tokensPerBlock);
  ASSERT_EQ(csr.rows(), 3);
  ASSERT_GT(csr.slots[0], csr.slots[1]) << "slots should be out of order";
  PagedKvArgs args =
      pagedKvArgs(csr, c.at(0).pool().storage()->hostAddress(0), layout);
  PagedKvShape shape{3, layout.qHeads, layout.kvHeads, layout.headDim,
                     layout.tokensPerBlock};
  size_t qSize = size_t(layout.qHeads) * layout.headDim;
  std::vector<float> q;
  for (const SpreadRequest &r : reqs)
    q.insert(q.end(), r.query.begin(), r.query.end());
  std::vector<float> out(3 * qSize), lse(3 * layout.qHeads);
  float scale = float(defaultScale(layout.headDim));
  pagedDecode<float, float>(q.data(), args.kPages, args.vPages,
                            args.pageIndptr.data(), args.pageIndices.data(),
                            args.kvLens.data(), shape, scale, out.data(),
                            lse.data());
  for (size_t r = 0; r < reqs.size(); ++r) {
    std::vector<float> refOut, refLse;
    reqs[r].reference(scale, refOut, refLse);
    std::vector<float> o(out.begin() + r * qSize,
                         out.begin() + (r + 1) * qSize);
    std::vector<float> l(lse.begin() + r * layout.qHeads,
                         lse.begin() + (r + 1) * layout.qHeads);
    EXPECT_LE(relativeError(o, refOut), 1e-5) << "request " << r + 1;
    EXPECT_LE(relativeError(l, refLse), 1e-5) << "request " << r + 1;
  }
}

} // namespace
