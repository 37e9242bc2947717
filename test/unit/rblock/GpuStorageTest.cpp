//===- GpuStorageTest.cpp - rBlocks in GPU memory with a host tier --------===//
//
// Needs a GPU: skipped where the CUDA runtime finds none (failed instead
// where DISTATTN_REQUIRE_GPU=1). Checks the bytes of device and host-tier
// slots, an rManager over GPU storage (allocate across both tiers, promote
// host-tier blocks into GPU memory), and a decode whose blocks are not host
// addressable against the single-rank reference.
//
//===----------------------------------------------------------------------===//
#include "../RequireGpu.h"
#include "SpreadRequest.h"

#include "distattn/rblock/GpuBlockStorage.h"
#include "distattn/rblock/Transport.h"

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

using namespace distattn;
using namespace distattn::rblock;
using distattn::rblock::test::relativeError;
using distattn::rblock::test::SpreadRequest;

namespace {

TEST(GpuBlockStorage, KeepsTheBytesOfBothTiers) {
  DISTATTN_REQUIRE_GPU_OR_SKIP();
  GpuBlockStorage store(3, 2, 64);
  ASSERT_TRUE(store.ok()) << store.error();
  EXPECT_EQ(store.hostAddress(0), nullptr);
  EXPECT_NE(store.hostAddress(3), nullptr);
  for (SlotId s = 0; s < 5; ++s) {
    std::vector<unsigned char> data(64, static_cast<unsigned char>(s + 1));
    store.write(s, data.data());
  }
  for (SlotId s = 0; s < 5; ++s) {
    std::vector<unsigned char> back(64, 0);
    store.read(s, back.data());
    EXPECT_EQ(back[0], s + 1);
    EXPECT_EQ(back[63], s + 1);
  }
}

TEST(GpuBlockStorage, DecodeOverDeviceAndHostTierBlocksMatchesReference) {
  DISTATTN_REQUIRE_GPU_OR_SKIP();
  SpreadRequest req; // 100 tokens = 13 blocks of 8
  RManagerConfig cfg = req.config();
  cfg.numSlots = 10;
  cfg.hostTierSlots = 4;
  InProcessTransport net;
  auto store = std::make_unique<GpuBlockStorage>(
      cfg.numSlots, cfg.hostTierSlots, cfg.bytesPerBlock);
  ASSERT_TRUE(store->ok()) << store->error();
  RManager owner(0, cfg, net, std::move(store));
  net.attach(0, &owner);
  req.place(owner, 1, 99);
  int32_t host = 0;
  for (const BlockRef &b : owner.table(1)->blocks)
    host += owner.pool().tierOf(b.slot) == Tier::Host;
  EXPECT_EQ(host, 3);

  float scale = float(defaultScale(req.layout.headDim));
  std::vector<float> refOut, refLse;
  req.reference(scale, refOut, refLse);
  std::vector<float> out(refOut.size()), lse(refLse.size());
  ASSERT_EQ(decodeAcrossInstances(owner, 1, req.layout, req.query.data(), scale,
                                  out.data(), lse.data()),
            Status::Ok);
  EXPECT_LE(relativeError(out, refOut), 1e-5);
  EXPECT_LE(relativeError(lse, refLse), 1e-5);
}

} // namespace
