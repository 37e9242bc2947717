// RUN: dattn-opt %s --dattn-verify-schedule -split-input-file -verify-diagnostics

// Hand-broken schedules.

shard.grid @sp(shape = 2)
func.func @never_waited(%x: tensor<1x1x4x2xf32>) {
  // expected-error @+1 {{transfer is never waited for: its buffer stays in flight}}
  %h = dattn.shift_start %x on @sp axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x1x4x2xf32>>
  return
}

// -----

shard.grid @sp(shape = 2)
func.func @waited_twice(%x: tensor<1x1x4x2xf32>) {
  // expected-error @+1 {{transfer is waited for twice}}
  %h = dattn.shift_start %x on @sp axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x1x4x2xf32>>
  %a = dattn.wait %h : !dattn.transfer<tensor<1x1x4x2xf32>> -> tensor<1x1x4x2xf32>
  %b = dattn.wait %h : !dattn.transfer<tensor<1x1x4x2xf32>> -> tensor<1x1x4x2xf32>
  return
}

// -----

shard.grid @sp(shape = 2)
func.func @escapes(%x: tensor<1x1x4x2xf32>) -> !dattn.transfer<tensor<1x1x4x2xf32>> {
  // expected-error @+1 {{transfer is used by 'func.return'; only dattn.wait may take a transfer}}
  %h = dattn.shift_start %x on @sp axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x1x4x2xf32>>
  return %h : !dattn.transfer<tensor<1x1x4x2xf32>>
}

// -----

shard.grid @sp(shape = 2)
func.func @wait_in_a_loop(%x: tensor<1x1x4x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h = dattn.shift_start %x on @sp axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x1x4x2xf32>>
  scf.for %t = %c0 to %c1 step %c1 {
    // expected-error @+1 {{waits in another block than the one that started the transfer}}
    %a = dattn.wait %h : !dattn.transfer<tensor<1x1x4x2xf32>> -> tensor<1x1x4x2xf32>
  }
  return
}

// -----

shard.grid @sp(shape = 2)
func.func @overwrite_in_flight(%x: tensor<1x1x4x2xf32>, %row: tensor<1x1x1x2xf32>) {
  %h = dattn.shift_start %x on @sp axis = 0 offset = 1 rotate : tensor<1x1x4x2xf32> -> !dattn.transfer<tensor<1x1x4x2xf32>>
  // expected-error @+1 {{overwrites a buffer that is still in flight}}
  %y = tensor.insert_slice %row into %x[0, 0, 0, 0] [1, 1, 1, 2] [1, 1, 1, 1] : tensor<1x1x1x2xf32> into tensor<1x1x4x2xf32>
  %a = dattn.wait %h : !dattn.transfer<tensor<1x1x4x2xf32>> -> tensor<1x1x4x2xf32>
  return
}
