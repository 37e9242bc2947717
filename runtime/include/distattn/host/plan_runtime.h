//===- plan_runtime.h - What host-target plans call -------------*- C++ -*-===//
//
// The host target's runtime: the C++ that `dattn-translate --mlir-to-cpp`
// emits from a plan calls these functions. Tensors are dense row-major float
// buffers with value semantics (a plan's SSA values map one to one); states
// keep fp32 (out, lse); collectives are blocking MPI calls on the plan's
// communicator (communicator(): MPI_COMM_WORLD unless a CommunicatorScope
// names another), whose rank order is the shard.grid's row-major order.
// Transfers are nonblocking MPI: the generated code posts MPI_Irecv and
// MPI_Isend (or MPI_Iallgather) where the plan starts one and calls
// MPI_Waitall where it waits, so a ring step's blocks travel while its tile
// computes. The host target is the executable form of a plan, not a fast
// one: tensors are copied by value.
//
// Header-only; needs MPI and distattn/reference.h.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_HOST_PLAN_RUNTIME_H
#define DISTATTN_HOST_PLAN_RUNTIME_H

#include "distattn/grid.h"
#include "distattn/reference.h"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace distattn::host {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  int64_t numElements() const { return elementCount(shape); }
  std::vector<int64_t> strides() const { return rowMajorStrides(shape); }
};

/// out [B, H, Q, D] and lse [B, H, Q], fp32.
struct State {
  Tensor out, lse;
};

inline Tensor filled(float value, std::vector<int64_t> shape) {
  Tensor t;
  t.shape = std::move(shape);
  t.data.assign(t.numElements(), value);
  return t;
}

template <typename... Dims> Tensor zeros(Dims... dims) {
  return filled(0.0f, {int64_t(dims)...});
}

template <typename... Dims> Tensor splat(double value, Dims... dims) {
  return filled(float(value), {int64_t(dims)...});
}

/// The splits of plan communicators along grid axes (axis_comm), keyed by
/// (communicator, axis and grid shape).
inline std::map<std::pair<MPI_Comm, std::vector<int64_t>>, MPI_Comm> &
axisGroups() {
  static std::map<std::pair<MPI_Comm, std::vector<int64_t>>, MPI_Comm> groups;
  return groups;
}

/// The communicator plans run on. A function-local static so that every
/// translation unit including this header shares one.
inline MPI_Comm &communicator() {
  static MPI_Comm comm = MPI_COMM_WORLD;
  return comm;
}

/// Runs the plans called in its lifetime on `comm` (one replica of a plan
/// among several on split communicators, say); restores the previous one.
class CommunicatorScope {
public:
  explicit CommunicatorScope(MPI_Comm comm) : saved(communicator()) {
    communicator() = comm;
  }
  ~CommunicatorScope() {
    // Its axis splits go with it: the handle may name another communicator
    // later.
    auto &groups = axisGroups();
    for (auto it = groups.begin(); it != groups.end();)
      if (it->first.first == communicator()) {
        MPI_Comm_free(&it->second);
        it = groups.erase(it);
      } else {
        ++it;
      }
    communicator() = saved;
  }
  CommunicatorScope(const CommunicatorScope &) = delete;
  CommunicatorScope &operator=(const CommunicatorScope &) = delete;

private:
  MPI_Comm saved;
};

[[noreturn]] inline void fail(const char *what) {
  std::fprintf(stderr, "distattn host runtime: %s\n", what);
  MPI_Abort(communicator(), 1);
  std::abort();
}

/// offsets, sizes and strides, `rank` of each, flattened.
inline void unpack(const std::vector<int64_t> &values, size_t rank,
                   std::vector<int64_t> &offsets, std::vector<int64_t> &sizes,
                   std::vector<int64_t> &strides) {
  if (values.size() != 3 * rank)
    fail("slice parameters do not match the tensor rank");
  offsets.assign(values.begin(), values.begin() + rank);
  sizes.assign(values.begin() + rank, values.begin() + 2 * rank);
  strides.assign(values.begin() + 2 * rank, values.end());
}

/// tensor.extract_slice: offsets..., sizes..., strides...
template <typename... I>
Tensor extract_slice(const Tensor &source, I... parameters) {
  std::vector<int64_t> offsets, sizes, strides;
  unpack({int64_t(parameters)...}, source.shape.size(), offsets, sizes,
         strides);
  Tensor result = filled(0.0f, sizes);
  std::vector<int64_t> sourceStrides = source.strides();
  size_t next = 0;
  forEachIndex(sizes, [&](const std::vector<int64_t> &index) {
    int64_t flat = 0;
    for (size_t d = 0; d < index.size(); ++d) {
      int64_t at = offsets[d] + index[d] * strides[d];
      if (at < 0 || at >= source.shape[d])
        fail("extract_slice out of bounds");
      flat += at * sourceStrides[d];
    }
    result.data[next++] = source.data[flat];
  });
  return result;
}

/// tensor.insert_slice: `dest` with `source` written at offsets..., sizes...,
/// strides...
template <typename... I>
Tensor insert_slice(const Tensor &source, Tensor dest, I... parameters) {
  std::vector<int64_t> offsets, sizes, strides;
  unpack({int64_t(parameters)...}, dest.shape.size(), offsets, sizes, strides);
  std::vector<int64_t> destStrides = dest.strides();
  size_t next = 0;
  forEachIndex(sizes, [&](const std::vector<int64_t> &index) {
    int64_t flat = 0;
    for (size_t d = 0; d < index.size(); ++d) {
      int64_t at = offsets[d] + index[d] * strides[d];
      if (at < 0 || at >= dest.shape[d])
        fail("insert_slice out of bounds");
      flat += at * destStrides[d];
    }
    dest.data[flat] = source.data[next++];
  });
  return dest;
}

/// tensor.pad with a constant: highs then lows are not needed, only the
/// result shape (lows are zero in plans).
template <typename... Dims>
Tensor pad(const Tensor &source, double value, Dims... resultDims) {
  Tensor result = filled(float(value), {int64_t(resultDims)...});
  std::vector<int64_t> resultStrides = result.strides();
  size_t next = 0;
  forEachIndex(source.shape, [&](const std::vector<int64_t> &index) {
    int64_t flat = 0;
    for (size_t d = 0; d < index.size(); ++d)
      flat += index[d] * resultStrides[d];
    result.data[flat] = source.data[next++];
  });
  return result;
}

/// The run's sequence length: keys at positions at or past it are hidden
/// from every tile (a bundle compiled for S runs a shorter sequence padded
/// to S; distattn/bundle_io.h). No limit unless a LengthScope sets one.
inline int64_t &valid_length() {
  static int64_t length = std::numeric_limits<int64_t>::max();
  return length;
}

/// Prefill: query i of a tile is the token at its position, so rows at or
/// past the valid length are padding and are not computed (decode's
/// queries keep the compiled positions and are all computed).
inline bool &queries_are_tokens() {
  static bool tokens = false;
  return tokens;
}

class LengthScope {
public:
  explicit LengthScope(int64_t length, bool queriesAreTokens = false)
      : saved(valid_length()), savedTokens(queries_are_tokens()) {
    valid_length() = length;
    queries_are_tokens() = queriesAreTokens;
  }
  ~LengthScope() {
    valid_length() = saved;
    queries_are_tokens() = savedTokens;
  }
  LengthScope(const LengthScope &) = delete;
  LengthScope &operator=(const LengthScope &) = delete;

private:
  int64_t saved;
  bool savedTokens;
};

template <typename... Dims> State empty_state(Dims... dims) {
  std::vector<int64_t> shape = {int64_t(dims)...};
  return {filled(0.0f, shape), filled(-std::numeric_limits<float>::infinity(),
                                      {shape[0], shape[1], shape[2]})};
}

/// A micro-attention: the state of q against k/v. Positions: static
/// offsets plus the dynamic ones (`at(...)`); keys at or past kEnd or the
/// run's valid length are hidden.
inline State micro_attention(const Tensor &q, const Tensor &k, const Tensor &v,
                             bool causal, int64_t qOffset, int64_t qStride,
                             int64_t kOffset, int64_t kStride, int64_t kEnd,
                             int64_t qAt, int64_t kAt, double scale) {
  const int64_t qBase = qOffset + qAt, qLen = q.shape[2], d = q.shape[3];
  // Rows whose token is at or past the run's length: padding, left empty.
  int64_t rows = qLen;
  if (queries_are_tokens())
    rows = PositionMap{qBase, qStride}.countBefore(valid_length(), rows);
  AttentionShape s{q.shape[0], q.shape[1], k.shape[1], rows, k.shape[2], d};
  MaskSpec mask{causal,
                {qBase, qStride},
                {kOffset + kAt, kStride},
                std::min(kEnd, valid_length())};
  if (rows == qLen) {
    State state{filled(0.0f, q.shape),
                filled(0.0f, {q.shape[0], q.shape[1], qLen})};
    microAttention<float>(q.data.data(), k.data.data(), v.data.data(), s, mask,
                          float(scale), state.out.data.data(),
                          state.lse.data.data());
    return state;
  }
  // The first `rows` rows of each head, back to back, and their state
  // written back into an empty one.
  State state = empty_state(q.shape[0], q.shape[1], qLen, d);
  const int64_t heads = q.shape[0] * q.shape[1];
  std::vector<float> queries(size_t(heads * rows * d)), out(queries.size()),
      lse(size_t(heads * rows));
  for (int64_t h = 0; h < heads; ++h)
    std::copy_n(q.data.begin() + h * qLen * d, rows * d,
                queries.begin() + h * rows * d);
  if (rows > 0)
    microAttention<float>(queries.data(), k.data.data(), v.data.data(), s, mask,
                          float(scale), out.data(), lse.data());
  for (int64_t h = 0; h < heads; ++h) {
    std::copy_n(out.begin() + h * rows * d, rows * d,
                state.out.data.begin() + h * qLen * d);
    std::copy_n(lse.begin() + h * rows, rows,
                state.lse.data.begin() + h * qLen);
  }
  return state;
}

template <typename... States> State merge(const States &...states) {
  std::vector<const float *> outs = {states.out.data.data()...};
  std::vector<const float *> lses = {states.lse.data.data()...};
  const State &first = std::get<0>(std::forward_as_tuple(states...));
  State merged{filled(0.0f, first.out.shape), filled(0.0f, first.lse.shape)};
  mergeStates<float>(outs, lses, first.lse.numElements(),
                     first.out.shape.back(), merged.out.data.data(),
                     merged.lse.data.data());
  return merged;
}

inline Tensor finalize_out(const State &state) { return state.out; }
inline Tensor finalize_lse(const State &state) { return state.lse; }
inline State as_state(const Tensor &out, const Tensor &lse) {
  return {out, lse};
}

//===----------------------------------------------------------------------===//
// The grid: communicator() in row-major order of the grid's shape.
//===----------------------------------------------------------------------===//

inline int64_t world_rank() {
  int rank = 0;
  MPI_Comm_rank(communicator(), &rank);
  return rank;
}

inline void check_grid(std::initializer_list<int64_t> shape) {
  int64_t size = 1;
  for (int64_t d : shape)
    size *= d;
  int world = 0;
  MPI_Comm_size(communicator(), &world);
  if (world != size) {
    std::fprintf(stderr,
                 "distattn host runtime: this plan runs on %lld ranks, "
                 "mpirun started %d\n",
                 (long long)size, world);
    MPI_Abort(communicator(), 2);
  }
}

/// shard.process_linear_index.
template <typename... Dims> size_t linear_index(Dims... gridDims) {
  check_grid({int64_t(gridDims)...});
  return size_t(world_rank());
}

/// This rank's coordinate on grid axis `axis`.
template <typename... Dims> size_t grid_index(int64_t axis, Dims... gridDims) {
  check_grid({int64_t(gridDims)...});
  return size_t(grid::coordinate(world_rank(), axis, {int64_t(gridDims)...}));
}

/// The communicator of this rank's group along grid axis `axis` (the other
/// coordinates fixed), ranked by the coordinate on the axis:
/// communicator() itself for a one-axis grid, else split once per axis and
/// plan communicator (collective: every rank reaches the same transfers of
/// a plan in the same order). Freed when a CommunicatorScope on that
/// communicator ends.
inline MPI_Comm axis_comm(int64_t axis, const std::vector<int64_t> &shape) {
  if (shape.size() == 1)
    return communicator();
  auto &groups = axisGroups();
  std::vector<int64_t> key = {axis};
  key.insert(key.end(), shape.begin(), shape.end());
  auto found = groups.find({communicator(), key});
  if (found != groups.end())
    return found->second;
  int64_t rank = world_rank();
  MPI_Comm group;
  MPI_Comm_split(communicator(), int(grid::groupOf(rank, axis, shape)),
                 int(grid::coordinate(rank, axis, shape)), &group);
  groups[{communicator(), key}] = group;
  return group;
}

/// A nonblocking transfer: the buffers it sends from and receives into, the
/// peers (ranks in `comm`; MPI_PROC_NULL at the edge of an open shift) and
/// its requests. The generated code posts MPI_Irecv/MPI_Isend (or
/// MPI_Iallgather) on it, computes, and completes it with MPI_Waitall where
/// the plan waits. Copies share one flight (a transfer carried through a
/// loop is the same transfer), so MPI's buffers stay put until the wait.
class Transfer {
public:
  struct Flight {
    Tensor source; // a copy: the plan may drop its value before the wait
    Tensor result; // received (shift) or the parts back to back (gather)
    int to = MPI_PROC_NULL, from = MPI_PROC_NULL;
    int tag = 0;   // distinct per transfer: K and V blocks never cross
    int parts = 1; // all_gather: the group's size
    int64_t gatherAxis = -1;
    MPI_Comm comm = MPI_COMM_NULL;
    std::array<MPI_Request, 2> requests = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  };
  std::shared_ptr<Flight> flight = std::make_shared<Flight>();

  const float *source() const { return flight->source.data.data(); }
  float *data() { return flight->result.data.data(); }
  int count() const { return int(flight->source.data.size()); }
  int to() const { return flight->to; }
  int from() const { return flight->from; }
  int tag() const { return flight->tag; }
  MPI_Comm comm() const { return flight->comm; }
  MPI_Request *requests() { return flight->requests.data(); }
};

/// The next transfer's tag; every rank starts the same transfers in the
/// same order, so tags agree.
inline int nextTag() {
  static int tag = 0;
  tag = (tag + 1) % 32000;
  return 100 + tag;
}

/// shard.shift along `axis` by `offset` (coordinate c's value goes to
/// c + offset): the receive buffer and the peers.
template <typename... Dims>
Transfer prepare_shift(const Tensor &input, int64_t axis, int64_t offset,
                       bool rotate, Dims... gridDims) {
  std::vector<int64_t> shape = {int64_t(gridDims)...};
  check_grid({int64_t(gridDims)...});
  grid::ShiftPeers peers = grid::shiftPeers(
      grid::coordinate(world_rank(), axis, shape), shape[axis], offset, rotate);
  Transfer t;
  Transfer::Flight &f = *t.flight;
  f.source = input;
  // Nothing arrives at an edge of an open shift: NaN shows a use of it.
  f.result = filled(std::numeric_limits<float>::quiet_NaN(), input.shape);
  f.comm = axis_comm(axis, shape);
  f.to = peers.to >= 0 ? int(peers.to) : MPI_PROC_NULL;
  f.from = peers.from >= 0 ? int(peers.from) : MPI_PROC_NULL;
  f.tag = nextTag();
  return t;
}

/// shard.all_gather along tensor dimension `gatherAxis` over grid axis
/// `axis`: the generated code gathers into t.data() (the parts back to
/// back); received() puts them in place along gatherAxis.
template <typename... Dims>
Transfer prepare_all_gather(const Tensor &input, int64_t gatherAxis,
                            int64_t axis, Dims... gridDims) {
  std::vector<int64_t> shape = {int64_t(gridDims)...};
  check_grid({int64_t(gridDims)...});
  Transfer t;
  Transfer::Flight &f = *t.flight;
  f.source = input;
  f.parts = int(shape[axis]);
  std::vector<int64_t> parts = input.shape;
  parts.insert(parts.begin(), f.parts);
  f.result = filled(0.0f, parts);
  f.gatherAxis = gatherAxis;
  f.comm = axis_comm(axis, shape);
  return t;
}

/// What a completed transfer delivered.
namespace detail {
/// Parts received back to back, [P, d0.., da, ..], concatenated along
/// `axis`: [d0.., P*da, ..]. The dims before `axis` index contiguous runs
/// of each part.
inline Tensor concat_parts(const Tensor &parts, int64_t axis) {
  int64_t count = parts.shape[0];
  std::vector<int64_t> part(parts.shape.begin() + 1, parts.shape.end());
  int64_t each = parts.numElements() / count;
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= part[d];
  int64_t run = each / outer;
  Tensor result;
  result.shape = part;
  result.shape[axis] *= count;
  result.data.reserve(parts.data.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < count; ++i) {
      const float *from = parts.data.data() + i * each + o * run;
      result.data.insert(result.data.end(), from, from + run);
    }
  return result;
}
} // namespace detail

namespace detail {
/// `t` cut into `count` equal parts along `axis`, back to back:
/// [count, d0.., da / count, ..] (what concat_parts puts together).
inline Tensor split_parts(const Tensor &t, int64_t axis, int64_t count) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= t.shape[d];
  for (size_t d = axis + 1; d < t.shape.size(); ++d)
    inner *= t.shape[d];
  int64_t run = t.shape[axis] / count * inner;
  Tensor result;
  result.shape = grid::allToAllStaging(t.shape, axis, count);
  result.data.reserve(t.data.size());
  for (int64_t i = 0; i < count; ++i)
    for (int64_t o = 0; o < outer; ++o) {
      const float *from = t.data.data() + o * t.shape[axis] * inner + i * run;
      result.data.insert(result.data.end(), from, from + run);
    }
  return result;
}
} // namespace detail

inline Tensor received(Transfer &t) {
  Transfer::Flight &f = *t.flight;
  f.source = Tensor();
  if (f.gatherAxis < 0)
    return f.result;
  return detail::concat_parts(f.result, f.gatherAxis);
}

/// shard.all_reduce sum over the whole grid.
template <typename... Dims>
Tensor all_reduce_sum(const Tensor &input, Dims... gridDims) {
  check_grid({int64_t(gridDims)...});
  Tensor result = input;
  MPI_Allreduce(input.data.data(), result.data.data(), int(input.data.size()),
                MPI_FLOAT, MPI_SUM, communicator());
  return result;
}

/// shard.all_to_all over grid axis `axis`: piece i of `input` along dim
/// `splitAxis` goes to member i of this rank's group, and what arrives is
/// concatenated in member order along `concatAxis`. Blocking
/// (MPI_Alltoall on the pieces packed back to back).
template <typename... Dims>
Tensor all_to_all(const Tensor &input, int64_t splitAxis, int64_t concatAxis,
                  int64_t axis, Dims... gridDims) {
  std::vector<int64_t> shape = {int64_t(gridDims)...};
  check_grid({int64_t(gridDims)...});
  int64_t members = shape[axis];
  std::vector<int64_t> staging =
      grid::allToAllStaging(input.shape, splitAxis, members);
  if (staging.empty())
    fail("all_to_all: the split dim does not divide into the group");
  Tensor packed = detail::split_parts(input, splitAxis, members);
  Tensor staged;
  staged.shape = staging;
  staged.data.resize(input.data.size());
  size_t piece = input.data.size() / size_t(members);
  if (piece > size_t(std::numeric_limits<int>::max()))
    fail("all_to_all: a piece exceeds MPI's int count");
  int count = int(piece);
  MPI_Alltoall(packed.data.data(), count, MPI_FLOAT, staged.data.data(), count,
               MPI_FLOAT, axis_comm(axis, shape));
  return detail::concat_parts(staged, concatAxis);
}

} // namespace distattn::host

#endif // DISTATTN_HOST_PLAN_RUNTIME_H
