//===- DecodeOverlapBench.cpp - Remote/local overlap of decode over MPI ---===//
//
// Measures what overlapping the remote part of a decode with the local part
// is worth: rank 0 owns a request whose rBlocks sit half in its own pool and
// half borrowed from rank 1; each decode step ships the query to rank 1,
// which attends to its blocks (host reference kernel) while rank 0 attends
// to its own, then merges. The same step with the reply awaited before the
// local part is the baseline. Prints a table (milliseconds per step, median
// of the runs) and checks the two give the same output.
//
//   mpirun -np 2 rblock-decode-bench [tokens-per-rank...]
//
// Timings on a shared or oversubscribed host are not meaningful: each rank
// needs a core (the MPI transport waits by polling).
//
//===----------------------------------------------------------------------===//
#include "distattn/rblock/Decode.h"
#include "distattn/rblock/GManager.h"
#include "distattn/rblock/MpiTransport.h"
#include "distattn/rblock/RManager.h"
#include "distattn/reference.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using namespace distattn;
using namespace distattn::rblock;

namespace {

double medianMs(std::vector<double> times) {
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// One configuration: `blocks` blocks per rank. Rank 0 drives; rank 1 lends
/// and serves. Returns false on a failure (rank 0).
bool run(RManager &self, const KvLayout &layout, int32_t blocks,
         RequestId request) {
  int64_t tokens = int64_t(2 * blocks) * layout.tokensPerBlock;
  // A filler request takes the owner's other slots, so that the request
  // finds `blocks` free at home and borrows as many from rank 1.
  int32_t spare = self.pool().numFree() - blocks;
  RequestId filler = request + 1000;
  if (spare > 0 &&
      self.allocate(filler, int64_t(spare) * layout.tokensPerBlock) !=
          Status::Ok)
    return false;
  if (self.allocate(request, tokens) != Status::Ok) {
    std::fprintf(stderr, "allocate %lld tokens failed\n", (long long)tokens);
    return false;
  }
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> block(layout.bytesPerBlock() / sizeof(float));
  for (int32_t b = 0; b < 2 * blocks; ++b) {
    for (float &x : block)
      x = dist(gen);
    if (self.writeBlock(request, b, block.data()) != Status::Ok)
      return false;
  }
  std::vector<float> query(size_t(layout.qHeads) * layout.headDim);
  for (float &x : query)
    x = dist(gen);
  float scale = float(defaultScale(layout.headDim));
  std::vector<float> out[2], lse[2];
  std::vector<double> times[2];
  const int runs = 9;
  for (int r = 0; r < runs + 1; ++r)
    for (int mode = 0; mode < 2; ++mode) {
      out[mode].assign(query.size(), 0.f);
      lse[mode].assign(size_t(layout.qHeads), 0.f);
      DecodeStats stats;
      auto start = std::chrono::steady_clock::now();
      Status s = decodeAcrossInstances(self, request, layout, query.data(),
                                       scale, out[mode].data(),
                                       lse[mode].data(), &stats, mode == 1);
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
      if (s != Status::Ok || stats.remoteQueries != 1) {
        std::fprintf(stderr, "decode failed (status %d, %d remote)\n", int(s),
                     stats.remoteQueries);
        return false;
      }
      if (r > 0) // the first round warms up
        times[mode].push_back(ms);
    }
  double diff = 0;
  for (size_t i = 0; i < out[0].size(); ++i)
    diff = std::max(diff, double(std::fabs(out[0][i] - out[1][i])));
  double serial = medianMs(times[0]), overlapped = medianMs(times[1]);
  std::printf("| %lld | %lld | %.2f | %.2f | %.2fx | %.1e |\n",
              (long long)(blocks * layout.tokensPerBlock),
              (long long)(blocks * layout.tokensPerBlock), serial, overlapped,
              serial / overlapped, diff);
  std::fflush(stdout);
  bool freed = self.free(request) == Status::Ok &&
               (spare <= 0 || self.free(filler) == Status::Ok);
  return freed && diff == 0;
}

} // namespace

namespace {
int bench(int argc, char **argv) {
  MpiTransport net;
  if (net.size() != 2) {
    if (net.rank() == 0)
      std::fprintf(stderr, "run with mpirun -np 2\n");
    return 2;
  }
  // Llama-3-8B attention: 32 query heads, 8 KV heads, head_dim 128; fp32
  // rBlocks of 256 tokens (2 MiB).
  KvLayout layout{32, 8, 128, 256};
  std::vector<int32_t> perRank = {1024, 4096, 16384};
  if (argc > 1) {
    perRank.clear();
    for (int i = 1; i < argc; ++i)
      perRank.push_back(std::atoi(argv[i]));
  }
  int32_t maxBlocks = 0;
  for (int32_t t : perRank)
    maxBlocks = std::max(maxBlocks, (t + layout.tokensPerBlock - 1) /
                                        layout.tokensPerBlock);
  RManagerConfig cfg;
  cfg.numSlots = maxBlocks;
  cfg.lendCap = maxBlocks;
  cfg.tokensPerBlock = layout.tokensPerBlock;
  cfg.bytesPerBlock = layout.bytesPerBlock();
  RManager self(net.rank(), cfg, net);
  net.attach(net.rank(), &self);
  if (net.rank() != 0) {
    if (self.heartbeat() != Status::Ok)
      return 1;
    net.serve();
    return 0;
  }
  GManager global(net.size(), net);
  net.attach(kGManagerId, &global);
  self.heartbeat();
  while (global.heartbeatsReceived() < uint64_t(net.size()))
    net.poll();
  std::printf("decode of one token, 32 q / 8 kv heads, head_dim 128, fp32 "
              "rBlocks of 256 tokens, host reference kernel; half the KV on "
              "the owner (rank 0), half borrowed from rank 1; median of 9 "
              "steps\n\n");
  std::printf("| local tokens | remote tokens | reply awaited first, ms | "
              "overlapped, ms | speedup | max out diff |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|\n");
  bool ok = true;
  RequestId request = 1;
  for (int32_t t : perRank) {
    int32_t blocks = (t + layout.tokensPerBlock - 1) / layout.tokensPerBlock;
    ok = run(self, layout, blocks, request++) && ok;
  }
  net.stopAll();
  return ok ? 0 : 1;
}
} // namespace

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = bench(argc, argv); // the transport is gone before MPI_Finalize
  MPI_Finalize();
  return rc;
}
