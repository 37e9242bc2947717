//===- CudaKernelTest.cu - CUDA kernels against the host references -------===//
//
// Runs where a GPU exists; every test skips without one (fails instead where
// DISTATTN_REQUIRE_GPU=1: RequireGpu.h). Inputs are drawn fresh, rounded to
// bf16/fp16, and the host reference (fp32 accumulate) runs on the rounded
// values. Outputs are poisoned (NaN) before each launch, so an unwritten
// element fails. Long sequences (3816, 12345) are checked by
// bench/kernels/harness.py against float32 PyTorch.
//
//===----------------------------------------------------------------------===//
#include "distattn/cuda/kernels.h"
#include "distattn/paged_reference.h"
#include "distattn/reference.h"

#include "../RequireGpu.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace distattn;

namespace {

#define CK(x) ASSERT_EQ(int(x), 0) << #x

/// A Hopper of 132 SMs (an H100 SXM or H200): what plan expectations that
/// depend on the SM count and shared memory are written for.
bool onH100Like() {
  int dev = 0, sms = 0, major = 0;
  return cudaGetDevice(&dev) == cudaSuccess &&
         cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev) ==
             cudaSuccess &&
         cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor,
                                dev) == cudaSuccess &&
         sms == 132 && major == 9;
}

template <typename T> T fromFloat(float x);
template <> __nv_bfloat16 fromFloat(float x) { return __float2bfloat16(x); }
template <> __half fromFloat(float x) { return __float2half(x); }
float toFloat(__nv_bfloat16 x) { return __bfloat162float(x); }
float toFloat(__half x) { return __half2float(x); }

/// Random values rounded to T: device copy (T) and host copy (float).
template <typename T> struct Input {
  std::vector<T> dev;
  std::vector<float> host;
  Input(size_t n, std::mt19937 &gen) : dev(n), host(n) {
    std::normal_distribution<float> d;
    for (size_t i = 0; i < n; ++i) {
      dev[i] = fromFloat<T>(d(gen));
      host[i] = toFloat(dev[i]);
    }
  }
};

template <typename T> T *upload(const std::vector<T> &v) {
  T *p = nullptr;
  if (cudaMalloc(&p, std::max<size_t>(v.size(), 1) * sizeof(T)) != cudaSuccess)
    return nullptr;
  cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice);
  return p;
}
template <typename T> std::vector<T> download(const T *p, size_t n) {
  std::vector<T> v(n);
  cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost);
  return v;
}

struct Errors {
  double rel = 0, lse = 0;
  bool written = true, infMatch = true;
};
Errors compare(const std::vector<float> &out, const std::vector<float> &lse,
               const std::vector<float> &refOut,
               const std::vector<float> &refLse) {
  Errors e;
  double num = 0, den = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out[i]))
      e.written = false;
    num += double(out[i] - refOut[i]) * (out[i] - refOut[i]);
    den += double(refOut[i]) * refOut[i];
  }
  e.rel = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
  for (size_t i = 0; i < lse.size(); ++i) {
    if (std::isnan(lse[i]))
      e.written = false;
    if (std::isfinite(lse[i]) != std::isfinite(refLse[i]))
      e.infMatch = false;
    else if (!std::isfinite(refLse[i]))
      // -inf (a row with no key) on both sides; +inf or NaN never agree.
      e.infMatch &= lse[i] == refLse[i] && refLse[i] < 0;
    else
      e.lse = std::max(e.lse, double(std::fabs(lse[i] - refLse[i])));
  }
  return e;
}

/// The paged decode's workspace starts with this many bytes of counts (the
/// decode in parts'), its states after them (kernels.h).
constexpr size_t kDecodeCountBytes = 4096;

/// The issue's tolerance for a kernel's (out, lse) on the device against
/// its host reference: every value written, -inf where the reference has
/// it, relative error of out <= 1e-2, lse within 1e-3.
void expectMatches(const float *dOut, const float *dLse,
                   const std::vector<float> &refOut,
                   const std::vector<float> &refLse) {
  Errors e = compare(download(dOut, refOut.size()),
                     download(dLse, refLse.size()), refOut, refLse);
  EXPECT_TRUE(e.written);
  EXPECT_TRUE(e.infMatch);
  EXPECT_LE(e.rel, 1e-2);
  EXPECT_LE(e.lse, 1e-3);
}

enum class Mask { Full, Causal, Striped, Zigzag };

struct MaCase {
  int dtype, headDim, qHeads, kvHeads, config;
  int64_t qLen, kvLen;
  Mask mask;
  bool mergeHalves;
};

template <typename T> void runMicroAttention(const MaCase &c, unsigned seed) {
  std::mt19937 gen(seed);
  const int64_t D = c.headDim;
  AttentionShape s{2, c.qHeads, c.kvHeads, c.qLen, c.kvLen, D};
  Input<T> q(s.batch * s.qHeads * s.qLen * D, gen);
  Input<T> k(s.batch * s.kvHeads * s.kvLen * D, gen);
  Input<T> v(s.batch * s.kvHeads * s.kvLen * D, gen);
  MaskSpec m;
  switch (c.mask) {
  case Mask::Full:
    break;
  case Mask::Causal:
    m = MaskSpec{true, {std::max<int64_t>(c.kvLen - c.qLen, 0), 1}, {0, 1}};
    break;
  case Mask::Striped:
    m = MaskSpec{true, {1, 4}, {2, 4}};
    break;
  case Mask::Zigzag:
    m = MaskSpec{true, {c.kvLen / 2, 1}, {0, 1}};
    break;
  }
  float scale = float(defaultScale(D));
  std::vector<float> refOut(q.host.size()), refLse(s.batch * s.qHeads * s.qLen);
  microAttention<float, float>(q.host.data(), k.host.data(), v.host.data(), s,
                               m, scale, refOut.data(), refLse.data());

  T *dq = upload(q.dev), *dk = upload(k.dev), *dv = upload(v.dev);
  float *dout = upload(std::vector<float>(refOut.size(), NAN));
  float *dlse = upload(std::vector<float>(refLse.size(), NAN));
  ASSERT_TRUE(dq && dk && dv && dout && dlse);
  CK(da_micro_attention_set_config(c.config));
  DaMicroAttentionArgs a{};
  a.q = dq;
  a.k = dk;
  a.v = dv;
  a.out = dout;
  a.lse = dlse;
  a.dtype = c.dtype;
  a.batch = int(s.batch);
  a.qHeads = c.qHeads;
  a.kvHeads = c.kvHeads;
  a.qLen = c.qLen;
  a.kvLen = c.kvLen;
  a.headDim = c.headDim;
  a.scale = scale;
  a.causal = m.causal;
  a.qOffset = m.q.offset;
  a.qStride = m.q.stride;
  a.kOffset = m.k.offset;
  a.kStride = m.k.stride;
  T *dk2 = nullptr, *dv2 = nullptr;
  if (c.mergeHalves && c.kvLen >= 2) {
    // KV split in two halves (separate contiguous tensors), second merged in.
    int64_t h = c.kvLen / 2;
    std::vector<T> k1, k2, v1, v2;
    for (int64_t bh = 0; bh < s.batch * s.kvHeads; ++bh)
      for (int64_t j = 0; j < c.kvLen; ++j)
        for (int64_t d = 0; d < D; ++d) {
          size_t i = (bh * c.kvLen + j) * D + d;
          (j < h ? k1 : k2).push_back(k.dev[i]);
          (j < h ? v1 : v2).push_back(v.dev[i]);
        }
    cudaMemcpy(dk, k1.data(), k1.size() * sizeof(T), cudaMemcpyHostToDevice);
    cudaMemcpy(dv, v1.data(), v1.size() * sizeof(T), cudaMemcpyHostToDevice);
    dk2 = upload(k2);
    dv2 = upload(v2);
    a.kvLen = h;
    CK(da_micro_attention(&a, nullptr));
    a.k = dk2;
    a.v = dv2;
    a.kvLen = c.kvLen - h;
    a.kOffset = m.k.offset + m.k.stride * h;
    a.mergeInto = 1;
    CK(da_micro_attention(&a, nullptr));
  } else {
    CK(da_micro_attention(&a, nullptr));
  }
  CK(cudaDeviceSynchronize());
  CK(da_micro_attention_set_config(0));
  expectMatches(dout, dlse, refOut, refLse);
  for (void *p : {(void *)dq, (void *)dk, (void *)dv, (void *)dout,
                  (void *)dlse, (void *)dk2, (void *)dv2})
    cudaFree(p);
}

class MicroAttentionGpu : public ::testing::TestWithParam<MaCase> {};

TEST_P(MicroAttentionGpu, MatchesHostReference) {
  DISTATTN_REQUIRE_GPU_OR_SKIP();
  const MaCase &c = GetParam();
  if (c.dtype == DA_BF16)
    runMicroAttention<__nv_bfloat16>(c, 1234);
  else
    runMicroAttention<__half>(c, 1234);
}

std::vector<MaCase> maCases() {
  std::vector<MaCase> v;
  const std::pair<int64_t, int64_t> lens[] = {{1, 1}, {37, 300}, {130, 70}};
  for (int dtype : {DA_BF16, DA_FP16})
    for (int D : {64, 128, 256})
      for (Mask m : {Mask::Full, Mask::Causal, Mask::Striped, Mask::Zigzag})
        for (auto hk : {std::pair<int, int>{2, 2}, {8, 2}})
          for (auto l : lens)
            for (int w : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}) {
              // 8, 9: the Hopper wgmma kernel (9 differs from 8 at D=64);
              // 10, 11: warp-specialised with TMA; 12, 13: 10 with the
              // intra-warpgroup overlap, and ping-pong; 14: 13 with 3
              // warpgroups (D=64).
              if ((D == 256 && w != 1 && w != 5) ||
                  (D == 128 && (w == 9 || w == 14)))
                continue;
              v.push_back({dtype, D, hk.first, hk.second, w, l.first, l.second,
                           m, false});
            }
  for (int D : {64, 128, 256})
    for (Mask m : {Mask::Causal, Mask::Striped})
      for (int w : {1, 3, 6, 8, 9, 10, 11, 12, 13, 14})
        if (w < 10 || D != 256)
          v.push_back({DA_BF16, D, 4, 1, w, 129, 517, m, true});
  return v;
}

std::string maName(const ::testing::TestParamInfo<MaCase> &i) {
  const MaCase &c = i.param;
  const char *mk[] = {"full", "causal", "striped", "zigzag"};
  return std::string(c.dtype == DA_BF16 ? "bf16" : "fp16") + "_D" +
         std::to_string(c.headDim) + "_" + mk[int(c.mask)] + "_h" +
         std::to_string(c.qHeads) + "x" + std::to_string(c.kvHeads) + "_q" +
         std::to_string(c.qLen) + "_k" + std::to_string(c.kvLen) + "_c" +
         std::to_string(c.config) + (c.mergeHalves ? "_merge" : "");
}

INSTANTIATE_TEST_SUITE_P(Cases, MicroAttentionGpu,
                         ::testing::ValuesIn(maCases()), maName);

TEST(MergeStatesGpu, MatchesHostReferenceInPlace) {
  DISTATTN_REQUIRE_GPU_OR_SKIP();
  std::mt19937 gen(7);
  std::normal_distribution<float> d;
  const int n = 3, D = 128;
  const int64_t rows = 777;
  std::vector<std::vector<float>> outs(n, std::vector<float>(rows * D)),
      lses(n, std::vector<float>(rows));
  for (int s = 0; s < n; ++s) {
    for (float &x : outs[s])
      x = d(gen);
    for (int64_t r = 0; r < rows; ++r) {
      lses[s][r] = 4 * d(gen);
      if ((r + s) % 5 == 0 || r == 3) { // empty states, one all-empty row
        lses[s][r] = -INFINITY;
        std::fill(outs[s].begin() + r * D, outs[s].begin() + (r + 1) * D, 0.f);
      }
    }
  }
  std::vector<const float *> ho, hl;
  for (int s = 0; s < n; ++s) {
    ho.push_back(outs[s].data());
    hl.push_back(lses[s].data());
  }
  std::vector<float> refOut(rows * D), refLse(rows);
  mergeStates<float>(ho, hl, rows, D, refOut.data(), refLse.data());
  std::vector<float *> dOut, dLse;
  for (int s = 0; s < n; ++s) {
    dOut.push_back(upload(outs[s]));
    dLse.push_back(upload(lses[s]));
  }
  std::vector<const float *> co(dOut.begin(), dOut.end()),
      cl(dLse.begin(), dLse.end());
  CK(da_merge_states(co.data(), cl.data(), n, rows, D, dOut[0], dLse[0],
                     nullptr));
  CK(cudaDeviceSynchronize());
  Errors e = compare(download(dOut[0], rows * D), download(dLse[0], rows),
                     refOut, refLse);
  EXPECT_TRUE(e.written);
  EXPECT_TRUE(e.infMatch);
  EXPECT_LE(e.rel, 1e-5);
  EXPECT_LE(e.lse, 1e-5);
  for (int s = 0; s < n; ++s) {
    cudaFree(dOut[s]);
    cudaFree(dLse[s]);
  }
}

// States stored back to back, many of them over few rows (the decode's
// splits, mergeManyKernel's case): merged into separate out/lse and in
// place over state 0.
TEST(MergeStatesGpu, StridedManyStatesMatchHostReference) {
  DISTATTN_REQUIRE_GPU_OR_SKIP();
  std::mt19937 gen(11);
  std::normal_distribution<float> d;
  const int n = 20;
  const int64_t rows = 40;
  for (int D : {64, 128, 256})
    for (bool inPlace : {false, true}) {
      SCOPED_TRACE(::testing::Message()
                   << "D " << D << " in place " << inPlace);
      std::vector<float> outs(n * rows * D), lses(n * rows);
      for (float &x : outs)
        x = d(gen);
      for (int s = 0; s < n; ++s)
        for (int64_t r = 0; r < rows; ++r) {
          float &l = lses[s * rows + r];
          l = 4 * d(gen);
          if ((r + s) % 7 == 0 || r == 5) { // empty states, one empty row
            l = -INFINITY;
            std::fill_n(outs.begin() + (s * rows + r) * D, D, 0.f);
          }
        }
      std::vector<const float *> ho, hl;
      for (int s = 0; s < n; ++s) {
        ho.push_back(outs.data() + s * rows * D);
        hl.push_back(lses.data() + s * rows);
      }
      std::vector<float> refOut(rows * D), refLse(rows);
      mergeStates<float>(ho, hl, rows, D, refOut.data(), refLse.data());
      float *dOuts = upload(outs), *dLses = upload(lses);
      float *dOut = inPlace ? dOuts : upload(std::vector<float>(rows * D, NAN));
      float *dLse = inPlace ? dLses : upload(std::vector<float>(rows, NAN));
      CK(da_merge_states_strided(dOuts, dLses, n, rows, D, dOut, dLse,
                                 nullptr));
      CK(cudaDeviceSynchronize());
      Errors e = compare(download(dOut, rows * D), download(dLse, rows), refOut,
                         refLse);
      EXPECT_TRUE(e.written);
      EXPECT_TRUE(e.infMatch);
      EXPECT_LE(e.rel, 1e-5);
      EXPECT_LE(e.lse, 1e-5);
      if (!inPlace) {
        cudaFree(dOut);
        cudaFree(dLse);
      }
      cudaFree(dOuts);
      cudaFree(dLses);
    }
}

/// The decode's device buffers, and its arguments over them.
struct DecodeBuffers {
  const void *q, *k, *v;
  const int32_t *indptr, *indices, *lens;
  float *out, *lse;
};
DaPagedDecodeArgs decodeArgs(const DecodeBuffers &d, int dtype,
                             const PagedKvShape &s, int64_t maxKvLen,
                             float scale, int64_t splitTokens = 0) {
  DaPagedDecodeArgs a{};
  a.q = d.q;
  a.kPages = d.k;
  a.vPages = d.v;
  a.pageIndptr = d.indptr;
  a.pageIndices = d.indices;
  a.kvLens = d.lens;
  a.out = d.out;
  a.lse = d.lse;
  a.dtype = dtype;
  a.batch = int(s.batch);
  a.qHeads = int(s.qHeads);
  a.kvHeads = int(s.kvHeads);
  a.headDim = int(s.headDim);
  a.pageSize = int(s.pageSize);
  a.maxKvLen = maxKvLen;
  a.scale = scale;
  a.splitTokens = splitTokens;
  return a;
}

struct DecodeCase {
  int dtype, headDim, qHeads, kvHeads, pageSize;
  std::vector<int32_t> lens;
  int64_t splitTokens;
  bool inParts = false; // planned in parts (by default, on an H100)
};

template <typename T> void runDecode(const DecodeCase &c) {
  std::mt19937 gen(99);
  PagedKvShape s{int64_t(c.lens.size()), c.qHeads, c.kvHeads, c.headDim,
                 c.pageSize};
  std::vector<int32_t> indptr{0};
  for (int32_t l : c.lens)
    indptr.push_back(indptr.back() + (l + c.pageSize - 1) / c.pageSize);
  int32_t pages = indptr.back();
  std::vector<int32_t> indices(pages);
  for (int32_t i = 0; i < pages; ++i)
    indices[i] = i;
  std::shuffle(indices.begin(), indices.end(), gen);
  size_t poolElems =
      size_t(std::max(pages, 1)) * c.kvHeads * c.pageSize * c.headDim;
  Input<T> q(s.batch * c.qHeads * c.headDim, gen), k(poolElems, gen),
      v(poolElems, gen);
  float scale = float(defaultScale(c.headDim));
  std::vector<float> refOut(q.host.size()), refLse(s.batch * c.qHeads);
  pagedDecode<float, float>(q.host.data(), k.host.data(), v.host.data(),
                            indptr.data(), indices.data(), c.lens.data(), s,
                            scale, refOut.data(), refLse.data());
  // The pool past each sequence's length (its last page's tail) holds NaN:
  // a kernel that reads a token it should not, or lets P = 0 meet an
  // unwritten V, shows it. The host reference reads valid tokens only.
  for (size_t b = 0; b < c.lens.size(); ++b)
    for (int32_t tok = c.lens[b];
         tok < (indptr[b + 1] - indptr[b]) * c.pageSize; ++tok) {
      const int32_t page = indices[indptr[b] + tok / c.pageSize];
      for (int h = 0; h < c.kvHeads; ++h)
        for (int d = 0; d < c.headDim; ++d) {
          size_t i =
              ((size_t(page) * c.kvHeads + h) * c.pageSize + tok % c.pageSize) *
                  c.headDim +
              d;
          k.dev[i] = v.dev[i] = fromFloat<T>(NAN);
        }
    }
  T *dq = upload(q.dev), *dk = upload(k.dev), *dv = upload(v.dev);
  int32_t *dIndptr = upload(indptr), *dIndices = upload(indices),
          *dLens = upload(c.lens);
  float *dout = upload(std::vector<float>(refOut.size(), NAN));
  float *dlse = upload(std::vector<float>(refLse.size(), NAN));
  const int64_t maxLen = *std::max_element(c.lens.begin(), c.lens.end());
  const DecodeBuffers bufs{dq, dk, dv, dIndptr, dIndices, dLens, dout, dlse};
  auto argsFor = [&](int64_t maxKvLen, int64_t splitTokens) {
    return decodeArgs(bufs, c.dtype, s, maxKvLen, scale, splitTokens);
  };
  // out and lse poisoned (all-ones bytes: NaN) before a call, so that none
  // passes on what an earlier one wrote.
  auto poisonOut = [&] {
    CK(cudaMemset(dout, 0xff, refOut.size() * sizeof(float)));
    CK(cudaMemset(dlse, 0xff, refLse.size() * sizeof(float)));
  };
  auto check = [&](int stages, int tma, int warps, int64_t maxKvLen,
                   bool refused = false, int combine = -1) {
    SCOPED_TRACE(::testing::Message()
                 << "stages " << stages << " tma " << tma << " warps " << warps
                 << " maxKvLen " << maxKvLen << " combine " << combine);
    CK(da_paged_decode_set_stages(stages));
    CK(da_paged_decode_set_tma(tma));
    CK(da_paged_decode_set_warps(warps));
    CK(da_paged_decode_set_combine(combine));
    DaPagedDecodeArgs a = argsFor(maxKvLen, c.splitTokens);
    size_t ws = da_paged_decode_workspace(&a);
    // In parts, the workspace holds fewer states than the splits (as
    // planned for an H100's SMs and shared memory, by default).
    if (combine == -1 && warps == 0 && maxKvLen == maxLen && !refused &&
        onH100Like() && !std::getenv("DISTATTN_DECODE_COMBINE")) {
      const int64_t chunk = da_paged_decode_split_tokens(&a);
      const int64_t splits = (maxKvLen + chunk - 1) / chunk;
      const size_t perSlot =
          size_t(s.batch) * c.qHeads * (c.headDim + 1) * sizeof(float);
      EXPECT_EQ(ws > 0 && int64_t((ws - kDecodeCountBytes) / perSlot) < splits,
                c.inParts);
    }
    void *dws = nullptr;
    if (ws) {
      CK(cudaMalloc(&dws, ws));
      CK(cudaMemset(dws, 0, ws)); // once, as the contract asks
    }
    a.workspace = dws;
    if (refused) {
      EXPECT_NE(da_paged_decode(&a, nullptr), 0);
      CK(cudaDeviceSynchronize());
      cudaFree(dws);
      return;
    }
    // Twice on one workspace: the second call finds it as the first left
    // it (the parts' counts back at zero). Before each, the workspace's
    // states are poisoned too.
    for (int call = 0; call < 2; ++call) {
      SCOPED_TRACE(::testing::Message() << "call " << call);
      poisonOut();
      if (ws > kDecodeCountBytes)
        CK(cudaMemset(static_cast<char *>(dws) + kDecodeCountBytes, 0xff,
                      ws - kDecodeCountBytes));
      CK(da_paged_decode(&a, nullptr));
      CK(cudaDeviceSynchronize());
      expectMatches(dout, dlse, refOut, refLse);
    }
    cudaFree(dws);
  };
  // Both K/V loaders: TMA (where it applies: pages of whole 32-token tiles,
  // head_dim 64 and 128, an sm_90a image) and cp.async, in blocks of as
  // many warps as fit (the last block part empty where the items do not
  // divide), of one warp and of two.
  for (int loader = 0; loader < 6; ++loader) {
    const int stages = 4 - loader / 2, tma = 1 - loader % 2;
    if (stages != 4 && c.headDim != 128)
      continue;
    for (int warps : {0, 1, 2})
      if (warps == 0 || stages == 4)
        check(stages, tma, warps, maxLen);
    // The splits merged by their own block where they fit one, and not.
    check(stages, tma, 0, maxLen, false, 0);
  }
  // A sequence longer than maxKvLen (a caller's error): its last split
  // takes the tokens past the others, none is lost.
  if (maxLen > 1 && c.splitTokens == 0)
    for (int tma : {1, 0})
      check(4, tma, 0, maxLen / 2);
  // Eight rings of any loader exceed a Hopper block's 227 KiB: the call
  // fails cleanly (and the next one runs).
  check(4, 1, 8, maxLen, /*refused=*/true);
  CK(da_paged_decode_set_stages(0));
  CK(da_paged_decode_set_tma(-1));
  CK(da_paged_decode_set_warps(0));
  CK(da_paged_decode_set_combine(-1));
  // One workspace, zero-filled once, for calls of two plans (default knobs): in
  // parts, then the split grid of 64-token chunks (whose states fill the
  // workspace past its counts), then in parts again.
  if (c.inParts) {
    DaPagedDecodeArgs parts = argsFor(maxLen, 0), grid = argsFor(maxLen, 64);
    const size_t ws = std::max(da_paged_decode_workspace(&parts),
                               da_paged_decode_workspace(&grid));
    void *dws = nullptr;
    CK(cudaMalloc(&dws, ws));
    CK(cudaMemset(dws, 0, ws));
    int call = 0;
    for (DaPagedDecodeArgs *a : {&parts, &grid, &parts}) {
      SCOPED_TRACE(::testing::Message() << "shared workspace, call " << call++);
      a->workspace = dws;
      poisonOut();
      CK(da_paged_decode(a, nullptr));
      CK(cudaDeviceSynchronize());
      expectMatches(dout, dlse, refOut, refLse);
    }
    cudaFree(dws);
  }
  for (void *p : {(void *)dq, (void *)dk, (void *)dv, (void *)dIndptr,
                  (void *)dIndices, (void *)dLens, (void *)dout, (void *)dlse})
    cudaFree(p);
}

class PagedDecodeGpu : public ::testing::TestWithParam<DecodeCase> {};
TEST_P(PagedDecodeGpu, MatchesHostReference) {
  DISTATTN_REQUIRE_GPU_OR_SKIP();
  if (GetParam().dtype == DA_BF16)
    runDecode<__nv_bfloat16>(GetParam());
  else
    runDecode<__half>(GetParam());
}
std::vector<DecodeCase> decodeCases() {
  std::vector<DecodeCase> v;
  for (int dtype : {DA_BF16, DA_FP16})
    for (int D : {64, 128, 256}) {
      // Automatic splits (4: merged in the block where it holds them), one
      // sequence empty.
      v.push_back({dtype, D, 32, 8, 16, {1, 300, 0, 1000}, 0});
      v.push_back({dtype, D, 8, 8, 7, {500, 0, 64}, 64});
      v.push_back({dtype, D, 20, 1, 32, {333, 1}, 96});
      // 79 splits, one sequence in one of them, one in none.
      v.push_back({dtype, D, 4, 2, 16, {5000, 7, 0}, 64});
      // Automatic splits of 1024 tokens or more: in parts, a block each,
      // sharing their (sequence, kv head, row tile)'s tiles and merged by
      // its last block (on an H100, head_dim 128: 28 splits in 4 parts; a
      // group of 32 q heads, two row tiles), short sequences' parts empty.
      v.push_back({dtype, D, 32, 8, 16, {30000, 3816, 1, 0}, 0, true});
      v.push_back(
          {dtype, D, 64, 2, 128, {40000, 12345, 7, 0, 1, 100, 2, 3}, 0, true});
      // 128 (sequence, kv head) units of 1 to 30000 tokens: on an H100 at
      // head_dim 128 one wave of blocks, each a unit's 7 splits merged in
      // the block (the path of 16 x 64K), most of their warps' tiles empty.
      std::vector<int32_t> lens(128);
      for (int i = 0; i < 128; ++i)
        lens[i] = (i * 37) % 300;
      lens[0] = 30000;
      lens[5] = 3816;
      lens[9] = 12345;
      lens[127] = 29000;
      v.push_back({dtype, D, 4, 1, 32, lens, 0});
    }
  return v;
}
INSTANTIATE_TEST_SUITE_P(Cases, PagedDecodeGpu,
                         ::testing::ValuesIn(decodeCases()));

// A serving loop captures a decode step in a CUDA graph once and replays it
// every step with new queries in the same buffers. Captured: the decode
// and, on the split grid, its merge launch; in parts, each replay leaves
// the workspace's counts zero for the next. Every replay's output matches
// the host reference of its own queries.
TEST(PagedDecodeGraph, CapturedDecodeReplaysWithNewQueries) {
  DISTATTN_REQUIRE_GPU_OR_SKIP();
  using T = __nv_bfloat16;
  std::mt19937 gen(5);
  const std::vector<int32_t> lens{40000, 3816, 0};
  PagedKvShape s{int64_t(lens.size()), 32, 8, 128, 128};
  std::vector<int32_t> indptr{0};
  for (int32_t l : lens)
    indptr.push_back(indptr.back() + (l + 127) / 128);
  std::vector<int32_t> indices(indptr.back());
  std::iota(indices.begin(), indices.end(), 0);
  std::shuffle(indices.begin(), indices.end(), gen);
  const size_t poolElems = size_t(indptr.back()) * s.kvHeads * 128 * 128;
  Input<T> k(poolElems, gen), v(poolElems, gen);
  const size_t qElems = size_t(s.batch * s.qHeads * s.headDim);
  const size_t rows = size_t(s.batch * s.qHeads);
  T *dq = upload(std::vector<T>(qElems)), *dk = upload(k.dev),
    *dv = upload(v.dev);
  int32_t *dIndptr = upload(indptr), *dIndices = upload(indices),
          *dLens = upload(lens);
  float *dout = upload(std::vector<float>(qElems)),
        *dlse = upload(std::vector<float>(rows));
  const float scale = float(defaultScale(128));
  cudaStream_t stream;
  CK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  // Default (parts for the 40000 tokens on an H100), and the split grid.
  for (int combine : {-1, 0}) {
    SCOPED_TRACE(::testing::Message() << "combine " << combine);
    CK(da_paged_decode_set_combine(combine));
    DaPagedDecodeArgs a = decodeArgs(
        DecodeBuffers{dq, dk, dv, dIndptr, dIndices, dLens, dout, dlse},
        DA_BF16, s, 40000, scale);
    const size_t ws = da_paged_decode_workspace(&a);
    ASSERT_GT(ws, 0u);
    // In parts (fewer state slots than splits) by default on an H100; the
    // split grid's slots are its splits.
    const int64_t chunk = da_paged_decode_split_tokens(&a);
    const int64_t splits = (a.maxKvLen + chunk - 1) / chunk;
    const int64_t stateSlots =
        int64_t((ws - kDecodeCountBytes) / (rows * 129 * sizeof(float)));
    if (combine == 0)
      EXPECT_EQ(stateSlots, splits);
    else if (onH100Like() && !std::getenv("DISTATTN_DECODE_COMBINE"))
      EXPECT_LT(stateSlots, splits);
    CK(cudaMalloc(&a.workspace, ws));
    CK(cudaMemsetAsync(a.workspace, 0, ws, stream)); // before the replays
    cudaGraph_t graph;
    CK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal));
    const int rc = da_paged_decode(&a, stream);
    CK(cudaStreamEndCapture(stream, &graph));
    CK(rc);
    cudaGraphExec_t exec;
    CK(cudaGraphInstantiate(&exec, graph, 0));
    for (int step = 0; step < 3; ++step) {
      SCOPED_TRACE(::testing::Message() << "replay " << step);
      Input<T> q(qElems, gen);
      std::vector<float> refOut(qElems), refLse(rows);
      pagedDecode<float, float>(q.host.data(), k.host.data(), v.host.data(),
                                indptr.data(), indices.data(), lens.data(), s,
                                scale, refOut.data(), refLse.data());
      // On the graph's stream (a non-blocking one: the legacy stream's
      // copies would not be ordered before the launch).
      CK(cudaMemcpyAsync(dq, q.dev.data(), qElems * sizeof(T),
                         cudaMemcpyHostToDevice, stream));
      CK(cudaMemsetAsync(dout, 0xff, qElems * sizeof(float), stream));
      CK(cudaMemsetAsync(dlse, 0xff, rows * sizeof(float), stream));
      CK(cudaGraphLaunch(exec, stream));
      CK(cudaStreamSynchronize(stream));
      expectMatches(dout, dlse, refOut, refLse);
    }
    CK(cudaGraphExecDestroy(exec));
    CK(cudaGraphDestroy(graph));
    cudaFree(a.workspace);
  }
  CK(da_paged_decode_set_combine(-1));
  CK(cudaStreamDestroy(stream));
  for (void *p : {(void *)dq, (void *)dk, (void *)dv, (void *)dIndptr,
                  (void *)dIndices, (void *)dLens, (void *)dout, (void *)dlse})
    cudaFree(p);
}

TEST(CudaKernelArgs, RejectsBadArguments) {
  DaMicroAttentionArgs a{};
  a.batch = 1;
  a.qHeads = 3;
  a.kvHeads = 2; // not a multiple
  a.qLen = a.kvLen = 4;
  a.headDim = 128;
  a.scale = 1.f;
  a.qStride = a.kStride = 1;
  EXPECT_NE(da_micro_attention(&a, nullptr), 0);
  a.qHeads = 2;
  a.headDim = 96; // unsupported head_dim
  EXPECT_NE(da_micro_attention(&a, nullptr), 0);
  EXPECT_NE(da_micro_attention_set_config(15), 0);
  EXPECT_NE(
      da_merge_states(nullptr, nullptr, 17, 1, 128, nullptr, nullptr, nullptr),
      0);
  // Misaligned pointers are refused before anything is launched.
  alignas(16) static float buf[64];
  a.headDim = 128;
  a.q = a.k = a.v = buf;
  a.out = buf;
  a.lse = buf;
  a.q = reinterpret_cast<const char *>(buf) + 2;
  EXPECT_NE(da_micro_attention(&a, nullptr), 0);
  const float *outs[1] = {buf + 1}, *lses[1] = {buf};
  EXPECT_NE(da_merge_states(outs, lses, 1, 1, 4, buf, buf, nullptr), 0);
  DaPagedDecodeArgs d{};
  d.batch = d.qHeads = d.kvHeads = 1;
  d.headDim = 128;
  d.pageSize = 16;
  d.maxKvLen = 16;
  d.scale = 1.f;
  d.dtype = DA_BF16;
  EXPECT_NE(da_paged_decode(&d, nullptr), 0);  // null pointers
  EXPECT_NE(da_paged_decode_set_stages(1), 0); // rings of 2 to 4
  EXPECT_NE(da_paged_decode_set_stages(5), 0);
  EXPECT_NE(da_paged_decode_set_warps(-1), 0); // blocks of 1 to 8 warps
  EXPECT_NE(da_paged_decode_set_warps(9), 0);
  EXPECT_NE(da_paged_decode_set_combine(2), 0); // -1, 0 or 1
}

// The split-KV contract the launcher and its callers share, with or
// without a GPU (none: the chooser assumes an H100's 132 SMs): chunks are
// whole 32-token tiles, explicit sizes round up to one, short sequences are
// one split and need no workspace, and the workspace holds each split's
// [B, Hq] states (out and lse).
TEST(PagedDecodeSplit, ChunksAndWorkspace) {
  DaPagedDecodeArgs d{};
  d.batch = 16;
  d.qHeads = 32;
  d.kvHeads = 8;
  d.headDim = 128;
  d.pageSize = 128;
  d.maxKvLen = 65536;
  d.scale = 1.f;
  d.dtype = DA_BF16;
  // The arrival counts (4 KiB), then `slots` states of [B, Hq] rows.
  auto workspaceOf = [&](int64_t slots) {
    return kDecodeCountBytes +
           size_t(slots) * d.batch * d.qHeads * (d.headDim + 1) * sizeof(float);
  };
  auto workspaceFor = [&](int64_t chunk) {
    const int64_t splits = (d.maxKvLen + chunk - 1) / chunk;
    return splits == 1 ? size_t(0) : workspaceOf(splits);
  };
  // The workspace of the split grid (the block merging none of them).
  ASSERT_EQ(da_paged_decode_set_combine(0), 0);
  // Automatic: a long sequence is split, into whole tiles of >= 256 tokens.
  const int64_t chunk = da_paged_decode_split_tokens(&d);
  EXPECT_EQ(chunk % 32, 0);
  EXPECT_GE(chunk, 256);
  EXPECT_LT(chunk, d.maxKvLen);
  EXPECT_EQ(da_paged_decode_workspace(&d), workspaceFor(chunk));
  // One sequence needs more splits than sixteen to fill the SMs.
  const int64_t splits16 = (d.maxKvLen + chunk - 1) / chunk;
  d.batch = 1;
  const int64_t chunk1 = da_paged_decode_split_tokens(&d);
  EXPECT_GT((d.maxKvLen + chunk1 - 1) / chunk1, splits16);
  EXPECT_EQ(da_paged_decode_workspace(&d), workspaceFor(chunk1));
  // Explicit: rounded up to whole tiles.
  d.splitTokens = 100;
  EXPECT_EQ(da_paged_decode_split_tokens(&d), 128);
  EXPECT_EQ(da_paged_decode_workspace(&d), workspaceFor(128));
  // One split: no workspace.
  d.splitTokens = 0;
  d.maxKvLen = 200;
  EXPECT_EQ(da_paged_decode_workspace(&d), 0u);
  // Sixteen sequences of 8 kv heads fill the SMs with a block each, whose
  // warps are the splits and merge them: no workspace. One sequence of 1M
  // tokens: more splits than a block's warps, of 1024 tokens or more (with
  // either loader's warps a block): whole blocks of them, each a part,
  // whose states (fewer than the splits, at least two) the workspace holds.
  ASSERT_EQ(da_paged_decode_set_combine(-1), 0);
  d.maxKvLen = 65536;
  d.batch = 16;
  EXPECT_EQ(da_paged_decode_workspace(&d), 0u);
  d.batch = 1;
  d.maxKvLen = 1 << 20;
  ASSERT_EQ(da_paged_decode_set_combine(0), 0);
  const int64_t chunkSplit = da_paged_decode_split_tokens(&d);
  ASSERT_EQ(da_paged_decode_set_combine(-1), 0);
  const int64_t chunkParts = da_paged_decode_split_tokens(&d);
  EXPECT_GE(chunkParts, chunkSplit); // rounded down to whole blocks
  const size_t wsParts = da_paged_decode_workspace(&d);
  const size_t perPart = workspaceOf(1) - workspaceOf(0);
  EXPECT_EQ((wsParts - workspaceOf(0)) % perPart, 0u);
  EXPECT_GE(wsParts, workspaceOf(2));
  EXPECT_LT(wsParts, workspaceFor(chunkSplit));
  d.maxKvLen = 65536;
  // A hand-set warp count whose rings do not fit a block is not planned as
  // an in-block merge (the launch refuses it): the workspace is sized.
  ASSERT_EQ(da_paged_decode_set_warps(8), 0);
  d.batch = 16;
  EXPECT_GT(da_paged_decode_workspace(&d), 0u);
  ASSERT_EQ(da_paged_decode_set_warps(0), 0);
  // Invalid arguments: no split size, no workspace.
  d.qHeads = 30; // not a multiple of kvHeads
  EXPECT_EQ(da_paged_decode_split_tokens(&d), -1);
  EXPECT_EQ(da_paged_decode_workspace(&d), 0u);
}

} // namespace
