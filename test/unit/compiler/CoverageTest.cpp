//===- CoverageTest.cpp - The plan verifier's range arithmetic
//-------------===//
//
// Positions and Coverage answer in closed form what the plan verifier used
// to answer pair by pair. Each function is checked here against the pair by
// pair answer on seeded random runs: strides of every sign, repeats, single
// positions, causal and full pieces.
//
//===----------------------------------------------------------------------===//
#include "compiler/Interpreter/Coverage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

using namespace mlir::dattn::interp;
namespace interp = mlir::dattn::interp;

namespace {

std::vector<int64_t> expand(const Positions &positions) {
  std::vector<int64_t> all;
  for (const interp::Run &run : positions.getRuns())
    for (int64_t i = 0; i < run.count; ++i)
      all.push_back(run.at(i));
  return all;
}

/// A random sequence made of a few runs (ascending, descending, repeated
/// and single positions), as plans' blocks are.
std::vector<int64_t> randomSequence(std::mt19937_64 &rng) {
  std::vector<int64_t> all;
  int runs = int(rng() % 4) + 1;
  for (int r = 0; r < runs; ++r) {
    int64_t start = int64_t(rng() % 40);
    int64_t stride = int64_t(rng() % 5) - 1;
    int64_t count = int64_t(rng() % 6) + 1;
    for (int64_t i = 0; i < count; ++i)
      all.push_back(start + stride * i);
  }
  return all;
}

Positions fromVector(const std::vector<int64_t> &all) {
  Positions positions;
  for (int64_t p : all)
    positions.push_back(p);
  return positions;
}

/// An ascending run of keys, as pieces hold them.
interp::Run randomKeys(std::mt19937_64 &rng) {
  int64_t count = int64_t(rng() % 6) + 1;
  return {int64_t(rng() % 30), count == 1 ? 0 : int64_t(rng() % 4) + 1, count};
}

Piece randomPiece(std::mt19937_64 &rng, int64_t rows) {
  int64_t begin = int64_t(rng() % rows);
  int64_t end = begin + 1 + int64_t(rng() % (rows - begin));
  return {begin, end, randomKeys(rng), bool(rng() % 2)};
}

/// The pairs of a piece, one by one.
std::set<std::pair<int64_t, int64_t>> pairsOf(const std::vector<int64_t> &rows,
                                              const Piece &piece) {
  std::set<std::pair<int64_t, int64_t>> pairs;
  for (int64_t i = piece.rowBegin; i < piece.rowEnd; ++i)
    for (int64_t j = 0; j < piece.keys.count; ++j) {
      int64_t key = piece.keys.at(j);
      if (!piece.causal || key <= rows[i])
        pairs.insert({i, key});
    }
  return pairs;
}

TEST(PositionsTest, RunsHoldTheSequence) {
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<int64_t> all = randomSequence(rng);
    Positions pushed = fromVector(all);
    ASSERT_EQ(expand(pushed), all);
    ASSERT_EQ(pushed.size(), int64_t(all.size()));
    for (size_t i = 0; i < all.size(); ++i)
      ASSERT_EQ(pushed[i], all[i]);
    // Appending runs gives the same runs as pushing positions: equality of
    // sequences is equality of runs.
    Positions appended;
    for (const interp::Run &run : pushed.getRuns())
      appended.append(run);
    ASSERT_TRUE(appended == pushed);
    std::vector<int64_t> other = randomSequence(rng);
    ASSERT_EQ(fromVector(other) == pushed, other == all);
    // Sorted keeps repeats.
    std::vector<int64_t> sorted = all;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(expand(pushed.sorted()), sorted);
    // Slices at every offset and stride.
    int64_t n = int64_t(all.size());
    int64_t offset = int64_t(rng() % n), stride = int64_t(rng() % 3) + 1;
    int64_t size = (n - 1 - offset) / stride + 1;
    std::vector<int64_t> want;
    for (int64_t i = 0; i < size; ++i)
      want.push_back(all[offset + i * stride]);
    ASSERT_EQ(expand(pushed.slice(offset, size, stride)), want);
    ASSERT_EQ(pushed.slice(offset, size, stride), fromVector(want));
    int64_t lo = int64_t(rng() % n), hi = lo + 1 + int64_t(rng() % (n - lo));
    ASSERT_EQ(pushed.minIn(lo, hi),
              *std::min_element(all.begin() + lo, all.begin() + hi));
    ASSERT_EQ(pushed.maxIn(lo, hi),
              *std::max_element(all.begin() + lo, all.begin() + hi));
  }
}

TEST(PositionsTest, InterleavedStridesSortIntoOneRange) {
  // A striped plan's gathered K: blocks of stride 4 at residues 0..3.
  Positions gathered;
  for (int64_t r = 0; r < 4; ++r)
    gathered.append(interp::Run{r, 4, 1000});
  Positions sorted = gathered.sorted();
  ASSERT_EQ(sorted.getRuns().size(), 1u);
  EXPECT_EQ(sorted, Positions::range(0, 4000));
}

TEST(CoverageTest, CountsMatchPairByPair) {
  std::mt19937_64 rng(2);
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<int64_t> rows = randomSequence(rng);
    Positions positions = fromVector(rows);
    Piece piece = randomPiece(rng, int64_t(rows.size()));
    int64_t want = int64_t(pairsOf(rows, piece).size());
    ASSERT_EQ(countPairs(positions, piece), want) << "trial " << trial;
    int64_t sum = 0;
    for (int64_t i = piece.rowBegin; i < piece.rowEnd; ++i)
      sum += countKeys(rows[i], piece);
    ASSERT_EQ(sum, want);
  }
}

TEST(CoverageTest, LongRunsCountInClosedForm) {
  // A million query rows against a strided key run: the floor sum, checked
  // against the sum over rows.
  Piece piece{0, 1 << 20, interp::Run{3, 7, 100000}, true};
  Positions rows = Positions::range(0, 1 << 20);
  int64_t want = 0;
  for (int64_t q = 0; q < (1 << 20); ++q)
    want += countKeys(q, piece);
  EXPECT_EQ(countPairs(rows, piece), want);
}

TEST(CoverageTest, CommonPairIsTheFirstSharedPair) {
  std::mt19937_64 rng(3);
  int shared = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<int64_t> rows = randomSequence(rng);
    std::sort(rows.begin(), rows.end()); // a state's rows are in order
    Positions positions = fromVector(rows);
    Piece a = randomPiece(rng, int64_t(rows.size()));
    Piece b = randomPiece(rng, int64_t(rows.size()));
    auto pa = pairsOf(rows, a), pb = pairsOf(rows, b);
    std::vector<std::pair<int64_t, int64_t>> both;
    std::set_intersection(pa.begin(), pa.end(), pb.begin(), pb.end(),
                          std::back_inserter(both));
    auto found = commonPair(positions, a, b);
    ASSERT_EQ(found.has_value(), !both.empty()) << "trial " << trial;
    if (!found)
      continue;
    ++shared;
    EXPECT_EQ(found->query, rows[both.front().first]);
    EXPECT_EQ(found->key, both.front().second);
  }
  EXPECT_GT(shared, 1000); // the random pieces do meet
}

TEST(CoverageTest, CommonPairAcrossLargeStrides) {
  // Progressions that meet only far out (the CRT's answer, not a scan's).
  Positions rows = Positions::range(0, 1);
  Piece a{0, 1, interp::Run{1, 1000003, 1000}, false};
  Piece b{0, 1, interp::Run{2, 999983, 1000}, false};
  auto found = commonPair(rows, a, b);
  int64_t want = -1;
  for (int64_t i = 0; i < 1000 && want < 0; ++i) {
    int64_t x = 1 + 1000003 * i;
    if ((x - 2) % 999983 == 0 && (x - 2) / 999983 < 1000)
      want = x;
  }
  ASSERT_EQ(found.has_value(), want >= 0);
  if (found)
    EXPECT_EQ(found->key, want);
  Piece c{0, 1, interp::Run{5, 6, 1000}, false},
      d{0, 1, interp::Run{2, 4, 1000}, false};
  EXPECT_FALSE(commonPair(rows, c, d)); // 5 + 6i is odd, 2 + 4j even
  Piece e{0, 1, interp::Run{5, 6, 1000}, false},
      f{0, 1, interp::Run{3, 4, 1000}, false};
  ASSERT_TRUE(commonPair(rows, e, f));
  EXPECT_EQ(commonPair(rows, e, f)->key, 11);
}

TEST(CoverageTest, ShortfallFindsTheRowThatMissesKeys) {
  std::mt19937_64 rng(4);
  for (int trial = 0; trial < 3000; ++trial) {
    int64_t length = int64_t(rng() % 12) + 1;
    bool causal = rng() % 2;
    // Rows of a shard: some of the sequence, maybe with padding rows.
    std::vector<int64_t> rows;
    for (int64_t q = 0; q < length + 2; ++q)
      if (rng() % 3)
        rows.push_back(q);
    if (rows.empty())
      rows.push_back(0);
    Positions positions = fromVector(rows);
    int64_t n = int64_t(rows.size());
    // Cut [0, length) into blocks, one piece each; drop one sometimes.
    Coverage pieces;
    int64_t dropped = -1;
    bool drop = rng() % 2;
    for (int64_t start = 0; start < length;) {
      int64_t count = std::min<int64_t>(length - start, rng() % 4 + 1);
      if (drop && dropped < 0 && rng() % 2)
        dropped = start;
      else
        addPiece(pieces, {0, n, {start, count > 1 ? 1 : 0, count}, causal});
      start += count;
    }
    auto found = findShortfall(positions, pieces, causal, length);
    // Pair by pair: the first real row that misses a key.
    std::optional<int64_t> want;
    for (int64_t i = 0; i < n && !want; ++i) {
      if (rows[i] >= length)
        continue;
      int64_t seen = 0, expected = causal ? rows[i] + 1 : length;
      for (const Piece &piece : pieces)
        seen += countKeys(rows[i], piece);
      if (seen != expected)
        want = rows[i];
    }
    ASSERT_EQ(found.has_value(), want.has_value()) << "trial " << trial;
    if (found)
      EXPECT_EQ(found->query, *want);
  }
}

TEST(CoverageTest, JoinedPiecesHoldTheSamePairs) {
  std::vector<int64_t> rows = {0, 1, 2, 3, 4, 5, 6, 7};
  Positions positions = fromVector(rows);
  Coverage pieces;
  // A ring's steps in its order: blocks 2, 1, 0, 3 of two keys.
  for (int64_t block : {2, 1, 0, 3})
    addPiece(pieces, {0, 8, {2 * block, 1, 2}, true});
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces.front().keys, (interp::Run{0, 1, 8}));
  // Other masks or rows do not join.
  addPiece(pieces, {0, 8, {8, 1, 2}, false});
  addPiece(pieces, {0, 4, {10, 1, 2}, true});
  EXPECT_EQ(pieces.size(), 3u);
}

TEST(CoverageTest, SlicedCoverageFollowsTheRows) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 2000; ++trial) {
    int64_t n = int64_t(rng() % 12) + 1;
    Coverage pieces = {randomPiece(rng, n), randomPiece(rng, n)};
    int64_t offset = int64_t(rng() % n), stride = int64_t(rng() % 3) + 1;
    int64_t size = (n - 1 - offset) / stride + 1;
    Coverage sliced = sliceCoverage(pieces, offset, size, stride);
    for (int64_t i = 0; i < size; ++i) {
      int64_t source = offset + i * stride;
      int64_t inSource = 0, inSlice = 0;
      for (const Piece &p : pieces)
        inSource += source >= p.rowBegin && source < p.rowEnd;
      for (const Piece &p : sliced)
        inSlice += i >= p.rowBegin && i < p.rowEnd;
      ASSERT_EQ(inSlice, inSource) << "trial " << trial << " row " << i;
    }
  }
}

} // namespace
