// Prefill plans with several KV heads shared by several query heads each
// (GQA 4:1 over 2 KV heads, as in every Llama-3 model): a plan that maps a
// query head to the wrong KV head, or (all-gather, which loops over the KV
// heads) slices the wrong query heads for a KV head, is wrong here, while
// plan-prefill-numerics.mlir's GQA cases have one KV head or one query head
// a KV head and cannot tell. Strategies x N in {1, 2, 3} x {causal, full} x
// {37 tokens (padded), 48}; all-gather also after dattn-overlap, which
// gathers the next KV head while one computes.

// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=ring ranks=1})' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=2}' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=3}' | FileCheck %s --check-prefix=N3
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=striped ranks=1})' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=2}' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=striped ranks=3}' | FileCheck %s --check-prefix=N3
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=zigzag ranks=1})' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=2}' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=zigzag ranks=3}' | FileCheck %s --check-prefix=N3
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=all-gather ranks=1})' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=2}' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=3}' | FileCheck %s --check-prefix=N3
// RUN: dattn-opt %s --pass-pipeline='builtin.module(dattn-plan-prefill{strategy=all-gather ranks=1},dattn-overlap)' -o %t.n1.mlir && dattn-run %s --compare-with=%t.n1.mlir | cat %t.n1.mlir - | FileCheck %s --check-prefix=N1
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=2},dattn-overlap' | FileCheck %s --check-prefix=N2
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=all-gather ranks=3},dattn-overlap' | FileCheck %s --check-prefix=N3

// Each prefix names the rank count its RUN lines plan for and counts an
// `ok` line per function; N1 checks the planned module's grid first, as
// dattn-run prints the same for one rank as for the unplanned program.
// N1: shard.grid @{{[a-z_]+}}(shape = 1)
// N1-COUNT-4: {{^}}@{{[a-z0-9_]+}}: 1 result(s), rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N2-COUNT-4: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 2 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}
// N3-COUNT-4: {{^}}@{{[a-z0-9_]+}}: 1 result(s) x 3 ranks, rel_err {{[0-9.e+-]+}} (tol 1e-09): ok{{$}}

func.func @causal_gqa4x2_s37(%q: tensor<1x8x37x8xf32>, %k: tensor<1x2x37x8xf32>, %v: tensor<1x2x37x8xf32>) -> tensor<1x8x37x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x37x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32> -> tensor<1x8x37x8xf32>
  return %o : tensor<1x8x37x8xf32>
}
func.func @causal_gqa4x2_s48(%q: tensor<1x8x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x8x48x8xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x8x48x8xf32>, tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32> -> tensor<1x8x48x8xf32>
  return %o : tensor<1x8x48x8xf32>
}
func.func @full_gqa4x2_s37(%q: tensor<1x8x37x8xf32>, %k: tensor<1x2x37x8xf32>, %v: tensor<1x2x37x8xf32>) -> tensor<1x8x37x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x37x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32> -> tensor<1x8x37x8xf32>
  return %o : tensor<1x8x37x8xf32>
}
func.func @full_gqa4x2_s48(%q: tensor<1x8x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x8x48x8xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x8x48x8xf32>, tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32> -> tensor<1x8x48x8xf32>
  return %o : tensor<1x8x48x8xf32>
}
