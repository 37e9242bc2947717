// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8" --dattn-overlap --dattn-verify-schedule --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=8" --dattn-overlap --dattn-verify-schedule --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=RING
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=8" --dattn-overlap --dattn-verify-schedule --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=GATHER

// Zigzag keeps four 64-token K/V chunks in flight: 4 x 8 x 64 x 128 x 2 bytes.
// CHECK: remark: schedule of @prefill: 4 transfer(s), at most 4 in flight (524288 bytes of receive buffers)
// RING: remark: schedule of @prefill: 2 transfer(s), at most 2 in flight (524288 bytes of receive buffers)
// All-gather prefetches one KV head's gathered K and V: 2 x 1024 x 128 x 2.
// GATHER: remark: schedule of @prefill: 2 transfer(s), at most 2 in flight (524288 bytes of receive buffers)
func.func @prefill(%q: tensor<1x32x1024x128xbf16>, %k: tensor<1x8x1024x128xbf16>, %v: tensor<1x8x1024x128xbf16>) -> tensor<1x32x1024x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x32x1024x128xbf16>, tensor<1x8x1024x128xbf16>, tensor<1x8x1024x128xbf16> -> tensor<1x32x1024x128xbf16>
  return %o : tensor<1x32x1024x128xbf16>
}
