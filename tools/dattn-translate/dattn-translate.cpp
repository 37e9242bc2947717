//===- dattn-translate.cpp - distattn's translations ----------------------===//
//
// mlir-translate for distattn: `--mlir-to-cpp` prints an EmitC module (the
// output of dattn-convert-to-emitc) as C++.
//
//===----------------------------------------------------------------------===//
#include "dialects/DAttn/DAttn.h"

#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerToCppTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "distattn translation driver\n"));
}
