//===- ReferenceOracleTest.cpp - reference.h against the naive oracle -----===//
//
// Every oracle in CI (the evaluator, the host target, the kernels' host
// tests) is distattn/reference.h. Here it is checked against attention
// written a second way (NaiveAttention.cpp) on seeded random shapes: GQA
// ratios 1, 2, 4 and 7, head_dim 8..128, full and causal masks at contiguous,
// bottom-right aligned and strided positions with and without k_end,
// q_len != kv_len, lengths of 1, default and explicit scales; and its merges,
// tile classification and paged decode against the same definitions.
//
//===----------------------------------------------------------------------===//
#include "Compare.h"
#include "NaiveAttention.h"
#include "ReferenceTerms.h"

#include "distattn/paged_reference.h"
#include "distattn/reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using oracle::allClose;

namespace {

constexpr double kDoubleTol = 1e-12;
// fp32 scores of up to ~100 in magnitude (unit inputs, D <= 128, scale
// <= 1.5) carry errors of ~1e-5 into the softmax.
constexpr double kFloatTol = 1e-4;

class Random {
public:
  explicit Random(uint64_t seed) : gen(seed) {}
  int64_t between(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(gen);
  }
  bool coin() { return between(0, 1) == 1; }
  double real(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(gen);
  }
  std::vector<double> normal(int64_t n, double sigma) {
    std::normal_distribution<double> dist(0.0, sigma);
    std::vector<double> v(static_cast<size_t>(n));
    for (double &x : v)
      x = dist(gen);
    return v;
  }

private:
  std::mt19937_64 gen;
};

/// Trial t's shape: the GQA ratio, mask kind, position style and scale
/// cycle with t so that 48 consecutive trials hold every combination; the
/// rest is drawn.
naive::Problem randomProblem(Random &rng, int trial) {
  static const int64_t ratios[] = {1, 2, 4, 7};
  naive::Problem p;
  p.batch = rng.between(1, 2);
  p.kvHeads = rng.between(1, 3);
  p.qHeads = ratios[trial % 4] * p.kvHeads;
  p.headDim = rng.between(8, 128);
  p.qLen = rng.coin() ? 1 : rng.between(2, 40);
  p.kvLen = rng.between(0, 5) == 0 ? 1 : rng.between(2, 48);
  naive::Mask &m = p.mask;
  m.causal = (trial / 4) % 2 == 1;
  switch ((trial / 8) % 3) {
  case 0: // contiguous from 0
    break;
  case 1: // the queries are the last tokens (prefill chunk, decode)
    m.qOffset = std::max<int64_t>(0, p.kvLen - p.qLen);
    break;
  default: // striped or shifted tiles
    m.qOffset = rng.between(0, 12);
    m.qStride = rng.between(1, 5);
    m.kOffset = rng.between(0, 12);
    m.kStride = rng.between(1, 5);
    break;
  }
  if (rng.coin())
    m.kEnd = rng.between(1, m.kOffset + m.kStride * (p.kvLen - 1) + 2);
  if ((trial / 24) % 2 == 1)
    p.scale = rng.real(0.05, 1.5);
  return p;
}

struct Inputs {
  std::vector<double> q, k, v;
};

/// With `largeScores`, every other problem gets scores where a softmax
/// that did not subtract its maximum would overflow.
Inputs randomInputs(Random &rng, const naive::Problem &p,
                    bool largeScores = true) {
  double sigma = largeScores && rng.coin() ? 4.0 : 1.0;
  int64_t kvSize = p.batch * p.kvHeads * p.kvLen * p.headDim;
  return {rng.normal(p.batch * p.qHeads * p.qLen * p.headDim, sigma),
          rng.normal(kvSize, sigma), rng.normal(kvSize, 1.0)};
}

naive::State referenceState(const naive::Problem &p, const Inputs &in) {
  naive::State s;
  s.out.resize(in.q.size());
  s.lse.resize(size_t(p.batch * p.qHeads * p.qLen));
  distattn::microAttention<double>(
      in.q.data(), in.k.data(), in.v.data(), oracle::shapeOf(p),
      oracle::maskOf(p), oracle::scaleOf(p), s.out.data(), s.lse.data());
  return s;
}

TEST(ReferenceOracle, MaskPredicateIsSpecs) {
  Random rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    naive::Problem p = randomProblem(rng, trial);
    distattn::MaskSpec mask = oracle::maskOf(p);
    for (int64_t i = 0; i < p.qLen; ++i)
      for (int64_t j = 0; j < p.kvLen; ++j)
        ASSERT_EQ(mask.visible(i, j), naive::isVisible(p.mask, i, j))
            << naive::describe(p) << " at (" << i << ", " << j << ")";
  }
}

TEST(ReferenceOracle, MicroAttentionMatchesNaive) {
  Random rng(2024);
  int rowsWithoutKeys = 0;
  for (int trial = 0; trial < 96; ++trial) {
    naive::Problem p = randomProblem(rng, trial);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + naive::describe(p));
    Inputs in = randomInputs(rng, p);
    naive::State want = naive::attend(p, in.q, in.k, in.v);
    naive::State got = referenceState(p, in);
    EXPECT_TRUE(allClose(got.out, want.out, kDoubleTol)) << "out";
    EXPECT_TRUE(allClose(got.lse, want.lse, kDoubleTol)) << "lse";
    rowsWithoutKeys +=
        int(std::count(want.lse.begin(), want.lse.end(),
                       -std::numeric_limits<double>::infinity()));
  }
  // The shapes must reach Spec.md's empty-row case, or it goes unchecked.
  EXPECT_GT(rowsWithoutKeys, 0);
}

// The fp32 instantiation is the host target's kernel (reference.cpp).
TEST(ReferenceOracle, HostKernelInFloatMatchesNaive) {
  Random rng(99);
  for (int trial = 0; trial < 48; ++trial) {
    naive::Problem p = randomProblem(rng, trial);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + naive::describe(p));
    Inputs in = randomInputs(rng, p, /*largeScores=*/false);
    std::vector<float> q(in.q.begin(), in.q.end()), k(in.k.begin(), in.k.end()),
        v(in.v.begin(), in.v.end());
    // The oracle sees the inputs the kernel sees, rounded to fp32.
    naive::State want =
        naive::attend(p, std::vector<double>(q.begin(), q.end()),
                      std::vector<double>(k.begin(), k.end()),
                      std::vector<double>(v.begin(), v.end()));
    std::vector<float> out(q.size()), lse(want.lse.size());
    distattn::microAttention<float, float>(
        q.data(), k.data(), v.data(), oracle::shapeOf(p), oracle::maskOf(p),
        float(oracle::scaleOf(p)), out.data(), lse.data());
    EXPECT_TRUE(allClose(out, want.out, kFloatTol)) << "out";
    EXPECT_TRUE(allClose(lse, want.lse, kFloatTol)) << "lse";
  }
}

TEST(ReferenceOracle, DefaultScaleIsInverseSqrtHeadDim) {
  for (int64_t d = 1; d <= 256; ++d) {
    long double want = 1.0L / std::sqrt((long double)d);
    EXPECT_LE(std::fabs((long double)distattn::defaultScale(d) - want),
              want * 1e-15L)
        << "head_dim " << d;
  }
}

/// Merging partial states over disjoint key sets gives the state over
/// their union (Spec.md); the key sets here are random, not blocks, and
/// some are empty (the identity).
TEST(ReferenceOracle, MergeOfKeySubsetsIsAttentionOverTheirUnion) {
  Random rng(31);
  for (int trial = 0; trial < 48; ++trial) {
    naive::Problem p = randomProblem(rng, trial);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + naive::describe(p));
    Inputs in = randomInputs(rng, p, /*largeScores=*/false);
    int64_t parts = rng.between(1, 5);
    std::vector<int64_t> owner(size_t(p.kvLen));
    for (int64_t &o : owner)
      o = rng.between(0, parts - 1);
    std::vector<naive::State> states;
    for (int64_t part = 0; part < parts; ++part) {
      std::vector<bool> keys(size_t(p.kvLen));
      for (int64_t j = 0; j < p.kvLen; ++j)
        keys[j] = owner[j] == part;
      states.push_back(naive::attend(p, in.q, in.k, in.v, &keys));
    }
    naive::State want = naive::attend(p, in.q, in.k, in.v);

    std::vector<const double *> outs, lses;
    for (const naive::State &s : states) {
      outs.push_back(s.out.data());
      lses.push_back(s.lse.data());
    }
    int64_t rows = int64_t(want.lse.size());
    naive::State got{std::vector<double>(want.out.size()),
                     std::vector<double>(want.lse.size())};
    distattn::mergeStates<double>(outs, lses, rows, p.headDim, got.out.data(),
                                  got.lse.data());
    EXPECT_TRUE(allClose(got.out, want.out, kDoubleTol)) << "out";
    EXPECT_TRUE(allClose(got.lse, want.lse, kDoubleTol)) << "lse";

    // The host target's fp32 merge, from the same partial states.
    std::vector<std::vector<float>> outs32, lses32;
    std::vector<const float *> outPtrs, lsePtrs;
    for (const naive::State &s : states) {
      outs32.emplace_back(s.out.begin(), s.out.end());
      lses32.emplace_back(s.lse.begin(), s.lse.end());
    }
    for (size_t i = 0; i < states.size(); ++i) {
      outPtrs.push_back(outs32[i].data());
      lsePtrs.push_back(lses32[i].data());
    }
    std::vector<float> out32(want.out.size()), lse32(want.lse.size());
    distattn::mergeStates<float>(outPtrs, lsePtrs, rows, p.headDim,
                                 out32.data(), lse32.data());
    EXPECT_TRUE(allClose(out32, want.out, kFloatTol)) << "fp32 out";
    EXPECT_TRUE(allClose(lse32, want.lse, kFloatTol)) << "fp32 lse";
  }
}

TEST(ReferenceOracle, MergeLseIsLogSumExp) {
  Random rng(5);
  const double negInf = -std::numeric_limits<double>::infinity();
  for (int trial = 0; trial < 1000; ++trial) {
    double a = trial % 10 == 0 ? negInf : rng.real(-800, 800);
    double b = trial % 7 == 0 ? negInf : a + rng.real(-40, 40);
    long double m = std::max(a, b);
    double want = m == negInf
                      ? negInf
                      : double(m + std::log(std::exp((long double)a - m) +
                                            std::exp((long double)b - m)));
    double got = distattn::mergeLse(a, b);
    EXPECT_TRUE(allClose(std::vector<double>{got}, {want}, kDoubleTol))
        << "mergeLse(" << a << ", " << b << ")";
  }
}

/// A tile's rows and columns cut out of the whole problem's tensors.
std::vector<double> cut(const std::vector<double> &t, int64_t outer,
                        int64_t len, int64_t dim, int64_t begin,
                        int64_t count) {
  std::vector<double> part;
  for (int64_t o = 0; o < outer; ++o) {
    auto first = t.begin() + (o * len + begin) * dim;
    part.insert(part.end(), first, first + count * dim);
  }
  return part;
}

/// Tiles the problem as dattn-decompose does: each tile's mask is the
/// whole mask's subTile, classified in closed form, hidden tiles skipped,
/// tiles of a row block merged. The classification must agree with the
/// definition's predicate, and the assembled rows with the oracle.
TEST(ReferenceOracle, TiledAndMergedMatchesNaive) {
  Random rng(77);
  for (int trial = 0; trial < 48; ++trial) {
    naive::Problem p = randomProblem(rng, trial);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + naive::describe(p));
    Inputs in = randomInputs(rng, p);
    naive::State want = naive::attend(p, in.q, in.k, in.v);
    const distattn::MaskSpec whole = oracle::maskOf(p);
    const int64_t qBlock = rng.between(1, 16), kBlock = rng.between(1, 16);
    const int64_t heads = p.batch * p.qHeads, kvHeads = p.batch * p.kvHeads;
    for (int64_t q0 = 0; q0 < p.qLen; q0 += qBlock) {
      int64_t qn = std::min(qBlock, p.qLen - q0);
      std::vector<double> qTile = cut(in.q, heads, p.qLen, p.headDim, q0, qn);
      std::vector<std::vector<double>> outs, lses;
      for (int64_t k0 = 0; k0 < p.kvLen; k0 += kBlock) {
        int64_t kn = std::min(kBlock, p.kvLen - k0);
        distattn::MaskSpec mask = whole.subTile(q0, k0);
        int64_t visible = 0;
        for (int64_t i = 0; i < qn; ++i)
          for (int64_t j = 0; j < kn; ++j)
            visible += naive::isVisible(p.mask, q0 + i, k0 + j);
        distattn::TileCoverage want =
            visible == 0         ? distattn::TileCoverage::None
            : visible == qn * kn ? distattn::TileCoverage::All
                                 : distattn::TileCoverage::Partial;
        ASSERT_EQ(int(distattn::classifyTile(mask, qn, kn)), int(want))
            << "tile at row " << q0 << ", column " << k0;
        if (want == distattn::TileCoverage::None)
          continue;
        distattn::AttentionShape s = oracle::shapeOf(p);
        s.qLen = qn;
        s.kvLen = kn;
        outs.emplace_back(qTile.size());
        lses.emplace_back(size_t(heads * qn));
        distattn::microAttention<double>(
            qTile.data(), cut(in.k, kvHeads, p.kvLen, p.headDim, k0, kn).data(),
            cut(in.v, kvHeads, p.kvLen, p.headDim, k0, kn).data(), s, mask,
            oracle::scaleOf(p), outs.back().data(), lses.back().data());
      }
      std::vector<double> out(qTile.size(), 0.0),
          lse(size_t(heads * qn), -std::numeric_limits<double>::infinity());
      if (!outs.empty()) {
        std::vector<const double *> outPtrs, lsePtrs;
        for (size_t t = 0; t < outs.size(); ++t) {
          outPtrs.push_back(outs[t].data());
          lsePtrs.push_back(lses[t].data());
        }
        distattn::mergeStates<double>(outPtrs, lsePtrs, heads * qn, p.headDim,
                                      out.data(), lse.data());
      }
      EXPECT_TRUE(allClose(out, cut(want.out, heads, p.qLen, p.headDim, q0, qn),
                           kDoubleTol))
          << "out of rows " << q0 << "..";
      EXPECT_TRUE(
          allClose(lse, cut(want.lse, heads, p.qLen, 1, q0, qn), kDoubleTol))
          << "lse of rows " << q0 << "..";
    }
  }
}

TEST(ReferenceOracle, CountBeforeCountsPositions) {
  Random rng(11);
  for (int trial = 0; trial < 2000; ++trial) {
    distattn::PositionMap map{rng.between(0, 20), rng.between(1, 6)};
    int64_t n = rng.between(1, 30);
    int64_t limit = trial % 50 == 0 ? std::numeric_limits<int64_t>::max()
                                    : rng.between(0, 200);
    int64_t want = 0;
    for (int64_t i = 0; i < n; ++i)
      want += map.offset + map.stride * i < limit;
    EXPECT_EQ(map.countBefore(limit, n), want)
        << map.offset << " + " << map.stride << " * i, n " << n << ", limit "
        << limit;
  }
}

/// The paged decode oracle of the CUDA kernel: one query token per
/// sequence over KV pages in a random order, some sequences empty.
TEST(ReferenceOracle, PagedDecodeMatchesNaive) {
  Random rng(123);
  static const int64_t ratios[] = {1, 2, 4, 7};
  for (int trial = 0; trial < 24; ++trial) {
    distattn::PagedKvShape s;
    s.batch = rng.between(1, 4);
    s.kvHeads = rng.between(1, 2);
    s.qHeads = ratios[trial % 4] * s.kvHeads;
    s.headDim = rng.between(8, 128);
    s.pageSize = rng.between(1, 8);
    std::vector<int32_t> lens(size_t(s.batch)), indptr{0};
    for (int32_t &len : lens) {
      len = int32_t(trial % 5 == 0 && indptr.size() == 1 ? 0
                                                         : rng.between(1, 40));
      indptr.push_back(indptr.back() +
                       int32_t((len + s.pageSize - 1) / s.pageSize));
    }
    std::vector<int32_t> pages(size_t(indptr.back()));
    std::iota(pages.begin(), pages.end(), 0);
    for (size_t i = pages.size(); i > 1; --i)
      std::swap(pages[i - 1], pages[size_t(rng.between(0, int64_t(i) - 1))]);
    int64_t pageElems = s.kvHeads * s.pageSize * s.headDim;
    std::vector<double> q = rng.normal(s.batch * s.qHeads * s.headDim, 1.0);
    std::vector<double> kPool =
        rng.normal(int64_t(pages.size()) * pageElems, 1.0);
    std::vector<double> vPool =
        rng.normal(int64_t(pages.size()) * pageElems, 1.0);
    double scale =
        trial % 2 ? rng.real(0.05, 1.0) : distattn::defaultScale(s.headDim);
    std::vector<double> out(q.size()), lse(size_t(s.batch * s.qHeads));
    distattn::pagedDecode<double>(q.data(), kPool.data(), vPool.data(),
                                  indptr.data(), pages.data(), lens.data(), s,
                                  scale, out.data(), lse.data());
    for (int64_t b = 0; b < s.batch; ++b) {
      // Sequence b's KV gathered by hand from its pages, in token order.
      naive::Problem p;
      p.qHeads = s.qHeads;
      p.kvHeads = s.kvHeads;
      p.kvLen = lens[b];
      p.headDim = s.headDim;
      p.scale = trial % 2 ? std::optional<double>(scale) : std::nullopt;
      std::vector<double> k(size_t(s.kvHeads * p.kvLen * s.headDim)),
          v(k.size());
      for (int64_t g = 0; g < s.kvHeads; ++g)
        for (int64_t t = 0; t < p.kvLen; ++t)
          for (int64_t d = 0; d < s.headDim; ++d) {
            int64_t page = pages[size_t(indptr[b] + t / s.pageSize)];
            int64_t at = page * pageElems +
                         (g * s.pageSize + t % s.pageSize) * s.headDim + d;
            k[size_t((g * p.kvLen + t) * s.headDim + d)] = kPool[size_t(at)];
            v[size_t((g * p.kvLen + t) * s.headDim + d)] = vPool[size_t(at)];
          }
      std::vector<double> qb(q.begin() + b * s.qHeads * s.headDim,
                             q.begin() + (b + 1) * s.qHeads * s.headDim);
      naive::State want = naive::attend(p, qb, k, v);
      SCOPED_TRACE("trial " + std::to_string(trial) + ", sequence " +
                   std::to_string(b) + " of " + std::to_string(p.kvLen) +
                   " tokens: " + naive::describe(p));
      EXPECT_TRUE(allClose(
          std::vector<double>(out.begin() + b * s.qHeads * s.headDim,
                              out.begin() + (b + 1) * s.qHeads * s.headDim),
          want.out, kDoubleTol));
      EXPECT_TRUE(
          allClose(std::vector<double>(lse.begin() + b * s.qHeads,
                                       lse.begin() + (b + 1) * s.qHeads),
                   want.lse, kDoubleTol));
    }
  }
}

} // namespace
