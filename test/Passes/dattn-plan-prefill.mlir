// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=8" --cse --verify-roundtrip | FileCheck %s --check-prefix=RING
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=8" --cse | FileCheck %s --check-prefix=STRIPED
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8" --cse | FileCheck %s --check-prefix=ZIGZAG
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=8" --cse | FileCheck %s --check-prefix=GATHER
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=512" --cse | FileCheck %s --check-prefix=SCALE
// RUN: dattn-opt %s --mlir-print-op-generic | dattn-opt --dattn-plan-prefill="strategy=ring ranks=8" --cse | FileCheck %s --check-prefix=RING

// Causal prefill of 1024 tokens, Llama-3-8B heads (32 q, 8 kv, head_dim 128).
func.func @prefill(%q: tensor<1x32x1024x128xbf16>, %k: tensor<1x8x1024x128xbf16>, %v: tensor<1x8x1024x128xbf16>) -> tensor<1x32x1024x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x32x1024x128xbf16>, tensor<1x8x1024x128xbf16>, tensor<1x8x1024x128xbf16> -> tensor<1x32x1024x128xbf16>
  return %o : tensor<1x32x1024x128xbf16>
}

// Ring: rank r holds rows [128 r, 128 r + 128); N steps, the K/V block of
// rank (r - t) mod N in hand at step t, moved one hop after use.
// RING: shard.grid @sp(shape = 8)
// RING-LABEL: func.func @prefill
// RING-SAME: (%[[Q:.+]]: tensor<1x32x1024x128xbf16>, %[[K:.+]]: tensor<1x8x1024x128xbf16>, %[[V:.+]]: tensor<1x8x1024x128xbf16>)
// RING: %[[R:.+]] = shard.process_linear_index on @sp : index
// RING: %[[FIRST:.+]] = arith.muli %[[R]], %{{.+}} : index
// RING: %[[QL:.+]] = tensor.extract_slice %[[Q]][0, 0, %[[FIRST]], 0] [1, 32, 128, 128] [1, 1, 1, 1]
// RING: %[[KL:.+]] = tensor.extract_slice %[[K]][0, 0, %[[FIRST]], 0] [1, 8, 128, 128] [1, 1, 1, 1]
// RING: %[[VL:.+]] = tensor.extract_slice %[[V]][0, 0, %[[FIRST]], 0] [1, 8, 128, 128] [1, 1, 1, 1]
// RING: %[[E:.+]] = dattn.empty_state : !dattn.state<1x32x128x128>
// RING: %[[LOOP:.+]]:3 = scf.for %[[T:.+]] = %{{.+}} to %[[N:.+]] step %{{.+}} iter_args(%[[KC:.+]] = %[[KL]], %[[VC:.+]] = %[[VL]], %[[S:.+]] = %[[E]])
// RING:   %[[OWNER:.+]] = arith.remui %{{.+}}, %[[N]] : index
// RING:   %[[KFIRST:.+]] = arith.muli %[[OWNER]], %{{.+}} : index
// RING:   %[[TILE:.+]] = dattn.micro_attention %[[QL]], %[[KC]], %[[VC]] mask(<causal>) at(%[[FIRST]], %[[KFIRST]])
// RING:   %[[M:.+]] = dattn.merge %[[S]], %[[TILE]]
// RING:   %[[KN:.+]] = shard.shift %[[KC]] on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate
// RING:   %[[VN:.+]] = shard.shift %[[VC]] on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate
// RING:   scf.yield %[[KN]], %[[VN]], %[[M]]
// RING: %[[O:.+]] = dattn.finalize %[[LOOP]]#2 : !dattn.state<1x32x128x128> -> tensor<1x32x128x128xbf16>
// RING: %[[PLACED:.+]] = tensor.insert_slice %[[O]] into %{{.+}}[0, 0, %[[FIRST]], 0] [1, 32, 128, 128] [1, 1, 1, 1]
// RING: %[[ALL:.+]] = shard.all_reduce %[[PLACED]] on @sp grid_axes = [0]
// RING: return %[[ALL]]

// Striped: tokens r, r + 8, ... (stride-8 slices), positions q = r + 8 i.
// STRIPED: %[[R:.+]] = shard.process_linear_index on @sp
// STRIPED: tensor.extract_slice %{{.+}}[0, 0, %[[R]], 0] [1, 32, 128, 128] [1, 1, 8, 1]
// STRIPED: scf.for
// STRIPED: dattn.micro_attention {{.*}} mask(<causal, q = 0 + 8 * i, k = 0 + 8 * j>) at(%[[R]], %{{.+}})
// STRIPED: tensor.insert_slice {{.*}}[0, 0, %[[R]], 0] [1, 32, 128, 128] [1, 1, 8, 1]

// Zigzag: chunks r and 15 - r of 64 tokens; four tiles and four shifts a step.
// ZIGZAG: %[[R:.+]] = shard.process_linear_index on @sp
// ZIGZAG: %[[LO:.+]] = arith.muli %[[R]], %[[C64:.+]] : index
// ZIGZAG: %[[MIRROR:.+]] = arith.subi %{{.+}}, %[[R]] : index
// ZIGZAG: %[[HI:.+]] = arith.muli %[[MIRROR]], %[[C64]] : index
// ZIGZAG: scf.for
// ZIGZAG-COUNT-4: dattn.micro_attention {{.*}} mask(<causal>) at
// ZIGZAG-COUNT-2: dattn.merge
// ZIGZAG-COUNT-4: shard.shift
// ZIGZAG: scf.yield
// ZIGZAG: tensor.insert_slice {{.*}}[0, 0, %[[LO]], 0] [1, 32, 64, 128]
// ZIGZAG: tensor.insert_slice {{.*}}[0, 0, %[[HI]], 0] [1, 32, 64, 128]

// All-gather: one KV head at a time, K and V of that head gathered, its
// four query heads' two chunks against all 1024 keys.
// GATHER: scf.for %[[G:.+]] = %{{.+}} to %{{.+}} step
// GATHER: %[[KH:.+]] = tensor.extract_slice %{{.+}}[0, %[[G]], 0, 0] [1, 1, 128, 128]
// GATHER: shard.all_gather %[[KH]] on @sp grid_axes = [0] gather_axis = 2 : tensor<1x1x128x128xbf16> -> tensor<1x1x1024x128xbf16>
// GATHER: shard.all_gather %{{.+}} on @sp grid_axes = [0] gather_axis = 2 : tensor<1x1x128x128xbf16> -> tensor<1x1x1024x128xbf16>
// GATHER-COUNT-2: dattn.micro_attention {{.*}} : tensor<1x4x64x128xbf16>, tensor<1x1x1024x128xbf16>, tensor<1x1x1024x128xbf16>
// GATHER: scf.yield

// The program does not grow with the rank count: 512 ranks is still one
// loop with one tile.
// SCALE: shard.grid @sp(shape = 512)
// SCALE: scf.for
// SCALE-COUNT-1: dattn.micro_attention
// SCALE-NOT: dattn.micro_attention
// SCALE: return
