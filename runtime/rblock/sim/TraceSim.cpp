//===- TraceSim.cpp - Trace simulator for the rBlock memory manager -------===//
//
// Replays a synthetic serving trace against the real rManagers and gManager
// (in-process transport, bookkeeping only: no KV bytes) and compares memory
// policies:
//   static         each request lives in its owner's pool (lend cap 0);
//   borrow         an owner short of memory borrows from creditors;
//   +cycles        each step DGFM cancels the debt graph's cycles;
//   +recall        an owner short of memory first recalls what it has lent
//                  (the debtors' blocks move home or to other creditors);
//   borrow+dgfm    both DGFM mechanisms;
//   +pullhome      owners also move borrowed blocks home as soon as their own
//                  pool has room (not DGFM proper; shown apart so the DGFM
//                  rows are DGFM's alone).
//
// Moves cost time: each committed block move (RManager::onMove) takes the
// block's bytes over the link between the two instances (NVLink inside a
// node, the inter-node link across, from the topology file) plus its
// latency, and the request it belongs to finishes that much later.
//
// Model: one instance per GPU; requests arrive as a Poisson process; each
// has a context of L tokens drawn log-uniformly from a mix's range (a long-tail
// stand-in for the datasets, not the datasets themselves) and G output tokens;
// it holds ceil((L + G) / tokensPerBlock) blocks from admission for
// L / prefillRate + G * timePerToken seconds. Admission is FIFO with a short
// lookahead; the owner is the instance with the most free blocks.
//
//===----------------------------------------------------------------------===//
#include "TopologyFile.h"
#include "distattn/rblock/Cluster.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

using namespace distattn::rblock;

namespace {

/// The cluster (a topology file, as the compiler reads it) and the model
/// whose KV it serves.
struct Topology {
  sim::ClusterTopology cluster;
  double weightsGb = 13.5, reserveGb = 6.5;
  double kvBytesPerToken = 524288; // Llama-2-7B, fp16: 2 * 32 layers * 4096 * 2
  int32_t instances() const { return cluster.instances(); }
  int64_t tokensPerInstance() const {
    double bytes =
        cluster.gpuMemoryGiB * double(1 << 30) - (weightsGb + reserveGb) * 1e9;
    return bytes > 0 ? int64_t(bytes / kvBytesPerToken) : 0;
  }
};

struct Mix {
  const char *name;
  int64_t minTokens, maxTokens;
  double arrivalsPerSecond;
};

/// A policy is borrowing on or off plus the DGFM mechanisms it runs.
struct Policy {
  const char *name;
  bool borrow, recall, cycles, pullHome;
};

const Policy kPolicies[] = {
    {"static", false, false, false, false},
    {"borrow", true, false, false, false},
    {"borrow+cycles", true, false, true, false},
    {"borrow+recall", true, true, false, false},
    {"borrow+dgfm", true, true, true, false},
    {"borrow+dgfm+pullhome", true, true, true, true},
};

struct SimConfig {
  Topology topo;
  int32_t tokensPerBlock = 256;
  double lendCapFraction = 0.5;
  double seconds = 3600;
  double prefillTokensPerSecond = 4000;
  double timePerOutputToken = 0.05;
  int32_t lookahead = 16;
  unsigned seed = 1;
};

struct Result {
  int64_t arrived = 0, admitted = 0, rejected = 0, completed = 0, queued = 0;
  int64_t longest = 0, maxContext = 0, admittedTokens = 0;
  double remoteFraction = 0, idleWhileWaiting = 0, meanWait = 0;
  int64_t recallMoves = 0, dgfmMoves = 0, pullHomeMoves = 0, dgfmCycles = 0;
  double movedGb = 0, interNodeGb = 0, moveStallSeconds = 0;
};

struct Request {
  RequestId id;
  int64_t context, output;
  double arrival, finish = 0;
  InstanceId owner = kNoInstance;
};

RManagerConfig managerConfig(const SimConfig &cfg, const Policy &p) {
  RManagerConfig m;
  m.tokensPerBlock = cfg.tokensPerBlock;
  m.numSlots = int32_t(cfg.topo.tokensPerInstance() / cfg.tokensPerBlock);
  m.lendCap = p.borrow ? int32_t(m.numSlots * cfg.lendCapFraction) : 0;
  return m;
}

/// Longest context one request can get on an empty cluster (binary search
/// over real allocations).
int64_t maxContext(const SimConfig &cfg, const Policy &p) {
  Cluster c(cfg.topo.instances(), managerConfig(cfg, p));
  int64_t lo = 0, hi = int64_t(cfg.topo.instances()) *
                       c.at(0).config().numSlots * cfg.tokensPerBlock;
  while (lo < hi) {
    int64_t mid = (lo + hi + 1) / 2;
    c.heartbeatAll();
    if (c.at(0).allocate(1, mid) == Status::Ok) {
      lo = mid;
      c.at(0).free(1);
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

Result simulate(const SimConfig &cfg, const Mix &mix, const Policy &policy) {
  RManagerConfig mc = managerConfig(cfg, policy);
  int32_t n = cfg.topo.instances();
  Cluster c(n, mc);
  std::mt19937_64 gen(cfg.seed);
  std::exponential_distribution<double> gap(mix.arrivalsPerSecond);
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int64_t> outputLen(16, 512);
  double logMin = std::log(double(mix.minTokens));
  double logMax = std::log(double(mix.maxTokens));

  Result res;
  res.maxContext = maxContext(cfg, policy);
  std::deque<Request> queue;
  std::vector<Request> running;
  double nextArrival = gap(gen), waitSum = 0;
  double remoteSum = 0, idleSum = 0;
  int64_t samples = 0, waitingSamples = 0;
  int64_t blocksTotal = int64_t(n) * mc.numSlots;
  RequestId nextId = 1;

  // Block moves delay their request by the copy's time on its link.
  double blockBytes = double(cfg.tokensPerBlock) * cfg.topo.kvBytesPerToken;
  std::map<RequestId, double> moveDelay;
  for (InstanceId i = 0; i < n; ++i)
    c.at(i).onMove = [&](RequestId request, InstanceId from, InstanceId to) {
      const sim::Link &link = cfg.topo.cluster.link(from, to);
      moveDelay[request] +=
          blockBytes / (link.gbPerSecond * 1e9) + link.latencySeconds;
      res.movedGb += blockBytes / 1e9;
      if (&link == &cfg.topo.cluster.interNode)
        res.interNodeGb += blockBytes / 1e9;
    };

  // One-second steps: arrivals of (t - 1, t] are admitted at t at earliest.
  for (double t = 1; t <= cfg.seconds; t += 1.0) {
    while (nextArrival <= t) {
      Request r;
      r.id = nextId++;
      r.context = int64_t(std::exp(logMin + unit(gen) * (logMax - logMin)));
      r.output = outputLen(gen);
      r.arrival = nextArrival;
      queue.push_back(r);
      ++res.arrived;
      nextArrival += gap(gen);
    }
    // Completions.
    for (auto it = running.begin(); it != running.end();) {
      if (it->finish <= t) {
        c.at(it->owner).free(it->id);
        ++res.completed;
        it = running.erase(it);
      } else {
        ++it;
      }
    }
    c.heartbeatAll();
    if (policy.pullHome) {
      for (InstanceId i = 0; i < n; ++i) {
        std::vector<RequestId> mine;
        for (const auto &[id, table] : c.at(i).tables())
          mine.push_back(id);
        for (RequestId id : mine)
          res.pullHomeMoves += c.at(i).pullHome(id, c.at(i).pool().numFree());
      }
      c.heartbeatAll();
    }
    // Admission: FIFO, giving up for this step after `lookahead` requests
    // in a row did not fit.
    int32_t misses = 0;
    for (auto it = queue.begin();
         it != queue.end() && misses < cfg.lookahead;) {
      int64_t tokens = it->context + it->output;
      if (tokens > res.maxContext) { // can never fit under this policy
        ++res.rejected;
        it = queue.erase(it);
        continue;
      }
      InstanceId owner = 0;
      for (InstanceId i = 1; i < n; ++i)
        if (c.at(i).pool().numFree() > c.at(owner).pool().numFree())
          owner = i;
      RManager &m = c.at(owner);
      int64_t need = (tokens + cfg.tokensPerBlock - 1) / cfg.tokensPerBlock;
      if (policy.recall && m.pool().numFree() < need && m.lent() > 0) {
        // The creditor needs its memory: take lent blocks back first.
        res.recallMoves += m.recall(
            int32_t(std::min<int64_t>(m.lent(), need - m.pool().numFree())));
        c.heartbeatAll();
      }
      if (m.allocate(it->id, tokens) == Status::Ok) {
        it->owner = owner;
        it->finish = t + double(it->context) / cfg.prefillTokensPerSecond +
                     double(it->output) * cfg.timePerOutputToken;
        waitSum += t - it->arrival;
        res.longest = std::max(res.longest, tokens);
        ++res.admitted;
        res.admittedTokens += tokens;
        misses = 0;
        running.push_back(*it);
        it = queue.erase(it);
        c.heartbeatAll();
      } else {
        ++misses;
        ++it;
      }
    }
    if (policy.cycles) {
      DgfmStats s = c.gmanager().runDgfm();
      res.dgfmMoves += s.blocksMovedHome;
      res.dgfmCycles += s.cycles;
    }
    // Charge this step's moves to their requests.
    for (Request &r : running) {
      auto it = moveDelay.find(r.id);
      if (it != moveDelay.end()) {
        r.finish += it->second;
        res.moveStallSeconds += it->second;
      }
    }
    moveDelay.clear();
    // Samples.
    int64_t used = 0;
    for (InstanceId i = 0; i < n; ++i)
      used += c.at(i).pool().numUsed();
    if (used > 0) {
      remoteSum += double(c.gmanager().totalDebt()) / double(used);
      ++samples;
    }
    if (!queue.empty()) {
      idleSum += double(blocksTotal - used) / double(blocksTotal);
      ++waitingSamples;
    }
  }
  res.queued = int64_t(queue.size());
  res.remoteFraction = samples ? remoteSum / samples : 0;
  res.idleWhileWaiting = waitingSamples ? idleSum / waitingSamples : 0;
  res.meanWait = res.admitted ? waitSum / res.admitted : 0;
  return res;
}

void usage() {
  std::printf(
      "usage: rblock-sim [--topology FILE] [--seconds S] [--seed N]\n"
      "                  [--block-tokens T] [--lend-cap F] [--mix NAME]\n"
      "                  [--kv-bytes-per-token B] [--weights-gb G]\n"
      "                  [--reserve-gb G]\n"
      "topology: a cluster file as the compiler reads it (default:\n"
      "  examples/topologies/a100-4x8.json); the model: KV bytes per token\n"
      "  (default 524288, Llama-2-7B in fp16), weights and reserved memory\n"
      "  per GPU in GB (defaults 13.5 and 6.5)\n"
      "mixes: chat, leval, lveval (default: all three)\n");
}

} // namespace

int main(int argc, char **argv) {
  SimConfig cfg;
  std::string only, topologyPath = DISTATTN_DEFAULT_SIM_TOPOLOGY;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char * {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--topology") {
      topologyPath = next();
    } else if (a == "--seconds") {
      cfg.seconds = std::atof(next());
    } else if (a == "--seed") {
      cfg.seed = unsigned(std::atoi(next()));
    } else if (a == "--block-tokens") {
      cfg.tokensPerBlock = std::atoi(next());
    } else if (a == "--lend-cap") {
      cfg.lendCapFraction = std::atof(next());
    } else if (a == "--mix") {
      only = next();
    } else if (a == "--kv-bytes-per-token") {
      cfg.topo.kvBytesPerToken = std::atof(next());
    } else if (a == "--weights-gb") {
      cfg.topo.weightsGb = std::atof(next());
    } else if (a == "--reserve-gb") {
      cfg.topo.reserveGb = std::atof(next());
    } else {
      usage();
      return a == "--help" ? 0 : 2;
    }
  }
  std::string error;
  if (!sim::readTopologyFile(topologyPath, cfg.topo.cluster, error)) {
    std::fprintf(stderr, "rblock-sim: %s\n", error.c_str());
    return 1;
  }
  if (cfg.topo.tokensPerInstance() < cfg.tokensPerBlock ||
      cfg.topo.kvBytesPerToken <= 0) {
    std::fprintf(stderr,
                 "rblock-sim: a GPU of %.0f GiB holding %.1f GB of weights and "
                 "%.1f GB reserved has no room for one rBlock of KV\n",
                 cfg.topo.cluster.gpuMemoryGiB, cfg.topo.weightsGb,
                 cfg.topo.reserveGb);
    return 1;
  }
  // Arrival rates put each mix near the cluster's memory capacity.
  const Mix mixes[] = {{"chat", 4, 2300, 250.0},
                       {"leval", 2700, 210000, 2.0},
                       {"lveval", 15000, 497000, 0.8}};
  int64_t perInstance = cfg.topo.tokensPerInstance();
  const sim::ClusterTopology &topo = cfg.topo.cluster;
  std::printf("cluster: %s, %d instances (%d nodes x %d), %lld KV tokens per "
              "instance, rBlock = %d tokens (%.0f MB), links %.0f GB/s inside "
              "a node and %.0f GB/s across, lend cap = %.0f%% of a pool, %.0f "
              "s simulated, seed %u\n\n",
              topo.name.c_str(), topo.instances(), topo.nodes, topo.gpusPerNode,
              (long long)perInstance, cfg.tokensPerBlock,
              cfg.tokensPerBlock * cfg.topo.kvBytesPerToken / 1e6,
              topo.intraNode.gbPerSecond, topo.interNode.gbPerSecond,
              cfg.lendCapFraction * 100, cfg.seconds, cfg.seed);
  std::printf("| mix | policy | arrived | admitted | admitted tokens (M) | "
              "rejected | completed | "
              "longest served | max context (x one instance) | remote blocks "
              "| idle memory while waiting | moves recall/dgfm/pullhome | "
              "dgfm cycles | moved GB (inter-node) | move stall s | mean wait "
              "s |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
              "|---:|---:|---:|\n");
  for (const Mix &mix : mixes) {
    if (!only.empty() && only != mix.name)
      continue;
    for (const Policy &p : kPolicies) {
      Result r = simulate(cfg, mix, p);
      std::printf(
          "| %s | %s | %lld | %lld | %.1f | %lld | %lld | %lld | %lld "
          "(%.1fx) | %.2f%% | %.1f%% | %lld/%lld/%lld | %lld | %.0f (%.0f) "
          "| %.1f | %.1f |\n",
          mix.name, p.name, (long long)r.arrived, (long long)r.admitted,
          double(r.admittedTokens) / 1e6, (long long)r.rejected,
          (long long)r.completed, (long long)r.longest, (long long)r.maxContext,
          double(r.maxContext) / double(perInstance), r.remoteFraction * 100,
          r.idleWhileWaiting * 100, (long long)r.recallMoves,
          (long long)r.dgfmMoves, (long long)r.pullHomeMoves,
          (long long)r.dgfmCycles, r.movedGb, r.interNodeGb, r.moveStallSeconds,
          r.meanWait);
      std::fflush(stdout);
    }
  }
  return 0;
}
