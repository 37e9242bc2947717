//===- ValueNames.h - Readable names in emitted plan code -------*- C++ -*-===//
//
// Upstream translateToCpp names every value v1, v2, ...; a bundle's reader
// wants to see what a value is. The plan's values come from calls into the
// runtime (micro_attention, merge, prepare_shift, ...), so each declaration
// `T vN = ns::callee(...)` is renamed after its callee (`tile12`,
// `merged13`, `send9`), keeping N so names stay unique; loop-carried values
// (declared, then assigned) become `carriedN` and their copies at a step
// `heldN`; the function's inputs `q_in`, `k_in`, `v_in`. Arithmetic and
// constants keep vN.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_TOOLS_DATTNC_VALUENAMES_H
#define DISTATTN_TOOLS_DATTNC_VALUENAMES_H

#include <string>

namespace distattn {

/// `cpp` (translateToCpp output of a lowered plan) with its runtime-call
/// results and loop-carried values named.
std::string nameValues(const std::string &cpp);

} // namespace distattn

#endif // DISTATTN_TOOLS_DATTNC_VALUENAMES_H
