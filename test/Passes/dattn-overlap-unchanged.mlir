// RUN: dattn-opt %s --dattn-overlap | FileCheck %s

// A loop whose shifted value is used after it keeps its shift: peeling the
// last step would drop a value somebody reads.
// CHECK-LABEL: func.func @used_after
// CHECK: shard.shift
// CHECK-NOT: dattn.shift_start
shard.grid @sp(shape = 4)
func.func @used_after(%x: tensor<1x1x4x2xf32>) -> tensor<1x1x4x2xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = scf.for %t = %c0 to %c4 step %c1 iter_args(%a = %x) -> (tensor<1x1x4x2xf32>) {
    %n = shard.shift %a on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> tensor<1x1x4x2xf32>
    scf.yield %n : tensor<1x1x4x2xf32>
  }
  return %r : tensor<1x1x4x2xf32>
}

// A loop of unknown trip count is left alone.
// CHECK-LABEL: func.func @dynamic_trip_count
// CHECK: shard.shift
func.func @dynamic_trip_count(%x: tensor<1x1x4x2xf32>, %n: index) -> tensor<1x1x4x2xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = dattn.empty_state : !dattn.state<1x1x4x2>
  %r:2 = scf.for %t = %c0 to %n step %c1 iter_args(%a = %x, %s = %e) -> (tensor<1x1x4x2xf32>, !dattn.state<1x1x4x2>) {
    %tile = dattn.micro_attention %a, %a, %a : tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32> -> !dattn.state<1x1x4x2>
    %m = dattn.merge %s, %tile : !dattn.state<1x1x4x2>
    %b = shard.shift %a on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> tensor<1x1x4x2xf32>
    scf.yield %b, %m : tensor<1x1x4x2xf32>, !dattn.state<1x1x4x2>
  }
  %o = dattn.finalize %r#1 : !dattn.state<1x1x4x2> -> tensor<1x1x4x2xf32>
  return %o : tensor<1x1x4x2xf32>
}
