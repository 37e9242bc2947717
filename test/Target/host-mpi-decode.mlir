// Host plans run: KV-parallel decode (one query token at the end of 37
// cached keys) planned for 2, 3 and 4 ranks, lowered to EmitC, printed as
// C++, built with mpicxx and run under mpirun; every rank must match the
// fp64 reference within 1e-5.
// REQUIRES: mpi

// RUN: dattn-opt %s --dattn-plan-decode=ranks=2 --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.101.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.101.cpp"' -DPLAN_FN=decode -DB=1 -DHQ=8 -DHKV=2 -DSQ=1 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.101
// RUN: %mpirun -np 2 %t.101 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-decode=ranks=3 --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.102.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.102.cpp"' -DPLAN_FN=decode -DB=1 -DHQ=8 -DHKV=2 -DSQ=1 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.102
// RUN: %mpirun -np 3 %t.102 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-decode=ranks=4 --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.103.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.103.cpp"' -DPLAN_FN=decode -DB=1 -DHQ=8 -DHKV=2 -DSQ=1 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.103
// RUN: %mpirun -np 4 %t.103 | FileCheck %s

// CHECK: host plan on {{[0-9]}} ranks: max rel_err {{.*}} (tol 1e-05): ok

func.func @decode(%q: tensor<1x8x1x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x8x1x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<1x8x1x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}
