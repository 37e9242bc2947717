//===- Coverage.h - Which (q, k) pairs a state has accounted for -*- C++
//-*-===//
//
// The plan verifier's proof of exact coverage, by reasoning over position
// ranges. A tile covers a rectangle of pairs: its rows against its keys,
// under its mask. A state is the list of the rectangles (pieces) merged
// into it, and:
//  - a merge proves that no piece it brings shares a pair with one already
//    there (two arithmetic progressions intersect in one, found by the
//    Chinese remainder theorem; a causal mask keeps the pairs below a row);
//  - a finalize proves that every piece lies inside the attention's visible
//    set and that, summed in closed form over runs of rows, the pieces
//    count as many pairs as the visible set holds. Disjoint subsets of a
//    set whose sizes add up to the set's size cover it exactly, so every
//    query row has seen each of its keys once.
// Memory and time grow with the runs and pieces, not with rows x keys: a
// million-token plan on 512 ranks is proved in seconds.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_COMPILER_INTERPRETER_COVERAGE_H
#define DISTATTN_COMPILER_INTERPRETER_COVERAGE_H

#include "compiler/Interpreter/Positions.h"

#include <optional>

namespace mlir::dattn::interp {

/// The pairs (rows[i], k) for i in [rowBegin, rowEnd), k in `keys` (sorted:
/// stride >= 1, or a single key), and with `causal` only k <= rows[i].
/// Keys at or past the mask's k_end or the sequence's length are dropped
/// when the piece is made.
struct Piece {
  int64_t rowBegin = 0, rowEnd = 0;
  Run keys;
  bool causal = false;
  bool operator==(const Piece &o) const {
    return rowBegin == o.rowBegin && rowEnd == o.rowEnd && keys == o.keys &&
           causal == o.causal;
  }
};
using Coverage = std::vector<Piece>;

/// Appends `piece` to disjoint `pieces`, joined to a piece of the same rows
/// and mask whose keys it continues (a ring's steps become one piece, so a
/// state stays a few pieces however many steps it has seen).
void addPiece(Coverage &pieces, Piece piece);

/// How many keys of `piece` the row at `position` sees.
int64_t countKeys(int64_t position, const Piece &piece);
/// How many pairs of `piece` the rows `rows` (a run of positions) have, in
/// closed form.
int64_t countPairs(const Run &rows, const Piece &piece);
/// The pairs of `piece` over the state's rows in its row range.
int64_t countPairs(const Positions &rows, const Piece &piece);

/// A (query position, key position) pair.
struct Pair {
  int64_t query, key;
};
/// A pair that both pieces cover (the first row, then its first key), if
/// any.
std::optional<Pair> commonPair(const Positions &rows, const Piece &a,
                               const Piece &b);

/// A query row that has not seen exactly the keys it may see.
struct Shortfall {
  int64_t query, seen, expected;
};
/// The first query row before `keyLength` (later rows are padding) that has
/// not seen every key [0, keyLength) (with `causal`, every key at or before
/// it), assuming the pieces are disjoint and inside that set.
std::optional<Shortfall> findShortfall(const Positions &rows,
                                       const Coverage &pieces, bool causal,
                                       int64_t keyLength);
/// A pair of a piece that a causal attention does not see (a key after the
/// query), if any. Rows at or past `keyLength` are padding and not checked.
std::optional<Pair> pairPastDiagonal(const Positions &rows, const Piece &piece,
                                     int64_t keyLength);

/// The pieces of a tensor's exported state after taking its rows at
/// offset, offset + stride, ... (`size` of them).
Coverage sliceCoverage(const Coverage &pieces, int64_t offset, int64_t size,
                       int64_t stride);

} // namespace mlir::dattn::interp

#endif // DISTATTN_COMPILER_INTERPRETER_COVERAGE_H
