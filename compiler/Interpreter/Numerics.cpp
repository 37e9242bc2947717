//===- Numerics.cpp - Seeded inputs and error norms for the evaluator -----===//
#include "compiler/Interpreter/Interpreter.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cmath>
#include <limits>
#include <random>

using namespace mlir;
using namespace mlir::dattn::interp;

Tensor mlir::dattn::interp::randomNormal(ArrayRef<int64_t> shape,
                                         uint64_t seed) {
  Tensor tensor = Tensor::filled(shape, 0.0);
  std::mt19937_64 generator(seed);
  auto uniform = [&] {
    // 53 random bits in (0, 1]: never 0, so log() below is finite.
    return double((generator() >> 11) + 1) * 0x1.0p-53;
  };
  for (size_t i = 0; i < tensor.data.size(); i += 2) {
    double radius = std::sqrt(-2.0 * std::log(uniform()));
    double angle = 2.0 * M_PI * uniform();
    tensor.data[i] = radius * std::cos(angle);
    if (i + 1 < tensor.data.size())
      tensor.data[i + 1] = radius * std::sin(angle);
  }
  return tensor;
}

FailureOr<RuntimeValue> mlir::dattn::interp::makeRandomInput(Type type,
                                                             uint64_t seed) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType || !tensorType.hasStaticShape() ||
      !isa<FloatType>(tensorType.getElementType()))
    return failure();
  return RuntimeValue(randomNormal(tensorType.getShape(), seed));
}

FailureOr<std::vector<RuntimeValue>>
mlir::dattn::interp::makeTrackedInputs(func::FuncOp func, PlanTracker &tracker,
                                       StringRef pass) {
  std::vector<RuntimeValue> args;
  // Keys are the positions [0, L) of the longest argument; every argument
  // holds them, but the query (the first argument) may hold only the last
  // rows (decode: SQ new tokens at the end of the L).
  int64_t length = 0;
  for (Type type : func.getArgumentTypes()) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || !tensorType.hasStaticShape() ||
        tensorType.getRank() != 4)
      return func.emitError()
             << pass
             << ": arguments must be static [batch, heads, seq, head_dim] "
                "tensors, got "
             << type;
    length = std::max(length, tensorType.getDimSize(2));
  }
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
    int64_t rows = cast<RankedTensorType>(type).getDimSize(2);
    if (rows != length && index != 0)
      return func.emitError()
             << pass << " follows attention over one sequence: the keys and "
             << "values hold all " << length << " tokens, but argument "
             << index << " has " << rows << " rows";
    Tensor input = Tensor::filled(cast<RankedTensorType>(type).getShape(), 0.0);
    input.rows = Positions::range(length - rows, length);
    args.push_back(std::move(input));
  }
  tracker.keyLength = length;
  return args;
}

namespace {
/// Accumulates squared differences and squared reference values.
struct ErrorNorm {
  double difference = 0, reference = 0;
  bool mismatch = false;

  void add(const Tensor &value, const Tensor &ref) {
    if (value.shape != ref.shape) {
      mismatch = true;
      return;
    }
    for (size_t i = 0; i < ref.data.size(); ++i) {
      double a = value.data[i], b = ref.data[i];
      if (!std::isfinite(a) || !std::isfinite(b)) {
        // -inf lse marks rows that saw no key: both sides must agree. A NaN
        // equals nothing, so one on either side (a read of an unsent
        // buffer or an unwritten tensor) is a mismatch, never a term of
        // the norm, where it would vanish from a max of errors.
        mismatch |= a != b;
        continue;
      }
      difference += (a - b) * (a - b);
      reference += b * b;
    }
  }

  double get() const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (mismatch)
      return inf;
    if (reference == 0)
      return difference == 0 ? 0 : inf;
    // Finite terms can still overflow to inf / inf.
    double error = std::sqrt(difference / reference);
    return std::isnan(error) ? inf : error;
  }
};
} // namespace

double mlir::dattn::interp::relativeError(const RuntimeValue &value,
                                          const RuntimeValue &reference) {
  ErrorNorm norm;
  if (value.index() != reference.index())
    return std::numeric_limits<double>::infinity();
  if (auto *scalar = std::get_if<int64_t>(&value))
    return *scalar == std::get<int64_t>(reference)
               ? 0
               : std::numeric_limits<double>::infinity();
  if (auto *tensor = std::get_if<Tensor>(&value)) {
    norm.add(*tensor, std::get<Tensor>(reference));
  } else {
    const State &state = std::get<State>(value);
    const State &ref = std::get<State>(reference);
    norm.add(state.out, ref.out);
    norm.add(state.lse, ref.lse);
  }
  return norm.get();
}
