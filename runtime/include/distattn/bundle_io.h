//===- bundle_io.h - Run-time lengths at a bundle's C API -------*- C++ -*-===//
//
// A bundle's plan is compiled for a sequence length S; its C API takes any
// length 1 <= L <= S at run time. The inputs are padded to S along the
// sequence axis (zeros), the runtime hides keys at positions >= L from every
// tile (its valid-length clamp of k_end), and the output's first rows are
// returned. A run costs what the compiled length costs.
//
// Header-only, plain C++; the host and the cuda bundles share it.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_BUNDLE_IO_H
#define DISTATTN_BUNDLE_IO_H

#include <algorithm>
#include <cstdint>
#include <vector>

namespace distattn::bundle {

/// [outer, rows, inner] row-major with `rows` rows, as [outer, padded,
/// inner] with zeros after them.
inline std::vector<float> padRows(const float *data, int64_t outer,
                                  int64_t rows, int64_t padded, int64_t inner) {
  std::vector<float> result(size_t(outer * padded * inner), 0.0f);
  for (int64_t o = 0; o < outer; ++o)
    std::copy(data + o * rows * inner, data + (o + 1) * rows * inner,
              result.begin() + o * padded * inner);
  return result;
}

/// The first `rows` of each [padded, inner] slab of `data` into `out`.
inline void unpadRows(const std::vector<float> &data, int64_t outer,
                      int64_t rows, int64_t padded, int64_t inner, float *out) {
  for (int64_t o = 0; o < outer; ++o)
    std::copy(data.begin() + o * padded * inner,
              data.begin() + (o * padded + rows) * inner,
              out + o * rows * inner);
}

} // namespace distattn::bundle

#endif // DISTATTN_BUNDLE_IO_H
