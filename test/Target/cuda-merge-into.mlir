// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc=target=cuda | dattn-translate --mlir-to-cpp | FileCheck %s --check-prefix=RING
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc=target=cuda | dattn-translate --mlir-to-cpp | FileCheck %s --check-prefix=ZIGZAG
// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=4" --dattn-overlap --cse --dattn-convert-to-emitc=target=host | dattn-translate --mlir-to-cpp | FileCheck %s --check-prefix=HOST
// RUN: dattn-opt %s --dattn-decompose --dattn-convert-to-emitc=target=cuda | dattn-translate --mlir-to-cpp | FileCheck %s

// Merge-into on the cuda target: a tile merged into an accumulator that
// nothing reads afterwards is one call, micro_attention_into(held, q, k, v,
// ...), whose kernel merges the tile into held's buffers in its epilogue
// (no tile state, no merge kernel). A ring step: the carried state is the
// accumulator, on every step and on the peeled last one; the tile is
// computed where the merge was, still before the compute stream waits for
// the blocks in flight.
// RING-LABEL: distattn::cuda::Tensor ring(
// RING: distattn::cuda::State [[E:v[0-9]+]] = distattn::cuda::empty_state(1, 4, 16, 64);
// RING: [[C:v[0-9]+]] = [[E]];
// RING: for (size_t
// RING: distattn::cuda::State [[H:v[0-9]+]] = [[C]];
// RING: distattn::cuda::Transfer [[TK:v[0-9]+]] = distattn::cuda::prepare_shift(
// RING-NOT: cudaStreamWaitEvent
// RING-NOT: distattn::cuda::micro_attention(
// RING: distattn::cuda::State [[M:v[0-9]+]] = distattn::cuda::micro_attention_into([[H]], {{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}}, true, 0, 1, 0, 1, 9223372036854775807, {{v[0-9]+}}, {{v[0-9]+}}, {{.*}});
// RING-NEXT: DATTN_CUDA(cudaStreamWaitEvent(distattn::cuda::compute_stream(), [[TK]].arrived()));
// RING-NOT: distattn::cuda::merge(
// RING: [[C]] = [[M]];
// RING: }
// RING: distattn::cuda::State [[LAST:v[0-9]+]] = [[C]];
// RING: // the last ring step, peeled: nothing is sent after it
// RING-NEXT: distattn::cuda::State [[F:v[0-9]+]] = distattn::cuda::micro_attention_into([[LAST]],
// RING-NEXT: distattn::cuda::finalize_out([[F]], distattn::cuda::DType::BF16);
// RING-NOT: distattn::cuda::merge(
// RING: return

// Zigzag: two accumulators a step, each taking two tiles in turn. CSE made
// them share one empty state; each gets its own, or the first step would
// write both into one buffer.
// ZIGZAG-LABEL: distattn::cuda::Tensor ring(
// ZIGZAG: distattn::cuda::State [[E1:v[0-9]+]] = distattn::cuda::empty_state(1, 4, 8, 64);
// ZIGZAG-NEXT: distattn::cuda::State [[E2:v[0-9]+]] = distattn::cuda::empty_state(1, 4, 8, 64);
// ZIGZAG: [[C1:v[0-9]+]] = [[E1]];
// ZIGZAG-NEXT: [[C2:v[0-9]+]] = [[E2]];
// ZIGZAG: for (size_t
// ZIGZAG: distattn::cuda::State [[H1:v[0-9]+]] = [[C1]];
// ZIGZAG-NEXT: distattn::cuda::State [[H2:v[0-9]+]] = [[C2]];
// ZIGZAG-NOT: distattn::cuda::micro_attention(
// ZIGZAG: distattn::cuda::State [[A1:v[0-9]+]] = distattn::cuda::micro_attention_into([[H1]],
// ZIGZAG-NEXT: distattn::cuda::State [[B1:v[0-9]+]] = distattn::cuda::micro_attention_into([[A1]],
// ZIGZAG-NEXT: distattn::cuda::State [[A2:v[0-9]+]] = distattn::cuda::micro_attention_into([[H2]],
// ZIGZAG-NEXT: distattn::cuda::State [[B2:v[0-9]+]] = distattn::cuda::micro_attention_into([[A2]],
// ZIGZAG-NEXT: DATTN_CUDA(cudaStreamWaitEvent(
// ZIGZAG: [[C1]] = [[B1]];
// ZIGZAG-NEXT: [[C2]] = [[B2]];
// ZIGZAG: }
// ZIGZAG-NOT: distattn::cuda::micro_attention(
// ZIGZAG-COUNT-4: distattn::cuda::micro_attention_into(
// ZIGZAG-NOT: distattn::cuda::merge(
// ZIGZAG: return

// The host target keeps its merge.
// HOST: distattn::host::State [[S:v[0-9]+]] = distattn::host::micro_attention(
// HOST-NEXT: distattn::host::merge({{v[0-9]+}}, [[S]]);
// HOST-NOT: micro_attention_into
func.func @ring(%q: tensor<1x4x64x64xbf16>, %k: tensor<1x2x64x64xbf16>, %v: tensor<1x2x64x64xbf16>) -> tensor<1x4x64x64xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x64x64xbf16>, tensor<1x2x64x64xbf16>, tensor<1x2x64x64xbf16> -> tensor<1x4x64x64xbf16>
  return %o : tensor<1x4x64x64xbf16>
}

// Not fused where the accumulator is read again: the tile and the merge
// stay two calls.
// CHECK-LABEL: distattn::cuda::Tensor acc_used_again(
// CHECK: distattn::cuda::State [[ACC:v[0-9]+]] = distattn::cuda::micro_attention(
// CHECK-NEXT: distattn::cuda::State [[T:v[0-9]+]] = distattn::cuda::micro_attention(
// CHECK-NEXT: distattn::cuda::State [[M:v[0-9]+]] = distattn::cuda::merge([[ACC]], [[T]]);
// CHECK-NEXT: distattn::cuda::merge([[M]], [[ACC]]);
// CHECK-NOT: micro_attention_into
// CHECK: return
func.func @acc_used_again(%q: tensor<1x2x16x64xbf16>, %k: tensor<1x1x16x64xbf16>, %v: tensor<1x1x16x64xbf16>) -> tensor<1x2x16x64xbf16> {
  %acc = dattn.micro_attention %q, %k, %v : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
  %t = dattn.micro_attention %q, %k, %v mask(<causal>) : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
  %m = dattn.merge %acc, %t : !dattn.state<1x2x16x64>
  %again = dattn.merge %m, %acc : !dattn.state<1x2x16x64>
  %o = dattn.finalize %again : !dattn.state<1x2x16x64> -> tensor<1x2x16x64xbf16>
  return %o : tensor<1x2x16x64xbf16>
}

// A loop's carried state that the step reads besides merging it.
// CHECK-LABEL: distattn::cuda::Tensor carried_used_again(
// CHECK: for (
// CHECK: distattn::cuda::State [[T:v[0-9]+]] = distattn::cuda::micro_attention(
// CHECK-NEXT: distattn::cuda::merge({{v[0-9]+}}, [[T]]);
// CHECK-NOT: micro_attention_into
// CHECK: return
func.func @carried_used_again(%q: tensor<1x2x16x64xbf16>, %k: tensor<1x1x16x64xbf16>, %v: tensor<1x1x16x64xbf16>) -> tensor<1x2x16x64xbf16> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %e = dattn.empty_state : !dattn.state<1x2x16x64>
  %o0 = arith.constant dense<0.0> : tensor<1x2x16x64xbf16>
  %r:2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%s = %e, %prev = %o0) -> (!dattn.state<1x2x16x64>, tensor<1x2x16x64xbf16>) {
    %t = dattn.micro_attention %q, %k, %v : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
    %m = dattn.merge %s, %t : !dattn.state<1x2x16x64>
    %o = dattn.finalize %s : !dattn.state<1x2x16x64> -> tensor<1x2x16x64xbf16>
    scf.yield %m, %o : !dattn.state<1x2x16x64>, tensor<1x2x16x64xbf16>
  }
  return %r#1 : tensor<1x2x16x64xbf16>
}

// A state from outside a loop merged at every step (each step would see
// the last one's write).
// CHECK-LABEL: distattn::cuda::Tensor invariant_acc(
// CHECK: for (
// CHECK: distattn::cuda::State [[T:v[0-9]+]] = distattn::cuda::micro_attention(
// CHECK-NEXT: distattn::cuda::merge({{v[0-9]+}}, [[T]]);
// CHECK-NOT: micro_attention_into
// CHECK: return
func.func @invariant_acc(%q: tensor<1x2x16x64xbf16>, %k: tensor<1x1x16x64xbf16>, %v: tensor<1x1x16x64xbf16>) -> tensor<1x2x16x64xbf16> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %acc = dattn.micro_attention %q, %k, %v : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
  %e = dattn.empty_state : !dattn.state<1x2x16x64>
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%s = %e) -> (!dattn.state<1x2x16x64>) {
    %t = dattn.micro_attention %q, %k, %v mask(<causal>) : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
    %m = dattn.merge %acc, %t : !dattn.state<1x2x16x64>
    scf.yield %m : !dattn.state<1x2x16x64>
  }
  %o = dattn.finalize %r : !dattn.state<1x2x16x64> -> tensor<1x2x16x64xbf16>
  return %o : tensor<1x2x16x64xbf16>
}

// A tile read besides its merge is computed on its own.
// CHECK-LABEL: distattn::cuda::Tensor tile_used_again(
// CHECK: distattn::cuda::State [[T:v[0-9]+]] = distattn::cuda::micro_attention(
// CHECK-NEXT: distattn::cuda::State [[M:v[0-9]+]] = distattn::cuda::merge({{v[0-9]+}}, [[T]]);
// CHECK-NEXT: distattn::cuda::merge([[M]], [[T]]);
// CHECK-NOT: micro_attention_into
// CHECK: return
func.func @tile_used_again(%q: tensor<1x2x16x64xbf16>, %k: tensor<1x1x16x64xbf16>, %v: tensor<1x1x16x64xbf16>) -> tensor<1x2x16x64xbf16> {
  %e = dattn.empty_state : !dattn.state<1x2x16x64>
  %t = dattn.micro_attention %q, %k, %v : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
  %m = dattn.merge %e, %t : !dattn.state<1x2x16x64>
  %again = dattn.merge %m, %t : !dattn.state<1x2x16x64>
  %o = dattn.finalize %again : !dattn.state<1x2x16x64> -> tensor<1x2x16x64xbf16>
  return %o : tensor<1x2x16x64xbf16>
}

// Tiles merged with each other (dattn-decompose's form): the first is the
// accumulator, the others go into it.
// CHECK-LABEL: distattn::cuda::Tensor tiles_only(
// CHECK: distattn::cuda::State [[T0:v[0-9]+]] = distattn::cuda::micro_attention(
// CHECK-NEXT: distattn::cuda::State [[T1:v[0-9]+]] = distattn::cuda::micro_attention_into([[T0]],
// CHECK-NEXT: distattn::cuda::State [[T2:v[0-9]+]] = distattn::cuda::micro_attention_into([[T1]],
// CHECK-NEXT: distattn::cuda::finalize_out([[T2]],
func.func @tiles_only(%q: tensor<1x2x16x64xbf16>, %k: tensor<1x1x16x64xbf16>, %v: tensor<1x1x16x64xbf16>) -> tensor<1x2x16x64xbf16> {
  %t0 = dattn.micro_attention %q, %k, %v mask(<causal>) : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
  %t1 = dattn.micro_attention %q, %k, %v mask(<causal, k = 16 + 1 * j>) : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
  %t2 = dattn.micro_attention %q, %k, %v mask(<causal, k = 32 + 1 * j>) : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
  %m = dattn.merge %t0, %t1, %t2 : !dattn.state<1x2x16x64>
  %o = dattn.finalize %m : !dattn.state<1x2x16x64> -> tensor<1x2x16x64xbf16>
  return %o : tensor<1x2x16x64xbf16>
}

// A tile whose merge comes after a transfer's wait stays where it is (at
// the merge, it would wait for the transfer); the next tile, merged at
// once, goes into the first merge's result.
// CHECK-LABEL: distattn::cuda::Tensor wait_between(
// CHECK: distattn::cuda::State [[T:v[0-9]+]] = distattn::cuda::micro_attention(
// CHECK: DATTN_CUDA(cudaStreamWaitEvent(
// CHECK: distattn::cuda::State [[M:v[0-9]+]] = distattn::cuda::merge({{v[0-9]+}}, [[T]]);
// CHECK-NEXT: distattn::cuda::State [[N:v[0-9]+]] = distattn::cuda::micro_attention_into([[M]],
// CHECK-NEXT: distattn::cuda::finalize_out([[N]],
shard.grid @pair(shape = 2)
func.func @wait_between(%q: tensor<1x2x16x64xbf16>, %k: tensor<1x1x16x64xbf16>, %v: tensor<1x1x16x64xbf16>) -> tensor<1x2x16x64xbf16> {
  %sent = dattn.shift_start %k on @pair axis = 0 offset = 1 rotate : tensor<1x1x16x64xbf16> -> !dattn.transfer<tensor<1x1x16x64xbf16>>
  %e = dattn.empty_state : !dattn.state<1x2x16x64>
  %t = dattn.micro_attention %q, %k, %v : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
  %k2 = dattn.wait %sent : !dattn.transfer<tensor<1x1x16x64xbf16>> -> tensor<1x1x16x64xbf16>
  %m = dattn.merge %e, %t : !dattn.state<1x2x16x64>
  %t2 = dattn.micro_attention %q, %k2, %v : tensor<1x2x16x64xbf16>, tensor<1x1x16x64xbf16>, tensor<1x1x16x64xbf16> -> !dattn.state<1x2x16x64>
  %n = dattn.merge %m, %t2 : !dattn.state<1x2x16x64>
  %o = dattn.finalize %n : !dattn.state<1x2x16x64> -> tensor<1x2x16x64xbf16>
  return %o : tensor<1x2x16x64xbf16>
}
