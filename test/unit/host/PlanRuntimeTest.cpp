//===- PlanRuntimeTest.cpp - Host plan runtime at a run-time length ------===//
//
// A bundle compiled for S runs a shorter prefill padded to S. Its tiles must
// hide the padding keys and, where the queries are the tokens, not compute
// the padding rows at all: they keep the empty state (out 0, lse -inf) and
// the rows before them are what an unpadded run gives.
//
//===----------------------------------------------------------------------===//
#include "distattn/host/plan_runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace distattn::host;

namespace {

Tensor randomTensor(std::vector<int64_t> shape, unsigned seed) {
  Tensor t = filled(0.0f, std::move(shape));
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal;
  for (float &x : t.data)
    x = normal(gen);
  return t;
}

struct Tile {
  int64_t qOffset, qStride, length, expectedRows;
};

class PaddedRows : public ::testing::TestWithParam<Tile> {};

TEST_P(PaddedRows, AreLeftEmptyAndTheRestUnchanged) {
  const Tile tile = GetParam();
  const int64_t heads = 2, rows = 8, d = 4;
  Tensor q = randomTensor({1, heads, rows, d}, 1);
  Tensor k = randomTensor({1, heads, 16, d}, 2);
  Tensor v = randomTensor({1, heads, 16, d}, 3);
  auto run = [&](bool tokens) {
    LengthScope scope(tile.length, tokens);
    return micro_attention(q, k, v, /*causal=*/true, tile.qOffset, tile.qStride,
                           /*kOffset=*/0, /*kStride=*/1,
                           std::numeric_limits<int64_t>::max(), 0, 0, 0.5);
  };
  State all = run(false), skipped = run(true);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < rows; ++i) {
      float lse = skipped.lse.data[h * rows + i];
      if (i < tile.expectedRows) {
        EXPECT_EQ(lse, all.lse.data[h * rows + i]) << "row " << i;
        for (int64_t c = 0; c < d; ++c)
          EXPECT_EQ(skipped.out.data[(h * rows + i) * d + c],
                    all.out.data[(h * rows + i) * d + c]);
      } else {
        // Padding: not computed (an unclamped run sees the valid keys).
        EXPECT_TRUE(std::isinf(lse) && lse < 0) << "row " << i;
        EXPECT_TRUE(std::isfinite(all.lse.data[h * rows + i])) << "row " << i;
        for (int64_t c = 0; c < d; ++c)
          EXPECT_EQ(skipped.out.data[(h * rows + i) * d + c], 0.0f);
      }
    }
}

// Contiguous rows 4..11 at length 6 (two valid), striped rows 1, 3, 5, ...
// at length 6 (three), a block wholly past the length (none), and one
// wholly before it (all eight).
INSTANTIATE_TEST_SUITE_P(Tiles, PaddedRows,
                         ::testing::Values(Tile{4, 1, 6, 2}, Tile{1, 2, 6, 3},
                                           Tile{8, 1, 6, 0},
                                           Tile{0, 1, 12, 8}));

// A causal tile hides the padding keys from its valid rows by itself; a
// full one (or decode's queries, which are not tokens) sees every key it
// holds, so there only the run's length hides them: the state is that of
// the keys before the length alone.
TEST(RunLength, HidesPaddingKeysFromAFullTile) {
  const int64_t heads = 2, rows = 4, keys = 16, length = 6, d = 4;
  Tensor q = randomTensor({1, heads, rows, d}, 4);
  Tensor k = randomTensor({1, heads, keys, d}, 5);
  Tensor v = randomTensor({1, heads, keys, d}, 6);
  auto before = [&](const Tensor &t) {
    Tensor kept = filled(0.0f, {1, heads, length, d});
    for (int64_t h = 0; h < heads; ++h)
      std::copy_n(t.data.begin() + h * keys * d, length * d,
                  kept.data.begin() + h * length * d);
    return kept;
  };
  auto tile = [&](const Tensor &kt, const Tensor &vt) {
    return micro_attention(q, kt, vt, /*causal=*/false, 0, 1, 0, 1,
                           std::numeric_limits<int64_t>::max(), 0, 0, 0.5);
  };
  State want = tile(before(k), before(v));
  State got = [&] {
    LengthScope scope(length);
    return tile(k, v);
  }();
  ASSERT_EQ(got.lse.data.size(), want.lse.data.size());
  for (size_t i = 0; i < want.lse.data.size(); ++i)
    EXPECT_NEAR(got.lse.data[i], want.lse.data[i], 1e-5) << "row " << i;
  for (size_t i = 0; i < want.out.data.size(); ++i)
    EXPECT_NEAR(got.out.data[i], want.out.data[i], 1e-5) << "element " << i;
}

} // namespace
