// RUN: dattn-opt %s --dattn-convert-to-emitc=target=cuda -split-input-file -verify-diagnostics
// RUN: not dattn-opt %s --dattn-convert-to-emitc=target=tpu -split-input-file 2>&1 | FileCheck %s --check-prefix=TARGET

// What the cuda target refuses, at the op (besides what errors.mlir shows
// for both targets).

// TARGET: error: unknown target 'tpu'; expected host or cuda

// fp32 inputs: the kernels take bf16 or f16.
func.func @f32_tile(%q: tensor<1x1x4x64xf32>, %k: tensor<1x1x4x64xf32>, %v: tensor<1x1x4x64xf32>) -> !dattn.state<1x1x4x64> {
  // expected-error @+2 {{the cuda target's kernels take bf16 or f16 q, k and v, not 'f32'}}
  // expected-error @+1 {{failed to legalize operation 'dattn.micro_attention'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x1x4x64xf32>, tensor<1x1x4x64xf32>, tensor<1x1x4x64xf32> -> !dattn.state<1x1x4x64>
  return %s : !dattn.state<1x1x4x64>
}

// -----

// A head_dim the kernels are not built for.
func.func @head_dim_32(%q: tensor<1x1x4x32xbf16>, %k: tensor<1x1x4x32xbf16>, %v: tensor<1x1x4x32xbf16>) -> !dattn.state<1x1x4x32> {
  // expected-error @+2 {{the cuda target's kernels take head_dim 64, 128 or 256, not 32}}
  // expected-error @+1 {{failed to legalize operation 'dattn.micro_attention'}}
  %s = dattn.micro_attention %q, %k, %v : tensor<1x1x4x32xbf16>, tensor<1x1x4x32xbf16>, tensor<1x1x4x32xbf16> -> !dattn.state<1x1x4x32>
  return %s : !dattn.state<1x1x4x32>
}

// -----

// A tensor of f64 has no DType in the runtime.
func.func @f64_splat() -> tensor<4xf64> {
  // expected-error @+1 {{the cuda target takes f32, bf16 and f16 tensors, not 'f64'}}
  %c = arith.constant dense<1.0> : tensor<4xf64>
  return %c : tensor<4xf64>
}
