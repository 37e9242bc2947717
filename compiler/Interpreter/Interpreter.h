//===- Interpreter.h - Reference evaluator for dattn programs ---*- C++ -*-===//
//
// Executable semantics for distattn's IR: runs a function of dattn ops (and
// the upstream ops the pipeline produces) in fp64 on the host, so a test can
// assert that a pass preserves meaning by running the IR before and after.
//
// The evaluator is SPMD from the start: it runs one function on N simulated
// ranks in lockstep, each value bound once per rank. Local ops are evaluated
// rank by rank (registerLocalHandler); collectives such as a ring shift see
// every rank's operands at once (registerHandler), which is all a planning
// pass needs to be checked numerically without a cluster.
//
// Element types are not modelled: values stay fp64 end to end, so the
// evaluator compares algorithms, not roundings.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_COMPILER_INTERPRETER_INTERPRETER_H
#define DISTATTN_COMPILER_INTERPRETER_INTERPRETER_H

#include "compiler/Interpreter/Coverage.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>
#include <variant>
#include <vector>

namespace mlir::dattn::interp {

/// A dense row-major fp64 tensor.
struct Tensor {
  SmallVector<int64_t> shape;
  std::vector<double> data;
  /// When the plan verifier tracks them: the global token position of each
  /// row along the sequence dimension (dim 2 of [B, H, S, D]); else empty.
  Positions rows;
  /// An exported partial state's output (dattn.finalize with lse, to be
  /// read back by dattn.as_state): the pairs its rows have seen (pieces
  /// indexed by this tensor's rows), and whether its rows see keys
  /// causally. Follows `rows` through slices and gathers.
  std::optional<Coverage> exported;
  bool causal = false;
  /// A tensor filled part by part (partial states placed at their batch
  /// and head offsets, each part spanning every row): which [dim 0 x dim 1]
  /// slabs are written, and the rows and pairs the parts bring. They count
  /// as tracked (`rows`, `exported`) only once every slab is written by
  /// parts that agree, so a slot a plan never fills is not taken for seen.
  std::vector<bool> slabsWritten;
  Positions pendingRows;
  std::optional<Coverage> pendingExported;

  static Tensor filled(ArrayRef<int64_t> shape, double value);
  int64_t getNumElements() const;
  /// Row-major strides of `shape`.
  SmallVector<int64_t> getStrides() const;
};

/// Concatenates `parts` along `axis` (tensor.concat, shard.all_gather),
/// carrying tracked rows and exported keys along the sequence dimension.
Tensor concatenate(ArrayRef<const Tensor *> parts, int64_t axis);

/// While one is alive, Tensor::filled makes tensors without data (shape and
/// tracked rows only): the timeline simulation of a full-size plan needs
/// token positions and sizes, not numbers. Handlers skip their data loops
/// on such tensors.
class ShapesOnlyScope {
public:
  ShapesOnlyScope();
  ~ShapesOnlyScope();
  static bool active();

private:
  bool previous;
};

/// An attention state: out [B, H, Q, D] and lse [B, H, Q], both fp64 here.
struct State {
  Tensor out, lse;
  /// Plan verification: the query positions of the rows, and the pairs
  /// this state has accounted for (see Coverage.h).
  Positions rows;
  Coverage pieces;
  bool causal = false;
};

/// What the plan verifier counts on one rank.
struct RankReport {
  int64_t tilesRun = 0, tilesSkipped = 0;
  /// (q, k) pairs the tiles computed, and the elements of the tiles run
  /// (a kernel computes a partial tile whole).
  int64_t visiblePairs = 0, tileElements = 0;
  /// 4 * batch * heads * head_dim per visible pair (QK^T and PV).
  int64_t flops = 0;
  int64_t bytesSent = 0, bytesReceived = 0;
  /// The key positions whose K/V this rank held for a tile at some point.
  std::vector<Run> keysHeld;
};

/// A simulated run of a plan: one compute and one communication stream per
/// rank, advanced by the ops as the evaluator runs them (see Timeline.cpp).
class Timeline;

/// Plan verification state: when an interpreter has one, it tracks token
/// positions through the program instead of computing attention, proves
/// that every visible (q, k) pair is computed exactly once at the position
/// the tile claims, and counts each rank's work and traffic.
struct PlanTracker {
  /// Keys [0, keyLength) exist; a causal row sees those at or before it.
  int64_t keyLength = 0;
  /// Prove exact coverage (Coverage.h); without, tiles only count their
  /// pairs (timelines).
  bool proveCoverage = true;
  /// When set, ops also advance this simulated timeline.
  Timeline *timeline = nullptr;
  std::vector<RankReport> ranks;
};

/// A tensor, a state, or an index/integer scalar (ranks, loop counters).
using RuntimeValue = std::variant<Tensor, State, int64_t>;

/// The bindings of one SPMD execution: every SSA value once per rank.
class Frame {
public:
  explicit Frame(unsigned numRanks) : numRanks(numRanks) {}
  unsigned getNumRanks() const { return numRanks; }
  /// The value on `rank`; the op that defined `value` must have run.
  const RuntimeValue &lookup(Value value, unsigned rank) const;
  void bind(Value value, unsigned rank, RuntimeValue runtimeValue);

private:
  unsigned numRanks;
  llvm::DenseMap<Value, std::vector<RuntimeValue>> values;
};

/// Runs `op` over all ranks: reads its operands from the frame and binds
/// its results. Emits a diagnostic at the op and fails on bad input.
using OpHandler = std::function<LogicalResult(Operation *op, Frame &frame)>;

/// Runs `op` on one rank, from that rank's operands alone.
using LocalHandler = std::function<LogicalResult(
    Operation *op, ArrayRef<const RuntimeValue *> operands,
    SmallVectorImpl<RuntimeValue> &results)>;

class Interpreter {
public:
  /// An interpreter for `numRanks` simulated ranks that knows the dattn,
  /// tensor and arith ops the pipeline produces.
  explicit Interpreter(unsigned numRanks = 1);

  unsigned getNumRanks() const { return numRanks; }
  /// Set for plan verification (see PlanTracker); null for numerics.
  PlanTracker *tracker = nullptr;
  void registerHandler(StringRef opName, OpHandler handler);
  void registerLocalHandler(StringRef opName, LocalHandler handler);

  /// Runs `func`; `args[r]` are rank r's arguments. Returns each rank's
  /// results, or failure after a diagnostic.
  FailureOr<std::vector<std::vector<RuntimeValue>>>
  run(func::FuncOp func, ArrayRef<std::vector<RuntimeValue>> args);

  /// Runs the ops of `block` (its arguments already bound) up to its
  /// terminator, and returns each rank's terminator operands.
  LogicalResult runBlock(Block &block, Frame &frame,
                         std::vector<std::vector<RuntimeValue>> &results);

private:
  unsigned numRanks;
  llvm::StringMap<OpHandler> handlers;
};

void registerDAttnHandlers(Interpreter &interpreter);
void registerTensorHandlers(Interpreter &interpreter);
/// arith on index/integer scalars and scf.for (in lockstep over ranks).
void registerControlHandlers(Interpreter &interpreter);
/// shard.process_linear_index and the collectives, over simulated ranks.
void registerShardHandlers(Interpreter &interpreter);

/// The number of ranks an SPMD module runs on: the size of its shard.grid
/// (1 without one). Fails with a diagnostic if grids of different sizes
/// are used.
FailureOr<unsigned> getNumRanks(Operation *module);

/// Seeded standard-normal values (Box-Muller over mt19937_64, whose output
/// the C++ standard fixes, so inputs are the same on every platform).
Tensor randomNormal(ArrayRef<int64_t> shape, uint64_t seed);

/// The input a function argument of this type gets: a seeded random
/// tensor, or failure for types the evaluator cannot make up.
FailureOr<RuntimeValue> makeRandomInput(Type type, uint64_t seed);

/// The inputs of a tracking run of `func` (plan verification, timelines):
/// each argument a static [B, H, S, D] tensor, all of one S, whose rows are
/// the tokens at positions 0..S-1; sets the tracker's key length to S.
/// Emits a diagnostic naming `pass` and fails on any other argument.
FailureOr<std::vector<RuntimeValue>>
makeTrackedInputs(func::FuncOp func, PlanTracker &tracker, StringRef pass);

/// ||value - reference|| / ||reference|| over every element (out and lse of
/// a state; -inf lse entries must match exactly and are skipped). Returns
/// +inf when the shapes or kinds differ, or where either side holds a NaN or
/// an infinity the other does not: never NaN, which a max of errors drops.
double relativeError(const RuntimeValue &value, const RuntimeValue &reference);

} // namespace mlir::dattn::interp

#endif // DISTATTN_COMPILER_INTERPRETER_INTERPRETER_H
