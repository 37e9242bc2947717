// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=8" --dattn-overlap --cse --verify-roundtrip | FileCheck %s --check-prefix=RING
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=8" --dattn-overlap --cse | FileCheck %s --check-prefix=STRIPED
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8" --dattn-overlap --cse | FileCheck %s --check-prefix=ZIGZAG
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=8" --dattn-overlap --cse | FileCheck %s --check-prefix=GATHER

func.func @prefill(%q: tensor<1x32x1024x128xbf16>, %k: tensor<1x8x1024x128xbf16>, %v: tensor<1x8x1024x128xbf16>) -> tensor<1x32x1024x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x32x1024x128xbf16>, tensor<1x8x1024x128xbf16>, tensor<1x8x1024x128xbf16> -> tensor<1x32x1024x128xbf16>
  return %o : tensor<1x32x1024x128xbf16>
}

// Ring: 7 pipelined steps, each starting to pass its K/V block on before
// computing on it and waiting for the next at its end (double buffers: the
// block in hand and the block arriving); the 8th step is peeled and sends
// nothing.
// RING: %[[C7:.+]] = arith.constant 7 : index
// RING: %[[LOOP:.+]]:3 = scf.for %[[T:.+]] = %{{.+}} to %[[C7]] step %{{.+}} iter_args(%[[KC:.+]] = %{{.+}}, %[[VC:.+]] = %{{.+}}, %[[S:.+]] = %{{.+}})
// RING-NEXT: %[[HK:.+]] = dattn.shift_start %[[KC]] on @sp axis = 0 offset = 1 rotate : tensor<1x8x128x128xbf16> -> !dattn.transfer<tensor<1x8x128x128xbf16>>
// RING-NEXT: %[[HV:.+]] = dattn.shift_start %[[VC]] on @sp axis = 0 offset = 1 rotate
// RING: %[[TILE:.+]] = dattn.micro_attention %{{.+}}, %[[KC]], %[[VC]] mask(<causal>)
// RING: %[[M:.+]] = dattn.merge %[[S]], %[[TILE]]
// RING: %[[KN:.+]] = dattn.wait %[[HK]] : !dattn.transfer<tensor<1x8x128x128xbf16>> -> tensor<1x8x128x128xbf16>
// RING: %[[VN:.+]] = dattn.wait %[[HV]]
// RING: scf.yield %[[KN]], %[[VN]], %[[M]]
// RING: }
// RING-NOT: shard.shift
// RING-NOT: dattn.shift_start
// RING: %[[LAST:.+]] = dattn.micro_attention %{{.+}}, %[[LOOP]]#0, %[[LOOP]]#1
// RING: %[[FINAL:.+]] = dattn.merge %[[LOOP]]#2, %[[LAST]]
// RING: dattn.finalize %[[FINAL]]

// STRIPED: scf.for
// STRIPED-COUNT-2: dattn.shift_start
// STRIPED: dattn.micro_attention {{.*}} mask(<causal, q = 0 + 8 * i, k = 0 + 8 * j>)
// STRIPED-COUNT-2: dattn.wait
// STRIPED-NOT: shard.shift

// Zigzag moves four chunks a step: four transfers in flight under four tiles.
// ZIGZAG: scf.for
// ZIGZAG-COUNT-4: dattn.shift_start
// ZIGZAG-COUNT-4: dattn.micro_attention
// ZIGZAG-COUNT-4: dattn.wait
// ZIGZAG: scf.yield
// ZIGZAG-COUNT-4: dattn.micro_attention
// ZIGZAG-NOT: shard.shift

// All-gather, one KV head at a time: the first head's K/V are gathered
// before the loop; every iteration starts gathering the next head's while
// this one computes, and waits at its end; the last head is peeled and
// prefetches nothing.
// GATHER: %[[K0:.+]] = shard.all_gather %{{.+}} on @sp grid_axes = [0] gather_axis = 2 : tensor<1x1x128x128xbf16> -> tensor<1x1x1024x128xbf16>
// GATHER: %[[V0:.+]] = shard.all_gather
// GATHER: %[[C7:.+]] = arith.constant 7 : index
// GATHER: %[[LOOP:.+]]:3 = scf.for %[[G:.+]] = %{{.+}} to %[[C7]] step %{{.+}} iter_args(%{{.+}} = %{{.+}}, %[[KC:.+]] = %[[K0]], %[[VC:.+]] = %[[V0]])
// GATHER-NEXT: %[[NEXT:.+]] = arith.addi %[[G]], %{{.+}} : index
// GATHER-NEXT: %[[KN:.+]] = tensor.extract_slice %{{.+}}[0, %[[NEXT]], 0, 0] [1, 1, 128, 128]
// GATHER-NEXT: %[[HK:.+]] = dattn.all_gather_start %[[KN]] on @sp axis = 0 gather_axis = 2 : tensor<1x1x128x128xbf16> -> !dattn.transfer<tensor<1x1x1024x128xbf16>>
// GATHER: dattn.all_gather_start
// GATHER-COUNT-2: dattn.micro_attention %{{.+}}, %[[KC]], %[[VC]]
// GATHER: dattn.wait %[[HK]]
// GATHER: scf.yield
// GATHER-NOT: dattn.all_gather_start
// GATHER-COUNT-2: dattn.micro_attention %{{.+}}, %[[LOOP]]#1, %[[LOOP]]#2
