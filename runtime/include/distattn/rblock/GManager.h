//===- GManager.h - Global rBlock manager and DGFM --------------*- C++ -*-===//
//
// The gManager learns every instance's free capacity from heartbeats, keeps
// the global debt ledger (ledger(d, c): blocks of debtor d's requests stored
// on creditor c), proposes creditors to borrowers, and runs DGFM:
//
//  * cycle cancellation: in the debt graph (edge d -> c when ledger(d, c) >
//    0) a cycle means every instance on it both lends and borrows. Taking w
//    blocks (the smallest debt on the cycle) home on every edge swaps foreign
//    KV for own KV: remote blocks drop by w per edge, nobody's memory use
//    changes. The swap is staged (copy all, acknowledge, release, install) so
//    no slot is freed before its block's copy is acknowledged.
//  * failure: an instance that stopped heartbeating is declared failed; every
//    live instance is told, owners mark the blocks it held as lost, creditors
//    free what they held for it, and its ledger row and column are dropped.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_GMANAGER_H
#define DISTATTN_RBLOCK_GMANAGER_H

#include "distattn/rblock/Transport.h"

#include <vector>

namespace distattn::rblock {

struct DgfmStats {
  int32_t cycles = 0;
  int64_t blocksMovedHome = 0;
};

class GManager final : public Endpoint {
public:
  GManager(int32_t numInstances, Transport &transport);

  Message handle(const Message &m) override;

  /// Creditors for `debtor`, most lendable capacity first.
  std::vector<InstanceId> creditorsFor(InstanceId debtor) const;

  /// Cancels debt cycles until none is left or `maxCycles` were cancelled.
  DgfmStats runDgfm(int32_t maxCycles = 1 << 30);
  /// A shortest-first cycle in the debt graph, as instances [i0, i1, ...]
  /// with edges i0 -> i1 -> ... -> i0; empty when the graph is acyclic.
  std::vector<InstanceId> findCycle() const;

  /// Declares `instance` failed and tells every live instance.
  void declareFailed(InstanceId instance);
  /// A restarted instance joins again with an empty pool.
  void markAlive(InstanceId instance);
  /// Declares failed every live instance whose last heartbeat is older than
  /// `timeout` ticks at time `now`. Returns the instances declared failed.
  std::vector<InstanceId> checkLiveness(int64_t now, int64_t timeout);
  void setClock(int64_t now) { clock = now; }

  int64_t ledger(InstanceId debtor, InstanceId creditor) const {
    return debts[debtor * n + creditor];
  }
  int64_t totalDebt() const;
  bool alive(InstanceId i) const { return live[i]; }
  uint64_t heartbeatsReceived() const { return beats; }
  int32_t numInstances() const { return n; }

private:
  int32_t n;
  Transport &net;
  std::vector<int64_t> debts; // n x n
  std::vector<int64_t> lendable;
  std::vector<int64_t> lastBeat;
  std::vector<bool> live;
  int64_t clock = 0;
  uint64_t beats = 0;
};

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_GMANAGER_H
