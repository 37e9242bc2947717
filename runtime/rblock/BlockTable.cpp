//===- BlockTable.cpp - Per-request block tables and their CSR form -------===//
#include "distattn/rblock/BlockTable.h"

#include <algorithm>

namespace distattn::rblock {

int32_t BlockTable::tokensIn(int32_t i, int32_t tokensPerBlock) const {
  int64_t start = int64_t(i) * tokensPerBlock;
  return int32_t(std::clamp<int64_t>(tokens - start, 0, tokensPerBlock));
}

bool BlockTable::hasLost() const {
  return std::any_of(blocks.begin(), blocks.end(),
                     [](const BlockRef &b) { return b.lost(); });
}

PagedBlockTable buildPagedTable(const std::vector<const BlockTable *> &tables,
                                InstanceId holder, int32_t tokensPerBlock) {
  PagedBlockTable csr;
  for (const BlockTable *t : tables) {
    int32_t seqLen = 0, last = 0;
    size_t rowStart = csr.slots.size();
    for (int32_t i = 0; i < int32_t(t->blocks.size()); ++i) {
      if (t->blocks[i].holder != holder)
        continue;
      csr.slots.push_back(t->blocks[i].slot);
      last = t->tokensIn(i, tokensPerBlock);
      seqLen += last;
    }
    if (csr.slots.size() == rowStart)
      continue;
    csr.rowPtr.push_back(int32_t(csr.slots.size()));
    csr.seqLens.push_back(seqLen);
    csr.lastBlockTokens.push_back(last);
    csr.requests.push_back(t->request);
  }
  return csr;
}

} // namespace distattn::rblock
