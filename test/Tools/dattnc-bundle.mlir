// A bundle builds with CMake and runs under mpirun: prefill on 4 ranks, and
// decode from a model config on 3; every rank within 1e-5 of the reference.
// REQUIRES: mpi
// RUN: rm -rf %t.prefill && dattnc %s --ranks 4 -o %t.prefill > /dev/null 2>&1
// RUN: cmake -S %t.prefill -B %t.prefill/build -G Ninja > /dev/null && cmake --build %t.prefill/build > /dev/null
// RUN: %mpirun -np 4 %t.prefill/build/runner | FileCheck %s --check-prefix=PREFILL
// RUN: rm -rf %t.decode && dattnc %S/Inputs/gqa-config.json --seq-len 300 --phase decode --ranks 3 -o %t.decode > /dev/null 2>&1
// RUN: cmake -S %t.decode -B %t.decode/build -G Ninja > /dev/null && cmake --build %t.decode/build > /dev/null
// RUN: %mpirun -np 3 %t.decode/build/runner | FileCheck %s --check-prefix=DECODE

// PREFILL: host plan on 4 ranks: max rel_err {{.*}} (tol 1e-05): ok
// DECODE: host plan on 3 ranks: max rel_err {{.*}} (tol 1e-05): ok

func.func @prefill(%q: tensor<1x4x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x4x37x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x4x37x16xf32>
  return %o : tensor<1x4x37x16xf32>
}
