//===- plan_runtime.h - What host-target plans call -------------*- C++ -*-===//
//
// The host target's runtime: the C++ that `dattn-translate --mlir-to-cpp`
// emits from a plan calls these functions. Tensors are dense row-major float
// buffers with value semantics (a plan's SSA values map one to one); states
// keep fp32 (out, lse); collectives are blocking MPI calls on the plan's
// communicator (communicator(): MPI_COMM_WORLD unless a CommunicatorScope
// names another), whose rank order is the shard.grid's row-major order. An
// asynchronous transfer completes when it starts (dattn.wait is then the
// identity): the host target is the executable form of a plan, not a fast
// one.
//
// Header-only; needs MPI and distattn/reference.h.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_HOST_PLAN_RUNTIME_H
#define DISTATTN_HOST_PLAN_RUNTIME_H

#include "distattn/reference.h"

#include <mpi.h>

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
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
  ~CommunicatorScope() { communicator() = saved; }
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

/// A micro-attention: the state of q against k/v. Positions: static
/// offsets plus the dynamic ones (`at(...)`).
inline State micro_attention(const Tensor &q, const Tensor &k, const Tensor &v,
                             bool causal, int64_t qOffset, int64_t qStride,
                             int64_t kOffset, int64_t kStride, int64_t kEnd,
                             int64_t qAt, int64_t kAt, double scale) {
  AttentionShape s{q.shape[0], q.shape[1], k.shape[1],
                   q.shape[2], k.shape[2], q.shape[3]};
  MaskSpec mask{
      causal, {qOffset + qAt, qStride}, {kOffset + kAt, kStride}, kEnd};
  State state{filled(0.0f, q.shape),
              filled(0.0f, {q.shape[0], q.shape[1], q.shape[2]})};
  microAttention<float>(q.data.data(), k.data.data(), v.data.data(), s, mask,
                        float(scale), state.out.data.data(),
                        state.lse.data.data());
  return state;
}

template <typename... Dims> State empty_state(Dims... dims) {
  std::vector<int64_t> shape = {int64_t(dims)...};
  return {filled(0.0f, shape), filled(-std::numeric_limits<float>::infinity(),
                                      {shape[0], shape[1], shape[2]})};
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
  std::vector<int64_t> shape = {int64_t(gridDims)...};
  check_grid({int64_t(gridDims)...});
  int64_t rank = world_rank();
  for (int64_t d = int64_t(shape.size()) - 1; d > axis; --d)
    rank /= shape[d];
  return size_t(rank % shape[axis]);
}

/// The ranks of this rank's group along grid axis `axis` (the others fixed),
/// in order along the axis.
inline std::vector<int> axis_group(int64_t axis, std::vector<int64_t> shape) {
  int64_t rank = world_rank(), inner = 1;
  for (int64_t d = int64_t(shape.size()) - 1; d > axis; --d)
    inner *= shape[d];
  int64_t coordinate = (rank / inner) % shape[axis];
  int64_t base = rank - coordinate * inner;
  std::vector<int> group;
  for (int64_t c = 0; c < shape[axis]; ++c)
    group.push_back(int(base + c * inner));
  return group;
}

/// shard.shift along `axis` by `offset` (rank c's value goes to c + offset).
template <typename... Dims>
Tensor shift(const Tensor &input, int64_t axis, int64_t offset, bool rotate,
             Dims... gridDims) {
  std::vector<int64_t> shape = {int64_t(gridDims)...};
  std::vector<int> group = axis_group(axis, shape);
  int64_t n = int64_t(group.size());
  int64_t me = int64_t(grid_index(axis, gridDims...));
  int64_t to = me + offset, from = me - offset;
  if (rotate) {
    to = ((to % n) + n) % n;
    from = ((from % n) + n) % n;
  }
  Tensor result = filled(std::numeric_limits<float>::quiet_NaN(), input.shape);
  int dest = to >= 0 && to < n ? group[to] : MPI_PROC_NULL;
  int source = from >= 0 && from < n ? group[from] : MPI_PROC_NULL;
  MPI_Sendrecv(input.data.data(), int(input.data.size()), MPI_FLOAT, dest, 7,
               result.data.data(), int(result.data.size()), MPI_FLOAT, source,
               7, communicator(), MPI_STATUS_IGNORE);
  return result;
}

/// shard.all_gather along tensor dimension `gatherAxis` over grid `axis`.
template <typename... Dims>
Tensor all_gather(const Tensor &input, int64_t gatherAxis, int64_t axis,
                  Dims... gridDims) {
  std::vector<int64_t> shape = {int64_t(gridDims)...};
  std::vector<int> group = axis_group(axis, shape);
  int n = int(group.size());
  int64_t count = input.numElements();
  std::vector<float> all(size_t(count) * n);
  // Point to point within the group (the group is a sub-communicator's
  // worth of ranks; MPI_Allgather on a split communicator would do too).
  int64_t me = int64_t(grid_index(axis, gridDims...));
  std::vector<MPI_Request> requests;
  for (int i = 0; i < n; ++i) {
    if (i == me) {
      std::copy(input.data.begin(), input.data.end(),
                all.begin() + size_t(i) * count);
      continue;
    }
    requests.emplace_back();
    MPI_Irecv(all.data() + size_t(i) * count, int(count), MPI_FLOAT, group[i],
              11, communicator(), &requests.back());
    requests.emplace_back();
    MPI_Isend(input.data.data(), int(count), MPI_FLOAT, group[i], 11,
              communicator(), &requests.back());
  }
  MPI_Waitall(int(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  // Concatenate along gatherAxis: the dims before it index contiguous runs.
  Tensor result;
  result.shape = input.shape;
  result.shape[gatherAxis] *= n;
  int64_t outer = 1;
  for (int64_t d = 0; d < gatherAxis; ++d)
    outer *= input.shape[d];
  int64_t run = count / outer;
  result.data.reserve(all.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int i = 0; i < n; ++i) {
      const float *part = all.data() + size_t(i) * count + o * run;
      result.data.insert(result.data.end(), part, part + run);
    }
  return result;
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

} // namespace distattn::host

#endif // DISTATTN_HOST_PLAN_RUNTIME_H
