// Every cuda bundle compiles with nvcc for sm_90a and links against NCCL
// and MPI: each prefill strategy on 4 ranks (lengths that do not divide:
// padded blocks), head-parallel=2 x zigzag on a 2x2 grid (NCCL
// communicators split per axis), zigzag in the hierarchical order on a
// 2x2 grid (a transfer stream per axis), multi-master decode of a batch of
// 4 on 2 (NCCL all-to-all), decode from a config on 3. Zigzag and the
// decode hold longer plans too (--max-seq-len). The kernels are linked
// prebuilt from this tree (a bundle compiles its own src/ when not told
// so). Running them needs GPUs: scripts/cuda-bundles.sh.
// REQUIRES: cuda-bundle
// RUN: rm -rf %t && mkdir -p %t
// RUN: dattnc %s --target cuda --ranks 4 --strategy ring -o %t/ring > /dev/null 2>&1
// RUN: dattnc %s --target cuda --ranks 4 --strategy striped -o %t/striped > /dev/null 2>&1
// RUN: dattnc %s --target cuda --ranks 4 --strategy zigzag --max-seq-len 700 -o %t/zigzag > /dev/null 2>&1
// RUN: dattnc %s --target cuda --ranks 4 --strategy all-gather -o %t/all-gather > /dev/null 2>&1
// RUN: dattnc %s --target cuda --ranks 4 --strategy zigzag --head-parallel 2 -o %t/heads > /dev/null 2>&1
// RUN: dattnc %s --target cuda --ranks 4 --strategy zigzag --inner-ring 2 -o %t/hier > /dev/null 2>&1
// RUN: dattnc %S/Inputs/decode-batch4-bf16.mlir --phase decode --target cuda --ranks 2 --masters -o %t/masters > /dev/null 2>&1
// RUN: dattnc %S/../../examples/configs/llama3-8b.json --seq-len 1000 --phase decode --target cuda --ranks 3 --max-seq-len 5000 -o %t/decode > /dev/null 2>&1
// RUN: for b in ring striped zigzag all-gather heads hier masters decode; do cmake -G Ninja -S %t/$b -B %t/$b/build %cuda_bundle_flags > /dev/null && cmake --build %t/$b/build > /dev/null && ls %t/$b/build/runner %t/$b/build/libdattn_plan.so || exit 1; done | FileCheck %s

// CHECK: ring/build/libdattn_plan.so
// CHECK: ring/build/runner
// CHECK: striped/build/libdattn_plan.so
// CHECK: striped/build/runner
// CHECK: zigzag/build/libdattn_plan.so
// CHECK: zigzag/build/runner
// CHECK: all-gather/build/libdattn_plan.so
// CHECK: all-gather/build/runner
// CHECK: heads/build/libdattn_plan.so
// CHECK: heads/build/runner
// CHECK: hier/build/libdattn_plan.so
// CHECK: hier/build/runner
// CHECK: masters/build/libdattn_plan.so
// CHECK: masters/build/runner
// CHECK: decode/build/libdattn_plan.so
// CHECK: decode/build/runner

func.func @prefill(%q: tensor<1x4x301x128xbf16>, %k: tensor<1x2x301x128xbf16>, %v: tensor<1x2x301x128xbf16>) -> tensor<1x4x301x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x4x301x128xbf16>, tensor<1x2x301x128xbf16>, tensor<1x2x301x128xbf16> -> tensor<1x4x301x128xbf16>
  return %o : tensor<1x4x301x128xbf16>
}
