//===- Compare.h - Element-wise checks of attention results -----*- C++ -*-===//
#ifndef DISTATTN_TEST_ORACLE_COMPARE_H
#define DISTATTN_TEST_ORACLE_COMPARE_H

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace oracle {

/// Whether `actual` matches `expected` element by element within
/// tol * max(1, |expected|): out entries are weighted means of v (of order
/// 1), lse entries may be large. A -inf (a row that sees no key) must be
/// matched exactly; NaN or an infinity elsewhere never matches.
template <typename T>
::testing::AssertionResult allClose(const std::vector<T> &actual,
                                    const std::vector<double> &expected,
                                    double tol) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << actual.size() << " elements, expected " << expected.size();
  size_t bad = 0, first = 0;
  double worst = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    double a = double(actual[i]), e = expected[i];
    bool ok;
    if (std::isinf(e)) {
      ok = a == e;
    } else {
      double err = std::fabs(a - e) / std::max(1.0, std::fabs(e));
      // Written so that NaN fails: NaN <= tol is false.
      ok = err <= tol;
      if (ok)
        worst = std::max(worst, err);
    }
    if (!ok && bad++ == 0)
      first = i;
  }
  if (bad == 0)
    return ::testing::AssertionSuccess() << "worst error " << worst;
  return ::testing::AssertionFailure()
         << bad << " of " << expected.size() << " elements off by more than "
         << tol << "; first at " << first << ": " << double(actual[first])
         << " vs expected " << expected[first];
}

} // namespace oracle

#endif // DISTATTN_TEST_ORACLE_COMPARE_H
