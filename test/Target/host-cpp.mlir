// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp | FileCheck %s
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=2" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp | FileCheck %s --check-prefix=GATHER

// The C++ of a zigzag plan: one statement per op, the ring as a for loop
// whose steps pass the four K/V chunks on (nonblocking MPI posted at the
// top of the step, completed after its four tiles) and compute four tiles,
// the last step peeled.
// CHECK: #include "distattn/host/plan_runtime.h"
// CHECK: distattn::host::Tensor zigzag(distattn::host::Tensor [[Q:v[0-9]+]], distattn::host::Tensor [[K:v[0-9]+]], distattn::host::Tensor [[V:v[0-9]+]]) {
// Each plan step starts with a comment.
// CHECK: // this rank's place on the grid
// CHECK-NEXT: size_t [[R:v[0-9]+]] = distattn::host::linear_index(4);
// CHECK: // ring steps: each attends to the K/V blocks at hand while they move on to the next rank
// CHECK: for (size_t [[T:i[0-9]+]] = {{v[0-9]+}}; [[T]] < {{v[0-9]+}}; [[T]] += {{v[0-9]+}}) {
// CHECK: distattn::host::Transfer [[T:v[0-9]+]] = distattn::host::prepare_shift([[KB:v[0-9]+]], 0, 1, true, 4);
// CHECK-NEXT: // send to the rank 1 ahead on grid axis 0, receive from the one behind (a ring), nonblocking
// CHECK-NEXT: MPI_Irecv([[T]].data(), [[T]].count(), MPI_FLOAT, [[T]].from(), [[T]].tag(), [[T]].comm(), &[[T]].requests()[0]);
// CHECK-NEXT: MPI_Isend([[T]].source(), [[T]].count(), MPI_FLOAT, [[T]].to(), [[T]].tag(), [[T]].comm(), &[[T]].requests()[1]);
// CHECK-COUNT-3: = distattn::host::prepare_shift({{v[0-9]+}}, 0, 1, true, 4);
// CHECK-NOT: MPI_Waitall
// CHECK: size_t {{v[0-9]+}} = {{v[0-9]+}} % {{v[0-9]+}};
// CHECK-NOT: MPI_Waitall
// CHECK-COUNT-4: distattn::host::State {{v[0-9]+}} = distattn::host::micro_attention(
// CHECK: MPI_Waitall(2, [[T]].requests(), MPI_STATUSES_IGNORE);
// CHECK-NEXT: distattn::host::Tensor {{v[0-9]+}} = distattn::host::received([[T]]);
// CHECK: }
// CHECK-NOT: prepare_shift
// CHECK: // the last ring step, peeled: nothing is sent after it
// CHECK-COUNT-4: distattn::host::State {{v[0-9]+}} = distattn::host::micro_attention(
// CHECK-NEXT: distattn::host::merge(
// CHECK: // assemble the output: every rank adds its rows (zeros elsewhere)
// CHECK-NEXT: = distattn::host::all_reduce_sum({{v[0-9]+}}, 4);
// CHECK: return
// The all-gather plan gathers the next KV head with MPI_Iallgather while
// the current one computes.
// GATHER: for (size_t
// GATHER: distattn::host::Transfer [[T:v[0-9]+]] = distattn::host::prepare_all_gather({{v[0-9]+}}, 2, 0, 2);
// GATHER-NEXT: // gather along tensor dim 2 over grid axis 0, nonblocking
// GATHER-NEXT: MPI_Iallgather([[T]].source(), [[T]].count(), MPI_FLOAT, [[T]].data(), [[T]].count(), MPI_FLOAT, [[T]].comm(), [[T]].requests());
// GATHER-NOT: MPI_Waitall
// GATHER: distattn::host::micro_attention(
// GATHER: MPI_Waitall(2, [[T]].requests(), MPI_STATUSES_IGNORE);
// GATHER: }
func.func @zigzag(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}
