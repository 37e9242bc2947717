// A bundle builds with CMake and its runner calls the C API under mpirun:
// prefill on 4 ranks, two replicas of it on communicators split from 8,
// and decode from a model config on 3; every rank within 1e-5 of the
// reference. A communicator of the wrong size is refused with an error code.
// REQUIRES: mpi
// RUN: rm -rf %t.prefill && dattnc %s --ranks 4 -o %t.prefill > /dev/null 2>&1
// RUN: cmake -S %t.prefill -B %t.prefill/build -G Ninja > /dev/null && cmake --build %t.prefill/build > /dev/null
// RUN: %mpirun -np 4 %t.prefill/build/runner | FileCheck %s --check-prefix=PREFILL
// RUN: %mpirun -np 8 %t.prefill/build/runner --replicas 2 | FileCheck %s --check-prefix=REPLICAS
// RUN: not %mpirun -np 3 %t.prefill/build/runner 2>&1 | FileCheck %s --check-prefix=SIZE
// RUN: not %mpirun -np 8 %t.prefill/build/runner --replicas 3 2>&1 | FileCheck %s --check-prefix=DIVIDE
// RUN: rm -rf %t.decode && dattnc %S/Inputs/gqa-config.json --seq-len 300 --phase decode --ranks 3 -o %t.decode > /dev/null 2>&1
// RUN: cmake -S %t.decode -B %t.decode/build -G Ninja > /dev/null && cmake --build %t.decode/build > /dev/null
// RUN: %mpirun -np 3 %t.decode/build/runner | FileCheck %s --check-prefix=DECODE
// The sequence length at run time, up to the compiled one: prefill of 36, 20
// and 1 of 37 tokens; decode at 137 and 1 of 300 cached tokens; a
// non-causal plan (where the padded keys are not hidden by causality but by
// the run's length) at 23 of 37; a length past the compiled one refused.
// RUN: %mpirun -np 4 %t.prefill/build/runner --seq-len 36 | FileCheck %s --check-prefix=LEN36
// RUN: %mpirun -np 8 %t.prefill/build/runner --seq-len 20 --replicas 2 | FileCheck %s --check-prefix=LEN20
// RUN: %mpirun -np 4 %t.prefill/build/runner --seq-len 1 | FileCheck %s --check-prefix=LEN1
// RUN: %mpirun -np 3 %t.decode/build/runner --seq-len 137 | FileCheck %s --check-prefix=DECODE137
// RUN: %mpirun -np 3 %t.decode/build/runner --seq-len 1 | FileCheck %s --check-prefix=DECODE1
// RUN: not %mpirun -np 4 %t.prefill/build/runner --seq-len 38 2>&1 | FileCheck %s --check-prefix=TOOLONG
// RUN: rm -rf %t.full && dattnc %S/Inputs/full-prefill.mlir --ranks 2 --strategy zigzag -o %t.full > /dev/null 2>&1
// RUN: cmake -S %t.full -B %t.full/build -G Ninja > /dev/null && cmake --build %t.full/build > /dev/null
// RUN: %mpirun -np 2 %t.full/build/runner --seq-len 23 | FileCheck %s --check-prefix=FULL
// Head parallelism from the command line: 2 x 2 ranks.
// RUN: rm -rf %t.heads && dattnc %s --ranks 4 --strategy zigzag --head-parallel 2 -o %t.heads 2>&1 | FileCheck %s --check-prefix=HEADSPLAN
// RUN: cmake -S %t.heads -B %t.heads/build -G Ninja > /dev/null && cmake --build %t.heads/build > /dev/null
// RUN: %mpirun -np 4 %t.heads/build/runner | FileCheck %s --check-prefix=HEADS
// Multi-master decode: a batch of 4 requests, each rank masters 4/N of
// them (queries all-gathered, partial states all-to-all to the masters).
// RUN: rm -rf %t.masters && dattnc %S/Inputs/decode-batch4.mlir --phase decode --ranks 4 --masters -o %t.masters 2>&1 | FileCheck %s --check-prefix=MASTERSPLAN
// RUN: cmake -S %t.masters -B %t.masters/build -G Ninja > /dev/null && cmake --build %t.masters/build > /dev/null
// RUN: %mpirun -np 4 %t.masters/build/runner | FileCheck %s --check-prefix=MASTERS
// RUN: %mpirun -np 4 %t.masters/build/runner --seq-len 77 | FileCheck %s --check-prefix=MASTERS77
// RUN: rm -rf %t.masters2 && dattnc %S/Inputs/decode-batch4.mlir --phase decode --ranks 2 --masters -o %t.masters2 > /dev/null 2>&1
// RUN: cmake -S %t.masters2 -B %t.masters2/build -G Ninja > /dev/null && cmake --build %t.masters2/build > /dev/null
// RUN: %mpirun -np 2 %t.masters2/build/runner | FileCheck %s --check-prefix=MASTERS2
// 4 requests on 3 masters: padded to 6, the last master's two are empty.
// RUN: rm -rf %t.masters3 && dattnc %S/Inputs/decode-batch4.mlir --phase decode --ranks 3 --masters -o %t.masters3 > /dev/null 2>&1
// RUN: cmake -S %t.masters3 -B %t.masters3/build -G Ninja > /dev/null && cmake --build %t.masters3/build > /dev/null
// RUN: %mpirun -np 3 %t.masters3/build/runner | FileCheck %s --check-prefix=MASTERS3
// The hierarchical ring order: 2 x 2 ranks, inner rings of 2 (each axis's
// shifts on its own communicator), and at a run-time length that pads.
// RUN: rm -rf %t.hier && dattnc %s --ranks 4 --strategy striped --inner-ring 2 -o %t.hier 2>&1 | FileCheck %s --check-prefix=HIERPLAN
// RUN: cmake -S %t.hier -B %t.hier/build -G Ninja > /dev/null && cmake --build %t.hier/build > /dev/null
// RUN: %mpirun -np 4 %t.hier/build/runner | FileCheck %s --check-prefix=HIER
// RUN: %mpirun -np 4 %t.hier/build/runner --seq-len 30 | FileCheck %s --check-prefix=HIER30
// Runs longer than the compiled 37 tokens: plans of 74 and 100 tokens too
// (--max-seq-len 100), each run on the shortest that holds it.
// RUN: rm -rf %t.longer && dattnc %s --ranks 4 --strategy zigzag --max-seq-len 100 -o %t.longer > /dev/null 2>&1
// RUN: cmake -S %t.longer -B %t.longer/build -G Ninja > /dev/null && cmake --build %t.longer/build > /dev/null
// RUN: %mpirun -np 4 %t.longer/build/runner --seq-len 100 | FileCheck %s --check-prefix=LONG100
// RUN: %mpirun -np 4 %t.longer/build/runner --seq-len 74 | FileCheck %s --check-prefix=LONG74
// RUN: %mpirun -np 4 %t.longer/build/runner --seq-len 38 | FileCheck %s --check-prefix=LONG38
// RUN: %mpirun -np 4 %t.longer/build/runner --seq-len 75 | FileCheck %s --check-prefix=LONG75
// RUN: %mpirun -np 4 %t.longer/build/runner | FileCheck %s --check-prefix=LONG37
// RUN: %mpirun -np 4 %t.longer/build/runner --seq-len 9 | FileCheck %s --check-prefix=LONG9
// RUN: not %mpirun -np 4 %t.longer/build/runner --seq-len 101 2>&1 | FileCheck %s --check-prefix=LONGMAX
// Multi-master decode of 4 requests on 3 ranks, cached lengths up to 700
// (plans of 300, 600 and 700).
// RUN: rm -rf %t.longdec && dattnc %S/Inputs/decode-batch4.mlir --phase decode --ranks 3 --masters --max-seq-len 700 -o %t.longdec > /dev/null 2>&1
// RUN: cmake -S %t.longdec -B %t.longdec/build -G Ninja > /dev/null && cmake --build %t.longdec/build > /dev/null
// RUN: %mpirun -np 3 %t.longdec/build/runner --seq-len 700 | FileCheck %s --check-prefix=LONGDEC700
// RUN: %mpirun -np 3 %t.longdec/build/runner --seq-len 301 | FileCheck %s --check-prefix=LONGDEC301

// PREFILL: bundle: 1 replica(s) of the 4-rank plan on 4 ranks: max rel_err {{.*}} (tol 1e-05): ok
// REPLICAS: bundle: 2 replica(s) of the 4-rank plan on 8 ranks: max rel_err {{.*}} (tol 1e-05): ok
// SIZE: dattn_create: this plan runs on 4 ranks; the communicator has 3
// DIVIDE: runner: --replicas 3 does not divide the 8 ranks
// DECODE: bundle: 1 replica(s) of the 3-rank plan on 3 ranks: max rel_err {{.*}} (tol 1e-05): ok
// LEN36: bundle: 1 replica(s) of the 4-rank plan on 4 ranks, 36 tokens on the 37-token plan: max rel_err {{.*}} (tol 1e-05): ok
// LEN20: bundle: 2 replica(s) of the 4-rank plan on 8 ranks, 20 tokens on the 37-token plan: max rel_err {{.*}} (tol 1e-05): ok
// LEN1: bundle: 1 replica(s) of the 4-rank plan on 4 ranks, 1 token on the 37-token plan: max rel_err {{.*}} (tol 1e-05): ok
// DECODE137: bundle: 1 replica(s) of the 3-rank plan on 3 ranks, 137 tokens on the 300-token plan: max rel_err {{.*}} (tol 1e-05): ok
// DECODE1: bundle: 1 replica(s) of the 3-rank plan on 3 ranks, 1 token on the 300-token plan: max rel_err {{.*}} (tol 1e-05): ok
// TOOLONG: dattn_prefill: sequence length 38 is not in [1, 37] (dattnc --max-seq-len compiles longer plans)
// LONG100: bundle: 1 replica(s) of the 4-rank plan on 4 ranks, 100 tokens on the 100-token plan: max rel_err {{.*}} (tol 1e-05): ok
// LONG74: bundle: 1 replica(s) of the 4-rank plan on 4 ranks, 74 tokens on the 74-token plan: max rel_err {{.*}} (tol 1e-05): ok
// LONG38: bundle: 1 replica(s) of the 4-rank plan on 4 ranks, 38 tokens on the 74-token plan: max rel_err {{.*}} (tol 1e-05): ok
// LONG75: bundle: 1 replica(s) of the 4-rank plan on 4 ranks, 75 tokens on the 100-token plan: max rel_err {{.*}} (tol 1e-05): ok
// LONG37: bundle: 1 replica(s) of the 4-rank plan on 4 ranks: max rel_err {{.*}} (tol 1e-05): ok
// LONG9: bundle: 1 replica(s) of the 4-rank plan on 4 ranks, 9 tokens on the 37-token plan: max rel_err {{.*}} (tol 1e-05): ok
// LONGMAX: dattn_prefill: sequence length 101 is not in [1, 100] (dattnc --max-seq-len compiles longer plans)
// LONGDEC700: bundle: 1 replica(s) of the 3-rank plan on 3 ranks, 700 tokens on the 700-token plan: max rel_err {{.*}} (tol 1e-05): ok
// LONGDEC301: bundle: 1 replica(s) of the 3-rank plan on 3 ranks, 301 tokens on the 600-token plan: max rel_err {{.*}} (tol 1e-05): ok
// HEADSPLAN: == plan: dattn-plan-prefill{strategy=zigzag ranks=4 head-parallel=2},dattn-overlap,cse
// MASTERSPLAN: == plan: dattn-plan-decode{ranks=4 masters=true},dattn-overlap,cse
// MASTERS: bundle: 1 replica(s) of the 4-rank plan on 4 ranks: max rel_err {{.*}} (tol 1e-05): ok
// MASTERS3: bundle: 1 replica(s) of the 3-rank plan on 3 ranks: max rel_err {{.*}} (tol 1e-05): ok
// MASTERS77: bundle: 1 replica(s) of the 4-rank plan on 4 ranks, 77 tokens on the 300-token plan: max rel_err {{.*}} (tol 1e-05): ok
// MASTERS2: bundle: 1 replica(s) of the 2-rank plan on 2 ranks: max rel_err {{.*}} (tol 1e-05): ok
// HIERPLAN: == plan: dattn-plan-prefill{strategy=striped ranks=4 inner-ring=2},dattn-overlap,cse
// HIER: bundle: 1 replica(s) of the 4-rank plan on 4 ranks: max rel_err {{.*}} (tol 1e-05): ok
// HIER30: bundle: 1 replica(s) of the 4-rank plan on 4 ranks, 30 tokens on the 37-token plan: max rel_err {{.*}} (tol 1e-05): ok
// HEADS: bundle: 1 replica(s) of the 4-rank plan on 4 ranks: max rel_err {{.*}} (tol 1e-05): ok
// FULL: bundle: 1 replica(s) of the 2-rank plan on 2 ranks, 23 tokens on the 37-token plan: max rel_err {{.*}} (tol 1e-05): ok

func.func @prefill(%q: tensor<1x4x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x4x37x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x4x37x16xf32>
  return %o : tensor<1x4x37x16xf32>
}
