//===- BlockTable.h - Block tables and their CSR form -----------*- C++ -*-===//
//
// The owner of a request keeps its block table: for every logical block (a
// run of tokensPerBlock tokens) the instance holding it and the slot there.
// Paged decode kernels read a compressed form, one CSR per holder: row r is
// the r-th request that has blocks on that holder, its column indices the
// holder's slots in logical order, and seqLens[r] the tokens in those slots.
// Indices are int32 because that is what paged-attention kernels take.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_BLOCKTABLE_H
#define DISTATTN_RBLOCK_BLOCKTABLE_H

#include "distattn/rblock/Types.h"

#include <vector>

namespace distattn::rblock {

struct BlockTable {
  RequestId request = -1;
  int64_t tokens = 0;
  std::vector<BlockRef> blocks; // logical order
  /// Tokens stored in logical block i (the last block may be partial).
  int32_t tokensIn(int32_t i, int32_t tokensPerBlock) const;
  bool hasLost() const;
};

/// Blocks of several requests held on one instance, in CSR form.
struct PagedBlockTable {
  std::vector<int32_t> rowPtr{0};       // size rows + 1
  std::vector<int32_t> slots;           // size rowPtr.back()
  std::vector<int32_t> seqLens;         // tokens per row
  std::vector<int32_t> lastBlockTokens; // tokens in each row's last slot
  std::vector<RequestId> requests;      // which request each row is
  int32_t rows() const { return int32_t(requests.size()); }
};

/// The CSR of the blocks of `tables` that live on `holder`. A request with no
/// block there gets no row. Logical order is kept within a row, so a kernel
/// that walks a row sees the holder's part of the sequence front to back.
PagedBlockTable buildPagedTable(const std::vector<const BlockTable *> &tables,
                                InstanceId holder, int32_t tokensPerBlock);

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_BLOCKTABLE_H
