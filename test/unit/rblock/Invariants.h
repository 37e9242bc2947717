//===- Invariants.h - Ground truth over an rBlock cluster -------*- C++ -*-===//
//
// Recomputes from the pools and the owners' tables what the managers claim,
// independently of the managers' own counters:
//  * every used slot names an owner whose table points back at that slot,
//    and every table entry names a used slot that names it: each block has
//    exactly one owner and one location, and nothing leaks;
//  * the gManager's ledger equals the debts counted from the tables;
//  * each instance's lent counter equals its slots held for others;
//  * a table has exactly ceil(tokens / tokensPerBlock) blocks.
// Returns an empty string when everything holds, else the first violation.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_TEST_RBLOCK_INVARIANTS_H
#define DISTATTN_TEST_RBLOCK_INVARIANTS_H

#include "distattn/rblock/Cluster.h"

#include <sstream>
#include <string>

namespace distattn::rblock::test {

inline std::string checkInvariants(Cluster &c) {
  std::ostringstream err;
  int32_t n = c.size();
  std::vector<int64_t> truth(size_t(n) * n, 0);
  for (InstanceId h = 0; h < n; ++h) {
    if (!c.alive(h))
      continue;
    RManager &holder = c.at(h);
    const BlockPool &pool = holder.pool();
    int32_t foreign = 0, used = 0;
    for (SlotId s = 0; s < pool.capacity(); ++s) {
      const SlotInfo &info = pool.info(s);
      if (!info.used())
        continue;
      ++used;
      if (info.owner < 0 || info.owner >= n || !c.alive(info.owner)) {
        err << "instance " << h << " slot " << s << " held for dead owner "
            << info.owner;
        return err.str();
      }
      if (info.owner != h)
        ++foreign;
      const BlockTable *t = c.at(info.owner).table(info.request);
      if (!t || info.index < 0 || info.index >= int32_t(t->blocks.size()) ||
          !(t->blocks[info.index] == BlockRef{h, s})) {
        err << "instance " << h << " slot " << s << " leaked: owner "
            << info.owner << " request " << info.request << " index "
            << info.index << " does not point back";
        return err.str();
      }
    }
    if (used != pool.numUsed()) {
      err << "instance " << h << " free list disagrees with slot tags";
      return err.str();
    }
    if (foreign != holder.lent()) {
      err << "instance " << h << " lent counter " << holder.lent()
          << " but holds " << foreign << " foreign blocks";
      return err.str();
    }
  }
  for (InstanceId o = 0; o < n; ++o) {
    if (!c.alive(o))
      continue;
    RManager &owner = c.at(o);
    int32_t tpb = owner.config().tokensPerBlock;
    for (const auto &[id, t] : owner.tables()) {
      int64_t want = (t.tokens + tpb - 1) / tpb;
      if (int64_t(t.blocks.size()) != want) {
        err << "request " << id << " has " << t.blocks.size() << " blocks for "
            << t.tokens << " tokens";
        return err.str();
      }
      for (int32_t i = 0; i < int32_t(t.blocks.size()); ++i) {
        BlockRef b = t.blocks[i];
        if (b.lost())
          continue;
        if (b.holder < 0 || b.holder >= n || !c.alive(b.holder)) {
          err << "request " << id << " block " << i
              << " points at dead or no instance " << b.holder;
          return err.str();
        }
        const BlockPool &pool = c.at(b.holder).pool();
        if (b.slot < 0 || b.slot >= pool.capacity()) {
          err << "request " << id << " block " << i << " bad slot";
          return err.str();
        }
        const SlotInfo &info = pool.info(b.slot);
        if (info.owner != o || info.request != id || info.index != i) {
          err << "request " << id << " block " << i << " at (" << b.holder
              << "," << b.slot << ") but the slot says owner " << info.owner
              << " request " << info.request << " index " << info.index;
          return err.str();
        }
        if (b.holder != o)
          ++truth[size_t(o) * n + b.holder];
      }
    }
  }
  GManager &g = c.gmanager();
  for (InstanceId d = 0; d < n; ++d)
    for (InstanceId k = 0; k < n; ++k)
      if (g.ledger(d, k) != truth[size_t(d) * n + k]) {
        err << "ledger(" << d << "," << k << ") = " << g.ledger(d, k)
            << " but ground truth is " << truth[size_t(d) * n + k];
        return err.str();
      }
  return "";
}

} // namespace distattn::rblock::test

#endif // DISTATTN_TEST_RBLOCK_INVARIANTS_H
