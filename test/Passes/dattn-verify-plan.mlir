// The verifier's load report for causal prefill of 2048 tokens on 8 ranks
// (blocks of 256 tokens): ring's max/mean work is about (2N-1)/N = 1.875,
// striped and zigzag are within 5% of 1, all-gather with zigzag queries is
// exact. Each run also proves every visible pair is computed exactly once.

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=8" --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=RING
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=8" --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRIPED
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8" --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=ZIGZAG
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=8" --dattn-verify-plan=report=json -o /dev/null 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=5" --dattn-verify-plan=report=none 2>&1 | FileCheck %s --check-prefix=QUIET
// RUN: not dattn-opt %s --dattn-verify-plan=report=yaml 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=8" --dattn-overlap --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=OVERLAP
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8" --dattn-overlap --dattn-verify-plan="report=none decode-ranks=2" --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=ELASTIC
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8" --dattn-verify-plan="report=none decode-ranks=3" 2>&1 | FileCheck %s --check-prefix=ELASTIC-BAD
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=striped ranks=8" --dattn-overlap --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRIPED-OVERLAP
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8 head-parallel=1 inner-ring=4" --dattn-overlap --dattn-verify-plan="report=json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=HIER-JSON

// RING: dattn-verify-plan: @causal on 8 rank(s): every visible (q, k) pair is computed exactly once
// RING: rank tiles skipped pairs tile-elems sent-bytes recv-bytes flops
// RING-NEXT: 0 1 7 32896 65536 131072 131072 1052672
// RING: 7 8 0 491648 524288 131072 131072 15732736
// RING-NEXT: work imbalance (max/mean pairs): 1.874{{[0-9]}}

// FLOPs are 4 x head_dim (8) per pair. The peak working set is at the
// merge: Q, K and V blocks of 256 x 8 fp32 (8 KiB each), and three states
// (the carried one, the tile's, the merged; 8 KiB out + 1 KiB lse each).
// RING-NEXT: peak working set per rank: 52224 bytes

// STRIPED: 0 8 0 261376 524288
// STRIPED: work imbalance (max/mean pairs): 1.00{{[0-4][0-9]}}

// Zigzag runs 17 of its 32 tiles on every rank and skips the rest.
// ZIGZAG-COUNT-8: 17 15 262272 278528
// ZIGZAG: work imbalance (max/mean pairs): 1.0000

// JSON: "function": "causal"
// JSON: "bytes_received": 114688
// JSON: "flops": 8392704
// JSON: "pairs": 262272
// JSON: "peak_working_set_bytes": {{[1-9][0-9]*}}
// JSON: "work_imbalance": 1

// QUIET-NOT: dattn-verify-plan:
// QUIET: shard.grid @sp(shape = 5)

// After dattn-overlap the plan still covers every pair once, and sends one
// block pair less: nothing goes out after the last step (7 x 2 x 16 KiB).
// Its working set holds two blocks more: the K and V blocks in flight are
// received into new buffers while the sources stay pinned until the wait.
// OVERLAP: every visible (q, k) pair is computed exactly once
// OVERLAP-NEXT: rank tiles skipped pairs tile-elems sent-bytes recv-bytes flops
// OVERLAP-NEXT: 0 1 7 32896 65536 114688 114688 1052672
// OVERLAP: work imbalance (max/mean pairs): 1.874{{[0-9]}}
// OVERLAP-NEXT: peak working set per rank: 68608 bytes

// LoongServe's scale-down from 8 prefill ranks to 2 decode ranks: rank 0
// and rank 4 keep their halves of the KV as it passes by in the ring.
// ELASTIC: remark: elastic scale-down of @causal from 8 to 2 ranks: every decode rank keeps its tokens as they pass during prefill (0 extra bytes): decode 0 on rank 0: [0, 1024); decode 1 on rank 4: [1024, 2048);
// ELASTIC-BAD: error: dattn-verify-plan: decode-ranks=3 must divide the 8 prefill ranks

// Striped blocks are strided key sets (stride 8) and the hierarchical
// order's steps nest two loops: the proof and the counts hold for both.
// STRIPED-OVERLAP: @causal on 8 rank(s): every visible (q, k) pair is computed exactly once
// STRIPED-OVERLAP-NEXT: rank tiles skipped pairs tile-elems sent-bytes recv-bytes flops
// STRIPED-OVERLAP-NEXT: 0 8 0 261376 524288
// HIER-JSON: "coverage": "proved"
// HIER-JSON: "pairs": 262272

// BAD: error: dattn-verify-plan: unknown report 'yaml'; expected table, json or none

func.func @causal(%q: tensor<1x1x2048x8xf32>, %k: tensor<1x1x2048x8xf32>, %v: tensor<1x1x2048x8xf32>) -> tensor<1x1x2048x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x1x2048x8xf32>, tensor<1x1x2048x8xf32>, tensor<1x1x2048x8xf32> -> tensor<1x1x2048x8xf32>
  return %o : tensor<1x1x2048x8xf32>
}
