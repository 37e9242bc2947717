// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=2" --dattn-overlap --cse --dattn-convert-to-emitc=target=cuda | dattn-translate --mlir-to-cpp | FileCheck %s
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=all-gather ranks=4 head-parallel=2" --dattn-overlap --cse --dattn-convert-to-emitc=target=cuda | dattn-translate --mlir-to-cpp | FileCheck %s --check-prefix=GRID

// The all-gather plan on the GPU: the next KV head's K and V are gathered
// (ncclAllGather on the transfer stream) while the current head's tiles
// run; the compute stream waits for them at the end of the step.
// CHECK: for (size_t
// CHECK: distattn::cuda::Transfer [[TK:v[0-9]+]] = distattn::cuda::prepare_all_gather([[K:v[0-9]+]], 2, 0, 2);
// CHECK-NEXT: // gather along tensor dim 2 over grid axis 0, on the transfer stream
// CHECK-NEXT: DATTN_NCCL(ncclAllGather([[K]].data(), [[TK]].data(), [[K]].count(), [[K]].nccl_type(), [[TK]].comm, [[TK]].stream));
// CHECK-NEXT: DATTN_CUDA(cudaEventRecord([[TK]].arrived(), [[TK]].stream));
// CHECK: distattn::cuda::Transfer [[TV:v[0-9]+]] = distattn::cuda::prepare_all_gather(
// CHECK-NOT: cudaStreamWaitEvent
// CHECK: distattn::cuda::micro_attention(
// CHECK-NOT: cudaStreamWaitEvent
// CHECK: distattn::cuda::micro_attention(
// CHECK: DATTN_CUDA(cudaStreamWaitEvent(distattn::cuda::compute_stream(), [[TK]].arrived()));
// CHECK-NEXT: distattn::cuda::Tensor {{v[0-9]+}} = distattn::cuda::received([[TK]]);
// CHECK-NEXT: DATTN_CUDA(cudaStreamWaitEvent(distattn::cuda::compute_stream(), [[TV]].arrived()));
// CHECK: }

// Head-parallel on a 2x2 grid: the gather runs over grid axis 0 only (the
// runtime splits the NCCL communicator by the other coordinate).
// GRID: distattn::cuda::grid_index(0, 2, 2);
// GRID: distattn::cuda::grid_index(1, 2, 2);
// GRID: distattn::cuda::prepare_all_gather({{v[0-9]+}}, 2, 0, 2, 2);
// GRID: ncclAllGather(
func.func @gather(%q: tensor<1x4x32x64xbf16>, %k: tensor<1x2x32x64xbf16>, %v: tensor<1x2x32x64xbf16>) -> tensor<1x4x32x64xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x32x64xbf16>, tensor<1x2x32x64xbf16>, tensor<1x2x32x64xbf16> -> tensor<1x4x32x64xbf16>
  return %o : tensor<1x4x32x64xbf16>
}
