//===- index_math.h - Index arithmetic shared by kernels and tests -*- C++
//-*-===//
//
// The few integer formulas the CUDA kernels rely on, written once so that the
// CPU unit tests check exactly what the device executes.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_CUDA_INDEX_MATH_H
#define DISTATTN_CUDA_INDEX_MATH_H

#include <cstdint>

#if defined(__CUDACC__)
#define DISTATTN_HD __host__ __device__ __forceinline__
#else
#define DISTATTN_HD inline
#endif

namespace distattn {
namespace cuda {

/// Largest key index j in [0, kvLen) visible to a query at global position
/// qPos, or -1 when none is. Keys are at kOffset + kStride * j (kStride >= 1),
/// visible when key position <= query position (causal) or always (full).
/// Since key positions grow with j, the visible keys of a row form the prefix
/// [0, limit].
DISTATTN_HD int64_t visibleKeyLimit(int64_t qPos, int64_t kOffset,
                                    int64_t kStride, int64_t kvLen,
                                    bool causal) {
  if (!causal)
    return kvLen - 1;
  int64_t d = qPos - kOffset;
  if (d < 0)
    return -1;
  int64_t j = d / kStride;
  return j < kvLen - 1 ? j : kvLen - 1;
}

/// Number of kv tiles of `tileN` keys a block must visit when the largest
/// visible key index over its rows is maxLimit.
DISTATTN_HD int64_t kvTilesToVisit(int64_t maxLimit, int64_t tileN) {
  return maxLimit < 0 ? 0 : maxLimit / tileN + 1;
}

/// Whether kv tile t (keys [t*tileN, (t+1)*tileN)) needs the element mask for
/// a block whose smallest row limit is minLimit (all keys of the tile
/// visible to every row otherwise).
DISTATTN_HD bool kvTileNeedsMask(int64_t t, int64_t tileN, int64_t minLimit) {
  return (t + 1) * tileN - 1 > minLimit;
}

/// Paged KV: the page-table slot and in-page offset of token `tok` of a
/// sequence whose pages start at indptr entry `first`.
struct PageSlot {
  int64_t slot;   // index into the CSR page_indices array
  int64_t offset; // token offset inside the page
};
DISTATTN_HD PageSlot pageSlotOf(int64_t first, int64_t tok, int64_t pageSize) {
  return PageSlot{first + tok / pageSize, tok % pageSize};
}

/// Row (token vector) index of (page, kv head, in-page token) in a page
/// pool laid out [numPages, kvHeads, pageSize, headDim].
DISTATTN_HD int64_t pagedRowIndex(int64_t page, int64_t kvHead, int64_t inPage,
                                  int64_t kvHeads, int64_t pageSize) {
  return (page * kvHeads + kvHead) * pageSize + inPage;
}

/// Element offset of (page, kv head, in-page token, 0) in that pool.
DISTATTN_HD int64_t pagedElementOffset(int64_t page, int64_t kvHead,
                                       int64_t inPage, int64_t kvHeads,
                                       int64_t pageSize, int64_t headDim) {
  return pagedRowIndex(page, kvHead, inPage, kvHeads, pageSize) * headDim;
}

/// Split-KV for decode: the token range [begin, end) of split s.
DISTATTN_HD void splitRange(int64_t s, int64_t chunk, int64_t kvLen,
                            int64_t *begin, int64_t *end) {
  int64_t b = s * chunk;
  int64_t e = b + chunk;
  *begin = b < kvLen ? b : kvLen;
  *end = e < kvLen ? e : kvLen;
}

/// Tiles dealt round robin among `ways` streams (the warps of a paged
/// decode that merge in the block): stream s takes tiles s, s + ways, ...
/// of `tiles`, so that together they read the sequence front to back.
/// How many stream s gets, and the tile index of its i-th.
DISTATTN_HD int64_t dealtTileCount(int64_t s, int64_t ways, int64_t tiles) {
  return s < tiles ? (tiles - s + ways - 1) / ways : 0;
}
DISTATTN_HD int64_t dealtTile(int64_t s, int64_t ways, int64_t i) {
  return s + i * ways;
}

/// Tiles taken in runs, as a paged decode planned in parts does (the warps
/// of all the blocks of a (sequence, kv head, row tile) share its tiles):
/// split s of `splits` reads tiles [s * Run, s * Run + Run) first, then each
/// run a count hands it (a take adds the run's length to a count of the
/// tiles taken past the splits' first runs). A warp's ring looks Lead tiles
/// ahead, so it takes its next run two tiles before it looks up that run's
/// first tile (the atomic's round trip hides under two tiles), reads the
/// answer just before that lookup, and moves on to the run when it reaches
/// the run's first tile. A run is Run tiles long, but Lead long once the
/// warp has seen the count within two rounds of full runs of the
/// sequence's end: the unit's warps then leave the loop about Lead tiles
/// apart instead of Run (bench/RESULTS.md 2026-11-26 10:37). Runs of Lead
/// or more tiles keep at most one take unread, read before the next take,
/// and every lookup within the current run or the next. The warp's i-th
/// tile is tile tileAt(i) of the sequence; it stops at the first one past
/// the sequence's end (the count only grows, so every later run is past it
/// too).
/// (The third run's first tile and the general unread index are never
/// used: a read is always of the next run. The form without them compiled
/// to a decode 0.2-0.6% slower in a same-process A/B, bench/RESULTS.md
/// 2026-11-26 11:24, so the measured form stays.)
template <int Run, int Lead> struct TileRuns {
  static_assert(Lead >= 2 && Run >= Lead + 2,
                "a run is taken, read and reached in order");
  // The current run (its first tile, and the warp's index of that tile),
  // the next, and the one after it; `runs` of them known (1 to 3), the
  // `unread`-th's first tile not yet read (-1: none). `end`: the warp's
  // index past the last run taken; `seen`: the latest count answer read.
  int first0, base0, first1 = 0, base1 = 0, first2 = 0, base2 = 0;
  int runs = 1, unread = -1, end, seen = 0;
  DISTATTN_HD explicit TileRuns(int split)
      : first0(split * Run), base0(0), end(Run) {}
  DISTATTN_HD bool takesAt(int i) const { return i == end - Lead - 2; }
  /// The length of the run to take now, from the latest answer seen.
  DISTATTN_HD int takeLength(int tiles, int splits) const {
    return tiles - seen > 2 * splits * Run ? Run : Lead;
  }
  /// After the count's take of `length` tiles (Lead to Run).
  DISTATTN_HD void take(int length) {
    if (runs == 2) {
      base2 = end;
    } else {
      base1 = end;
    }
    unread = runs++;
    end += length;
  }
  DISTATTN_HD bool readsAt(int i) const {
    return unread >= 0 && i == (unread == 1 ? base1 : base2) - Lead;
  }
  /// The count's answer to this warp's last take.
  DISTATTN_HD void read(int taken, int splits) {
    seen = taken + splits * Run;
    if (unread == 1)
      first1 = seen;
    else
      first2 = seen;
    unread = -1;
  }
  /// At tile i, before anything else of the tile.
  DISTATTN_HD void reach(int i) {
    if (runs > 1 && i == base1) {
      first0 = first1;
      base0 = base1;
      first1 = first2;
      base1 = base2;
      --runs;
      if (unread > 0)
        --unread;
    }
  }
  DISTATTN_HD int tileAt(int i) const {
    return runs > 1 && i >= base1 ? first1 + (i - base1) : first0 + (i - base0);
  }
};

} // namespace cuda
} // namespace distattn

#endif // DISTATTN_CUDA_INDEX_MATH_H
