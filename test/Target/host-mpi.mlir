// Host plans run: every prefill strategy (and head-parallel) is planned, overlapped, lowered to EmitC, printed as C++, built
// with mpicxx against runtime/include/distattn/host/plan_runtime.h and run
// under mpirun on 2, 3 and 4 ranks; every rank's output must match the fp64
// reference attention within 1e-5 (the runner exits 1 otherwise).
// REQUIRES: mpi

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=2" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.1.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.1.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.1
// RUN: %mpirun -np 2 %t.1 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=3" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.2.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.2.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.2
// RUN: %mpirun -np 3 %t.2 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.3.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.3.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.3
// RUN: %mpirun -np 4 %t.3 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=2" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.4.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.4.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.4
// RUN: %mpirun -np 2 %t.4 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=3" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.5.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.5.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.5
// RUN: %mpirun -np 3 %t.5 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.6.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.6.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.6
// RUN: %mpirun -np 4 %t.6 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=2" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.7.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.7.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.7
// RUN: %mpirun -np 2 %t.7 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=3" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.8.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.8.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.8
// RUN: %mpirun -np 3 %t.8 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.9.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.9.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.9
// RUN: %mpirun -np 4 %t.9 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=2" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.10.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.10.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.10
// RUN: %mpirun -np 2 %t.10 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=3" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.11.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.11.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.11
// RUN: %mpirun -np 3 %t.11 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.12.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.12.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.12
// RUN: %mpirun -np 4 %t.12 | FileCheck %s

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=4 head-parallel=2" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp > %t.13.cpp
// RUN: %mpicxx -std=c++17 -O1 -I%runtime_include -DPLAN_CPP='"%t.13.cpp"' -DPLAN_FN=causal -DB=1 -DHQ=4 -DHKV=2 -DS=37 -DD=16 -DCAUSAL=1 %runtime_include/../host/runner/plan_runner.cpp -o %t.13
// RUN: %mpirun -np 4 %t.13 | FileCheck %s

// CHECK: host plan on {{[0-9]}} ranks: max rel_err {{.*}} (tol 1e-05): ok

func.func @causal(%q: tensor<1x4x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x4x37x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x4x37x16xf32>
  return %o : tensor<1x4x37x16xf32>
}

