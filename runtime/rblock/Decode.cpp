//===- Decode.cpp - Decode over rBlocks spread across instances -----------===//
#include "distattn/rblock/Decode.h"
#include "distattn/rblock/RManager.h"
#include "distattn/reference.h"

#include <cstring>
#include <map>

namespace distattn::rblock {

namespace {

/// Gathers the K and V of `slots` (all full but the last, which holds
/// `lastTokens`) into dense [kvHeads][tokens][headDim] arrays.
int64_t gatherKv(const BlockStorage &store, const std::vector<SlotId> &slots,
                 int32_t lastTokens, int32_t kvHeads, int32_t headDim,
                 int32_t tokensPerBlock, std::vector<float> &k,
                 std::vector<float> &v) {
  int64_t tokens = int64_t(slots.size() - 1) * tokensPerBlock + lastTokens;
  k.assign(size_t(kvHeads) * tokens * headDim, 0.f);
  v.assign(k.size(), 0.f);
  size_t half = size_t(kvHeads) * tokensPerBlock * headDim;
  std::vector<float> staged(2 * half);
  for (size_t b = 0; b < slots.size(); ++b) {
    // Device-tier blocks are not host addressable: copy them out first.
    auto *block = static_cast<const float *>(store.hostAddress(slots[b]));
    if (!block) {
      store.read(slots[b], staged.data());
      block = staged.data();
    }
    int32_t n = b + 1 == slots.size() ? lastTokens : tokensPerBlock;
    for (int32_t h = 0; h < kvHeads; ++h) {
      size_t src = size_t(h) * tokensPerBlock * headDim;
      size_t dst = (size_t(h) * tokens + b * tokensPerBlock) * headDim;
      std::memcpy(&k[dst], block + src, sizeof(float) * n * headDim);
      std::memcpy(&v[dst], block + half + src, sizeof(float) * n * headDim);
    }
  }
  return tokens;
}

void attend(const BlockStorage &store, const std::vector<SlotId> &slots,
            int32_t lastTokens, int32_t qHeads, int32_t kvHeads,
            int32_t headDim, int32_t tokensPerBlock, const float *query,
            float scale, float *out, float *lse) {
  std::vector<float> k, v;
  int64_t tokens = gatherKv(store, slots, lastTokens, kvHeads, headDim,
                            tokensPerBlock, k, v);
  AttentionShape shape{1, qHeads, kvHeads, 1, tokens, headDim};
  // The decode query is the newest token: it sees every cached key.
  microAttention<float, float>(query, k.data(), v.data(), shape, MaskSpec{},
                               scale, out, lse);
}

} // namespace

void packToken(const KvLayout &layout, int32_t t, const float *k,
               const float *v, float *block) {
  size_t half = size_t(layout.kvHeads) * layout.tokensPerBlock * layout.headDim;
  for (int32_t h = 0; h < layout.kvHeads; ++h) {
    size_t off = (size_t(h) * layout.tokensPerBlock + t) * layout.headDim;
    std::memcpy(block + off, k + size_t(h) * layout.headDim,
                sizeof(float) * layout.headDim);
    std::memcpy(block + half + off, v + size_t(h) * layout.headDim,
                sizeof(float) * layout.headDim);
  }
}

PagedKvArgs pagedKvArgs(const PagedBlockTable &csr, const void *base,
                        const KvLayout &layout) {
  PagedKvArgs args;
  size_t page = size_t(layout.kvHeads) * layout.tokensPerBlock * layout.headDim;
  args.kPages = static_cast<const float *>(base);
  args.vPages = args.kPages + page;
  args.pageIndptr = csr.rowPtr;
  args.kvLens = csr.seqLens;
  args.pageIndices.reserve(csr.slots.size());
  for (int32_t s : csr.slots)
    args.pageIndices.push_back(2 * s);
  return args;
}

Message serveDecodeQuery(const BlockPool &pool, int32_t tokensPerBlock,
                         const Message &m) {
  int32_t qHeads = m.ints[0], kvHeads = m.ints[1], headDim = m.ints[2];
  int32_t lastTokens = m.ints[3];
  std::vector<SlotId> slots(m.ints.begin() + kDecodeHeaderInts, m.ints.end());
  const BlockStorage *store = pool.storage();
  // Everything the sender says is checked before it sizes a copy.
  if (slots.empty() || !store || qHeads <= 0 || kvHeads <= 0 || headDim <= 0 ||
      qHeads % kvHeads != 0 || lastTokens <= 0 || lastTokens > tokensPerBlock ||
      m.floats.size() != size_t(qHeads) * headDim + 1 ||
      store->bytesPerBlock() !=
          size_t(2) * kvHeads * tokensPerBlock * headDim * sizeof(float))
    return makeReply(m, Status::BadSlot);
  Message r = makeReply(m, Status::Ok);
  r.floats.resize(size_t(qHeads) * headDim + qHeads);
  attend(*store, slots, lastTokens, qHeads, kvHeads, headDim, tokensPerBlock,
         m.floats.data(), m.floats.back(), r.floats.data(),
         r.floats.data() + size_t(qHeads) * headDim);
  return r;
}

Status decodeAcrossInstances(RManager &owner, RequestId request,
                             const KvLayout &layout, const float *query,
                             float scale, float *out, float *lse,
                             DecodeStats *stats, bool overlap) {
  const BlockTable *table = owner.table(request);
  if (!table)
    return Status::UnknownRequest;
  if (table->hasLost())
    return Status::RequestLost;
  if (owner.config().bytesPerBlock != layout.bytesPerBlock() ||
      owner.config().tokensPerBlock != layout.tokensPerBlock)
    return Status::BadSlot;
  size_t rows = size_t(layout.qHeads), outSize = rows * layout.headDim;

  // Each holder's blocks in logical order, and how full its last one is.
  std::map<InstanceId, std::vector<SlotId>> byHolder;
  std::map<InstanceId, int32_t> lastTokens;
  for (int32_t i = 0; i < int32_t(table->blocks.size()); ++i) {
    int32_t n = table->tokensIn(i, layout.tokensPerBlock);
    if (n == 0)
      continue;
    byHolder[table->blocks[i].holder].push_back(table->blocks[i].slot);
    lastTokens[table->blocks[i].holder] = n;
  }

  std::vector<std::vector<float>> outs(byHolder.size()), lses(byHolder.size());
  DecodeStats local;
  // Ship the query to every remote holder first, then compute the local part
  // while they work: on a transport with split-phase calls (MPI) the remote
  // micro-attentions overlap the owner's own. (Without `overlap`, each reply
  // is awaited as soon as its query is sent.)
  std::vector<std::pair<size_t, Transport::Ticket>> inFlight;
  Status result = Status::Ok;
  auto collect = [&](const std::pair<size_t, Transport::Ticket> &flight) {
    Message state = owner.transport().wait(flight.second);
    if (state.status != Status::Ok || state.floats.size() != outSize + rows) {
      if (result == Status::Ok)
        result = state.status != Status::Ok ? state.status : Status::BadSlot;
      return;
    }
    std::copy(state.floats.begin(), state.floats.begin() + outSize,
              outs[flight.first].begin());
    std::copy(state.floats.begin() + outSize, state.floats.end(),
              lses[flight.first].begin());
  };
  size_t slot = 0, localSlot = byHolder.size();
  for (auto &[holder, slots] : byHolder) {
    outs[slot].resize(outSize);
    lses[slot].resize(rows);
    ++local.holders;
    if (holder == owner.id()) {
      localSlot = slot++;
      continue;
    }
    Message q;
    q.kind = MsgKind::DecodeQuery;
    q.src = owner.id();
    q.request = request;
    q.ints = {layout.qHeads, layout.kvHeads, layout.headDim,
              lastTokens[holder]};
    q.ints.insert(q.ints.end(), slots.begin(), slots.end());
    q.floats.assign(query, query + outSize);
    q.floats.push_back(scale);
    inFlight.push_back({slot++, owner.transport().post(holder, std::move(q))});
    if (!overlap)
      collect(inFlight.back());
    ++local.remoteQueries;
    local.remoteTokens +=
        int64_t(slots.size() - 1) * layout.tokensPerBlock + lastTokens[holder];
  }
  if (localSlot != byHolder.size())
    attend(*owner.pool().storage(), byHolder[owner.id()],
           lastTokens[owner.id()], layout.qHeads, layout.kvHeads,
           layout.headDim, layout.tokensPerBlock, query, scale,
           outs[localSlot].data(), lses[localSlot].data());
  if (overlap)
    for (auto &flight : inFlight)
      collect(flight); // drain every ticket
  if (result != Status::Ok)
    return result;

  std::vector<const float *> outPtrs, lsePtrs;
  for (size_t i = 0; i < outs.size(); ++i) {
    outPtrs.push_back(outs[i].data());
    lsePtrs.push_back(lses[i].data());
  }
  mergeStates<float>(outPtrs, lsePtrs, int64_t(rows), layout.headDim, out, lse);
  if (stats)
    *stats = local;
  return Status::Ok;
}

} // namespace distattn::rblock
