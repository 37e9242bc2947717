//===- NaiveAttention.cpp - Attention straight from Spec.md ---------------===//
#include "NaiveAttention.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace naive {

bool isVisible(const Mask &mask, int64_t i, int64_t j) {
  int64_t queryPosition = mask.qOffset + mask.qStride * i;
  int64_t keyPosition = mask.kOffset + mask.kStride * j;
  if (mask.kEnd && keyPosition >= *mask.kEnd)
    return false;
  return !mask.causal || queryPosition >= keyPosition;
}

int64_t kvHeadOf(const Problem &p, int64_t h) {
  int64_t qHeadsPerKvHead = p.qHeads / p.kvHeads;
  return h / qHeadsPerKvHead;
}

State attend(const Problem &p, const std::vector<double> &q,
             const std::vector<double> &k, const std::vector<double> &v,
             const std::vector<bool> *keys) {
  using Real = long double;
  const Real scale =
      p.scale ? Real(*p.scale) : 1.0L / std::sqrt(Real(p.headDim));
  const int64_t sq = p.qLen, sk = p.kvLen, dim = p.headDim;
  auto qAt = [&](int64_t b, int64_t h, int64_t i, int64_t d) {
    return Real(q[((b * p.qHeads + h) * sq + i) * dim + d]);
  };
  auto kAt = [&](int64_t b, int64_t g, int64_t j, int64_t d) {
    return Real(k[((b * p.kvHeads + g) * sk + j) * dim + d]);
  };
  auto vAt = [&](int64_t b, int64_t g, int64_t j, int64_t d) {
    return Real(v[((b * p.kvHeads + g) * sk + j) * dim + d]);
  };

  State state;
  state.out.assign(size_t(p.batch * p.qHeads * sq * dim), 0.0);
  state.lse.assign(size_t(p.batch * p.qHeads * sq),
                   -std::numeric_limits<double>::infinity());
  // S = scale * Q K^T of one (batch, q head), and which of it is visible.
  std::vector<Real> scores(size_t(sq * sk));
  std::vector<bool> seen(size_t(sq * sk));
  std::vector<Real> probabilities(static_cast<size_t>(sk));
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t h = 0; h < p.qHeads; ++h) {
      const int64_t g = kvHeadOf(p, h);
      for (int64_t i = 0; i < sq; ++i)
        for (int64_t j = 0; j < sk; ++j) {
          Real dot = 0;
          for (int64_t d = 0; d < dim; ++d)
            dot += qAt(b, h, i, d) * kAt(b, g, j, d);
          scores[i * sk + j] = scale * dot;
          seen[i * sk + j] = isVisible(p.mask, i, j) && (!keys || (*keys)[j]);
        }
      for (int64_t i = 0; i < sq; ++i) {
        const int64_t row = (b * p.qHeads + h) * sq + i;
        // Pass 1: the row's largest visible score.
        bool any = false;
        Real rowMax = 0;
        for (int64_t j = 0; j < sk; ++j)
          if (seen[i * sk + j] && (!any || scores[i * sk + j] > rowMax)) {
            rowMax = scores[i * sk + j];
            any = true;
          }
        // A row that sees no key keeps out = 0, lse = -inf (Spec.md).
        if (!any)
          continue;
        // Pass 2: the normaliser; then P = softmax(S) and out = P V.
        Real sum = 0;
        for (int64_t j = 0; j < sk; ++j)
          if (seen[i * sk + j])
            sum += std::exp(scores[i * sk + j] - rowMax);
        for (int64_t j = 0; j < sk; ++j)
          probabilities[j] = seen[i * sk + j]
                                 ? std::exp(scores[i * sk + j] - rowMax) / sum
                                 : 0;
        for (int64_t d = 0; d < dim; ++d) {
          Real acc = 0;
          for (int64_t j = 0; j < sk; ++j)
            acc += probabilities[j] * vAt(b, g, j, d);
          state.out[size_t(row * dim + d)] = double(acc);
        }
        state.lse[size_t(row)] = double(rowMax + std::log(sum));
      }
    }
  return state;
}

std::string describe(const Problem &p) {
  std::ostringstream os;
  os << "B=" << p.batch << " Hq=" << p.qHeads << " Hkv=" << p.kvHeads
     << " Sq=" << p.qLen << " Sk=" << p.kvLen << " D=" << p.headDim << " "
     << (p.mask.causal ? "causal" : "full") << " q=" << p.mask.qOffset << "+"
     << p.mask.qStride << "i k=" << p.mask.kOffset << "+" << p.mask.kStride
     << "j k_end=";
  if (p.mask.kEnd)
    os << *p.mask.kEnd;
  else
    os << "-";
  os << " scale=";
  if (p.scale)
    os << *p.scale;
  else
    os << "default";
  return os.str();
}

} // namespace naive
