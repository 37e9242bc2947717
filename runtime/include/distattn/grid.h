//===- grid.h - Ranks on a shard.grid ---------------------------*- C++ -*-===//
//
// Where a rank sits on a plan's grid (row-major, as shard.grid orders its
// processes) and whom a shard.shift connects it to. The host and the cuda
// runtimes share these; header-only, plain C++.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_GRID_H
#define DISTATTN_GRID_H

#include <cstdint>
#include <vector>

namespace distattn::grid {

/// Ranks between consecutive coordinates on `axis` (row-major).
inline int64_t axisStride(int64_t axis, const std::vector<int64_t> &shape) {
  int64_t stride = 1;
  for (int64_t d = int64_t(shape.size()) - 1; d > axis; --d)
    stride *= shape[d];
  return stride;
}

/// `rank`'s coordinate on `axis`.
inline int64_t coordinate(int64_t rank, int64_t axis,
                          const std::vector<int64_t> &shape) {
  return (rank / axisStride(axis, shape)) % shape[axis];
}

/// The first rank of `rank`'s group along `axis` (the other coordinates
/// fixed): a color that names the group.
inline int64_t groupOf(int64_t rank, int64_t axis,
                       const std::vector<int64_t> &shape) {
  return rank - coordinate(rank, axis, shape) * axisStride(axis, shape);
}

/// The coordinates a shift by `offset` sends to and receives from on an axis
/// of `n` (coordinate c's value goes to c + offset); -1 where an open
/// shift runs off the edge.
struct ShiftPeers {
  int64_t to = -1, from = -1;
};
inline ShiftPeers shiftPeers(int64_t me, int64_t n, int64_t offset,
                             bool rotate) {
  int64_t to = me + offset, from = me - offset;
  if (rotate) {
    to = ((to % n) + n) % n;
    from = ((from % n) + n) % n;
  }
  ShiftPeers peers;
  peers.to = to >= 0 && to < n ? to : -1;
  peers.from = from >= 0 && from < n ? from : -1;
  return peers;
}

/// Where a shard.all_to_all splitting dim `splitAxis` of `shape` among
/// `members` stages its pieces: back to back, [members, ..., d / members,
/// ...]; empty when the dim does not split evenly.
inline std::vector<int64_t> allToAllStaging(std::vector<int64_t> shape,
                                            int64_t splitAxis,
                                            int64_t members) {
  if (splitAxis < 0 || splitAxis >= int64_t(shape.size()) || members < 1 ||
      shape[splitAxis] % members != 0)
    return {};
  shape[splitAxis] /= members;
  shape.insert(shape.begin(), members);
  return shape;
}

} // namespace distattn::grid

#endif // DISTATTN_GRID_H
