// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc=target=cuda | dattn-translate --mlir-to-cpp | FileCheck %s
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=4" --cse --dattn-convert-to-emitc=target=cuda | dattn-translate --mlir-to-cpp | FileCheck %s --check-prefix=SYNC

// The CUDA of an overlapped ring step. At the top of the step the K and V
// blocks leave for the next rank on the transfer stream: prepare_shift
// makes the receive buffer and has the transfer stream wait for the
// compute stream (the block is ready), then one NCCL group sends and
// receives and an event marks the arrival. The tile, merged into the
// carried state by its kernel's epilogue (micro_attention_into), runs on
// the compute stream meanwhile; only at the end of the step does the
// compute stream wait for the arrival events and take the new blocks. The
// last step is peeled: nothing is sent after it.
// CHECK: #include "distattn/cuda/plan_runtime.cuh"
// CHECK: distattn::cuda::Tensor ring(distattn::cuda::Tensor [[Q:v[0-9]+]], distattn::cuda::Tensor [[K:v[0-9]+]], distattn::cuda::Tensor [[V:v[0-9]+]]) {
// CHECK: for (size_t {{i[0-9]+}} =
// CHECK: distattn::cuda::Tensor [[KB:v[0-9]+]] = v
// CHECK: distattn::cuda::Tensor [[VB:v[0-9]+]] = v
// CHECK: distattn::cuda::Transfer [[TK:v[0-9]+]] = distattn::cuda::prepare_shift([[KB]], 0, 1, true, 4);
// CHECK-NEXT: // send to the rank 1 ahead on grid axis 0, receive from the one behind (a ring), on the transfer stream
// CHECK-NEXT: DATTN_NCCL(ncclGroupStart());
// CHECK-NEXT: if ([[TK]].to >= 0) DATTN_NCCL(ncclSend([[KB]].data(), [[KB]].count(), [[KB]].nccl_type(), [[TK]].to, [[TK]].comm, [[TK]].stream));
// CHECK-NEXT: if ([[TK]].from >= 0) DATTN_NCCL(ncclRecv([[TK]].data(), [[TK]].count(), [[TK]].nccl_type(), [[TK]].from, [[TK]].comm, [[TK]].stream));
// CHECK-NEXT: DATTN_NCCL(ncclGroupEnd());
// CHECK-NEXT: DATTN_CUDA(cudaEventRecord([[TK]].arrived(), [[TK]].stream));
// CHECK-NEXT: distattn::cuda::Transfer [[TV:v[0-9]+]] = distattn::cuda::prepare_shift([[VB]], 0, 1, true, 4);
// CHECK: DATTN_NCCL(ncclGroupEnd());
// CHECK-NEXT: DATTN_CUDA(cudaEventRecord([[TV]].arrived(), [[TV]].stream));
// CHECK-NOT: cudaStreamWaitEvent
// CHECK: distattn::cuda::micro_attention_into({{v[0-9]+}}, {{v[0-9]+}}, [[KB]], [[VB]], true,
// CHECK-NEXT: DATTN_CUDA(cudaStreamWaitEvent(distattn::cuda::compute_stream(), [[TK]].arrived()));
// CHECK-NEXT: distattn::cuda::Tensor {{v[0-9]+}} = distattn::cuda::received([[TK]]);
// CHECK-NEXT: DATTN_CUDA(cudaStreamWaitEvent(distattn::cuda::compute_stream(), [[TV]].arrived()));
// CHECK-NEXT: distattn::cuda::Tensor {{v[0-9]+}} = distattn::cuda::received([[TV]]);
// CHECK: }
// CHECK-NOT: nccl
// CHECK: distattn::cuda::micro_attention_into(
// CHECK: distattn::cuda::finalize_out({{v[0-9]+}}, distattn::cuda::DType::BF16);
// CHECK: distattn::cuda::all_reduce_sum({{v[0-9]+}}, 4);

// Without dattn-overlap a shift waits at once: the tile after it runs on
// the block that arrived.
// SYNC: distattn::cuda::Transfer [[T:v[0-9]+]] = distattn::cuda::prepare_shift(
// SYNC: DATTN_NCCL(ncclGroupEnd());
// SYNC-NEXT: DATTN_CUDA(cudaEventRecord([[T]].arrived(), [[T]].stream));
// SYNC-NEXT: DATTN_CUDA(cudaStreamWaitEvent(distattn::cuda::compute_stream(), [[T]].arrived()));
// SYNC-NEXT: distattn::cuda::Tensor {{v[0-9]+}} = distattn::cuda::received([[T]]);
func.func @ring(%q: tensor<1x4x64x64xbf16>, %k: tensor<1x2x64x64xbf16>, %v: tensor<1x2x64x64xbf16>) -> tensor<1x4x64x64xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x64x64xbf16>, tensor<1x2x64x64xbf16>, tensor<1x2x64x64xbf16> -> tensor<1x4x64x64xbf16>
  return %o : tensor<1x4x64x64xbf16>
}
