//===- ReferenceTerms.h - An oracle problem in reference.h's types -*- C++ -*-//
//
// The one place the tests translate between the two formulations; the
// oracle itself never sees reference.h.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_TEST_ORACLE_REFERENCETERMS_H
#define DISTATTN_TEST_ORACLE_REFERENCETERMS_H

#include "NaiveAttention.h"

#include "distattn/reference.h"

#include <limits>

namespace oracle {

inline distattn::AttentionShape shapeOf(const naive::Problem &p) {
  return {p.batch, p.qHeads, p.kvHeads, p.qLen, p.kvLen, p.headDim};
}

inline distattn::MaskSpec maskOf(const naive::Problem &p) {
  return {p.mask.causal,
          {p.mask.qOffset, p.mask.qStride},
          {p.mask.kOffset, p.mask.kStride},
          p.mask.kEnd.value_or(std::numeric_limits<int64_t>::max())};
}

/// The scale the reference is called with: without an explicit one, its
/// own default, so a wrong default shows against the oracle's.
inline double scaleOf(const naive::Problem &p) {
  return p.scale ? *p.scale : distattn::defaultScale(p.headDim);
}

} // namespace oracle

#endif // DISTATTN_TEST_ORACLE_REFERENCETERMS_H
