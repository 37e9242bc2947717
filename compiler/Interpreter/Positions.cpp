//===- Positions.cpp - Token positions as arithmetic runs -----------------===//
#include "compiler/Interpreter/Positions.h"

#include <algorithm>
#include <cassert>

using namespace mlir::dattn::interp;

Positions Positions::range(int64_t begin, int64_t end) {
  return progression(begin, 1, std::max<int64_t>(0, end - begin));
}

Positions Positions::progression(int64_t offset, int64_t stride, int64_t n) {
  Positions positions;
  positions.append(Run{offset, stride, n});
  return positions;
}

void Positions::push_back(int64_t position) {
  ++total;
  if (!runs.empty()) {
    Run &last = runs.back();
    if (last.count == 1) {
      last.stride = position - last.start;
      last.count = 2;
      return;
    }
    if (position == last.last() + last.stride) {
      ++last.count;
      return;
    }
  }
  firsts.push_back(total - 1);
  runs.push_back({position, 0, 1});
}

void Positions::append(const Run &run) {
  if (run.count <= 0)
    return;
  push_back(run.start);
  int64_t rest = run.count - 1;
  if (rest == 0)
    return;
  // The run's first position ended the last run; the rest extends it where
  // the stride agrees (or it held that position alone), else starts anew:
  // the same runs as pushing the positions one by one.
  Run *last = &runs.back();
  if (last->count > 1 && last->stride != run.stride) {
    push_back(run.at(1));
    last = &runs.back();
    --rest;
    if (rest == 0)
      return;
  }
  last->stride = run.stride;
  last->count += rest;
  total += rest;
}

void Positions::append(const Positions &other) {
  for (const Run &run : other.runs)
    append(run);
}

size_t Positions::runAt(int64_t index, int64_t &runFirst) const {
  assert(index >= 0 && index < total && "position index out of range");
  auto it = std::upper_bound(firsts.begin(), firsts.end(), index);
  size_t r = size_t(it - firsts.begin()) - 1;
  runFirst = firsts[r];
  return r;
}

int64_t Positions::operator[](int64_t index) const {
  int64_t first;
  size_t r = runAt(index, first);
  return runs[r].at(index - first);
}

std::vector<Run> Positions::runsIn(int64_t begin, int64_t end) const {
  std::vector<Run> result;
  begin = std::max<int64_t>(begin, 0);
  end = std::min(end, total);
  if (begin >= end)
    return result;
  int64_t first;
  for (size_t r = runAt(begin, first); r < runs.size(); ++r) {
    first = firsts[r];
    if (first >= end)
      break;
    int64_t from = std::max(begin, first) - first;
    int64_t to = std::min(end, first + runs[r].count) - first;
    result.push_back(
        {runs[r].at(from), to - from > 1 ? runs[r].stride : 0, to - from});
  }
  return result;
}

int64_t Positions::minIn(int64_t begin, int64_t end) const {
  std::vector<Run> parts = runsIn(begin, end);
  assert(!parts.empty() && "the minimum of no positions");
  int64_t result = parts.front().start;
  for (const Run &run : parts)
    result = std::min({result, run.start, run.last()});
  return result;
}

int64_t Positions::maxIn(int64_t begin, int64_t end) const {
  std::vector<Run> parts = runsIn(begin, end);
  assert(!parts.empty() && "the maximum of no positions");
  int64_t result = parts.front().start;
  for (const Run &run : parts)
    result = std::max({result, run.start, run.last()});
  return result;
}

Positions Positions::slice(int64_t offset, int64_t size, int64_t stride) const {
  Positions result;
  if (size <= 0)
    return result;
  if (stride <= 0) {
    for (int64_t i = 0; i < size; ++i)
      result.push_back((*this)[offset + i * stride]);
    return result;
  }
  // Indices offset + i * stride that fall in a run are a progression of
  // that run's positions, with the strides multiplied.
  int64_t end = offset + (size - 1) * stride + 1;
  int64_t first;
  for (size_t r = runAt(offset, first); r < runs.size(); ++r) {
    first = firsts[r];
    if (first >= end)
      break;
    const Run &run = runs[r];
    int64_t lo = std::max(offset, first);
    int64_t hi = std::min(end, first + run.count); // index range of the run
    // The first i with offset + i * stride >= lo.
    int64_t i0 = (lo - offset + stride - 1) / stride;
    int64_t index = offset + i0 * stride;
    if (index >= hi)
      continue;
    int64_t count = (hi - 1 - index) / stride + 1;
    result.append(Run{run.at(index - first), run.stride * stride, count});
  }
  assert(result.size() == size && "slice past the positions");
  return result;
}

Positions Positions::sorted() const {
  Positions result;
  std::vector<Run> ascending;
  for (Run run : runs) {
    if (run.stride < 0)
      run = {run.last(), -run.stride, run.count};
    ascending.push_back(run);
  }
  std::sort(ascending.begin(), ascending.end(), [](const Run &a, const Run &b) {
    return a.start < b.start || (a.start == b.start && a.count < b.count);
  });
  // Runs that do not interleave (each ends before the next starts) are
  // already in order: the common case of blocks of a ring or a zigzag.
  bool ordered = true;
  for (size_t r = 1; r < ascending.size(); ++r)
    ordered &= ascending[r - 1].last() < ascending[r].start;
  if (ordered) {
    for (const Run &run : ascending)
      result.append(run);
    return result;
  }
  // Runs of one stride whose starts are that many consecutive positions
  // and whose counts agree interleave into one range: a striped plan's
  // gathered blocks.
  const Run &head = ascending.front();
  bool interleaved =
      head.stride > 1 && int64_t(ascending.size()) == head.stride;
  for (size_t r = 0; interleaved && r < ascending.size(); ++r)
    interleaved = ascending[r].stride == head.stride &&
                  ascending[r].count == head.count &&
                  ascending[r].start == head.start + int64_t(r);
  if (interleaved) {
    result.append(Run{head.start, 1, head.stride * head.count});
    return result;
  }
  std::vector<int64_t> all;
  all.reserve(total);
  for (const Run &run : ascending)
    for (int64_t i = 0; i < run.count; ++i)
      all.push_back(run.at(i));
  std::sort(all.begin(), all.end());
  for (int64_t position : all)
    result.push_back(position);
  return result;
}

std::vector<int64_t> Positions::front(int64_t n) const {
  std::vector<int64_t> result;
  for (const Run &run : runs)
    for (int64_t i = 0; i < run.count && int64_t(result.size()) < n; ++i)
      result.push_back(run.at(i));
  return result;
}
