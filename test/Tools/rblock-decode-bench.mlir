// The decode benchmark's two modes (remote reply awaited first, remote part
// overlapped with the local one) give the same output over MPI; the timings
// are not checked here (bench/, docs/rblock.md).
// REQUIRES: mpi
// RUN: %mpirun -np 2 rblock-decode-bench 256 512 | FileCheck %s

// CHECK: | local tokens | remote tokens | reply awaited first, ms | overlapped, ms | speedup | max out diff |
// CHECK: | 256 | 256 | {{[0-9.]+}} | {{[0-9.]+}} | {{[0-9.]+}}x | 0.0e+00 |
// CHECK: | 512 | 512 | {{[0-9.]+}} | {{[0-9.]+}} | {{[0-9.]+}}x | 0.0e+00 |
