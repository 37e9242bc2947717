// What the evaluator cannot run, it says so at the op, and dattn-run fails.

// RUN: not dattn-run %s --entry=unsupported_op 2>&1 | FileCheck %s --check-prefix=OP
// RUN: not dattn-run %s --entry=index_argument 2>&1 | FileCheck %s --check-prefix=ARG
// RUN: not dattn-run %s --entry=missing 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dattn-run %s --compare-pipeline='no-such-pass' 2>&1 | FileCheck %s --check-prefix=PIPELINE

func.func @unsupported_op(%a: tensor<1x1x1x4xf32>) -> tensor<1x1x1x4xf32> {
  // OP: errors.mlir:[[# @LINE + 1]]:8: error: the reference evaluator cannot run 'arith.addf' yet
  %b = arith.addf %a, %a : tensor<1x1x1x4xf32>
  return %b : tensor<1x1x1x4xf32>
}

// ARG: errors.mlir:[[# @LINE + 1]]:1: error: cannot make a random input for argument #0 of type 'index'
func.func @index_argument(%i: index) {
  return
}

// MISSING: error: no function @missing in
// PIPELINE: error: bad --compare-pipeline: {{.*}}no-such-pass
