// With ranks=0 the cost model picks the KV-parallel group size on the
// module's topology: per layer, the busiest rank's K/V read from HBM
// against gathering the fp32 partial states over the link.

// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-decode --mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s

// Llama-3-70B heads, one token at the end of a 128K cache: the 512 MiB of
// K/V a layer reads is worth spreading over all 8 GPUs of the node.
// CHECK: remark: auto: KV-parallel decode on 8 ranks: {{[0-9.]+}} ms (KV read {{[0-9.]+}} ms, gather {{[0-9.]+}} ms, 64.0 MiB of KV/rank); also considered: 1 ranks: {{.*}}512.0 MiB of KV/rank)
// A short cache is not: the gather would cost more than it saves.
// CHECK: remark: auto: KV-parallel decode on 2 ranks:
// CHECK-DAG: shard.grid @sp(shape = 8)
// CHECK-DAG: shard.grid @sp_0(shape = 2)
func.func @long_context(%q: tensor<1x64x1x128xbf16>, %k: tensor<1x8x131072x128xbf16>, %v: tensor<1x8x131072x128xbf16>) -> tensor<1x64x1x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 131071 + 1 * i>) : tensor<1x64x1x128xbf16>, tensor<1x8x131072x128xbf16>, tensor<1x8x131072x128xbf16> -> tensor<1x64x1x128xbf16>
  return %o : tensor<1x64x1x128xbf16>
}
func.func @short_context(%q: tensor<1x64x1x128xbf16>, %k: tensor<1x8x8192x128xbf16>, %v: tensor<1x8x8192x128xbf16>) -> tensor<1x64x1x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 8191 + 1 * i>) : tensor<1x64x1x128xbf16>, tensor<1x8x8192x128xbf16>, tensor<1x8x8192x128xbf16> -> tensor<1x64x1x128xbf16>
  return %o : tensor<1x64x1x128xbf16>
}
