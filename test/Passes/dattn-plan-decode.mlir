// RUN: dattn-opt %s --dattn-plan-decode=ranks=4 --cse --verify-roundtrip | FileCheck %s
// RUN: dattn-opt %s --dattn-plan-decode="ranks=8 budget=4096" --cse | FileCheck %s --check-prefix=BUDGET

// One decode step of Llama-3-8B (32 q heads, 8 kv heads) at position
// 16383 of a 16K-token cache, KV-parallel over 4 ranks.
// CHECK: shard.grid @sp(shape = 4)
// CHECK-LABEL: func.func @decode
// CHECK-SAME: (%[[Q:.+]]: tensor<1x32x1x128xbf16>, %[[K:.+]]: tensor<1x8x16384x128xbf16>, %[[V:.+]]: tensor<1x8x16384x128xbf16>)
// CHECK: %[[R:.+]] = shard.process_linear_index on @sp
// CHECK: %[[FIRST:.+]] = arith.muli %[[R]], %{{.+}} : index
// CHECK-DAG: %[[KL:.+]] = tensor.extract_slice %[[K]][0, 0, %[[FIRST]], 0] [1, 8, 4096, 128] [1, 1, 1, 1]
// CHECK-DAG: %[[VL:.+]] = tensor.extract_slice %[[V]][0, 0, %[[FIRST]], 0] [1, 8, 4096, 128] [1, 1, 1, 1]
// The query goes to the keys: every rank attends it to the 4096 it holds.
// CHECK: %[[S:.+]] = dattn.micro_attention %[[Q]], %[[KL]], %[[VL]] mask(<causal, q = 16383 + 1 * i, k_end = 16384>) at(%{{.+}}, %[[FIRST]])
// The partial results travel in fp32.
// CHECK: %[[O:.+]], %[[L:.+]] = dattn.finalize %[[S]] : !dattn.state<1x32x1x128> -> tensor<1x32x1x128xf32>, tensor<1x32x1xf32>
// CHECK: %[[OS:.+]] = shard.all_gather %[[O]] on @sp grid_axes = [0] gather_axis = 2 : tensor<1x32x1x128xf32> -> tensor<1x32x4x128xf32>
// CHECK: %[[LS:.+]] = shard.all_gather %[[L]] on @sp grid_axes = [0] gather_axis = 2 : tensor<1x32x1xf32> -> tensor<1x32x4xf32>
// CHECK: %[[M:.+]] = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}})
// CHECK:   %[[P:.+]] = dattn.as_state %{{.+}}, %{{.+}} : tensor<1x32x1x128xf32>, tensor<1x32x1xf32> -> !dattn.state<1x32x1x128>
// CHECK:   %[[N:.+]] = dattn.merge %[[ACC]], %[[P]]
// CHECK:   scf.yield %[[N]]
// CHECK: %[[OUT:.+]] = dattn.finalize %[[M]] : !dattn.state<1x32x1x128> -> tensor<1x32x1x128xbf16>
// CHECK: return %[[OUT]]

// A budget of 4096 tokens on 8 ranks: ranks 0-3 hold the cache, 4-7 are
// spare (the KV is padded to 8 x 4096 and k_end hides the padding).
// BUDGET: shard.grid @sp(shape = 8)
// BUDGET: tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 0, 16384, 0]
// BUDGET: tensor.extract_slice {{.*}} [1, 8, 4096, 128]
func.func @decode(%q: tensor<1x32x1x128xbf16>, %k: tensor<1x8x16384x128xbf16>, %v: tensor<1x8x16384x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 16383 + 1 * i>) : tensor<1x32x1x128xbf16>, tensor<1x8x16384x128xbf16>, tensor<1x8x16384x128xbf16> -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}
