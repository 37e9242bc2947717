// check-lit-tests.py flags each kind of check that cannot fail, at its
// line in Inputs/bad-checks.mlir, and nothing else there; scripts/run.sh
// runs it over the whole test folder.

// RUN: not python3 %S/../../scripts/check-lit-tests.py %S/Inputs/bad-checks.mlir | FileCheck %s

// CHECK: bad-checks.mlir:5: ranks: the pipeline plans ranks=3 but no check of NUMERICS says 'x 3 ranks'
// CHECK-NEXT: bad-checks.mlir:7: unused: FileCheck prefix MISSING has no check lines in bad-checks.mlir
// CHECK-NEXT: bad-checks.mlir:12: swallow: '{{.*}}' in the check on line 11 can match 'mask', which this -NOT then never sees
// CHECK-NEXT: bad-checks.mlir:25: optional: '{{.*}}' may match nothing
// CHECK-NEXT: bad-checks.mlir:26: swallow: '{{.*}}' in the check on line 25 can match 'MISMATCH'
// CHECK-NEXT: bad-checks.mlir:29: ranks: the rank count is a regex
// CHECK-NEXT: bad-checks.mlir:32: stderr: this -NOT looks for stderr text, but RUN line 6 pipes only stdout into FileCheck
// CHECK-NEXT: bad-checks.mlir:35: unused: no RUN line checks prefix CHEKC
// CHECK-NEXT: 8 problem(s) in lit tests
