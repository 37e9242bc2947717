//===- AllocBench.cpp - rBlock allocate/free and borrow round trips -------===//
//
// One thread, host memory. Prints a table:
//  * pool allocate/free: the raw slot bookkeeping a decode step pays per
//    block (each allocate and each free counts as one operation);
//  * rManager allocate/free of whole requests from the local pool;
//  * a borrow round trip: a request that needs one remote block (gManager
//    query, Lend, ledger update) and its free (Release, ledger update), over
//    the in-process transport with the wire codec.
//
// Under `mpirun -np 2` (built with MPI) it measures instead the borrow round
// trip between two processes: rank 0 (full pool, gManager) borrows one block
// from rank 1 and frees it (two MPI round trips), and a bare request/reply.
//
//===----------------------------------------------------------------------===//
#include "distattn/rblock/Cluster.h"

#ifdef DISTATTN_RBLOCK_HAVE_MPI
#include "distattn/rblock/MpiTransport.h"
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

using namespace distattn::rblock;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void row(const char *name, double ops, double secs, const char *unit) {
  std::printf("| %-44s | %12.0f | %10.3f | %12.2f %-12s |\n", name, ops, secs,
              ops / secs / 1e6, unit);
}

#ifdef DISTATTN_RBLOCK_HAVE_MPI
int mpiMain(int argc, char **argv, int64_t scale) {
  MPI_Init(&argc, &argv);
  int rc = 0;
  {
    MpiTransport net;
    RManagerConfig cfg;
    cfg.numSlots = 64;
    cfg.lendCap = 32;
    RManager self(net.rank(), cfg, net);
    net.attach(net.rank(), &self);
    if (net.rank() != 0) {
      self.heartbeat();
      net.serve();
    } else if (net.size() != 2) {
      std::fprintf(stderr, "run with mpirun -np 2\n");
      net.stopAll();
      rc = 2;
    } else {
      GManager global(net.size(), net);
      net.attach(kGManagerId, &global);
      self.heartbeat();
      while (global.heartbeatsReceived() < 2)
        net.poll();
      self.allocate(0, 64 * 16); // fill rank 0: every later block is remote
      int64_t trips = 20000 * scale;
      auto t0 = Clock::now();
      for (int64_t r = 1; r <= trips; ++r) {
        Status st = self.allocate(r, 16);
        if (st != Status::Ok) {
          std::fprintf(stderr, "borrow %lld failed: %s, creditors %zu\n",
                       (long long)r, statusName(st),
                       global.creditorsFor(0).size());
          rc = 1;
          break;
        }
        self.free(r);
        if (r % 16 == 0)
          self.heartbeat();
      }
      auto t1 = Clock::now();
      Message ping;
      ping.kind = MsgKind::ReadBlocks; // no slots: a bare request/reply
      ping.src = 0;
      auto t2 = Clock::now();
      for (int64_t r = 0; r < trips; ++r)
        net.call(1, ping);
      auto t3 = Clock::now();
      std::printf("| %-44s | %12s | %10s | %25s |\n",
                  "benchmark (MPI, 2 ranks)", "operations", "seconds",
                  "latency");
      std::printf("|%s|%s|%s|%s|\n", std::string(46, '-').c_str(),
                  std::string(14, '-').c_str(), std::string(12, '-').c_str(),
                  std::string(27, '-').c_str());
      double borrow = seconds(t0, t1), bare = seconds(t2, t3);
      std::printf("| %-44s | %12lld | %10.3f | %22.2f us |\n",
                  "borrow 1 remote block + free it", (long long)trips, borrow,
                  borrow / double(trips) * 1e6);
      std::printf("| %-44s | %12lld | %10.3f | %22.2f us |\n",
                  "bare request/reply", (long long)trips, bare,
                  bare / double(trips) * 1e6);
      net.stopAll();
    }
  }
  MPI_Finalize();
  return rc;
}
#endif

} // namespace

int main(int argc, char **argv) {
  int64_t scale = argc > 1 ? std::atoll(argv[1]) : 1;
#ifdef DISTATTN_RBLOCK_HAVE_MPI
  if (std::getenv("OMPI_COMM_WORLD_SIZE"))
    return mpiMain(argc, argv, scale);
#endif
  std::printf("| %-44s | %12s | %10s | %25s |\n", "benchmark", "operations",
              "seconds", "rate");
  std::printf("|%s|%s|%s|%s|\n", std::string(46, '-').c_str(),
              std::string(14, '-').c_str(), std::string(12, '-').c_str(),
              std::string(27, '-').c_str());
  volatile int64_t sink = 0;

  // Chunks of 8 slots (a 2 MiB large page of 256 KiB blocks), each block
  // placed after the request's previous one, as the rManager does.
  { // Steady state: allocate a batch of blocks, free them, repeat.
    BlockPool pool(8192, nullptr, -1, 8);
    const int32_t batch = 256;
    int64_t rounds = 200000 * scale;
    std::vector<SlotId> held(batch);
    auto t0 = Clock::now();
    for (int64_t r = 0; r < rounds; ++r) {
      for (int32_t i = 0; i < batch; ++i)
        held[i] = pool.allocate(0, r, i, i ? held[i - 1] : kNoSlot);
      for (int32_t i = 0; i < batch; ++i)
        pool.release(held[i]);
    }
    auto t1 = Clock::now();
    sink = sink + pool.numFree();
    row("pool allocate/free, batches of 256", double(rounds) * batch * 2,
        seconds(t0, t1), "Mops/s");
  }

  { // Random interleaving around a half-full pool.
    BlockPool pool(8192, nullptr, -1, 8);
    std::vector<SlotId> held;
    held.reserve(8192);
    std::mt19937 gen(1);
    std::vector<uint8_t> coin(1 << 20);
    for (auto &c : coin)
      c = gen() & 1;
    int64_t ops = 50000000 * scale;
    auto t0 = Clock::now();
    for (int64_t n = 0; n < ops; ++n) {
      bool alloc = held.size() < 2048 ||
                   (held.size() < 6144 && coin[n & (coin.size() - 1)]);
      if (alloc) {
        held.push_back(
            pool.allocate(0, n, 0, held.empty() ? kNoSlot : held.back()));
      } else {
        pool.release(held.back());
        held.pop_back();
      }
    }
    auto t1 = Clock::now();
    sink = sink + pool.numFree();
    row("pool allocate/free, random interleaving", double(ops), seconds(t0, t1),
        "Mops/s");
  }

  { // Whole requests through the rManager, local pool only.
    InProcessTransport net;
    RManagerConfig cfg;
    cfg.numSlots = 8192;
    cfg.chunkSlots = 8;
    RManager m(0, cfg, net);
    int64_t requests = 200000 * scale;
    const int64_t tokens = 16 * 64; // 64 blocks each
    auto t0 = Clock::now();
    for (int64_t r = 0; r < requests; ++r) {
      m.allocate(r, tokens);
      m.free(r);
    }
    auto t1 = Clock::now();
    row("rManager allocate+free, 64-block requests", double(requests) * 64 * 2,
        seconds(t0, t1), "Mblock-ops/s");
  }

  { // Borrow round trips.
    RManagerConfig cfg;
    cfg.numSlots = 64;
    cfg.lendCap = 32;
    Cluster c(4, cfg);
    c.at(0).allocate(0, 64 * 16); // fill instance 0
    int64_t trips = 100000 * scale;
    auto t0 = Clock::now();
    for (int64_t r = 1; r <= trips; ++r) {
      c.at(0).allocate(r, 16);
      c.at(0).free(r);
      if (r % 16 == 0)
        c.heartbeatAll();
    }
    auto t1 = Clock::now();
    sink = sink + int64_t(c.transport().messages);
    double secs = seconds(t0, t1);
    row("borrow+release round trips (in-process)", double(trips), secs, "M/s");
    std::printf("\nborrow round trip: %.2f us (allocate 1 remote block + free "
                "it, %.1f messages each)\n",
                secs / double(trips) * 1e6,
                double(c.transport().messages) / double(trips));
  }
  return sink == -1;
}
