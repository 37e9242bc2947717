//===- ReferenceTest.cpp - Host reference attention arithmetic -----------===//
//
// The property everything in distattn rests on: attention over a KV split into
// blocks, merged through (out, lse), equals attention over the whole KV.
//
//===----------------------------------------------------------------------===//
#include "distattn/reference.h"

#include <gtest/gtest.h>

#include <random>

using namespace distattn;

namespace {

std::vector<double> randomVector(size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(n);
  for (double &x : v)
    x = dist(gen);
  return v;
}

double relativeError(const std::vector<double> &a,
                     const std::vector<double> &ref) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (a[i] - ref[i]) * (a[i] - ref[i]);
    den += ref[i] * ref[i];
  }
  return std::sqrt(num / den);
}

// Splits the KV of a causal GQA attention into `blocks` contiguous blocks,
// runs one MA per block with global positions, merges, compares to whole.
void checkSplitMerge(int64_t kvLen, int64_t blocks, bool causal) {
  AttentionShape s{2, 4, 2, 5, kvLen, 8};
  auto q = randomVector(s.batch * s.qHeads * s.qLen * s.headDim, 1);
  auto k = randomVector(s.batch * s.kvHeads * s.kvLen * s.headDim, 2);
  auto v = randomVector(s.batch * s.kvHeads * s.kvLen * s.headDim, 3);
  // Bottom-right aligned causal: query i sits at position kvLen - qLen + i.
  MaskSpec mask{causal, {kvLen - s.qLen, 1}, {0, 1}};
  int64_t rows = s.batch * s.qHeads * s.qLen;
  std::vector<double> refOut(rows * s.headDim), refLse(rows);
  microAttention<double>(q.data(), k.data(), v.data(), s, mask, 0.35,
                         refOut.data(), refLse.data());

  std::vector<std::vector<double>> outs, lses;
  int64_t block = (kvLen + blocks - 1) / blocks;
  for (int64_t start = 0; start < kvLen; start += block) {
    AttentionShape t = s;
    t.kvLen = std::min(block, kvLen - start);
    std::vector<double> kt, vt;
    for (int64_t bh = 0; bh < s.batch * s.kvHeads; ++bh) {
      auto first = (bh * kvLen + start) * s.headDim;
      kt.insert(kt.end(), k.begin() + first,
                k.begin() + first + t.kvLen * s.headDim);
      vt.insert(vt.end(), v.begin() + first,
                v.begin() + first + t.kvLen * s.headDim);
    }
    MaskSpec tileMask{causal, mask.q, {start, 1}};
    outs.emplace_back(rows * s.headDim);
    lses.emplace_back(rows);
    microAttention<double>(q.data(), kt.data(), vt.data(), t, tileMask, 0.35,
                           outs.back().data(), lses.back().data());
  }
  std::vector<const double *> outPtrs, lsePtrs;
  for (size_t i = 0; i < outs.size(); ++i) {
    outPtrs.push_back(outs[i].data());
    lsePtrs.push_back(lses[i].data());
  }
  std::vector<double> out(rows * s.headDim), lse(rows);
  mergeStates<double>(outPtrs, lsePtrs, rows, s.headDim, out.data(),
                      lse.data());
  EXPECT_LT(relativeError(out, refOut), 1e-13);
  EXPECT_LT(relativeError(lse, refLse), 1e-13);
}

TEST(HostReference, SplitMergeEqualsWholeFull) {
  checkSplitMerge(37, 4, false);
}
TEST(HostReference, SplitMergeEqualsWholeCausal) {
  checkSplitMerge(37, 5, true);
}
TEST(HostReference, SplitMergeSingleBlock) { checkSplitMerge(9, 1, true); }

TEST(HostReference, FullyMaskedRowIsIdentity) {
  AttentionShape s{1, 1, 1, 2, 3, 4};
  auto q = randomVector(8, 4), k = randomVector(12, 5), v = randomVector(12, 6);
  // Row 0 at position 0 sees no key (keys start at 1); row 1 sees key 1.
  MaskSpec mask{true, {0, 1}, {1, 1}};
  std::vector<double> out(8, 7.0), lse(2, 7.0);
  microAttention<double>(q.data(), k.data(), v.data(), s, mask, 1.0, out.data(),
                         lse.data());
  EXPECT_EQ(lse[0], -std::numeric_limits<double>::infinity());
  for (int d = 0; d < 4; ++d) {
    EXPECT_EQ(out[d], 0.0);
    EXPECT_DOUBLE_EQ(out[4 + d], v[d]); // one visible key: out = v
  }
}

TEST(HostReference, MergeWithIdentityIsExact) {
  std::vector<double> out{1, 2, 3, 4}, lse{0.5, -2.0};
  std::vector<double> idOut(4, 0.0),
      idLse(2, -std::numeric_limits<double>::infinity());
  std::vector<double> merged(4), mergedLse(2);
  mergeStates<double>({out.data(), idOut.data()}, {lse.data(), idLse.data()}, 2,
                      2, merged.data(), mergedLse.data());
  EXPECT_EQ(merged, out);
  EXPECT_EQ(mergedLse, lse);
}

TEST(HostReference, Log1pMergeMatchesLogSumExp) {
  for (double a : {-3.0, 0.0, 2.5, 700.0})
    for (double b : {-1.0, 0.0, 4.0, 710.0}) {
      double m = std::max(a, b);
      double ref = m + std::log(std::exp(a - m) + std::exp(b - m));
      EXPECT_NEAR(mergeLse(a, b), ref, 1e-12 * std::max(1.0, std::fabs(ref)));
    }
  double ninf = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(mergeLse(ninf, ninf), ninf);
  EXPECT_EQ(mergeLse(ninf, 1.5), 1.5);
}

TEST(HostReference, ClassifyTilesClosedForm) {
  // Striped tile, rank 1 rows against rank 2 columns, N = 4: q = 1 + 4i,
  // k = 2 + 4j; strictly-lower (no diagonal) near-triangle: partial.
  MaskSpec striped{true, {1, 4}, {2, 4}};
  EXPECT_EQ(classifyTile(striped, 8, 8), TileCoverage::Partial);
  MaskSpec below{true, {128, 1}, {0, 1}};
  EXPECT_EQ(classifyTile(below, 64, 64), TileCoverage::All);
  MaskSpec above{true, {0, 1}, {64, 1}};
  EXPECT_EQ(classifyTile(above, 64, 64), TileCoverage::None);
  // Brute force agrees on every small case.
  for (int64_t qo = 0; qo < 6; ++qo)
    for (int64_t ko = 0; ko < 6; ++ko)
      for (int64_t qs = 1; qs < 4; ++qs)
        for (int64_t ks = 1; ks < 4; ++ks) {
          for (bool causal : {false, true})
            for (int64_t kLimit : {int64_t(1), int64_t(5), int64_t(9),
                                   std::numeric_limits<int64_t>::max()}) {
              MaskSpec m{causal, {qo, qs}, {ko, ks}, kLimit};
              int visible = 0;
              for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 4; ++j)
                  visible += m.visible(i, j);
              TileCoverage want = visible == 0    ? TileCoverage::None
                                  : visible == 12 ? TileCoverage::All
                                                  : TileCoverage::Partial;
              EXPECT_EQ(classifyTile(m, 3, 4), want)
                  << "causal " << causal << " q " << qo << "+" << qs << "i k "
                  << ko << "+" << ks << "j k_end " << kLimit;
            }
        }
}

} // namespace
