//===- GoldenTest.cpp - Host kernels against PyTorch's float64 outputs ----===//
//
// test/golden/attention.txt holds small attention cases and the (out, lse)
// that PyTorch computed for them in float64 (scripts/make-golden.py). The
// reference arithmetic, the host target's fp32 kernels, a tiled and merged
// run, the paged decode and the naive oracle must all reproduce them.
//
//===----------------------------------------------------------------------===//
#include "Compare.h"
#include "GoldenFile.h"
#include "NaiveAttention.h"
#include "ReferenceTerms.h"

#include "distattn/paged_reference.h"
#include "distattn/reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

using oracle::allClose;

namespace {

constexpr double kGoldenTol = 1e-10;
constexpr double kFloatTol = 2e-5;

struct Loaded {
  std::vector<golden::Case> cases;
  std::string error;
};

const Loaded &loaded() {
  static const Loaded file = [] {
    Loaded l;
    l.cases = golden::readCases(DISTATTN_GOLDEN_FILE, l.error);
    return l;
  }();
  return file;
}

const std::vector<golden::Case> &cases() { return loaded().cases; }

const std::vector<double> &data(const golden::Case &c, const char *name) {
  return c.tensors.at(name).data;
}

TEST(Golden, FileHoldsWellFormedCases) {
  ASSERT_EQ(loaded().error, "");
  ASSERT_GE(cases().size(), 5u);
  for (const golden::Case &c : cases()) {
    SCOPED_TRACE(c.name);
    const naive::Problem &p = c.problem;
    std::map<std::string, std::vector<int64_t>> shapes = {
        {"q", {p.batch, p.qHeads, p.qLen, p.headDim}},
        {"k", {p.batch, p.kvHeads, p.kvLen, p.headDim}},
        {"v", {p.batch, p.kvHeads, p.kvLen, p.headDim}},
        {"out", {p.batch, p.qHeads, p.qLen, p.headDim}},
        {"lse", {p.batch, p.qHeads, p.qLen}}};
    for (const auto &[name, shape] : shapes) {
      ASSERT_EQ(c.tensors.count(name), 1u) << name;
      EXPECT_EQ(c.tensors.at(name).shape, shape) << name;
    }
    EXPECT_EQ(c.tensors.size(), shapes.size());
    EXPECT_EQ(p.qHeads % p.kvHeads, 0);
    if (!p.scale)
      EXPECT_EQ(c.scaleUsed, distattn::defaultScale(p.headDim));
    // The inputs are exact in fp32, so the fp32 kernels see the same ones.
    for (const char *name : {"q", "k", "v"})
      for (double x : data(c, name))
        ASSERT_EQ(double(float(x)), x) << name;
  }
}

TEST(Golden, ReferenceReproducesTorch) {
  for (const golden::Case &c : cases()) {
    SCOPED_TRACE(c.name + ": " + naive::describe(c.problem));
    const naive::Problem &p = c.problem;
    std::vector<double> out(data(c, "out").size()), lse(data(c, "lse").size());
    distattn::microAttention<double>(data(c, "q").data(), data(c, "k").data(),
                                     data(c, "v").data(), oracle::shapeOf(p),
                                     oracle::maskOf(p), oracle::scaleOf(p),
                                     out.data(), lse.data());
    EXPECT_TRUE(allClose(out, data(c, "out"), kGoldenTol)) << "out";
    EXPECT_TRUE(allClose(lse, data(c, "lse"), kGoldenTol)) << "lse";
  }
}

TEST(Golden, NaiveOracleReproducesTorch) {
  for (const golden::Case &c : cases()) {
    SCOPED_TRACE(c.name + ": " + naive::describe(c.problem));
    naive::State s =
        naive::attend(c.problem, data(c, "q"), data(c, "k"), data(c, "v"));
    EXPECT_TRUE(allClose(s.out, data(c, "out"), kGoldenTol)) << "out";
    EXPECT_TRUE(allClose(s.lse, data(c, "lse"), kGoldenTol)) << "lse";
  }
}

// The host target's kernel: fp32 in, fp32 accumulation.
TEST(Golden, HostKernelInFloatReproducesTorch) {
  for (const golden::Case &c : cases()) {
    SCOPED_TRACE(c.name + ": " + naive::describe(c.problem));
    const naive::Problem &p = c.problem;
    std::vector<float> q(data(c, "q").begin(), data(c, "q").end()),
        k(data(c, "k").begin(), data(c, "k").end()),
        v(data(c, "v").begin(), data(c, "v").end());
    std::vector<float> out(q.size()), lse(data(c, "lse").size());
    distattn::microAttention<float, float>(
        q.data(), k.data(), v.data(), oracle::shapeOf(p), oracle::maskOf(p),
        float(oracle::scaleOf(p)), out.data(), lse.data());
    EXPECT_TRUE(allClose(out, data(c, "out"), kFloatTol)) << "out";
    EXPECT_TRUE(allClose(lse, data(c, "lse"), kFloatTol)) << "lse";
  }
}

/// The keys in three blocks, each a tile with its subTile mask, merged.
TEST(Golden, TilesMergedReproduceTorch) {
  for (const golden::Case &c : cases()) {
    SCOPED_TRACE(c.name + ": " + naive::describe(c.problem));
    const naive::Problem &p = c.problem;
    const int64_t kvHeads = p.batch * p.kvHeads, d = p.headDim;
    const int64_t block = (p.kvLen + 2) / 3;
    std::vector<std::vector<double>> outs, lses;
    for (int64_t k0 = 0; k0 < p.kvLen; k0 += block) {
      int64_t kn = std::min(block, p.kvLen - k0);
      std::vector<double> k, v;
      for (int64_t g = 0; g < kvHeads; ++g) {
        auto first = (g * p.kvLen + k0) * d;
        k.insert(k.end(), data(c, "k").begin() + first,
                 data(c, "k").begin() + first + kn * d);
        v.insert(v.end(), data(c, "v").begin() + first,
                 data(c, "v").begin() + first + kn * d);
      }
      distattn::AttentionShape s = oracle::shapeOf(p);
      s.kvLen = kn;
      outs.emplace_back(data(c, "out").size());
      lses.emplace_back(data(c, "lse").size());
      distattn::microAttention<double>(data(c, "q").data(), k.data(), v.data(),
                                       s, oracle::maskOf(p).subTile(0, k0),
                                       oracle::scaleOf(p), outs.back().data(),
                                       lses.back().data());
    }
    std::vector<const double *> outPtrs, lsePtrs;
    for (size_t i = 0; i < outs.size(); ++i) {
      outPtrs.push_back(outs[i].data());
      lsePtrs.push_back(lses[i].data());
    }
    std::vector<double> out(data(c, "out").size()), lse(data(c, "lse").size());
    distattn::mergeStates<double>(outPtrs, lsePtrs, int64_t(lse.size()), d,
                                  out.data(), lse.data());
    EXPECT_TRUE(allClose(out, data(c, "out"), kGoldenTol)) << "out";
    EXPECT_TRUE(allClose(lse, data(c, "lse"), kGoldenTol)) << "lse";
  }
}

/// Decode cases (one query row that sees every key) through the paged
/// decode reference, the KV paged 4 tokens a page in reverse page order.
TEST(Golden, PagedDecodeReproducesTorch) {
  int decodeCases = 0;
  for (const golden::Case &c : cases()) {
    const naive::Problem &p = c.problem;
    bool seesAll = p.qLen == 1;
    for (int64_t j = 0; j < p.kvLen; ++j)
      seesAll = seesAll && naive::isVisible(p.mask, 0, j);
    if (!seesAll)
      continue;
    SCOPED_TRACE(c.name + ": " + naive::describe(p));
    ++decodeCases;
    distattn::PagedKvShape s{p.batch, p.qHeads, p.kvHeads, p.headDim, 4};
    const int64_t pagesPerSeq = (p.kvLen + s.pageSize - 1) / s.pageSize;
    const int64_t pageElems = s.kvHeads * s.pageSize * s.headDim;
    const int64_t numPages = p.batch * pagesPerSeq;
    std::vector<int32_t> indptr, pages(static_cast<size_t>(numPages)),
        lens(size_t(p.batch), int32_t(p.kvLen));
    for (int64_t b = 0; b <= p.batch; ++b)
      indptr.push_back(int32_t(b * pagesPerSeq));
    std::iota(pages.rbegin(), pages.rend(), 0);
    std::vector<double> kPool(size_t(numPages * pageElems)),
        vPool(kPool.size());
    for (int64_t b = 0; b < p.batch; ++b)
      for (int64_t g = 0; g < p.kvHeads; ++g)
        for (int64_t t = 0; t < p.kvLen; ++t)
          for (int64_t e = 0; e < p.headDim; ++e) {
            int64_t page = pages[size_t(b * pagesPerSeq + t / s.pageSize)];
            size_t to =
                size_t(page * pageElems +
                       (g * s.pageSize + t % s.pageSize) * s.headDim + e);
            size_t from =
                size_t(((b * p.kvHeads + g) * p.kvLen + t) * p.headDim + e);
            kPool[to] = data(c, "k")[from];
            vPool[to] = data(c, "v")[from];
          }
    std::vector<double> out(data(c, "out").size()), lse(data(c, "lse").size());
    distattn::pagedDecode<double>(data(c, "q").data(), kPool.data(),
                                  vPool.data(), indptr.data(), pages.data(),
                                  lens.data(), s, oracle::scaleOf(p),
                                  out.data(), lse.data());
    EXPECT_TRUE(allClose(out, data(c, "out"), kGoldenTol)) << "out";
    EXPECT_TRUE(allClose(lse, data(c, "lse"), kGoldenTol)) << "lse";
  }
  EXPECT_GE(decodeCases, 1);
}

} // namespace
