// The runner of a dattnc bundle: calls the C API (attention.h) the way an
// application would, prints the call's time (the slowest rank's) and checks
// every rank's output against the fp64 reference attention (relative error
// within TOL: 1e-5 on the host target, whose kernels compute in fp32; 1e-2
// on the cuda target, whose inputs are rounded to bf16 or f16).
//
//   mpirun -np P runner                   the plan on MPI_COMM_WORLD
//   mpirun -np R*P runner --replicas R    R replicas side by side, each on a
//                                         communicator split from the world
//                                         and on its own inputs
//   runner --seq-len L                    a sequence of L tokens (1 <= L <=
//                                         the longest compiled length)
//                                         through dattn_create /
//                                         dattn_<phase>
//   runner --dump FILE                    also writes world rank 0's q, k, v
//                                         and output (float32, in that
//                                         order) to FILE, for other
//                                         references (PyTorch's, say)
//
// Exits 1 on a mismatch (an error past TOL, or any NaN or infinity in an
// output where the reference is finite, on any rank) or when the C API
// refuses, 2 on bad arguments.
//
// Test only: DATTN_RUNNER_POISON=<rank>:<nan|inf|-inf> overwrites the first
// output element of that world rank after the call, so that tests can show
// the check fails on a non-finite value on one rank. Not for applications.
// Replicas or a --seq-len go through dattn_create / dattn_<phase> (twice) /
// dattn_destroy, one replica of the compiled length through dattn_run.
// Compiled with the bundle's shape (B HQ HKV SQ S D CAUSAL), PLAN_RANKS and
// TOL.
#include "attention.h"
#include "distattn/bundle_io.h"
#include "distattn/host/runner_check.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

namespace {
/// DATTN_RUNNER_POISON's rank and value; false where it is set but malformed.
bool readPoison(int &rank, float &value) {
  rank = -1;
  const char *spec = std::getenv("DATTN_RUNNER_POISON");
  if (!spec)
    return true;
  char *end = nullptr;
  long parsed = std::strtol(spec, &end, 10);
  if (end == spec || *end != ':' || parsed < 0)
    return false;
  const std::string what = end + 1;
  if (what == "nan")
    value = std::numeric_limits<float>::quiet_NaN();
  else if (what == "inf")
    value = std::numeric_limits<float>::infinity();
  else if (what == "-inf")
    value = -std::numeric_limits<float>::infinity();
  else
    return false;
  rank = int(parsed);
  return true;
}
} // namespace

int main(int argc, char **argv) {
  // The reference check runs on threads that do not call MPI.
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  unsigned cores = distattn::runner::coresPerRank();
  int rank = 0, world = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  int replicas = 1;
  const char *dump = nullptr;
  long long seqLen = S;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--replicas") == 0 && i + 1 < argc) {
      replicas = std::atoi(argv[++i]);
      continue;
    }
    if (std::strcmp(argv[i], "--seq-len") == 0 && i + 1 < argc) {
      seqLen = std::atoll(argv[++i]);
      continue;
    }
    if (std::strcmp(argv[i], "--dump") == 0 && i + 1 < argc) {
      dump = argv[++i];
      continue;
    }
    if (rank == 0)
      std::fprintf(
          stderr, "usage: runner [--replicas R] [--seq-len L] [--dump FILE]\n");
    MPI_Finalize();
    return 2;
  }
  int poisonRank = -1;
  float poison = 0;
  if (!readPoison(poisonRank, poison)) {
    if (rank == 0)
      std::fprintf(stderr, "runner: DATTN_RUNNER_POISON must be "
                           "<rank>:<nan|inf|-inf>\n");
    MPI_Finalize();
    return 2;
  }
  if (replicas < 1 || world % replicas != 0) {
    if (rank == 0)
      std::fprintf(stderr,
                   "runner: --replicas %d does not divide the %d ranks\n",
                   replicas, world);
    MPI_Finalize();
    return 2;
  }

  // Replica r is world ranks [r * world/R, (r + 1) * world/R); its inputs
  // differ from the other replicas' so that crossed messages would show.
  int replica = rank / (world / replicas);
  MPI_Comm comm = MPI_COMM_WORLD;
  if (replicas > 1)
    MPI_Comm_split(MPI_COMM_WORLD, replica, rank, &comm);
  uint64_t seed = 3 * uint64_t(replica);
  // Prefill has a query per token; decode its last SQ tokens'.
  long long rows = distattn::bundle::queryRows(seqLen, S, SQ);
  auto q = distattn::runner::randomValues(size_t(B) * HQ * rows * D, seed + 1);
  auto k =
      distattn::runner::randomValues(size_t(B) * HKV * seqLen * D, seed + 2);
  auto v =
      distattn::runner::randomValues(size_t(B) * HKV * seqLen * D, seed + 3);
  std::vector<float> out(q.size());
  // One replica: the one-call API. Several: each binds its communicator
  // once and runs twice (the second output is the one checked).
  // Time: the one call (setup included), or the second run (excluded).
  int status = 0;
  double seconds = 0;
  bool warm = !(replicas == 1 && seqLen == S);
  if (!warm) {
    double start = MPI_Wtime();
    status = dattn_run(q.data(), k.data(), v.data(), out.data());
    seconds = MPI_Wtime() - start;
  } else {
    dattn_plan *plan = nullptr;
    status = dattn_create(comm, &plan);
    for (int run = 0; run < 2 && status == 0; ++run) {
      double start = MPI_Wtime();
      status =
          DATTN_PHASE(plan, seqLen, q.data(), k.data(), v.data(), out.data());
      seconds = MPI_Wtime() - start;
    }
    if (plan)
      dattn_destroy(plan);
  }
  if (rank == poisonRank && status == 0 && !out.empty())
    out[0] = poison;
  distattn::runner::OutputCheck check;
  if (status == 0)
    check = distattn::runner::checkOutput(
        out, q, k, v, {B, HQ, HKV, rows, seqLen, D}, CAUSAL, cores);
  if (dump && rank == 0 && status == 0) {
    FILE *file = std::fopen(dump, "wb");
    bool written = file != nullptr;
    for (const std::vector<float> *x : {&q, &k, &v, &out})
      written = written && std::fwrite(x->data(), sizeof(float), x->size(),
                                       file) == x->size();
    if (file)
      std::fclose(file);
    if (!written)
      std::fprintf(stderr, "runner: cannot write '%s'\n", dump);
  }
  distattn::runner::CheckSummary summary = distattn::runner::reduceChecks(
      check, status != 0 || !check.passes(TOL), MPI_COMM_WORLD);
  double slowest = 0;
  MPI_Reduce(&seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  bool ok = summary.failedRanks == 0;
  std::string nonFinite = summary.nonFinite == 0
                              ? ""
                              : ", " + std::to_string(summary.nonFinite) +
                                    " non-finite output value(s)";
  if (rank == 0 && status == 0)
    std::printf("bundle: %d replica(s) of the %d-rank plan on %d ranks%s: max "
                "rel_err %.3g (tol %.0e)%s: %s; %.3g ms (slowest rank, %s)\n",
                replicas, PLAN_RANKS, world,
                seqLen == S
                    ? ""
                    : (", " + std::to_string(seqLen) +
                       (seqLen == 1 ? " token" : " tokens") + " on the " +
                       std::to_string(dattn_plan_length(seqLen)) +
                       "-token plan")
                          .c_str(),
                summary.worst, TOL, nonFinite.c_str(), ok ? "ok" : "MISMATCH",
                slowest * 1e3, warm ? "second run" : "setup included");
  if (comm != MPI_COMM_WORLD)
    MPI_Comm_free(&comm);
  MPI_Finalize();
  return ok ? 0 : 1;
}
