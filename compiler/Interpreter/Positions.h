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

#include <algorithm>
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

/// A few elements inline, more on the heap: a plan's blocks are one run or
/// two (a zigzag's chunks), and copying a tensor from op to op and rank to
/// rank should not allocate for them.
template <typename T, size_t N> class InlineVector {
public:
  InlineVector() = default;
  InlineVector(const InlineVector &o) { *this = o; }
  InlineVector &operator=(const InlineVector &o) {
    n = o.n;
    if (n <= N)
      std::copy(o.begin(), o.end(), small);
    else
      heap = o.heap;
    return *this;
  }
  size_t size() const { return n; }
  bool empty() const { return n == 0; }
  const T *begin() const { return n <= N ? small : heap.data(); }
  const T *end() const { return begin() + n; }
  T *begin() { return n <= N ? small : heap.data(); }
  T &operator[](size_t i) { return begin()[i]; }
  const T &operator[](size_t i) const { return begin()[i]; }
  T &back() { return begin()[n - 1]; }
  const T &back() const { return begin()[n - 1]; }
  const T &front() const { return begin()[0]; }
  void push_back(const T &value) {
    if (n < N) {
      small[n++] = value;
      return;
    }
    if (n == N)
      heap.assign(small, small + N);
    heap.push_back(value);
    ++n;
  }
  bool operator==(const InlineVector &o) const {
    return n == o.n && std::equal(begin(), end(), o.begin());
  }

private:
  T small[N];
  std::vector<T> heap; // all elements, once there are more than N
  size_t n = 0;
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
  const InlineVector<Run, 2> &getRuns() const { return runs; }

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

  InlineVector<Run, 2> runs;
  /// firsts[r]: the index of runs[r]'s first position.
  InlineVector<int64_t, 2> firsts;
  int64_t total = 0;
};

} // namespace mlir::dattn::interp

#endif // DISTATTN_COMPILER_INTERPRETER_POSITIONS_H
