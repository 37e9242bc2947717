// A bundle's runner fails when any rank's output holds a NaN or an infinity
// where the reference is finite, whichever rank it is on: the ranks' checks
// are reduced as counts of failures and of non-finite values, not as a max
// of errors (MPI_MAX keeps or drops a NaN depending on where it meets it).
// The values come from the runner's test-only DATTN_RUNNER_POISON, which
// overwrites the first output element of one world rank after the call.
// REQUIRES: mpi
// RUN: rm -rf %t.bundle && dattnc %s --ranks 3 -o %t.bundle > /dev/null 2>&1
// RUN: cmake -S %t.bundle -B %t.bundle/build -G Ninja > /dev/null && cmake --build %t.bundle/build > /dev/null
// RUN: %mpirun -np 3 %t.bundle/build/runner 2>&1 | FileCheck %s --check-prefix=CLEAN
// RUN: env DATTN_RUNNER_POISON=1:nan not %mpirun -np 3 %t.bundle/build/runner 2>&1 | FileCheck %s --check-prefix=NAN1
// RUN: env DATTN_RUNNER_POISON=0:nan not %mpirun -np 3 %t.bundle/build/runner 2>&1 | FileCheck %s --check-prefix=NAN0
// RUN: env DATTN_RUNNER_POISON=2:nan not %mpirun -np 3 %t.bundle/build/runner 2>&1 | FileCheck %s --check-prefix=NAN2
// RUN: env DATTN_RUNNER_POISON=2:inf not %mpirun -np 3 %t.bundle/build/runner 2>&1 | FileCheck %s --check-prefix=INF
// RUN: env DATTN_RUNNER_POISON=1:-inf not %mpirun -np 3 %t.bundle/build/runner --seq-len 20 2>&1 | FileCheck %s --check-prefix=MINF
// RUN: env DATTN_RUNNER_POISON=1:zero not %mpirun -np 3 %t.bundle/build/runner 2>&1 | FileCheck %s --check-prefix=BADSPEC

// CLEAN-NOT: non-finite
// CLEAN: bundle: 1 replica(s) of the 3-rank plan on 3 ranks: max rel_err {{.*}} (tol 1e-05): ok

// NAN1-DAG: runner: rank 1: 1 non-finite output value(s) where the reference differs, the first at element 0: nan (reference {{.+}})
// NAN1-DAG: bundle: 1 replica(s) of the 3-rank plan on 3 ranks: max rel_err {{.*}} (tol 1e-05), 1 non-finite output value(s): MISMATCH
// NAN0-DAG: runner: rank 0: 1 non-finite output value(s) where the reference differs, the first at element 0: nan (reference {{.+}})
// NAN0-DAG: bundle: 1 replica(s) of the 3-rank plan on 3 ranks: max rel_err {{.*}} (tol 1e-05), 1 non-finite output value(s): MISMATCH
// NAN2-DAG: runner: rank 2: 1 non-finite output value(s) where the reference differs, the first at element 0: nan (reference {{.+}})
// NAN2-DAG: bundle: 1 replica(s) of the 3-rank plan on 3 ranks: max rel_err {{.*}} (tol 1e-05), 1 non-finite output value(s): MISMATCH
// INF-DAG: runner: rank 2: 1 non-finite output value(s) where the reference differs, the first at element 0: inf (reference {{.+}})
// INF-DAG: bundle: 1 replica(s) of the 3-rank plan on 3 ranks: max rel_err {{.*}} (tol 1e-05), 1 non-finite output value(s): MISMATCH
// MINF-DAG: runner: rank 1: 1 non-finite output value(s) where the reference differs, the first at element 0: -inf (reference {{.+}})
// MINF-DAG: bundle: 1 replica(s) of the 3-rank plan on 3 ranks, 20 tokens on the 37-token plan: max rel_err {{.*}} (tol 1e-05), 1 non-finite output value(s): MISMATCH
// BADSPEC: runner: DATTN_RUNNER_POISON must be <rank>:<nan|inf|-inf>

func.func @prefill(%q: tensor<1x4x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x4x37x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x4x37x16xf32>
  return %o : tensor<1x4x37x16xf32>
}
