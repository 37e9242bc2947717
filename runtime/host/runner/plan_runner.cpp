// A runner for emitted host plans (the lit tests and scripts/run.sh
// example use it; dattnc will generate one per bundle): every rank makes
// the same seeded inputs, runs the plan, and checks the whole output against
// the fp64 reference attention; prints each rank's relative error and exits
// 1 if any exceeds 1e-5. Compile with -DPLAN_CPP="file" -DPLAN_FN=name and
// the shape macros B HQ HKV S D CAUSAL, and SQ for a query of SQ tokens at
// the end of the S keys (decode; default S).
#include PLAN_CPP

#ifndef SQ
#define SQ S
#endif

#include <cmath>
#include <cstdio>
#include <random>

static distattn::host::Tensor randomTensor(std::vector<int64_t> shape,
                                           uint64_t seed) {
  distattn::host::Tensor t = distattn::host::filled(0.0f, shape);
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float &x : t.data)
    x = normal(gen);
  return t;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  auto q = randomTensor({B, HQ, SQ, D}, 1);
  auto k = randomTensor({B, HKV, S, D}, 2);
  auto v = randomTensor({B, HKV, S, D}, 3);
  distattn::host::Tensor out = PLAN_FN(q, k, v);

  std::vector<double> qd(q.data.begin(), q.data.end()),
      kd(k.data.begin(), k.data.end()), vd(v.data.begin(), v.data.end());
  std::vector<double> ref(size_t(B) * HQ * SQ * D), lse(size_t(B) * HQ * SQ);
  distattn::AttentionShape shape{B, HQ, HKV, SQ, S, D};
  distattn::MaskSpec mask{bool(CAUSAL), {S - SQ, 1}, {0, 1}};
  distattn::microAttention<double>(qd.data(), kd.data(), vd.data(), shape, mask,
                                   1.0 / std::sqrt(double(D)), ref.data(),
                                   lse.data());
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    num += (out.data[i] - ref[i]) * (out.data[i] - ref[i]);
    den += ref[i] * ref[i];
  }
  double error = out.data.size() == ref.size() ? std::sqrt(num / den) : 1.0;
  double worst = 0;
  MPI_Reduce(&error, &worst, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0)
    std::printf(
        "host plan on %d ranks: max rel_err %.3g (tol 1e-05): %s\n",
        [] {
          int n = 0;
          MPI_Comm_size(MPI_COMM_WORLD, &n);
          return n;
        }(),
        worst, worst <= 1e-5 ? "ok" : "MISMATCH");
  MPI_Finalize();
  return worst <= 1e-5 ? 0 : 1;
}
