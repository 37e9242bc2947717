//===- paged_reference.h - Host reference for paged decode -----*- C++ -*-===//
//
// The oracle of the CUDA paged decode kernel (runtime/cuda/paged_decode.cu)
// and the host target's version of it. The KV cache is a pool of pages
// (rBlocks) laid out [numPages, kvHeads, pageSize, headDim]; sequence b owns
// pages pageIndices[pageIndptr[b] .. pageIndptr[b+1]) in token order and
// kvLens[b] tokens. One query token per sequence: q/out [B, Hq, D], lse
// [B, Hq] (natural log; a sequence with no tokens gets out 0, lse -inf).
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_PAGED_REFERENCE_H
#define DISTATTN_PAGED_REFERENCE_H

#include "distattn/reference.h"

#include <cstdint>
#include <vector>

namespace distattn {

struct PagedKvShape {
  int64_t batch = 1, qHeads = 1, kvHeads = 1, headDim = 1, pageSize = 1;
};

/// Gathers sequence b's K (or V) into dense [kvHeads, kvLens[b], headDim].
template <typename T>
std::vector<T> gatherPagedSequence(const T *pages, const int32_t *pageIndptr,
                                   const int32_t *pageIndices,
                                   const int32_t *kvLens, const PagedKvShape &s,
                                   int64_t b) {
  int64_t len = kvLens[b];
  std::vector<T> dense(size_t(s.kvHeads * len * s.headDim));
  for (int64_t h = 0; h < s.kvHeads; ++h)
    for (int64_t tok = 0; tok < len; ++tok) {
      int64_t page = pageIndices[pageIndptr[b] + tok / s.pageSize];
      int64_t off = tok % s.pageSize;
      const T *src =
          pages + ((page * s.kvHeads + h) * s.pageSize + off) * s.headDim;
      std::copy(src, src + s.headDim,
                dense.begin() + (h * len + tok) * s.headDim);
    }
  return dense;
}

/// Decode attention of one query token per sequence over its paged KV.
template <typename Acc, typename In>
void pagedDecode(const In *q, const In *kPages, const In *vPages,
                 const int32_t *pageIndptr, const int32_t *pageIndices,
                 const int32_t *kvLens, const PagedKvShape &s, Acc scale,
                 Acc *out, Acc *lse) {
  for (int64_t b = 0; b < s.batch; ++b) {
    std::vector<In> k =
        gatherPagedSequence(kPages, pageIndptr, pageIndices, kvLens, s, b);
    std::vector<In> v =
        gatherPagedSequence(vPages, pageIndptr, pageIndices, kvLens, s, b);
    AttentionShape shape{1, s.qHeads, s.kvHeads, 1, kvLens[b], s.headDim};
    microAttention<Acc, In>(q + b * s.qHeads * s.headDim, k.data(), v.data(),
                            shape, MaskSpec{}, scale,
                            out + b * s.qHeads * s.headDim, lse + b * s.qHeads);
  }
}

} // namespace distattn

#endif // DISTATTN_PAGED_REFERENCE_H
