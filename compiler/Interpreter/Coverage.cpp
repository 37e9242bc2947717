//===- Coverage.cpp - Which (q, k) pairs a state has accounted for --------===//
#include "compiler/Interpreter/Coverage.h"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <utility>

using namespace mlir::dattn::interp;

namespace {

using Int = __int128;

/// floor(a / b) for b > 0 and any sign of a.
Int floorDiv(Int a, Int b) { return a / b - (a % b != 0 && a < 0); }
Int ceilDiv(Int a, Int b) { return -floorDiv(-a, b); }

/// sum_{i=0}^{n-1} floor((a * i + b) / m) for n, a, b >= 0 and m >= 1, by
/// the Euclid-like reduction (swap the roles of the axes under the line).
Int floorSum(Int n, Int m, Int a, Int b) {
  Int sum = 0;
  while (true) {
    if (a >= m) {
      sum += n * (n - 1) / 2 * (a / m);
      a %= m;
    }
    if (b >= m) {
      sum += n * (b / m);
      b %= m;
    }
    Int yMax = a * n + b;
    if (yMax < m)
      return sum;
    n = yMax / m;
    b = yMax % m;
    std::swap(m, a);
  }
}

/// The same positions in increasing order (a run's set, not its order).
Run ascending(Run run) {
  if (run.count > 1 && run.stride < 0)
    return {run.last(), -run.stride, run.count};
  return run;
}

/// The positions of `run` (ascending) before `limit`.
Run before(Run run, int64_t limit) {
  run = ascending(run);
  if (run.count == 0 || run.start >= limit)
    return {run.start, 0, 0};
  if (run.count == 1 || run.stride == 0)
    return run;
  run.count =
      std::min<int64_t>(run.count, (limit - 1 - run.start) / run.stride + 1);
  if (run.count == 1)
    run.stride = 0;
  return run;
}

bool contains(const Run &run, int64_t position) {
  if (run.count <= 0)
    return false;
  if (run.count == 1 || run.stride == 0)
    return position == run.start;
  return position >= run.start && position <= run.last() &&
         (position - run.start) % run.stride == 0;
}

/// x with (a * x) % m == 1 for gcd(a, m) == 1, m >= 1.
Int inverse(Int a, Int m) {
  Int oldR = ((a % m) + m) % m, r = m, oldS = 1, s = 0;
  while (r != 0) {
    Int q = oldR / r;
    std::tie(oldR, r) = std::make_pair(r, oldR - q * r);
    std::tie(oldS, s) = std::make_pair(s, oldS - q * s);
  }
  return ((oldS % m) + m) % m;
}

/// The smallest position both ascending runs hold: two progressions meet
/// in a progression whose step is the lcm of theirs (CRT).
std::optional<int64_t> firstCommon(const Run &a, const Run &b) {
  if (a.count <= 0 || b.count <= 0)
    return std::nullopt;
  if (a.count == 1 || a.stride == 0)
    return contains(b, a.start) ? std::optional<int64_t>(a.start)
                                : std::nullopt;
  if (b.count == 1 || b.stride == 0)
    return contains(a, b.start) ? std::optional<int64_t>(b.start)
                                : std::nullopt;
  int64_t lo = std::max(a.start, b.start), hi = std::min(a.last(), b.last());
  if (lo > hi)
    return std::nullopt;
  Int g = std::gcd(a.stride, b.stride);
  Int diff = Int(b.start) - Int(a.start);
  if (diff % g != 0)
    return std::nullopt;
  // a.start + a.stride * u == b.start (mod b.stride).
  Int m = b.stride / g;
  Int u = ((diff / g) % m + m) % m * inverse(a.stride / g, m) % m;
  Int x0 = Int(a.start) + Int(a.stride) * u;
  Int lcm = Int(a.stride) / g * Int(b.stride);
  Int x = x0 + ceilDiv(Int(lo) - x0, lcm) * lcm;
  if (x > hi)
    return std::nullopt;
  return int64_t(x);
}

} // namespace

namespace {
/// `b`'s keys right after `a`'s, on the same progression.
bool continues(const Run &a, const Run &b) {
  int64_t step = a.count > 1 ? a.stride : b.count > 1 ? b.stride : 1;
  return (a.count == 1 || a.stride == step) &&
         (b.count == 1 || b.stride == step) && step > 0 &&
         a.last() + step == b.start;
}

/// The keys of `a` then those of `b`, which continue them.
Run join(const Run &a, const Run &b) {
  int64_t step = a.count > 1 ? a.stride : b.count > 1 ? b.stride : 1;
  return {a.start, step, a.count + b.count};
}
} // namespace

void mlir::dattn::interp::addPiece(Coverage &pieces, Piece piece) {
  // Joining may make the piece continue another: join until none is left.
  for (bool joined = true; joined;) {
    joined = false;
    for (size_t p = 0; p < pieces.size(); ++p) {
      const Piece &other = pieces[p];
      if (other.rowBegin != piece.rowBegin || other.rowEnd != piece.rowEnd ||
          other.causal != piece.causal)
        continue;
      if (continues(other.keys, piece.keys))
        piece.keys = join(other.keys, piece.keys);
      else if (continues(piece.keys, other.keys))
        piece.keys = join(piece.keys, other.keys);
      else
        continue;
      pieces.erase(pieces.begin() + p);
      joined = true;
      break;
    }
  }
  pieces.push_back(piece);
}

int64_t mlir::dattn::interp::countKeys(int64_t position, const Piece &piece) {
  const Run &keys = piece.keys;
  if (keys.count <= 0)
    return 0;
  if (!piece.causal)
    return keys.count;
  if (position < keys.start)
    return 0;
  if (keys.count == 1)
    return 1;
  return std::min(keys.count, (position - keys.start) / keys.stride + 1);
}

int64_t mlir::dattn::interp::countPairs(const Run &rowRun, const Piece &piece) {
  Run rows = ascending(rowRun);
  Int n = rows.count, m = piece.keys.count;
  if (n <= 0 || m <= 0)
    return 0;
  if (!piece.causal)
    return int64_t(n * m);
  if (n == 1 || rows.stride == 0)
    return int64_t(n * countKeys(rows.start, piece));
  // A row q sees clamp(floor((q - b) / t) + 1, 0, m) keys: none before the
  // first key, all from the last key on, a floor sum in between.
  Int a = rows.start, s = rows.stride, b = piece.keys.start;
  Int t = m == 1 ? 1 : piece.keys.stride;
  Int first = a >= b ? 0 : ceilDiv(b - a, s);
  if (first >= n)
    return 0;
  Int full = b + (m - 1) * t;
  Int saturated = a >= full ? 0 : ceilDiv(full - a, s);
  saturated = std::min(n, std::max(first, saturated));
  Int between = saturated - first;
  Int sum = m * (n - saturated);
  if (between > 0)
    sum += floorSum(between, t, s, a - b + s * first) + between;
  return int64_t(sum);
}

int64_t mlir::dattn::interp::countPairs(const Positions &rows,
                                        const Piece &piece) {
  int64_t sum = 0;
  for (const Run &run : rows.runsIn(piece.rowBegin, piece.rowEnd))
    sum += countPairs(run, piece);
  return sum;
}

std::optional<Pair> mlir::dattn::interp::commonPair(const Positions &rows,
                                                    const Piece &a,
                                                    const Piece &b) {
  int64_t lo = std::max(a.rowBegin, b.rowBegin);
  int64_t hi = std::min(a.rowEnd, b.rowEnd);
  if (lo >= hi)
    return std::nullopt;
  std::optional<int64_t> key = firstCommon(a.keys, b.keys);
  if (!key)
    return std::nullopt;
  if (!a.causal && !b.causal)
    return Pair{rows[lo], *key};
  // Under a causal mask the first row that sees the smallest common key.
  for (const Run &run : rows.runsIn(lo, hi))
    for (int64_t i = 0; i < run.count; ++i)
      if (run.at(i) >= *key)
        return Pair{run.at(i), *key};
  return std::nullopt;
}

std::optional<Shortfall>
mlir::dattn::interp::findShortfall(const Positions &rows,
                                   const Coverage &pieces, bool causal,
                                   int64_t keyLength) {
  // Totals first, in closed form over runs; a row is looked for only when
  // they disagree.
  Int expected = 0, covered = 0;
  for (const Run &run : rows.getRuns()) {
    Run real = before(run, keyLength);
    Int n = real.count;
    if (n <= 0)
      continue;
    expected +=
        causal ? n * (Int(real.start) + 1) + Int(real.stride) * n * (n - 1) / 2
               : n * Int(keyLength);
  }
  for (const Piece &piece : pieces)
    for (const Run &run : rows.runsIn(piece.rowBegin, piece.rowEnd))
      covered += countPairs(before(run, keyLength), piece);
  if (covered == expected)
    return std::nullopt;
  for (int64_t i = 0; i < rows.size(); ++i) {
    int64_t query = rows[i];
    if (query >= keyLength)
      continue;
    int64_t seen = 0;
    for (const Piece &piece : pieces)
      if (i >= piece.rowBegin && i < piece.rowEnd)
        seen += countKeys(query, piece);
    int64_t want = causal ? query + 1 : keyLength;
    if (seen != want)
      return Shortfall{query, seen, want};
  }
  // Disjoint pieces inside the visible set cannot disagree in total alone.
  return Shortfall{rows.empty() ? 0 : rows[0], int64_t(covered),
                   int64_t(expected)};
}

std::optional<Pair> mlir::dattn::interp::pairPastDiagonal(const Positions &rows,
                                                          const Piece &piece,
                                                          int64_t keyLength) {
  if (piece.causal || piece.keys.count <= 0)
    return std::nullopt;
  int64_t lastKey = ascending(piece.keys).last();
  for (const Run &run : rows.runsIn(piece.rowBegin, piece.rowEnd)) {
    Run real = before(run, keyLength);
    if (real.count > 0 && lastKey > real.start)
      return Pair{real.start, lastKey};
  }
  return std::nullopt;
}

Coverage mlir::dattn::interp::sliceCoverage(const Coverage &pieces,
                                            int64_t offset, int64_t size,
                                            int64_t stride) {
  Coverage result;
  if (stride <= 0)
    return result; // tensor slices step forward; nothing is carried else
  for (Piece piece : pieces) {
    // The slice's rows i whose source index offset + i * stride lies in
    // [rowBegin, rowEnd).
    int64_t lo = int64_t(ceilDiv(Int(piece.rowBegin) - offset, stride));
    int64_t hi = int64_t(ceilDiv(Int(piece.rowEnd) - offset, stride));
    lo = std::max<int64_t>(lo, 0);
    hi = std::min(hi, size);
    if (lo >= hi)
      continue;
    piece.rowBegin = lo;
    piece.rowEnd = hi;
    result.push_back(piece);
  }
  return result;
}
