// dattnc plans, verifies, simulates and writes a bundle.
// RUN: rm -rf %t.bundle && dattnc %s --ranks 4 --strategy zigzag -o %t.bundle 2>&1 | FileCheck %s
// RUN: ls %t.bundle | FileCheck %s --check-prefix=FILES
// RUN: dattn-opt %t.bundle/plan.mlir --dattn-verify-plan=report=none | FileCheck %s --check-prefix=PLAN
// RUN: FileCheck %s --check-prefix=API < %t.bundle/attention.h
// RUN: FileCheck %s --check-prefix=NAMES < %t.bundle/plan.cpp
// RUN: FileCheck %s --check-prefix=CMAKE < %t.bundle/CMakeLists.txt
// RUN: rm -rf %t.config && dattnc %S/Inputs/gqa-config.json --seq-len 300 --phase decode --ranks 3 -o %t.config 2>&1 | FileCheck %s --check-prefix=CONFIG
// RUN: not dattnc %s --target cuda 2>&1 | FileCheck %s --check-prefix=CUDA
// RUN: not dattnc %S/Inputs/gqa-config.json 2>&1 | FileCheck %s --check-prefix=SEQLEN
// RUN: not dattnc %S/Inputs/gqa-config.json --seq-len 30 --phase decode --head-parallel 2 2>&1 | FileCheck %s --check-prefix=DECODEHEADS
// RUN: not dattnc %s --ranks 4 --strategy zigzag --head-parallel 3 2>&1 | FileCheck %s --check-prefix=BADHEADS
// RUN: not dattnc %S/Inputs/gqa-config.json --seq-len 30 --phase decode --inner-ring 2 2>&1 | FileCheck %s --check-prefix=DECODERING
// RUN: not dattnc %s --ranks 4 --strategy zigzag --masters 2>&1 | FileCheck %s --check-prefix=PREFILLMASTERS
// RUN: not dattnc %S/Inputs/decode-batch4.mlir --phase decode --masters=maybe 2>&1 | FileCheck %s --check-prefix=BADMASTERS
// RUN: not dattnc %S/Inputs/no-heads.json --seq-len 8 2>&1 | FileCheck %s --check-prefix=HEADS
// RUN: not dattnc %s --topology %S/../Topology/Inputs/typo.json 2>&1 | FileCheck %s --check-prefix=TOPOLOGY
// RUN: rm -rf %t.longer && dattnc %s --ranks 4 --strategy zigzag --max-seq-len 100 -o %t.longer 2>&1 | FileCheck %s --check-prefix=LONGER
// RUN: ls %t.longer | FileCheck %s --check-prefix=LONGERFILES
// RUN: FileCheck %s --check-prefix=LONGERAPI < %t.longer/attention.h
// RUN: FileCheck %s --check-prefix=LONGERCALL < %t.longer/attention.cpp
// RUN: FileCheck %s --check-prefix=LONGERPLAN < %t.longer/plan.cpp
// RUN: dattn-opt %t.longer/plan-len100.mlir --dattn-verify-plan=report=none | FileCheck %s --check-prefix=PLAN100
// RUN: not dattnc %s --ranks 4 --max-seq-len 20 2>&1 | FileCheck %s --check-prefix=SHORTMAX
// RUN: not dattnc %S/Inputs/two-attentions.mlir --ranks 2 --strategy ring --max-seq-len 64 2>&1 | FileCheck %s --check-prefix=TWOSTEPS
// RUN: not dattnc %S/Inputs/kend-prefill.mlir --ranks 2 --strategy ring --max-seq-len 64 2>&1 | FileCheck %s --check-prefix=KEND
// RUN: not dattnc %S/Inputs/chunk-queries.mlir --ranks 2 --strategy ring --max-seq-len 64 2>&1 | FileCheck %s --check-prefix=CHUNK

// CHECK: == dattnc: @prefill, q tensor<1x4x37x16xf32>, k/v tensor<1x2x37x16xf32>, on h100-1x8-nvlink (8 GPUs)
// CHECK: == plan: dattn-plan-prefill{strategy=zigzag ranks=4},dattn-overlap,cse
// CHECK: dattn-verify-plan: @prefill on 4 rank(s): every visible (q, k) pair is computed exactly once
// CHECK: remark: schedule of @prefill
// CHECK: remark: timeline of @prefill on 4 ranks of h100-1x8-nvlink
// CHECK: == bundle: {{.*}}.bundle (plan.cpp, attention.h C API, runner, CMakeLists.txt)
// CHECK: mpirun -np 4 {{.*}}/build/runner

// The emitted code names the plan's values after what they are.
// NAMES: distattn::host::Tensor {{[a-z0-9_]+}}(distattn::host::Tensor q_in, distattn::host::Tensor k_in, distattn::host::Tensor v_in)
// NAMES: distattn::host::Tensor padded[[Q:[0-9]+]] = distattn::host::pad(q_in,
// NAMES: size_t rank{{[0-9]+}} = distattn::host::linear_index(4);
// NAMES: distattn::host::Tensor slice[[QLO:[0-9]+]] = distattn::host::extract_slice(padded[[Q]],
// NAMES: distattn::host::Tensor carried[[K:[0-9]+]];
// NAMES: distattn::host::Tensor held[[HK:[0-9]+]] = carried[[K]];
// NAMES: distattn::host::Transfer send[[SEND:[0-9]+]] = distattn::host::prepare_shift(held[[HK]],
// NAMES: MPI_Isend(send[[SEND]].source(),
// NAMES: distattn::host::State tile[[TILE:[0-9]+]] = distattn::host::micro_attention(slice[[QLO]], held[[HK]],
// NAMES: distattn::host::State merged{{[0-9]+}} = distattn::host::merge(held{{[0-9]+}}, tile[[TILE]],
// NAMES: distattn::host::Tensor arrived{{[0-9]+}} = distattn::host::received(send[[SEND]]);
// NAMES: distattn::host::Tensor assembled{{[0-9]+}} = distattn::host::all_reduce_sum(

// FILES: CMakeLists.txt
// FILES: attention.cpp
// FILES: attention.h
// FILES: include
// FILES: plan.cpp
// FILES: plan.mlir
// FILES: runner.cpp

// PLAN: shard.grid @sp(shape = 4)
// PLAN: dattn.shift_start

// API: q [1, 4, 37, 16],
// API: k and v [1, 2, 37, 16]
// API: whose size must be 4
// API: int dattn_create(MPI_Comm comm, dattn_plan **plan);
// API: seq_len tokens, 1 <= seq_len <= 37
// API: int dattn_prefill(dattn_plan *plan, long long seq_len, const float *q,
// API: void dattn_destroy(dattn_plan *plan);
// API: int dattn_run_comm(MPI_Comm comm, const float *q, const float *k,
// API: int dattn_run(const float *q, const float *k, const float *v, float *out);
// CMAKE: add_library(dattn_plan SHARED attention.cpp)
// CMAKE: target_compile_definitions(runner PRIVATE B=1 HQ=4 HKV=2 SQ=37 S=37 D=16 CAUSAL=1 TOL=1e-5 PLAN_RANKS=4)
// CMAKE: target_link_libraries(runner PRIVATE dattn_plan Threads::Threads)

// A model config: 8 heads of 32 (hidden 256), 2 KV heads, one decode token
// at the end of 300.
// CONFIG: == dattnc: @attention, q tensor<1x8x1x32xf32>, k/v tensor<1x2x300x32xf32>
// CONFIG: == plan: dattn-plan-decode{ranks=3 masters=auto},dattn-overlap,cse
// One request: masters would pad the batch to three (and read three KVs),
// so the cost model keeps one owner.
// CONFIG: remark: auto: KV-parallel decode on 3 ranks: {{.*}}; also considered: 3 ranks, masters: {{.*}}0.1 MiB of KV/rank);
// CONFIG: mpirun -np 3

// The cuda targets kernels take bf16/f16 inputs; this graph is f32.
// CUDA: error: 'dattn.micro_attention' op the cuda target's kernels take bf16 or f16 q, k and v, not 'f32'
// CUDA: dattnc: error: compilation failed
// SEQLEN: dattnc: error: a config input needs --seq-len N (N >= 1)
// DECODEHEADS: dattnc: error: --head-parallel is for prefill plans (decode shards the KV, not the heads)
// PREFILLMASTERS: dattnc: error: --masters is for decode plans
// BADMASTERS: dattnc: error: unknown --masters 'maybe'; expected auto, true or false
// DECODERING: dattnc: error: --inner-ring is for prefill plans (decode has no ring)
// BADHEADS: error: dattn-plan-prefill: head-parallel=3 must be at least 1 and divide the 4 ranks
// BADHEADS: dattnc: error: compilation failed
// HEADS: dattnc: error: '{{.*}}no-heads.json': num_attention_heads is missing or not positive
// Longer runs: plans of 37, 74 (2S) and 100 (the maximum) tokens, each
// planned, verified and emitted; the C API picks the shortest that holds a
// run.
// LONGER: == plan: dattn-plan-prefill{strategy=zigzag ranks=4},dattn-overlap,cse
// LONGER: dattn-verify-plan: @prefill on 4 rank(s): every visible (q, k) pair is computed exactly once
// LONGER: == 74 tokens (--max-seq-len 100)
// LONGER-NEXT: == plan: dattn-plan-prefill{strategy=zigzag ranks=4},dattn-overlap,cse
// LONGER: dattn-verify-plan: @prefill_len74 on 4 rank(s): every visible (q, k) pair is computed exactly once
// LONGER: == 100 tokens (--max-seq-len 100)
// LONGER: dattn-verify-plan: @prefill_len100 on 4 rank(s): every visible (q, k) pair is computed exactly once
// LONGER: == bundle:
// LONGERFILES: plan-len100.mlir
// LONGERFILES-NEXT: plan-len74.mlir
// LONGERFILES-NEXT: plan.cpp
// LONGERFILES-NEXT: plan.mlir
// LONGERAPI: seq_len tokens, 1 <= seq_len <= 100: k and v [1, 2, seq_len,
// LONGERAPI: The bundle holds plans compiled for 37, 74, 100 tokens;
// LONGERAPI: long long dattn_plan_length(long long seq_len);
// LONGERCALL: static const long long kLengths[] = {37, 74, 100};
// LONGERCALL: if (length == 74)
// LONGERCALL-NEXT: return prefill_len74(q, k, v);
// LONGERCALL-NEXT: if (length == 100)
// LONGERCALL-NEXT: return prefill_len100(q, k, v);
// LONGERCALL-NEXT: return prefill(q, k, v);
// LONGERCALL: padRun("dattn_prefill", seq_len, 1, 4, 2,
// LONGERCALL-NEXT: qLen, kvLen, 100, 16, q, k, v, run))
// LONGERPLAN: distattn::host::Tensor prefill(distattn::host::Tensor q_in,
// LONGERPLAN: distattn::host::Tensor prefill_len74(distattn::host::Tensor q_in,
// LONGERPLAN: distattn::host::Tensor prefill_len100(distattn::host::Tensor q_in,
// PLAN100: shard.grid @sp(shape = 4)
// PLAN100: func.func @prefill_len100(%arg0: tensor<1x4x100x16xf32>, %arg1: tensor<1x2x100x16xf32>, %arg2: tensor<1x2x100x16xf32>)
// SHORTMAX: dattnc: error: --max-seq-len 20 is shorter than the compiled length 37 (shorter runs need no option)
// TWOSTEPS: dattnc: error: --max-seq-len needs the function to be one dattn.attention of its arguments (q, k, v), which it can re-plan for each length
// KEND: dattnc: error: --max-seq-len needs the plain causal or full mask (queries aligned to the last keys, no k_end): the input's mask has positions that do not follow from the length
// CHUNK: dattnc: error: --max-seq-len needs queries that are all the tokens (prefill) or one (decode); this graph has 5 queries to 37 keys
// TOPOLOGY: error: topology '{{.*}}typo.json': field 'gpu.hbm_gbs' is not a topology field

func.func @prefill(%q: tensor<1x4x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x4x37x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x4x37x16xf32>
  return %o : tensor<1x4x37x16xf32>
}
