// Checks that cannot fail, one of each kind check-lit-tests.py flags, and
// look-alikes it must leave alone. Not a test: lit skips Inputs folders.

// RUN: dattn-opt %s --canonicalize | FileCheck %s
// RUN: dattn-run %s --compare-pipeline='dattn-plan-prefill{strategy=ring ranks=3}' | FileCheck %s --check-prefix=NUMERICS
// RUN: dattn-opt %s --dattn-verify-plan=report=none | FileCheck %s --check-prefix=QUIET
// RUN: dattn-opt %s | FileCheck %s --check-prefix=MISSING

// swallow: the last `.+` may hold `mask(<...>)`, which the -NOT never sees.
// CHECK-LABEL: func.func @swallowed
// CHECK: dattn.micro_attention %{{.+}}, %{{.+}}, %{{.+}} :
// CHECK-NOT: mask

// Left alone: the class excludes the `m` of `mask`.
// CHECK-LABEL: func.func @excluded
// CHECK: dattn.micro_attention {{[^m]*}} :
// CHECK-NOT: mask

// Left alone: a result list ahead of the op's name holds names only.
// CHECK-LABEL: func.func @result_names
// CHECK: %[[O:.+]] = dattn.finalize
// CHECK-NOT: dattn.attention

// optional, then a swallow of MISMATCH by the greedy rel_err.
// NUMERICS: @f: 1 result(s){{( x [0-9]+ ranks)?}}, rel_err {{.*}} (tol 1e-09): ok
// NUMERICS-NOT: MISMATCH

// ranks: a count that is any number.
// NUMERICS: @g: 1 result(s) x {{[0-9]+}} ranks, rel_err

// stderr: the report goes to stderr, the RUN line pipes stdout alone.
// QUIET-NOT: dattn-verify-plan:

// unused: a prefix no RUN line checks (a typo of CHECK).
// CHEKC: func.func @never_checked
