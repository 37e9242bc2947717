// auto's memory fit counts what the plan holds: the cost model's peak for
// the ring family is the working set dattn-verify-plan measures on the
// overlapped plan. Llama-3-8B heads, 512 tokens on 8 ranks (64 a rank),
// bf16: Q 64 x 32 x 128 x 2 = 512 KiB, own and arriving K/V 2 x 2 x 64 x 8
// x 128 x 2 = 512 KiB, three fp32 states 3 x 64 x 32 x 129 x 4 = 3096 KiB:
// 4218880 bytes, just over 4 MiB (4194304). All-gather holds one KV head's
// gathered K/V and the next one's in flight, that head's query rows and one
// chunk's state: 655872 bytes (dattn-plan-prefill-memory-gather.mlir).

// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=8" --dattn-overlap --dattn-verify-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=MEASURED
// RUN: dattn-opt %s --dattn-topology=file=%S/Inputs/four-mib.json --dattn-plan-prefill=ranks=8 --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=FOUR
// RUN: dattn-opt %s --dattn-topology=file=%S/Inputs/five-mib.json --dattn-plan-prefill=ranks=8 --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=FIVE

// MEASURED: peak working set per rank: 4218880 bytes

// Only all-gather fits (head parallelism, which wins on time here, does not
// change the bytes a rank holds).
// FOUR: remark: auto: head-parallel=4 x all-gather on 8 ranks: {{[^;]*}}; also considered:
// FOUR-SAME: zigzag on 8 ranks: {{[^;]*}}does not fit);
// FOUR-SAME: striped on 8 ranks: {{[^;]*}}does not fit);
// FOUR-SAME: ring on 8 ranks: {{[^;]*}}does not fit);

// FIVE: remark: auto:
// FIVE-NOT: does not fit

func.func @prefill(%q: tensor<1x32x512x128xbf16>, %k: tensor<1x8x512x128xbf16>, %v: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x32x512x128xbf16>, tensor<1x8x512x128xbf16>, tensor<1x8x512x128xbf16> -> tensor<1x32x512x128xbf16>
  return %o : tensor<1x32x512x128xbf16>
}
