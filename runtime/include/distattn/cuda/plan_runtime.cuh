//===- plan_runtime.cuh - What cuda-target plans call -----------*- C++ -*-===//
//
// The cuda target's runtime: the CUDA C++ that `dattn-translate
// --mlir-to-cpp` emits from a plan (`dattn-convert-to-emitc{target=cuda}`)
// calls these functions, and spells out the NCCL calls and event waits of
// each transfer itself. Tensors are device buffers with value semantics (a
// plan's SSA values map one to one; no function writes its inputs);
// states keep fp32 (out, lse). Every tensor function runs on the compute
// stream; the generated code puts transfers on a transfer stream (the
// context's; on a multi-axis grid one per axis, so that transfers along
// different axes overlap), fenced by events both ways (prepare_* records
// "ready" on the compute stream, the generated wait makes the compute
// stream wait for "arrived"). A Transfer keeps its source and its receive
// buffer alive until it is waited for, so a buffer is never freed (on the
// compute stream, stream-ordered) while the transfer stream still reads or
// writes it.
//
// Header-only; compiled by nvcc into the bundle with the kernels of
// distattn/cuda/kernels.h (and distattn/reference.h for shapes). Needs MPI (to
// bootstrap NCCL) and NCCL >= 2.18 (ncclCommSplit for the groups of multi-axis
// grids).
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_CUDA_PLAN_RUNTIME_CUH
#define DISTATTN_CUDA_PLAN_RUNTIME_CUH

#include "distattn/cuda/kernels.h"
#include "distattn/grid.h"
#include "distattn/reference.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <mpi.h>
#include <nccl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace distattn::cuda {

[[noreturn]] inline void fail(const char *what, const char *detail = "") {
  std::fprintf(stderr, "distattn cuda runtime: %s%s\n", what, detail);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();
}

inline void check(cudaError_t error, const char *what) {
  if (error != cudaSuccess)
    fail(what, (std::string(": ") + cudaGetErrorString(error)).c_str());
}

inline void check(ncclResult_t result, const char *what) {
  if (result != ncclSuccess)
    fail(what, (std::string(": ") + ncclGetErrorString(result)).c_str());
}

/// Every CUDA and NCCL call of the generated code goes through these: a
/// failure names the call and aborts the job (a rank that dies takes the
/// others with it instead of leaving them in a collective).
#define DATTN_CUDA(call) ::distattn::cuda::check((call), #call)
#define DATTN_NCCL(call) ::distattn::cuda::check((call), #call)

/// Element types of plan tensors (states are always F32).
enum class DType { F32, BF16, F16 };

inline size_t elementBytes(DType t) { return t == DType::F32 ? 4 : 2; }

//===----------------------------------------------------------------------===//
// The rank's context: device, streams and communicators.
//===----------------------------------------------------------------------===//

struct Context {
  bool live = false;
  int rank = 0, size = 1;
  cudaStream_t compute = nullptr, transfer = nullptr;
  ncclComm_t world = nullptr;
  /// The run's sequence length: keys at positions at or past it are hidden
  /// from every tile (distattn/bundle_io.h).
  int64_t validLength = std::numeric_limits<int64_t>::max();
  /// Prefill: query i of a tile is the token at its position, so rows at
  /// or past validLength are padding and are not computed (decode's
  /// queries keep the compiled positions and are all computed).
  bool queriesAreTokens = false;
  /// The groups along one axis of a multi-axis grid, keyed by (axis, grid
  /// shape...): a communicator and a transfer stream each, so that the
  /// transfers of different axes run at once (a hierarchical ring's hop to
  /// the next node under the hops inside the node).
  struct Group {
    ncclComm_t comm = nullptr;
    cudaStream_t stream = nullptr;
  };
  std::map<std::vector<int64_t>, Group> groups;
};

/// A function-local static so that every translation unit shares one.
inline Context &context() {
  static Context ctx;
  return ctx;
}

inline cudaStream_t compute_stream() { return context().compute; }

/// Sets up the context on `comm` for the plans called in its lifetime: the
/// device (this rank's index among the ranks of its node, modulo the
/// node's devices), a compute and a transfer stream, and an NCCL
/// communicator bootstrapped with a unique id broadcast over `comm`.
/// Collective over `comm`; everything is torn down at the end.
class ContextScope {
public:
  explicit ContextScope(MPI_Comm comm) {
    Context &ctx = context();
    if (ctx.live)
      fail("a plan is already running on this process (nested scopes)");
    MPI_Comm_rank(comm, &ctx.rank);
    MPI_Comm_size(comm, &ctx.size);
    MPI_Comm node;
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, ctx.rank, MPI_INFO_NULL,
                        &node);
    int local = 0, devices = 0;
    MPI_Comm_rank(node, &local);
    MPI_Comm_free(&node);
    DATTN_CUDA(cudaGetDeviceCount(&devices));
    if (devices < 1)
      fail("no CUDA device is visible to this rank");
    DATTN_CUDA(cudaSetDevice(local % devices));
    DATTN_CUDA(cudaStreamCreateWithFlags(&ctx.compute, cudaStreamNonBlocking));
    DATTN_CUDA(cudaStreamCreateWithFlags(&ctx.transfer, cudaStreamNonBlocking));
    ncclUniqueId id;
    if (ctx.rank == 0)
      DATTN_NCCL(ncclGetUniqueId(&id));
    MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, comm);
    DATTN_NCCL(ncclCommInitRank(&ctx.world, ctx.size, id, ctx.rank));
    ctx.live = true;
  }
  ~ContextScope() {
    Context &ctx = context();
    cudaStreamSynchronize(ctx.compute);
    cudaStreamSynchronize(ctx.transfer);
    for (auto &group : ctx.groups) {
      cudaStreamSynchronize(group.second.stream);
      ncclCommDestroy(group.second.comm);
      cudaStreamDestroy(group.second.stream);
    }
    ncclCommDestroy(ctx.world);
    cudaStreamDestroy(ctx.compute);
    cudaStreamDestroy(ctx.transfer);
    ctx = Context();
  }
  ContextScope(const ContextScope &) = delete;
  ContextScope &operator=(const ContextScope &) = delete;
};

//===----------------------------------------------------------------------===//
// Tensors and states.
//===----------------------------------------------------------------------===//

struct Tensor {
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
  std::shared_ptr<void> buffer;

  int64_t numElements() const { return elementCount(shape); }
  std::vector<int64_t> strides() const { return rowMajorStrides(shape); }
  void *data() const { return buffer.get(); }
  size_t count() const { return size_t(numElements()); }
  ncclDataType_t nccl_type() const {
    switch (dtype) {
    case DType::F32:
      return ncclFloat32;
    case DType::BF16:
      return ncclBfloat16;
    case DType::F16:
      return ncclFloat16;
    }
    return ncclFloat32;
  }
};

/// out [B, H, Q, D] and lse [B, H, Q], fp32.
struct State {
  Tensor out, lse;
};

/// A device buffer, stream-ordered on the compute stream (allocated there,
/// freed there once the last reference goes).
inline Tensor allocate(DType dtype, std::vector<int64_t> shape) {
  Tensor t;
  t.shape = std::move(shape);
  t.dtype = dtype;
  size_t bytes = std::max<size_t>(t.count() * elementBytes(dtype), 16);
  void *data = nullptr;
  cudaStream_t stream = compute_stream();
  DATTN_CUDA(cudaMallocAsync(&data, bytes, stream));
  t.buffer = std::shared_ptr<void>(
      data, [stream](void *p) { cudaFreeAsync(p, stream); });
  return t;
}

namespace detail {

template <typename T> __device__ float toFloat(T x) { return float(x); }
template <> __device__ float toFloat(__nv_bfloat16 x) {
  return __bfloat162float(x);
}
template <> __device__ float toFloat(__half x) { return __half2float(x); }
template <typename T> __device__ T fromFloat(float x) { return T(x); }
template <> __device__ __nv_bfloat16 fromFloat(float x) {
  return __float2bfloat16(x);
}
template <> __device__ __half fromFloat(float x) { return __float2half(x); }

constexpr int kMaxRank = 6;

/// A strided walk over `sizes` (row-major): element i reads
/// src[srcBase + index . srcStride] and writes dst[dstBase + index .
/// dstStride].
struct Walk {
  int rank = 0;
  int64_t sizes[kMaxRank] = {};
  int64_t srcStride[kMaxRank] = {}, dstStride[kMaxRank] = {};
  int64_t srcBase = 0, dstBase = 0;
  int64_t count() const {
    int64_t n = 1;
    for (int d = 0; d < rank; ++d)
      n *= sizes[d];
    return n;
  }
};

template <typename Src, typename Dst>
__global__ void copyKernel(const Src *src, Dst *dst, Walk w, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, s = w.srcBase, d = w.dstBase;
    for (int a = w.rank - 1; a >= 0; --a) {
      int64_t at = rest % w.sizes[a];
      rest /= w.sizes[a];
      s += at * w.srcStride[a];
      d += at * w.dstStride[a];
    }
    dst[d] = fromFloat<Dst>(toFloat(src[s]));
  }
}

template <typename T>
__global__ void fillKernel(T *dst, float value, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    dst[i] = fromFloat<T>(value);
}

inline unsigned blocksFor(int64_t n) {
  return unsigned(std::min<int64_t>((n + 255) / 256, 65535));
}

template <typename Src>
void launchCopy(const Src *src, const Tensor &dst, const Walk &w) {
  int64_t n = w.count();
  if (n == 0)
    return;
  unsigned blocks = blocksFor(n);
  switch (dst.dtype) {
  case DType::F32:
    copyKernel<<<blocks, 256, 0, compute_stream()>>>(
        src, static_cast<float *>(dst.data()), w, n);
    break;
  case DType::BF16:
    copyKernel<<<blocks, 256, 0, compute_stream()>>>(
        src, static_cast<__nv_bfloat16 *>(dst.data()), w, n);
    break;
  case DType::F16:
    copyKernel<<<blocks, 256, 0, compute_stream()>>>(
        src, static_cast<__half *>(dst.data()), w, n);
    break;
  }
  DATTN_CUDA(cudaGetLastError());
}

/// Copies (and converts) along `w` from `src` into `dst`, on the compute
/// stream.
inline void copy(const Tensor &src, const Tensor &dst, const Walk &w) {
  switch (src.dtype) {
  case DType::F32:
    return launchCopy(static_cast<const float *>(src.data()), dst, w);
  case DType::BF16:
    return launchCopy(static_cast<const __nv_bfloat16 *>(src.data()), dst, w);
  case DType::F16:
    return launchCopy(static_cast<const __half *>(src.data()), dst, w);
  }
}

inline void fill(const Tensor &t, float value) {
  int64_t n = t.numElements();
  if (n == 0)
    return;
  unsigned blocks = blocksFor(n);
  switch (t.dtype) {
  case DType::F32:
    fillKernel<<<blocks, 256, 0, compute_stream()>>>(
        static_cast<float *>(t.data()), value, n);
    break;
  case DType::BF16:
    fillKernel<<<blocks, 256, 0, compute_stream()>>>(
        static_cast<__nv_bfloat16 *>(t.data()), value, n);
    break;
  case DType::F16:
    fillKernel<<<blocks, 256, 0, compute_stream()>>>(
        static_cast<__half *>(t.data()), value, n);
    break;
  }
  DATTN_CUDA(cudaGetLastError());
}

/// The walk over a slice (offsets, sizes, strides) of a tensor of `shape`,
/// into or out of a dense tensor of the slice's sizes. Bounds are checked
/// on the host: the plan's run-time offsets come from the rank's index.
inline Walk sliceWalk(const std::vector<int64_t> &shape,
                      const std::vector<int64_t> &values, bool intoSlice) {
  size_t rank = shape.size();
  if (values.size() != 3 * rank || rank > size_t(kMaxRank))
    fail("slice parameters do not match the tensor rank");
  Walk w;
  w.rank = int(rank);
  std::vector<int64_t> big(rank, 1), dense(rank, 1);
  for (int d = int(rank) - 2; d >= 0; --d) {
    big[d] = big[d + 1] * shape[d + 1];
    dense[d] = dense[d + 1] * values[rank + d + 1];
  }
  int64_t base = 0;
  for (size_t d = 0; d < rank; ++d) {
    int64_t offset = values[d], size = values[rank + d],
            stride = values[2 * rank + d];
    if (size > 0 &&
        (offset < 0 || offset + (size - 1) * stride >= shape[d] || stride < 1))
      fail("slice out of bounds");
    w.sizes[d] = size;
    base += offset * big[d];
    (intoSlice ? w.srcStride : w.dstStride)[d] = stride * big[d];
    (intoSlice ? w.dstStride : w.srcStride)[d] = dense[d];
  }
  (intoSlice ? w.srcBase : w.dstBase) = base;
  return w;
}

/// The dense walk over `shape` (a whole-tensor copy or conversion).
inline Walk denseWalk(const std::vector<int64_t> &shape) {
  std::vector<int64_t> values(shape.size(), 0);
  values.insert(values.end(), shape.begin(), shape.end());
  values.insert(values.end(), shape.size(), 1);
  return sliceWalk(shape, values, true);
}

} // namespace detail

inline Tensor converted(const Tensor &t, DType dtype) {
  if (t.dtype == dtype)
    return t;
  Tensor result = allocate(dtype, t.shape);
  detail::copy(t, result, detail::denseWalk(t.shape));
  return result;
}

/// A host float array on the device, as `dtype` (the C API's inputs).
inline Tensor upload(const float *host, DType dtype,
                     std::vector<int64_t> shape) {
  Tensor staging = allocate(DType::F32, std::move(shape));
  DATTN_CUDA(cudaMemcpyAsync(staging.data(), host, staging.count() * 4,
                             cudaMemcpyHostToDevice, compute_stream()));
  return converted(staging, dtype);
}

/// The tensor as floats in `host` (the C API's output); synchronizes.
inline void download(const Tensor &t, float *host) {
  Tensor staging = converted(t, DType::F32);
  DATTN_CUDA(cudaMemcpyAsync(host, staging.data(), staging.count() * 4,
                             cudaMemcpyDeviceToHost, compute_stream()));
  DATTN_CUDA(cudaStreamSynchronize(compute_stream()));
}

template <typename... Dims>
Tensor splat(DType dtype, double value, Dims... dims) {
  Tensor t = allocate(dtype, {int64_t(dims)...});
  detail::fill(t, float(value));
  return t;
}

/// tensor.extract_slice: offsets..., sizes..., strides...
template <typename... I>
Tensor extract_slice(const Tensor &source, I... parameters) {
  std::vector<int64_t> values = {int64_t(parameters)...};
  size_t rank = source.shape.size();
  if (values.size() != 3 * rank)
    fail("extract_slice parameters do not match the tensor rank");
  Tensor result =
      allocate(source.dtype, std::vector<int64_t>(values.begin() + rank,
                                                  values.begin() + 2 * rank));
  detail::copy(source, result, detail::sliceWalk(source.shape, values, true));
  return result;
}

/// tensor.insert_slice: a copy of `dest` with `source` written at
/// offsets..., sizes..., strides...
template <typename... I>
Tensor insert_slice(const Tensor &source, const Tensor &dest, I... parameters) {
  std::vector<int64_t> values = {int64_t(parameters)...};
  Tensor result = allocate(dest.dtype, dest.shape);
  DATTN_CUDA(cudaMemcpyAsync(result.data(), dest.data(),
                             dest.count() * elementBytes(dest.dtype),
                             cudaMemcpyDeviceToDevice, compute_stream()));
  detail::copy(source, result, detail::sliceWalk(dest.shape, values, false));
  return result;
}

/// tensor.pad at the end with a constant, to the result shape.
template <typename... Dims>
Tensor pad(const Tensor &source, double value, Dims... resultDims) {
  Tensor result = allocate(source.dtype, {int64_t(resultDims)...});
  detail::fill(result, float(value));
  std::vector<int64_t> values(source.shape.size(), 0);
  values.insert(values.end(), source.shape.begin(), source.shape.end());
  values.insert(values.end(), source.shape.size(), 1);
  detail::copy(source, result, detail::sliceWalk(result.shape, values, false));
  return result;
}

template <typename... Dims> State empty_state(Dims... dims) {
  std::vector<int64_t> shape = {int64_t(dims)...};
  State s{allocate(DType::F32, shape),
          allocate(DType::F32, {shape[0], shape[1], shape[2]})};
  detail::fill(s.out, 0.0f);
  detail::fill(s.lse, -std::numeric_limits<float>::infinity());
  return s;
}

namespace detail {
/// The tile of q against the keys of k/v visible under the mask, written
/// into `state` by the kernel, or merged into it in the kernel's epilogue
/// (DaMicroAttentionArgs::mergeInto). Positions: static offsets plus the
/// run-time ones (`at(...)`). Keys at or past kEnd or the run's valid
/// length (padding) are not passed to the kernel: they are a suffix of the
/// block. Query rows past the run's length (prefill) are not computed:
/// they keep the state's values. Where only some rows run (and there is
/// more than one head) the kernel works on a compact copy of their state,
/// written back after.
inline void tileInto(const State &state, bool mergeInto, const Tensor &q,
                     const Tensor &k, const Tensor &v, bool causal,
                     int64_t qOffset, int64_t qStride, int64_t kOffset,
                     int64_t kStride, int64_t kEnd, int64_t qAt, int64_t kAt,
                     double scale, const char *what) {
  if (q.dtype == DType::F32 || q.dtype != k.dtype || q.dtype != v.dtype)
    fail(what, " takes bf16 or f16 q, k and v of one type");
  const int64_t b = q.shape[0], h = q.shape[1], d = q.shape[3];
  if (state.out.dtype != DType::F32 || state.lse.dtype != DType::F32 ||
      state.out.shape != q.shape ||
      state.lse.shape != std::vector<int64_t>{b, h, q.shape[2]})
    fail(what, ": the state does not match the queries");
  kEnd = std::min(kEnd, context().validLength);
  int64_t kBase = kOffset + kAt, kvLen = k.shape[2];
  // Keys j with kBase + kStride * j < kEnd.
  int64_t visible = PositionMap{kBase, kStride}.countBefore(kEnd, kvLen);
  int64_t qBase = qOffset + qAt, rows = q.shape[2];
  if (context().queriesAreTokens)
    rows = PositionMap{qBase, qStride}.countBefore(context().validLength, rows);
  if (visible == 0 || rows == 0)
    return; // an empty tile: the state as it was
  Tensor queries = q;
  State into = state;
  const bool compact = rows < q.shape[2] && b * h > 1;
  if (compact) {
    queries = extract_slice(q, 0, 0, 0, 0, b, h, rows, d, 1, 1, 1, 1);
    into =
        State{extract_slice(state.out, 0, 0, 0, 0, b, h, rows, d, 1, 1, 1, 1),
              extract_slice(state.lse, 0, 0, 0, b, h, rows, 1, 1, 1)};
  }
  Tensor keys = k, values = v;
  if (visible < kvLen) {
    keys = extract_slice(k, 0, 0, 0, 0, k.shape[0], k.shape[1], visible,
                         k.shape[3], 1, 1, 1, 1);
    values = extract_slice(v, 0, 0, 0, 0, v.shape[0], v.shape[1], visible,
                           v.shape[3], 1, 1, 1, 1);
  }
  DaMicroAttentionArgs args{};
  args.q = queries.data();
  args.k = keys.data();
  args.v = values.data();
  args.out = static_cast<float *>(into.out.data());
  args.lse = static_cast<float *>(into.lse.data());
  args.dtype = q.dtype == DType::BF16 ? DA_BF16 : DA_FP16;
  args.batch = int(b);
  args.qHeads = int(h);
  args.kvHeads = int(k.shape[1]);
  args.qLen = rows;
  args.kvLen = visible;
  args.headDim = int(d);
  args.scale = float(scale);
  args.causal = causal ? 1 : 0;
  args.qOffset = qBase;
  args.qStride = qStride;
  args.kOffset = kBase;
  args.kStride = kStride;
  args.mergeInto = mergeInto ? 1 : 0;
  DATTN_CUDA(cudaError_t(da_micro_attention(&args, compute_stream())));
  if (compact) {
    copy(into.out, state.out,
         sliceWalk(state.out.shape, {0, 0, 0, 0, b, h, rows, d, 1, 1, 1, 1},
                   false));
    copy(into.lse, state.lse,
         sliceWalk(state.lse.shape, {0, 0, 0, b, h, rows, 1, 1, 1}, false));
  }
}
} // namespace detail

/// A micro-attention on the runtime's kernel: the state of q against the
/// keys of k/v visible under the mask (detail::tileInto).
inline State micro_attention(const Tensor &q, const Tensor &k, const Tensor &v,
                             bool causal, int64_t qOffset, int64_t qStride,
                             int64_t kOffset, int64_t kStride, int64_t kEnd,
                             int64_t qAt, int64_t kAt, double scale) {
  State state = empty_state(q.shape[0], q.shape[1], q.shape[2], q.shape[3]);
  detail::tileInto(state, false, q, k, v, causal, qOffset, qStride, kOffset,
                   kStride, kEnd, qAt, kAt, scale, "micro_attention");
  return state;
}

/// micro_attention's tile merged into `held` by the kernel's epilogue:
/// merge(held, micro_attention(q, k, v, ...)) without the tile's own state
/// or a merge kernel. Writes held's buffers in place and returns a State
/// that shares them, so it is only called where nothing else reads `held`
/// afterwards (a state shares its buffers with its copies): the cuda target
/// emits it for a merge whose accumulator it has proved dead after the
/// merge (ConvertToEmitC.cpp, merge-into). Rows the tile leaves empty (no
/// visible key, padding) keep held's values; an empty held (out 0, lse
/// -inf) takes the tile's.
inline State micro_attention_into(const State &held, const Tensor &q,
                                  const Tensor &k, const Tensor &v, bool causal,
                                  int64_t qOffset, int64_t qStride,
                                  int64_t kOffset, int64_t kStride,
                                  int64_t kEnd, int64_t qAt, int64_t kAt,
                                  double scale) {
  detail::tileInto(held, true, q, k, v, causal, qOffset, qStride, kOffset,
                   kStride, kEnd, qAt, kAt, scale, "micro_attention_into");
  return held;
}

/// Exact merge of the states (the kernel takes up to 16 at a time).
template <typename... States> State merge(const States &...states) {
  std::vector<const State *> all = {&states...};
  const int64_t rows = all[0]->lse.numElements();
  const int headDim = int(all[0]->out.shape.back());
  State merged;
  size_t next = 0;
  while (next < all.size()) {
    std::vector<const float *> outs, lses;
    if (next > 0) {
      outs.push_back(static_cast<const float *>(merged.out.data()));
      lses.push_back(static_cast<const float *>(merged.lse.data()));
    }
    while (next < all.size() && outs.size() < 16) {
      outs.push_back(static_cast<const float *>(all[next]->out.data()));
      lses.push_back(static_cast<const float *>(all[next]->lse.data()));
      ++next;
    }
    State into{allocate(DType::F32, all[0]->out.shape),
               allocate(DType::F32, all[0]->lse.shape)};
    DATTN_CUDA(cudaError_t(da_merge_states(
        outs.data(), lses.data(), int(outs.size()), rows, headDim,
        static_cast<float *>(into.out.data()),
        static_cast<float *>(into.lse.data()), compute_stream())));
    merged = into;
  }
  return merged;
}

/// The output in the plan's element type.
inline Tensor finalize_out(const State &state, DType dtype) {
  return converted(state.out, dtype);
}
inline Tensor finalize_lse(const State &state) { return state.lse; }
inline State as_state(const Tensor &out, const Tensor &lse) {
  return {converted(out, DType::F32), converted(lse, DType::F32)};
}

//===----------------------------------------------------------------------===//
// The grid: the NCCL communicator's ranks in row-major order of the grid.
//===----------------------------------------------------------------------===//

inline void check_grid(std::initializer_list<int64_t> shape) {
  int64_t size = 1;
  for (int64_t d : shape)
    size *= d;
  if (!context().live)
    fail("a plan runs inside a distattn::cuda::ContextScope");
  if (context().size != size) {
    std::fprintf(stderr,
                 "distattn cuda runtime: this plan runs on %lld ranks, "
                 "the communicator has %d\n",
                 (long long)size, context().size);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
}

/// shard.process_linear_index.
template <typename... Dims> size_t linear_index(Dims... gridDims) {
  check_grid({int64_t(gridDims)...});
  return size_t(context().rank);
}

/// This rank's coordinate on grid axis `axis` of `shape`.
inline int64_t coordinate(int64_t axis, const std::vector<int64_t> &shape) {
  return grid::coordinate(context().rank, axis, shape);
}

template <typename... Dims> size_t grid_index(int64_t axis, Dims... gridDims) {
  check_grid({int64_t(gridDims)...});
  return size_t(coordinate(axis, {int64_t(gridDims)...}));
}

/// This rank's group along grid axis `axis` (the other coordinates fixed):
/// its communicator, ranked by the coordinate on the axis, and its
/// transfer stream. The world's and the context's for a one-axis grid;
/// otherwise split for every axis of the grid at the first transfer on it
/// (collective: every rank reaches the same transfers of a plan in the
/// same order), before any of that grid's transfers is in flight, as NCCL
/// wants communicators created.
inline Context::Group axis_group(int64_t axis,
                                 const std::vector<int64_t> &shape) {
  Context &ctx = context();
  if (shape.size() == 1)
    return {ctx.world, ctx.transfer};
  auto keyOf = [&](int64_t a) {
    std::vector<int64_t> key = {a};
    key.insert(key.end(), shape.begin(), shape.end());
    return key;
  };
  if (!ctx.groups.count(keyOf(axis))) {
    for (int64_t a = 0; a < int64_t(shape.size()); ++a) {
      Context::Group group;
      DATTN_NCCL(
          ncclCommSplit(ctx.world, int(grid::groupOf(ctx.rank, a, shape)),
                        int(coordinate(a, shape)), &group.comm, nullptr));
      DATTN_CUDA(
          cudaStreamCreateWithFlags(&group.stream, cudaStreamNonBlocking));
      ctx.groups[keyOf(a)] = group;
    }
  }
  return ctx.groups[keyOf(axis)];
}

/// An asynchronous transfer on the transfer stream: what is received, the
/// peers, and the event the compute stream waits for. It holds the source
/// until it is waited for.
struct Transfer {
  Tensor result; // the received tensor (shift) or the gathered parts
  Tensor source; // kept alive while the transfer stream reads it
  int to = -1;   // peer ranks in `comm`; -1: none (edge of an open shift)
  int from = -1;
  int parts = 1; // all_gather: the group's size
  int64_t gatherAxis = -1;
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  std::shared_ptr<CUevent_st> arrivedEvent;

  void *data() const { return result.data(); }
  size_t count() const { return result.count() / size_t(parts); }
  ncclDataType_t nccl_type() const { return result.nccl_type(); }
  cudaEvent_t arrived() const { return arrivedEvent.get(); }
};

namespace detail {
/// A transfer whose stream starts once the compute stream has produced its
/// source (and allocated its buffer).
inline Transfer startTransfer(const Tensor &source, Tensor result,
                              Context::Group group) {
  Transfer t;
  t.source = source;
  t.result = std::move(result);
  t.comm = group.comm;
  t.stream = group.stream;
  cudaEvent_t ready, arrived;
  DATTN_CUDA(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming));
  DATTN_CUDA(cudaEventCreateWithFlags(&arrived, cudaEventDisableTiming));
  DATTN_CUDA(cudaEventRecord(ready, compute_stream()));
  DATTN_CUDA(cudaStreamWaitEvent(t.stream, ready));
  DATTN_CUDA(cudaEventDestroy(ready));
  t.arrivedEvent = std::shared_ptr<CUevent_st>(
      arrived, [](cudaEvent_t e) { cudaEventDestroy(e); });
  return t;
}
} // namespace detail

/// shard.shift along `axis` by `offset` (coordinate c's value goes to
/// c + offset): the receive buffer and the peers. The generated code then
/// sends and receives in one NCCL group on t.stream and records
/// t.arrived().
template <typename... Dims>
Transfer prepare_shift(const Tensor &input, int64_t axis, int64_t offset,
                       bool rotate, Dims... gridDims) {
  std::vector<int64_t> shape = {int64_t(gridDims)...};
  check_grid({int64_t(gridDims)...});
  grid::ShiftPeers peers =
      grid::shiftPeers(coordinate(axis, shape), shape[axis], offset, rotate);
  Tensor result = allocate(input.dtype, input.shape);
  if (peers.from < 0) // nothing arrives at an edge of an open shift
    detail::fill(result, std::numeric_limits<float>::quiet_NaN());
  Transfer t = detail::startTransfer(input, result, axis_group(axis, shape));
  t.to = int(peers.to);
  t.from = int(peers.from);
  return t;
}

/// shard.all_gather along tensor dimension `gatherAxis` over grid axis
/// `axis`: the generated code runs ncclAllGather into t.data() (the parts
/// back to back); received() puts them in place along gatherAxis.
template <typename... Dims>
Transfer prepare_all_gather(const Tensor &input, int64_t gatherAxis,
                            int64_t axis, Dims... gridDims) {
  std::vector<int64_t> shape = {int64_t(gridDims)...};
  check_grid({int64_t(gridDims)...});
  int parts = int(shape[axis]);
  std::vector<int64_t> staging = input.shape;
  staging.insert(staging.begin(), parts);
  Transfer t = detail::startTransfer(input, allocate(input.dtype, staging),
                                     axis_group(axis, shape));
  t.parts = parts;
  t.gatherAxis = gatherAxis;
  return t;
}

/// What a transfer delivered, once the compute stream waits for
/// t.arrived(). Releases the transfer's hold on its source.
namespace detail {
/// Parts received back to back, [P, d0.., da, ..], concatenated along
/// `axis`: part p lands at offset p*da (a copy on the compute stream).
inline Tensor concat_parts(const Tensor &parts, int64_t axis) {
  std::vector<int64_t> part(parts.shape.begin() + 1, parts.shape.end());
  std::vector<int64_t> shape = part;
  shape[axis] *= parts.shape[0];
  Tensor result = allocate(parts.dtype, shape);
  std::vector<int64_t> resultStrides = result.strides();
  Walk w;
  w.rank = int(parts.shape.size());
  std::vector<int64_t> partStrides = parts.strides();
  w.sizes[0] = parts.shape[0];
  w.srcStride[0] = partStrides[0];
  w.dstStride[0] = part[axis] * resultStrides[axis];
  for (size_t d = 0; d < part.size(); ++d) {
    w.sizes[d + 1] = part[d];
    w.srcStride[d + 1] = partStrides[d + 1];
    w.dstStride[d + 1] = resultStrides[d];
  }
  copy(parts, result, w);
  return result;
}
} // namespace detail

namespace detail {
/// `t` cut into `count` equal parts along `axis`, back to back:
/// [count, d0.., da / count, ..] (a copy on the compute stream; what
/// concat_parts puts together).
inline Tensor split_parts(const Tensor &t, int64_t axis, int64_t count) {
  std::vector<int64_t> shape = grid::allToAllStaging(t.shape, axis, count);
  std::vector<int64_t> part(shape.begin() + 1, shape.end());
  Tensor result = allocate(t.dtype, shape);
  std::vector<int64_t> resultStrides = result.strides();
  std::vector<int64_t> sourceStrides = t.strides();
  Walk w;
  w.rank = int(shape.size());
  w.sizes[0] = count;
  w.srcStride[0] = part[axis] * sourceStrides[axis];
  w.dstStride[0] = resultStrides[0];
  for (size_t d = 0; d < part.size(); ++d) {
    w.sizes[d + 1] = part[d];
    w.srcStride[d + 1] = sourceStrides[d];
    w.dstStride[d + 1] = resultStrides[d + 1];
  }
  copy(t, result, w);
  return result;
}
} // namespace detail

inline Tensor received(Transfer &t) {
  t.source = Tensor();
  if (t.gatherAxis < 0)
    return t.result;
  Tensor result = detail::concat_parts(t.result, t.gatherAxis);
  t.result = Tensor();
  return result;
}

/// shard.all_to_all over grid axis `axis`: piece i of `input` along dim
/// `splitAxis` goes to member i of this rank's group, and what arrives is
/// concatenated in member order along `concatAxis`. The pieces are packed
/// back to back (a copy, unless they already are: dim 0), then one NCCL
/// group of sends and receives on the compute stream (it is waited for at
/// once, as the plan's next op needs it).
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
  Tensor packed =
      splitAxis == 0 ? input : detail::split_parts(input, splitAxis, members);
  Tensor staged = allocate(input.dtype, staging);
  size_t count = input.count() / size_t(members);
  size_t bytes = count * elementBytes(input.dtype);
  ncclComm_t comm = axis_group(axis, shape).comm;
  DATTN_NCCL(ncclGroupStart());
  for (int64_t peer = 0; peer < members; ++peer) {
    DATTN_NCCL(ncclSend(static_cast<const char *>(packed.data()) + peer * bytes,
                        count, input.nccl_type(), int(peer), comm,
                        compute_stream()));
    DATTN_NCCL(ncclRecv(static_cast<char *>(staged.data()) + peer * bytes,
                        count, input.nccl_type(), int(peer), comm,
                        compute_stream()));
  }
  DATTN_NCCL(ncclGroupEnd());
  return detail::concat_parts(staged, concatAxis);
}

/// shard.all_reduce sum over the whole grid, on the compute stream.
template <typename... Dims>
Tensor all_reduce_sum(const Tensor &input, Dims... gridDims) {
  check_grid({int64_t(gridDims)...});
  Tensor result = allocate(input.dtype, input.shape);
  DATTN_NCCL(ncclAllReduce(input.data(), result.data(), input.count(),
                           input.nccl_type(), ncclSum, context().world,
                           compute_stream()));
  return result;
}

} // namespace distattn::cuda

#endif // DISTATTN_CUDA_PLAN_RUNTIME_CUH
