// Decode plans verify too: one query token at position 36 of 37, the KV
// sharded over 3 holders (13, 13 and 11 keys after padding to 39); each
// holder exports its (out, lse), every rank merges the three, and the
// verifier proves each of the 37 keys is counted once on every rank. The
// all-gathers move 8 heads x (16 + 1) fp32 = 544 bytes to each of 2 peers.

// RUN: dattn-opt %s --dattn-plan-decode=ranks=3 --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s
// RUN: dattn-opt %s --dattn-plan-decode=ranks=4 --dattn-verify-plan=report=json -o /dev/null 2>&1 | FileCheck %s --check-prefix=JSON

// CHECK: dattn-verify-plan: @decode on 3 rank(s): every visible (q, k) pair is computed exactly once
// CHECK-NEXT: rank tiles skipped pairs tile-elems sent-bytes recv-bytes flops
// CHECK-NEXT: 0 1 0 13 13 1088 1088 6656
// CHECK-NEXT: 1 1 0 13 13 1088 1088 6656
// CHECK-NEXT: 2 1 0 11 13 1088 1088 5632

// Four holders of 10, 10, 10 and 7 keys.
// JSON: "pairs": 10
// JSON: "pairs": 10
// JSON: "pairs": 10
// JSON: "pairs": 7

func.func @decode(%q: tensor<1x8x1x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x8x1x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<1x8x1x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}
