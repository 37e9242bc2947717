//===- Decode.h - Decode over rBlocks spread across instances ---*- C++ -*-===//
//
// DistAttention's decode: the owner of a request ships the query (a few KB)
// to every instance holding some of the request's rBlocks; each holder runs a
// micro-attention over its blocks and returns the state (out, lse); the owner
// merges the states with its own. The KV never moves.
//
// Block layout (fp32): K as [kvHeads][tokensPerBlock][headDim], then V in the
// same layout, so bytesPerBlock = 2 * kvHeads * tokensPerBlock * headDim * 4.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_DECODE_H
#define DISTATTN_RBLOCK_DECODE_H

#include "distattn/rblock/BlockPool.h"
#include "distattn/rblock/BlockTable.h"
#include "distattn/rblock/Protocol.h"

namespace distattn::rblock {

class RManager;

struct KvLayout {
  int32_t qHeads = 1, kvHeads = 1, headDim = 1, tokensPerBlock = 16;
  size_t bytesPerBlock() const {
    return size_t(2) * kvHeads * tokensPerBlock * headDim * sizeof(float);
  }
};

/// DecodeQuery ints: qHeads, kvHeads, headDim, tokens in the last listed
/// slot, then the slots. floats: the query [qHeads][headDim], then the scale.
constexpr int32_t kDecodeHeaderInts = 4;

struct DecodeStats {
  int32_t holders = 0; // instances that computed a part (owner included)
  int32_t remoteQueries = 0;
  int64_t remoteTokens = 0;
};

/// Holder side: the state of the query against the listed slots.
Message serveDecodeQuery(const BlockPool &pool, int32_t tokensPerBlock,
                         const Message &query);

/// Owner side: out [qHeads][headDim] and lse [qHeads] (natural log) of one
/// query token against all of the request's KV, wherever it lives. With
/// `overlap` the query goes to every remote holder before the owner attends
/// to its own blocks, and the replies are collected after (on MPI the
/// remote micro-attentions run meanwhile); without, each remote holder is
/// waited for in turn first (the baseline the decode benchmark compares).
Status decodeAcrossInstances(RManager &owner, RequestId request,
                             const KvLayout &layout, const float *query,
                             float scale, float *out, float *lse,
                             DecodeStats *stats = nullptr, bool overlap = true);

/// A holder's blocks as the paged decode kernels take them (pageIndptr,
/// pageIndices, kvLens over K and V page arrays of [kvHeads][T][headDim]
/// pages; see distattn/paged_reference.h and DaPagedDecodeArgs). A block
/// holds K then V, each one page long, so with `base` the storage's first
/// block, page 2 * slot of kPages = base is the K of `slot` and page 2 * slot
/// of vPages = base + one page is its V: the indices are the CSR's slots
/// doubled, and no byte is copied.
struct PagedKvArgs {
  const float *kPages = nullptr, *vPages = nullptr;
  std::vector<int32_t> pageIndptr, pageIndices, kvLens;
};
PagedKvArgs pagedKvArgs(const PagedBlockTable &csr, const void *base,
                        const KvLayout &layout);

/// Writes token `t`'s K and V rows ([kvHeads][headDim] each) into a block
/// image laid out as above.
void packToken(const KvLayout &layout, int32_t t, const float *k,
               const float *v, float *block);

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_DECODE_H
