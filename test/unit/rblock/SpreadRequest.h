//===- SpreadRequest.h - KV spread over instances ---------------*- C++ -*-===//
//
// Shared by the in-process and the MPI decode tests: random K/V/query of a
// GQA layout, the request allocated on an owner with a 4-block pool (so it
// borrows most of its blocks), every token written into the block holding
// it, and the single-rank reference over the dense KV.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_TEST_RBLOCK_SPREADREQUEST_H
#define DISTATTN_TEST_RBLOCK_SPREADREQUEST_H

#include "distattn/rblock/Decode.h"
#include "distattn/rblock/RManager.h"
#include "distattn/reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace distattn::rblock::test {

inline double relativeError(const std::vector<float> &a,
                            const std::vector<float> &b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    den += double(b[i]) * b[i];
  }
  return std::sqrt(num / den);
}

struct SpreadRequest {
  KvLayout layout{8, 2, 64, 8};
  int64_t tokens = 100;
  std::vector<float> k, v; // dense [kvHeads][tokens][headDim]
  std::vector<float> query;

  RManagerConfig config() const {
    RManagerConfig cfg;
    cfg.numSlots = 4;
    cfg.tokensPerBlock = layout.tokensPerBlock;
    cfg.lendCap = 4;
    cfg.bytesPerBlock = layout.bytesPerBlock();
    return cfg;
  }

  // Allocates the request on instance 0 (it borrows 9 of its 13 blocks) and
  // writes every token's K and V into the block that holds it.
  /// With `allocated`, the request already holds its blocks (the caller
  /// allocated them, for a layout of its own).
  void place(RManager &owner, RequestId r, unsigned seed,
             bool allocated = false) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    size_t d = layout.headDim, h = layout.kvHeads;
    k.resize(h * tokens * d);
    v.resize(k.size());
    query.resize(size_t(layout.qHeads) * d);
    for (float &x : k)
      x = dist(gen);
    for (float &x : v)
      x = dist(gen);
    for (float &x : query)
      x = dist(gen);
    if (!allocated)
      ASSERT_EQ(owner.allocate(r, tokens), Status::Ok);
    int32_t tpb = layout.tokensPerBlock;
    std::vector<float> block(layout.bytesPerBlock() / sizeof(float));
    std::vector<float> kt(h * d), vt(h * d);
    for (int32_t b = 0; b * tpb < tokens; ++b) {
      std::fill(block.begin(), block.end(), 0.f);
      for (int32_t t = 0; t < tpb && b * tpb + t < tokens; ++t) {
        size_t tok = size_t(b) * tpb + t;
        for (size_t hh = 0; hh < h; ++hh)
          for (size_t x = 0; x < d; ++x) {
            kt[hh * d + x] = k[(hh * tokens + tok) * d + x];
            vt[hh * d + x] = v[(hh * tokens + tok) * d + x];
          }
        packToken(layout, t, kt.data(), vt.data(), block.data());
      }
      ASSERT_EQ(owner.writeBlock(r, b, block.data()), Status::Ok);
    }
  }

  void reference(float scale, std::vector<float> &out,
                 std::vector<float> &lse) const {
    AttentionShape s{1, layout.qHeads, layout.kvHeads,
                     1, tokens,        layout.headDim};
    out.resize(query.size());
    lse.resize(layout.qHeads);
    microAttention<float, float>(query.data(), k.data(), v.data(), s,
                                 MaskSpec{}, scale, out.data(), lse.data());
  }
};

} // namespace distattn::rblock::test

#endif // DISTATTN_TEST_RBLOCK_SPREADREQUEST_H
