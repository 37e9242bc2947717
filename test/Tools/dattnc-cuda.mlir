// dattnc --target cuda writes a bundle of CUDA C++ with NCCL: the plan
// (plan.cu), the runtime's header and kernel sources, a C API and a
// CMakeLists.txt that builds with nvcc for sm_90a.
// RUN: rm -rf %t.bundle && dattnc %s --target cuda --ranks 4 --strategy zigzag -o %t.bundle 2>&1 | FileCheck %s
// RUN: ls %t.bundle %t.bundle/src %t.bundle/include/distattn/cuda | FileCheck %s --check-prefix=FILES
// RUN: FileCheck %s --check-prefix=PLAN < %t.bundle/plan.cu
// RUN: FileCheck %s --check-prefix=API < %t.bundle/attention.cu
// RUN: FileCheck %s --check-prefix=CMAKE < %t.bundle/CMakeLists.txt
// A config input is planned in bf16 for this target.
// RUN: rm -rf %t.config && dattnc %S/../../examples/configs/llama3-8b.json --seq-len 300 --phase decode --target cuda --ranks 3 -o %t.config 2>&1 | FileCheck %s --check-prefix=CONFIG
// What the kernels cannot take is refused at compile time.
// RUN: not dattnc %S/Inputs/gqa-config.json --seq-len 30 --target cuda 2>&1 | FileCheck %s --check-prefix=HEADDIM
// RUN: not dattnc %s --target tpu 2>&1 | FileCheck %s --check-prefix=TARGET

// CHECK: == dattnc: @prefill, q tensor<1x4x300x64xbf16>, k/v tensor<1x2x300x64xbf16>
// CHECK: == bundle: {{.*}}.bundle (plan.cu, attention.h C API, runner, CMakeLists.txt)
// CHECK: mpirun -np 4 {{.*}}/build/runner
// CHECK: (one GPU per rank;

// FILES: CMakeLists.txt
// FILES: attention.cu
// FILES: attention.h
// FILES: plan.cu
// FILES: plan.mlir
// FILES: runner.cpp
// FILES: index_math.h
// FILES: kernels.h
// FILES: plan_runtime.cuh
// FILES: common.cuh
// FILES: lse_sum.cuh
// FILES: merge.cu
// FILES: micro_attention.cu
// FILES: micro_attention_sm90.cuh
// FILES: tma.cuh
// FILES: wgmma_ops.cuh

// PLAN: #include "distattn/cuda/plan_runtime.cuh"
// PLAN: ncclGroupStart
// PLAN: ncclSend
// PLAN: ncclRecv
// PLAN: ncclGroupEnd
// PLAN: cudaStreamWaitEvent(distattn::cuda::compute_stream()

// API: inputs are uploaded as BF16
// API: *plan = new dattn_plan{std::make_unique<rt::ContextScope>(comm)};
// API: extern "C" int dattn_prefill(dattn_plan *plan,
// API: rt::upload(run.q.data(), rt::DType::BF16, {1, 4, qLen, 64})

// CMAKE: set(CMAKE_CUDA_ARCHITECTURES 90a)
// CMAKE: project(dattn_bundle CXX CUDA)
// CMAKE: add_library(dattn_plan SHARED attention.cu)
// CMAKE: B=1 HQ=4 HKV=2 SQ=300 S=300 D=64 CAUSAL=1 TOL=1e-2 PLAN_RANKS=4

// CONFIG: == dattnc: @attention, q tensor<1x32x1x128xbf16>, k/v tensor<1x8x300x128xbf16>
// CONFIG: mpirun -np 3

// HEADDIM: error: 'dattn.micro_attention' op the cuda target's kernels take head_dim 64, 128 or 256, not 32
// TARGET: dattnc: error: unknown --target 'tpu'; expected host or cuda

func.func @prefill(%q: tensor<1x4x300x64xbf16>, %k: tensor<1x2x300x64xbf16>, %v: tensor<1x2x300x64xbf16>) -> tensor<1x4x300x64xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x300x64xbf16>, tensor<1x2x300x64xbf16>, tensor<1x2x300x64xbf16> -> tensor<1x4x300x64xbf16>
  return %o : tensor<1x4x300x64xbf16>
}
