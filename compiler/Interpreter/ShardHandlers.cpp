//===- ShardHandlers.cpp - Evaluator semantics of the shard dialect -------===//
//
// Simulated ranks: the evaluator runs one SPMD function on every device of a
// shard.grid in lockstep, so a collective is a function of all ranks'
// operands. Group semantics follow upstream shard: the devices that share
// their coordinates on every axis outside `grid_axes` form a group, ordered
// by their coordinates on `grid_axes`. shard.shift moves each value `offset`
// places along `shift_axis` (the receiver of rank c is c + offset, as with
// MPI_Cart_shift); without `rotate`, ranks with no sender get NaN, which any
// later use makes visible.
//
//===----------------------------------------------------------------------===//
#include "compiler/Interpreter/Interpreter.h"
#include "compiler/Interpreter/Timeline.h"
#include "dialects/DAttn/DAttn.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/SymbolTable.h"

#include <limits>

using namespace mlir;
using namespace mlir::dattn::interp;

namespace {

/// A static device grid and the groups of its collectives.
struct Grid {
  SmallVector<int64_t> shape;

  SmallVector<int64_t> coordinates(int64_t rank) const {
    SmallVector<int64_t> coords(shape.size());
    for (int d = int(shape.size()) - 1; d >= 0; --d) {
      coords[d] = rank % shape[d];
      rank /= shape[d];
    }
    return coords;
  }

  int64_t linearize(ArrayRef<int64_t> coords) const {
    int64_t rank = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      rank = rank * shape[d] + coords[d];
    return rank;
  }

  /// The ranks of `rank`'s group along `axes`, in group order.
  SmallVector<int64_t> group(int64_t rank, ArrayRef<int16_t> axes) const {
    SmallVector<int64_t> members;
    SmallVector<int64_t> coords = coordinates(rank);
    int64_t size = 1;
    for (int16_t axis : axes)
      size *= shape[axis];
    for (int64_t index = 0; index < size; ++index) {
      int64_t rest = index;
      for (int a = int(axes.size()) - 1; a >= 0; --a) {
        coords[axes[a]] = rest % shape[axes[a]];
        rest /= shape[axes[a]];
      }
      members.push_back(linearize(coords));
    }
    return members;
  }
};

FailureOr<Grid> lookupGrid(Operation *op, FlatSymbolRefAttr name) {
  auto grid = SymbolTable::lookupNearestSymbolFrom<shard::GridOp>(op, name);
  if (!grid)
    return op->emitError() << "no shard.grid named " << name;
  Grid result;
  for (int64_t dim : grid.getShape()) {
    if (ShapedType::isDynamic(dim))
      return op->emitError()
             << "the reference evaluator needs a grid of static shape";
    result.shape.push_back(dim);
  }
  return result;
}

/// Binds `result` on every rank to `input` of the rank `offset` places
/// before it along `axis` (wrapping with `rotate`, NaN where there is no
/// sender), counting the bytes moved for the plan verifier.
LogicalResult shiftAlongGrid(Operation *op, Frame &frame, PlanTracker *tracker,
                             FlatSymbolRefAttr gridName, Value input,
                             Value result, int64_t axis, int64_t offset,
                             bool rotate, bool async) {
  auto grid = lookupGrid(op, gridName);
  if (failed(grid))
    return failure();
  if (axis < 0 || axis >= int64_t(grid->shape.size()))
    return op->emitError() << "shift axis " << axis << " is not an axis of "
                           << gridName;
  int64_t size = grid->shape[axis];
  for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
    SmallVector<int64_t> coords = grid->coordinates(rank);
    int64_t source = coords[axis] - offset;
    if (rotate)
      source = ((source % size) + size) % size;
    if (source < 0 || source >= size) {
      const Tensor &value = std::get<Tensor>(frame.lookup(input, rank));
      frame.bind(result, rank,
                 Tensor::filled(value.shape,
                                std::numeric_limits<double>::quiet_NaN()));
      continue;
    }
    coords[axis] = source;
    int64_t sender = grid->linearize(coords);
    frame.bind(result, rank, frame.lookup(input, sender));
    if (tracker && sender != int64_t(rank)) {
      int64_t bytes = dattn::getStorageBytes(input.getType());
      tracker->ranks[rank].bytesReceived += bytes;
      tracker->ranks[sender].bytesSent += bytes;
      if (tracker->timeline)
        tracker->timeline->transfer(result, rank, sender, bytes, axis);
    }
  }
  // A synchronous shift waits at once, after every rank has sent.
  if (tracker && tracker->timeline && !async)
    for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank)
      tracker->timeline->wait(result, rank);
  return success();
}

/// Binds `result` on every rank to the concatenation along `gatherAxis` of
/// its group's `input`s, counting the bytes for the plan verifier and, on a
/// timeline, blocking (or, `async`, until the wait) like a ring all-gather.
LogicalResult gatherAlongGrid(Operation *op, Frame &frame, PlanTracker *tracker,
                              FlatSymbolRefAttr gridName,
                              ArrayRef<int16_t> axes, Value input, Value result,
                              int64_t gatherAxis, bool async) {
  auto grid = lookupGrid(op, gridName);
  if (failed(grid))
    return failure();
  int64_t bytes = dattn::getStorageBytes(input.getType());
  for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
    SmallVector<const Tensor *> parts;
    for (int64_t member : grid->group(rank, axes)) {
      parts.push_back(&std::get<Tensor>(frame.lookup(input, member)));
      if (tracker && member != int64_t(rank)) {
        tracker->ranks[rank].bytesReceived += bytes;
        tracker->ranks[member].bytesSent += bytes;
      }
    }
    frame.bind(result, rank, concatenate(parts, gatherAxis));
  }
  if (tracker && tracker->timeline) {
    int64_t hops = grid->group(0, axes).size() - 1;
    unsigned stream = axes.empty() ? 0 : axes.front();
    if (async)
      tracker->timeline->startCollective(result, bytes, hops, stream);
    else
      tracker->timeline->collective(bytes, hops, stream);
  }
  return success();
}

/// Piece `index` of `parts` equal pieces of `input` along `axis`, with its
/// tracked rows (sliced when the axis is the sequence, dim 2).
Tensor piece(const Tensor &input, int64_t axis, int64_t index, int64_t parts) {
  SmallVector<int64_t> shape = input.shape;
  int64_t size = shape[axis] / parts;
  shape[axis] = size;
  Tensor result = Tensor::filled(shape, 0.0);
  if (!input.rows.empty()) {
    if (axis == 2) {
      result.rows = input.rows.slice(index * size, size);
      if (input.exported)
        result.exported = sliceCoverage(*input.exported, index * size, size, 1);
    } else {
      result.rows = input.rows;
      result.exported = input.exported;
    }
  }
  result.causal = input.causal;
  if (input.data.empty())
    return result; // shapes only
  // Row-major: `outer` runs of `run` contiguous elements, one per index of
  // the dims before `axis`.
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= input.shape[d];
  for (size_t d = axis + 1; d < input.shape.size(); ++d)
    inner *= input.shape[d];
  int64_t run = size * inner;
  for (int64_t o = 0; o < outer; ++o)
    std::copy_n(input.data.begin() +
                    (o * input.shape[axis] + index * size) * inner,
                run, result.data.begin() + o * run);
  return result;
}

/// shard.all_to_all: group member i receives piece i of every member's
/// input (split along `splitAxis`), concatenated in member order along
/// `concatAxis`. Bytes and, on a timeline, a blocking exchange (every piece
/// in flight at once).
LogicalResult allToAllAlongGrid(shard::AllToAllOp op, Frame &frame,
                                PlanTracker *tracker) {
  auto grid = lookupGrid(op, op.getGridAttr());
  if (failed(grid))
    return failure();
  int64_t splitAxis = op.getSplitAxis().getSExtValue();
  int64_t concatAxis = op.getConcatAxis().getSExtValue();
  int64_t bytes = dattn::getStorageBytes(op.getInput().getType());
  for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
    SmallVector<int64_t> members = grid->group(rank, op.getGridAxes());
    int64_t n = members.size();
    int64_t me = llvm::find(members, int64_t(rank)) - members.begin();
    const Tensor &mine = std::get<Tensor>(frame.lookup(op.getInput(), rank));
    if (mine.shape[splitAxis] % n != 0)
      return op.emitOpError()
             << "splits dim " << splitAxis << " of size "
             << mine.shape[splitAxis] << " into " << n << " pieces";
    std::vector<Tensor> pieces;
    for (int64_t member : members)
      pieces.push_back(
          piece(std::get<Tensor>(frame.lookup(op.getInput(), member)),
                splitAxis, me, n));
    SmallVector<const Tensor *> parts;
    for (const Tensor &p : pieces)
      parts.push_back(&p);
    frame.bind(op.getResult(), rank, concatenate(parts, concatAxis));
    if (tracker) {
      // Every piece but its own leaves the rank, and as much arrives.
      tracker->ranks[rank].bytesSent += bytes / n * (n - 1);
      tracker->ranks[rank].bytesReceived += bytes / n * (n - 1);
    }
  }
  if (tracker && tracker->timeline) {
    int64_t n = grid->group(0, op.getGridAxes()).size();
    tracker->timeline->exchange(
        bytes / n, grid->group(0, op.getGridAxes()),
        op.getGridAxes().empty() ? 0 : op.getGridAxes().front());
  }
  return success();
}

} // namespace

FailureOr<unsigned> mlir::dattn::interp::getNumRanks(Operation *module) {
  std::optional<int64_t> ranks;
  WalkResult walk = module->walk([&](shard::GridOp grid) {
    int64_t size = 1;
    for (int64_t dim : grid.getShape()) {
      if (ShapedType::isDynamic(dim)) {
        grid.emitError() << "the reference evaluator needs a grid of static "
                            "shape";
        return WalkResult::interrupt();
      }
      size *= dim;
    }
    if (ranks && *ranks != size) {
      grid.emitError() << "grids of different sizes (" << *ranks << " and "
                       << size << ") in one module";
      return WalkResult::interrupt();
    }
    ranks = size;
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  return unsigned(ranks.value_or(1));
}

void mlir::dattn::interp::registerShardHandlers(Interpreter &interpreter) {
  interpreter.registerHandler(
      shard::ProcessLinearIndexOp::getOperationName(),
      [](Operation *op, Frame &frame) -> LogicalResult {
        for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank)
          frame.bind(op->getResult(0), rank, int64_t(rank));
        return success();
      });

  interpreter.registerHandler(
      shard::ProcessMultiIndexOp::getOperationName(),
      [](Operation *op, Frame &frame) -> LogicalResult {
        auto index = cast<shard::ProcessMultiIndexOp>(op);
        auto grid = lookupGrid(op, index.getGridAttr());
        if (failed(grid))
          return failure();
        SmallVector<int16_t> axes(index.getAxes());
        if (axes.empty())
          for (int16_t axis = 0; axis < int16_t(grid->shape.size()); ++axis)
            axes.push_back(axis);
        for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
          SmallVector<int64_t> coords = grid->coordinates(rank);
          for (auto [result, axis] : llvm::zip(index.getResults(), axes))
            frame.bind(result, rank, coords[axis]);
        }
        return success();
      });

  interpreter.registerHandler(
      shard::ShiftOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        auto shift = cast<shard::ShiftOp>(op);
        return shiftAlongGrid(op, frame, interpreter.tracker,
                              shift.getGridAttr(), shift.getInput(),
                              shift.getResult(),
                              shift.getShiftAxis().getSExtValue(),
                              shift.getOffset(), shift.getRotate(),
                              /*async=*/false);
      });

  // The asynchronous shift moves the data when it starts (ranks run in
  // lockstep); the handle holds the received value until the wait.
  interpreter.registerHandler(
      ShiftStartOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        auto start = cast<ShiftStartOp>(op);
        return shiftAlongGrid(op, frame, interpreter.tracker,
                              start.getGridAttr(), start.getInput(),
                              start.getTransfer(), start.getAxis(),
                              start.getOffset(), start.getRotate(),
                              /*async=*/true);
      });
  interpreter.registerHandler(
      WaitOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        auto wait = cast<WaitOp>(op);
        for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
          frame.bind(wait.getResult(), rank,
                     frame.lookup(wait.getTransfer(), rank));
          if (interpreter.tracker && interpreter.tracker->timeline)
            interpreter.tracker->timeline->wait(wait.getTransfer(), rank);
        }
        return success();
      });

  interpreter.registerHandler(
      shard::AllGatherOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        auto gather = cast<shard::AllGatherOp>(op);
        return gatherAlongGrid(op, frame, interpreter.tracker,
                               gather.getGridAttr(), gather.getGridAxes(),
                               gather.getInput(), gather.getResult(),
                               gather.getGatherAxis().getSExtValue(),
                               /*async=*/false);
      });

  interpreter.registerHandler(
      AllGatherStartOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        auto start = cast<AllGatherStartOp>(op);
        SmallVector<int16_t> axes = {int16_t(start.getAxis())};
        return gatherAlongGrid(op, frame, interpreter.tracker,
                               start.getGridAttr(), axes, start.getInput(),
                               start.getTransfer(), start.getGatherAxis(),
                               /*async=*/true);
      });

  interpreter.registerHandler(
      shard::AllToAllOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        return allToAllAlongGrid(cast<shard::AllToAllOp>(op), frame,
                                 interpreter.tracker);
      });

  interpreter.registerHandler(
      shard::AllReduceOp::getOperationName(),
      [](Operation *op, Frame &frame) -> LogicalResult {
        auto reduce = cast<shard::AllReduceOp>(op);
        auto grid = lookupGrid(op, reduce.getGridAttr());
        if (failed(grid))
          return failure();
        shard::ReductionKind kind = reduce.getReduction();
        if (kind != shard::ReductionKind::Sum &&
            kind != shard::ReductionKind::Max &&
            kind != shard::ReductionKind::Min)
          return op->emitError() << "the reference evaluator reduces with "
                                    "sum, max or min only";
        for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
          auto members = grid->group(rank, reduce.getGridAxes());
          Tensor result =
              std::get<Tensor>(frame.lookup(reduce.getInput(), members[0]));
          for (int64_t member : ArrayRef<int64_t>(members).drop_front()) {
            const Tensor &input =
                std::get<Tensor>(frame.lookup(reduce.getInput(), member));
            for (size_t i = 0;
                 i < std::min(result.data.size(), input.data.size()); ++i) {
              double &acc = result.data[i];
              double x = input.data[i];
              acc = kind == shard::ReductionKind::Sum   ? acc + x
                    : kind == shard::ReductionKind::Max ? std::max(acc, x)
                                                        : std::min(acc, x);
            }
          }
          frame.bind(reduce.getResult(), rank, std::move(result));
        }
        return success();
      });
}
