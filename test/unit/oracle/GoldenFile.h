//===- GoldenFile.h - Reads test/golden/attention.txt -----------*- C++ -*-===//
//
// The golden cases: attention inputs and the (out, lse) PyTorch computed for
// them in float64 (scripts/make-golden.py; the format is described in
// test/golden/README.md).
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_TEST_ORACLE_GOLDENFILE_H
#define DISTATTN_TEST_ORACLE_GOLDENFILE_H

#include "NaiveAttention.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace golden {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
};

struct Case {
  std::string name;
  /// Shape, mask and scale (absent: the default) in the oracle's terms.
  naive::Problem problem;
  /// The scale the case was computed with, default or not.
  double scaleUsed = 0;
  /// q, k, v, out and lse.
  std::map<std::string, Tensor> tensors;
};

/// Reads every case of `path`; on a malformed file returns none and sets
/// `error` to what and where.
std::vector<Case> readCases(const std::string &path, std::string &error);

} // namespace golden

#endif // DISTATTN_TEST_ORACLE_GOLDENFILE_H
