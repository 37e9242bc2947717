// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc | FileCheck %s

// A ring plan as EmitC: the runtime header included, tensors and states as
// the runtime's opaque types, indices as size_t, one call per op with the
// static parameters as literals, the ring loop as emitc.for, no shard or
// dattn op left.
// CHECK: emitc.include "distattn/host/plan_runtime.h"
// CHECK-NOT: shard.grid
// CHECK-LABEL: emitc.func @ring(
// CHECK-SAME: !emitc.opaque<"distattn::host::Tensor">
// CHECK: %[[R:.+]] = call_opaque "distattn::host::linear_index"() {args = [4]} : () -> !emitc.size_t
// CHECK: call_opaque "distattn::host::extract_slice"
// CHECK: call_opaque "distattn::host::empty_state"() {args = [1, 2, 4, 8]} : () -> !emitc.opaque<"distattn::host::State">
// CHECK: for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} : !emitc.size_t {
// CHECK: %[[T:.+]] = call_opaque "distattn::host::prepare_shift"(%{{.+}}) {args = [0 : index, 0, 1, #emitc.opaque<"true">, 4]} : (!emitc.opaque<"distattn::host::Tensor">) -> !emitc.opaque<"distattn::host::Transfer">
// CHECK: verbatim "MPI_Irecv({}.data(), {}.count(), MPI_FLOAT, {}.from(), {}.tag(), {}.comm(), &{}.requests()[0]);" args %[[T]], %[[T]], %[[T]], %[[T]], %[[T]], %[[T]]
// CHECK: rem %{{.+}}, %{{.+}} : (!emitc.size_t, !emitc.size_t) -> !emitc.size_t
// CHECK: call_opaque "distattn::host::micro_attention"(%{{.+}}) {args = [0 : index, 1 : index, 2 : index, #emitc.opaque<"true">, 0, 1, 0, 1, 9223372036854775807, 3 : index, 4 : index, 0.35355339059327373]}
// CHECK: call_opaque "distattn::host::merge"
// CHECK: verbatim "MPI_Waitall(2, {}.requests(), MPI_STATUSES_IGNORE);" args %[[T]]
// CHECK: call_opaque "distattn::host::received"(%[[T]])
// CHECK: call_opaque "distattn::host::finalize_out"
// CHECK: call_opaque "distattn::host::all_reduce_sum"(%{{[0-9]+}}) {args = [0 : index, 4]}
// CHECK-NOT: dattn.
// CHECK-NOT: shard.
func.func @ring(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}
