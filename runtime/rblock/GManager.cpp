//===- GManager.cpp - Global rBlock manager and DGFM ----------------------===//
#include "distattn/rblock/GManager.h"

#include <algorithm>
#include <deque>
#include <numeric>

namespace distattn::rblock {

GManager::GManager(int32_t numInstances, Transport &transport)
    : n(numInstances), net(transport), debts(size_t(n) * n, 0), lendable(n, 0),
      lastBeat(n, 0), live(n, true) {}

int64_t GManager::totalDebt() const {
  return std::accumulate(debts.begin(), debts.end(), int64_t(0));
}

Message GManager::handle(const Message &m) {
  if (m.src < 0 || m.src >= n || !live[m.src])
    return makeReply(m, Status::Unreachable);
  Message r = makeReply(m, Status::Ok);
  switch (m.kind) {
  case MsgKind::Heartbeat:
    lendable[m.src] = m.b;
    lastBeat[m.src] = clock;
    ++beats;
    return r;
  case MsgKind::FindCreditors:
    r.ints = creditorsFor(m.src);
    return r;
  case MsgKind::LedgerDelta: {
    InstanceId creditor = InstanceId(m.a);
    if (creditor < 0 || creditor >= n || !live[creditor])
      return makeReply(m, Status::Unreachable);
    debts[size_t(m.src) * n + creditor] += m.b;
    // Until the creditor's next heartbeat, move its lendable estimate with
    // the debt: blocks lent are gone, blocks released are back. A wrong
    // estimate only costs a refusal (or a creditor not asked).
    lendable[creditor] = std::max<int64_t>(0, lendable[creditor] - m.b);
    return r;
  }
  default:
    return makeReply(m, Status::BadSlot);
  }
}

std::vector<InstanceId> GManager::creditorsFor(InstanceId debtor) const {
  std::vector<InstanceId> ids;
  for (InstanceId i = 0; i < n; ++i)
    if (i != debtor && live[i] && lendable[i] > 0)
      ids.push_back(i);
  // Most lendable first: it is the likeliest to grant the whole request,
  // which keeps a request's remote blocks on few creditors.
  std::stable_sort(ids.begin(), ids.end(), [&](InstanceId a, InstanceId b) {
    return lendable[a] > lendable[b];
  });
  return ids;
}

std::vector<InstanceId> GManager::findCycle() const {
  // Breadth-first search from every instance for the shortest way back to
  // it; the shortest cycle overall touches the fewest instances.
  std::vector<InstanceId> best;
  for (InstanceId start = 0; start < n; ++start) {
    if (!live[start])
      continue;
    std::vector<InstanceId> parent(n, kNoInstance);
    std::vector<bool> seen(n, false);
    std::deque<InstanceId> queue{start};
    seen[start] = true;
    InstanceId closing = kNoInstance;
    while (!queue.empty() && closing == kNoInstance) {
      InstanceId u = queue.front();
      queue.pop_front();
      for (InstanceId v = 0; v < n; ++v) {
        if (debts[size_t(u) * n + v] <= 0 || !live[v])
          continue;
        if (v == start) {
          closing = u;
          break;
        }
        if (!seen[v]) {
          seen[v] = true;
          parent[v] = u;
          queue.push_back(v);
        }
      }
    }
    if (closing == kNoInstance)
      continue;
    std::vector<InstanceId> cycle;
    for (InstanceId v = closing; v != kNoInstance; v = parent[v])
      cycle.push_back(v);
    std::reverse(cycle.begin(), cycle.end()); // start ... closing
    if (best.empty() || cycle.size() < best.size())
      best = cycle;
  }
  return best;
}

DgfmStats GManager::runDgfm(int32_t maxCycles) {
  DgfmStats stats;
  while (stats.cycles < maxCycles) {
    std::vector<InstanceId> cycle = findCycle();
    if (cycle.empty())
      break;
    size_t len = cycle.size();
    auto next = [&](size_t i) { return cycle[(i + 1) % len]; };
    int64_t w = INT64_MAX;
    for (size_t i = 0; i < len; ++i)
      w = std::min(w, ledger(cycle[i], next(i)));

    auto send = [&](MsgKind kind, size_t i, int64_t b) {
      Message m;
      m.kind = kind;
      m.src = kGManagerId;
      m.a = next(i);
      m.b = b;
      return net.call(cycle[i], m);
    };
    // 1. Every debtor on the cycle copies w of its blocks off its creditor
    //    into staging and acknowledges.
    bool staged = true;
    for (size_t i = 0; i < len && staged; ++i) {
      Message r = send(MsgKind::DgfmStage, i, w);
      staged = r.status == Status::Ok && r.a == w;
    }
    if (!staged) {
      // Nothing has been freed yet: dropping the staged copies is enough.
      for (size_t i = 0; i < len; ++i)
        send(MsgKind::DgfmAbort, i, 0);
      break;
    }
    // 2. All copies are acknowledged: the old slots may be freed. Each
    //    instance now has w free slots, the ones its foreign blocks left.
    for (size_t i = 0; i < len; ++i)
      send(MsgKind::DgfmRelease, i, 0);
    // 3. Each instance installs its own staged blocks into those slots.
    for (size_t i = 0; i < len; ++i)
      send(MsgKind::DgfmInstall, i, 0);
    ++stats.cycles;
    stats.blocksMovedHome += w * int64_t(len);
  }
  return stats;
}

void GManager::declareFailed(InstanceId instance) {
  if (!live[instance])
    return;
  live[instance] = false;
  lendable[instance] = 0;
  for (InstanceId i = 0; i < n; ++i) {
    debts[size_t(instance) * n + i] = 0;
    debts[size_t(i) * n + instance] = 0;
  }
  // Everyone is told, not just the debtors in the ledger: an owner learns of
  // every block it lost even if a ledger update was in flight.
  for (InstanceId i = 0; i < n; ++i) {
    if (!live[i])
      continue;
    Message m;
    m.kind = MsgKind::InstanceFailed;
    m.src = kGManagerId;
    m.a = instance;
    net.call(i, m);
  }
}

void GManager::markAlive(InstanceId instance) {
  live[instance] = true;
  lendable[instance] = 0;
  lastBeat[instance] = clock;
}

std::vector<InstanceId> GManager::checkLiveness(int64_t now, int64_t timeout) {
  clock = now;
  std::vector<InstanceId> failed;
  for (InstanceId i = 0; i < n; ++i)
    if (live[i] && now - lastBeat[i] > timeout)
      failed.push_back(i);
  for (InstanceId i : failed)
    declareFailed(i);
  return failed;
}

} // namespace distattn::rblock
