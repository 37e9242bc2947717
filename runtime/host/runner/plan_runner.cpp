// A runner for emitted host plans (the lit tests of the host target use
// it): every rank makes the same seeded inputs, runs the plan, and checks the
// whole output against the fp64 reference attention; prints the worst
// relative error over the ranks and exits 1 if it exceeds 1e-5. Compile with
// -DPLAN_CPP="file" -DPLAN_FN=name and the shape macros B HQ HKV S D CAUSAL,
// and SQ for a query of SQ tokens at the end of the S keys (decode; default
// S). dattnc bundles have their own runner, over the C API.
#include PLAN_CPP

#include "distattn/host/runner_check.h"

#include <cstdio>
#include <string>

#ifndef SQ
#define SQ S
#endif

static distattn::host::Tensor randomTensor(std::vector<int64_t> shape,
                                           uint64_t seed) {
  distattn::host::Tensor t = distattn::host::filled(0.0f, shape);
  t.data = distattn::runner::randomValues(t.data.size(), seed);
  return t;
}

int main(int argc, char **argv) {
  // The reference check runs on threads that do not call MPI.
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  unsigned cores = distattn::runner::coresPerRank();
  int rank = 0, world = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  auto q = randomTensor({B, HQ, SQ, D}, 1);
  auto k = randomTensor({B, HKV, S, D}, 2);
  auto v = randomTensor({B, HKV, S, D}, 3);
  distattn::host::Tensor out = PLAN_FN(q, k, v);
  auto check = distattn::runner::checkOutput(
      out.data, q.data, k.data, v.data, {B, HQ, HKV, SQ, S, D}, CAUSAL, cores);
  auto summary = distattn::runner::reduceChecks(check, !check.passes(1e-5),
                                                MPI_COMM_WORLD);
  bool ok = summary.failedRanks == 0;
  if (rank == 0)
    std::printf("host plan on %d ranks: max rel_err %.3g (tol 1e-05)%s: %s\n",
                world, summary.worst,
                summary.nonFinite == 0
                    ? ""
                    : (", " + std::to_string(summary.nonFinite) +
                       " non-finite output value(s)")
                          .c_str(),
                ok ? "ok" : "MISMATCH");
  MPI_Finalize();
  return ok ? 0 : 1;
}
