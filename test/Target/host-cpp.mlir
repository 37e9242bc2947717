// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc | dattn-translate --mlir-to-cpp | FileCheck %s

// The C++ of a zigzag plan: one statement per op, the ring as a for loop
// whose steps pass the four K/V chunks on and compute four tiles, the last
// step peeled.
// CHECK: #include "distattn/host/plan_runtime.h"
// CHECK: distattn::host::Tensor zigzag(distattn::host::Tensor [[Q:v[0-9]+]], distattn::host::Tensor [[K:v[0-9]+]], distattn::host::Tensor [[V:v[0-9]+]]) {
// CHECK: size_t [[R:v[0-9]+]] = distattn::host::linear_index(4);
// CHECK: for (size_t [[T:i[0-9]+]] = {{v[0-9]+}}; [[T]] < {{v[0-9]+}}; [[T]] += {{v[0-9]+}}) {
// CHECK-COUNT-4: = distattn::host::shift({{v[0-9]+}}, 0, 1, true, 4);
// CHECK: size_t {{v[0-9]+}} = {{v[0-9]+}} % {{v[0-9]+}};
// CHECK-COUNT-4: distattn::host::State {{v[0-9]+}} = distattn::host::micro_attention(
// CHECK: }
// CHECK-NOT: distattn::host::shift
// CHECK-COUNT-4: distattn::host::micro_attention(
// CHECK: = distattn::host::all_reduce_sum({{v[0-9]+}}, 4);
// CHECK: return
func.func @zigzag(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}
