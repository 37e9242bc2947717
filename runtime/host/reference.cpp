//===- reference.cpp - Host reference kernels, fp32 instantiations -------===//
//
// The host target calls these fp32-accumulating instantiations; the compiler's
// evaluator instantiates the templates with double itself.
//
//===----------------------------------------------------------------------===//
#include "distattn/reference.h"

namespace distattn {
template void microAttention<float, float>(const float *, const float *,
                                           const float *,
                                           const AttentionShape &,
                                           const MaskSpec &, float, float *,
                                           float *);
template void mergeStates<float>(const std::vector<const float *> &,
                                 const std::vector<const float *> &, int64_t,
                                 int64_t, float *, float *);
} // namespace distattn
