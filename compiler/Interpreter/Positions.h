//===- Positions.h - Token positions as arithmetic runs ---------*- C++ -*-===//
//
// The plan verifier follows the token position of every row of every Q/K/V
// block through a plan. A plan's blocks are contiguous ranges (ring), two
// ranges (zigzag) or strided sets (striped), so positions are kept as runs
// of arithmetic progressions rather than one integer a row: a rank's view
// of a million-token sequence is a handful of runs, and copying a block
// from rank to rank copies those runs, not its rows. Plain C++ (no LLVM),
// so the unit tests check it against brute force directly.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_COMPILER_INTERPRETER_POSITIONS_H
#define DISTATTN_COMPILER_INTERPRETER_POSITIONS_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlir::dattn::interp {

/// start, start + stride, ..., `count` positions. A run of one position has
/// stride 0 (so that equal sequences have equal runs); a stride of 0 and a
/// larger count repeats a position (a plan that holds a token twice).
struct Run {
  int64_t start = 0, stride = 0, count = 0;
  int64_t at(int64_t i) const { return start + stride * i; }
  int64_t last() const { return at(count - 1); }
  bool operator==(const Run &o) const {
    return start == o.start && stride == o.stride && count == o.count;
  }
};

/// A sequence of positions, stored as maximal runs, taken greedily from the
/// front (so two equal sequences are stored alike and compare in O(runs)).
class Positions {
public:
  /// [begin, end).
  static Positions range(int64_t begin, int64_t end);
  /// offset, offset + stride, ..., n positions.
  static Positions progression(int64_t offset, int64_t stride, int64_t n);

  void push_back(int64_t position);
  void append(const Run &run);
  void append(const Positions &other);

  int64_t size() const { return total; }
  bool empty() const { return total == 0; }
  int64_t operator[](int64_t index) const;
  int64_t back() const { return runs.back().last(); }
  const std::vector<Run> &getRuns() const { return runs; }

  /// The positions at indices offset, offset + stride, ... (`size` of
  /// them), as tensor.extract_slice takes rows.
  Positions slice(int64_t offset, int64_t size, int64_t stride = 1) const;
  /// The runs of the index range [begin, end), clipped to it.
  std::vector<Run> runsIn(int64_t begin, int64_t end) const;
  /// The smallest and largest position in the index range [begin, end),
  /// which must not be empty.
  int64_t minIn(int64_t begin, int64_t end) const;
  int64_t maxIn(int64_t begin, int64_t end) const;
  /// The same positions, sorted (repeats kept), as few runs as possible.
  Positions sorted() const;
  /// The first `n` positions, for diagnostics.
  std::vector<int64_t> front(int64_t n) const;

  bool operator==(const Positions &o) const { return runs == o.runs; }
  bool operator!=(const Positions &o) const { return !(*this == o); }

private:
  /// The run holding index `index`, and the index of that run's first.
  size_t runAt(int64_t index, int64_t &runFirst) const;

  std::vector<Run> runs;
  /// firsts[r]: the index of runs[r]'s first position.
  std::vector<int64_t> firsts;
  int64_t total = 0;
};

} // namespace mlir::dattn::interp

#endif // DISTATTN_COMPILER_INTERPRETER_POSITIONS_H
