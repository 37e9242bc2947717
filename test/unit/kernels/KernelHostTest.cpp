//===- KernelHostTest.cpp - CPU checks of the kernels' index arithmetic ---===//
//
// The integer formulas of distattn/cuda/index_math.h (what the CUDA kernels
// compute per row and per tile) against brute force over MaskSpec, and the
// paged decode host reference against dense attention over the gathered KV.
//
//===----------------------------------------------------------------------===//
#include "distattn/cuda/index_math.h"
#include "distattn/paged_reference.h"
#include "distattn/reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

using namespace distattn;
using namespace distattn::cuda;

namespace {

struct MapCase {
  PositionMap q, k;
};

std::vector<MapCase> mapCases() {
  return {
      {{0, 1}, {0, 1}},   // contiguous diagonal
      {{100, 1}, {0, 1}}, // q tile after kv tile (zigzag-like)
      {{0, 1}, {100, 1}}, // q tile before kv tile: nothing visible
      {{1, 4}, {2, 4}},   // striped, rank 1 against rank 2
      {{3, 4}, {0, 4}},   // striped, rank 3 against rank 0
      {{0, 2}, {1, 3}},   // mixed strides
      {{50, 1}, {-7, 2}}, // negative key offset
  };
}

TEST(KernelIndexMath, VisibleKeyLimitIsThePrefixOfVisibleKeys) {
  for (const MapCase &c : mapCases())
    for (bool causal : {false, true})
      for (int64_t kvLen : {1, 5, 64, 130}) {
        MaskSpec m{causal, c.q, c.k};
        for (int64_t i = 0; i < 80; ++i) {
          int64_t lim =
              visibleKeyLimit(c.q.at(i), c.k.offset, c.k.stride, kvLen, causal);
          ASSERT_GE(lim, -1);
          ASSERT_LT(lim, kvLen);
          for (int64_t j = 0; j < kvLen; ++j)
            ASSERT_EQ(j <= lim, m.visible(i, j))
                << "i=" << i << " j=" << j << " q=" << c.q.offset << "+"
                << c.q.stride << " k=" << c.k.offset << "+" << c.k.stride;
        }
      }
}

TEST(KernelIndexMath, TileSkipAndMaskDecisionsAreExact) {
  // For every block of rows: the tiles visited cover every visible key, no
  // tile past them is visited, and a tile run without the element mask has
  // every key visible to every row.
  for (const MapCase &c : mapCases())
    for (bool causal : {false, true})
      for (int64_t kvLen : {1, 63, 64, 65, 200})
        for (int64_t tileN : {32, 64}) {
          MaskSpec m{causal, c.q, c.k};
          const int64_t qLen = 90, blockRows = 16;
          for (int64_t r0 = 0; r0 < qLen; r0 += blockRows) {
            int64_t r1 = std::min(qLen, r0 + blockRows);
            int64_t mn = INT64_MAX, mx = -1;
            for (int64_t i = r0; i < r1; ++i) {
              int64_t l = visibleKeyLimit(c.q.at(i), c.k.offset, c.k.stride,
                                          kvLen, causal);
              mn = std::min(mn, l);
              mx = std::max(mx, l);
            }
            int64_t tiles = kvTilesToVisit(mx, tileN);
            for (int64_t i = r0; i < r1; ++i)
              for (int64_t j = 0; j < kvLen; ++j)
                if (m.visible(i, j))
                  ASSERT_LT(j / tileN, tiles);
            if (tiles > 0) {
              bool lastHasVisible = false;
              for (int64_t i = r0; i < r1; ++i)
                for (int64_t j = (tiles - 1) * tileN;
                     j < std::min(kvLen, tiles * tileN); ++j)
                  lastHasVisible |= m.visible(i, j);
              EXPECT_TRUE(lastHasVisible);
            }
            for (int64_t t = 0; t < tiles; ++t) {
              if (kvTileNeedsMask(t, tileN, mn))
                continue;
              for (int64_t i = r0; i < r1; ++i)
                for (int64_t j = t * tileN; j < (t + 1) * tileN; ++j) {
                  ASSERT_LT(j, kvLen);
                  ASSERT_TRUE(m.visible(i, j));
                }
            }
          }
        }
}

TEST(KernelIndexMath, TileMaskOnlyWhereARowMissesAKey) {
  // The converse of the check above: the element mask costs every tile
  // that takes it, so a tile takes it only when some row of the block
  // misses one of its keys (hidden, or past the KV's end).
  for (const MapCase &c : mapCases())
    for (bool causal : {false, true})
      for (int64_t kvLen : {1, 63, 64, 65, 200})
        for (int64_t tileN : {32, 64}) {
          MaskSpec m{causal, c.q, c.k};
          const int64_t qLen = 90, blockRows = 16;
          for (int64_t r0 = 0; r0 < qLen; r0 += blockRows) {
            int64_t r1 = std::min(qLen, r0 + blockRows);
            int64_t mn = INT64_MAX, mx = -1;
            for (int64_t i = r0; i < r1; ++i) {
              int64_t l = visibleKeyLimit(c.q.at(i), c.k.offset, c.k.stride,
                                          kvLen, causal);
              mn = std::min(mn, l);
              mx = std::max(mx, l);
            }
            for (int64_t t = 0; t < kvTilesToVisit(mx, tileN); ++t) {
              if (!kvTileNeedsMask(t, tileN, mn))
                continue;
              bool missed = false;
              for (int64_t i = r0; i < r1; ++i)
                for (int64_t j = t * tileN; j < (t + 1) * tileN; ++j)
                  missed |= j >= kvLen || !m.visible(i, j);
              EXPECT_TRUE(missed)
                  << "tile " << t << " of " << tileN << " keys, rows [" << r0
                  << ", " << r1 << "), kv_len " << kvLen;
            }
          }
        }
}

TEST(KernelIndexMath, PageSlotsAndSplitsCoverEveryToken) {
  for (int64_t pageSize : {1, 7, 16, 64}) {
    for (int64_t tok = 0; tok < 300; ++tok) {
      PageSlot s = pageSlotOf(5, tok, pageSize);
      EXPECT_EQ(s.slot, 5 + tok / pageSize);
      EXPECT_EQ((s.slot - 5) * pageSize + s.offset, tok);
      EXPECT_LT(s.offset, pageSize);
    }
  }
  EXPECT_EQ(pagedElementOffset(3, 2, 5, 8, 16, 128),
            ((3 * 8 + 2) * 16 + 5) * 128);
  EXPECT_EQ(pagedRowIndex(3, 2, 5, 8, 16), (3 * 8 + 2) * 16 + 5);
  // The decode kernel hands rows around as 32 bits: an 80 GiB pool of
  // head_dim 64 fp16 rows stays well under 2^32 of them.
  EXPECT_LT(pagedRowIndex((80ll << 30) / (2 * 64 * 2 * 8 * 16), 7, 15, 8, 16),
            int64_t(1) << 32);
  for (int64_t kvLen : {0, 1, 31, 32, 1000})
    for (int64_t chunk : {32, 96}) {
      int64_t covered = 0;
      for (int64_t s = 0; s * chunk < std::max<int64_t>(kvLen, 1); ++s) {
        int64_t b, e;
        splitRange(s, chunk, kvLen, &b, &e);
        EXPECT_EQ(b, covered);
        EXPECT_LE(e - b, chunk);
        covered = e;
      }
      EXPECT_EQ(covered, kvLen);
      int64_t b, e;
      splitRange(kvLen / chunk + 5, chunk, kvLen, &b, &e);
      EXPECT_EQ(b, e); // splits past the end are empty
    }
}

TEST(KernelIndexMath, DealtTilesCoverEachTileOnce) {
  for (int64_t tiles : {0, 1, 6, 7, 8, 13, 2048})
    for (int64_t ways : {1, 2, 7, 8}) {
      std::vector<int> seen(tiles, 0);
      for (int64_t s = 0; s < ways; ++s) {
        const int64_t n = dealtTileCount(s, ways, tiles);
        for (int64_t i = 0; i < n; ++i) {
          const int64_t t = dealtTile(s, ways, i);
          ASSERT_GE(t, 0);
          ASSERT_LT(t, tiles);
          ++seen[t];
          if (i > 0) // each stream's tiles go up
            EXPECT_GT(t, dealtTile(s, ways, i - 1));
        }
      }
      for (int64_t t = 0; t < tiles; ++t)
        EXPECT_EQ(seen[t], 1)
            << "tile " << t << " of " << tiles << ", " << ways << " ways";
    }
}

// The paged decode's loop in parts, warp by warp in random interleavings
// (each step one iteration of one warp, a take an atomic on one count):
// every tile of the sequence is computed exactly once, and the tile a warp
// looked up Lead tiles ahead (the ring's copy) is the one it computes. Run
// lengths by the kernel's rule (takeLength), or drawn at random from Lead
// to Run, so that every mix of long and short runs meets the reads.
template <int Run, int Lead> void checkTileRuns(bool randomLengths) {
  using Runs = TileRuns<Run, Lead>;
  std::mt19937 gen(7);
  for (int splits : {1, 2, 7, 14})
    for (int tiles : {0, 1, 5, Run * splits, Run * splits + 1, 37, 1000})
      for (int trial = 0; trial < 4; ++trial) {
        struct Warp {
          Runs runs;
          int i = 0, taken = -1, takenAt = -1;
          std::vector<int> looked; // tile looked up for iteration i
          bool done = false;
        };
        std::vector<Warp> warps;
        for (int s = 0; s < splits; ++s) {
          warps.push_back(Warp{Runs(s)});
          for (int k = 0; k < Lead; ++k) // the prologue's lookups
            warps.back().looked.push_back(warps.back().runs.tileAt(k));
        }
        int count = 0, live = splits, shortRuns = 0, fullRuns = 0;
        std::vector<int> seen(tiles, 0);
        while (live > 0) {
          Warp &w = warps[gen() % splits];
          if (w.done)
            continue;
          const int i = w.i;
          if (w.runs.tileAt(i) >= tiles) { // the loop's end
            w.done = true;
            --live;
            continue;
          }
          w.runs.reach(i);
          if (w.runs.readsAt(i)) {
            ASSERT_NE(w.taken, -1) << "read before taken, tile " << i;
            // The atomic's round trip hides under two tiles.
            ASSERT_EQ(i, w.takenAt + 2) << "read not two tiles after its take";
            w.runs.read(w.taken, splits);
            w.taken = -1;
          }
          if (w.runs.takesAt(i)) {
            ASSERT_EQ(w.taken, -1) << "a take before the last was read";
            const int length = randomLengths
                                   ? Lead + int(gen() % (Run - Lead + 1))
                                   : w.runs.takeLength(tiles, splits);
            ASSERT_GE(length, Lead);
            ASSERT_LE(length, Run);
            shortRuns += length < Run;
            fullRuns += length == Run;
            w.taken = count;
            w.takenAt = i;
            count += length;
            w.runs.take(length);
          }
          w.looked.push_back(w.runs.tileAt(i + Lead));
          const int t = w.runs.tileAt(i);
          EXPECT_EQ(w.looked[i], t) << "copied tile differs, iteration " << i;
          ASSERT_GE(t, 0);
          ASSERT_LT(t, tiles) << "a tile past the end, iteration " << i;
          ++seen[t];
          ++w.i;
        }
        for (int t = 0; t < tiles; ++t)
          ASSERT_EQ(seen[t], 1)
              << "tile " << t << " of " << tiles << ", " << splits
              << " splits, run " << Run << ", lead " << Lead
              << (randomLengths ? ", random lengths" : "");
        // The rule shortens the runs near the end of a long sequence, and
        // only there.
        if (!randomLengths && tiles == 1000) {
          EXPECT_GT(shortRuns, 0) << splits << " splits";
          if (tiles > 4 * 2 * splits * Run)
            EXPECT_GT(fullRuns, shortRuns) << splits << " splits";
        }
      }
}

TEST(KernelIndexMath, TileRunsCoverEachTileOnce) {
  for (bool randomLengths : {false, true}) {
    checkTileRuns<4, 2>(randomLengths); // the decode's rings of 2, 3, 4 stages
    checkTileRuns<5, 3>(randomLengths);
    checkTileRuns<6, 4>(randomLengths);
  }
}

TEST(PagedReference, EqualsDenseAttentionOverGatheredKv) {
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> d(-1, 1);
  PagedKvShape s{3, 8, 2, 16, 5};
  std::vector<int32_t> lens{12, 0, 7};
  std::vector<int32_t> indptr{0, 3, 3, 5};
  std::vector<int32_t> indices{4, 0, 2, 1, 3};
  size_t pool = 5 * s.kvHeads * s.pageSize * s.headDim;
  std::vector<float> k(pool), v(pool), q(s.batch * s.qHeads * s.headDim);
  for (auto *vec : {&k, &v, &q})
    for (float &x : *vec)
      x = d(gen);
  std::vector<float> out(q.size()), lse(s.batch * s.qHeads);
  float scale = 0.25f;
  pagedDecode<float, float>(q.data(), k.data(), v.data(), indptr.data(),
                            indices.data(), lens.data(), s, scale, out.data(),
                            lse.data());
  for (int64_t b = 0; b < s.batch; ++b) {
    int64_t L = lens[b];
    // Dense K/V built token by token straight from the page formula.
    std::vector<float> kd(s.kvHeads * L * s.headDim), vd(kd.size());
    for (int64_t h = 0; h < s.kvHeads; ++h)
      for (int64_t t = 0; t < L; ++t)
        for (int64_t e = 0; e < s.headDim; ++e) {
          int64_t page = indices[indptr[b] + t / s.pageSize];
          int64_t off = pagedElementOffset(page, h, t % s.pageSize, s.kvHeads,
                                           s.pageSize, s.headDim) +
                        e;
          kd[(h * L + t) * s.headDim + e] = k[off];
          vd[(h * L + t) * s.headDim + e] = v[off];
        }
    AttentionShape as{1, s.qHeads, s.kvHeads, 1, L, s.headDim};
    std::vector<float> ro(s.qHeads * s.headDim), rl(s.qHeads);
    microAttention<float, float>(q.data() + b * s.qHeads * s.headDim, kd.data(),
                                 vd.data(), as, MaskSpec{}, scale, ro.data(),
                                 rl.data());
    for (int64_t i = 0; i < s.qHeads; ++i) {
      if (L == 0) {
        EXPECT_EQ(lse[b * s.qHeads + i], -INFINITY);
      } else {
        EXPECT_FLOAT_EQ(lse[b * s.qHeads + i], rl[i]);
      }
      for (int64_t e = 0; e < s.headDim; ++e)
        EXPECT_FLOAT_EQ(out[(b * s.qHeads + i) * s.headDim + e],
                        ro[i * s.headDim + e]);
    }
  }
}

} // namespace
