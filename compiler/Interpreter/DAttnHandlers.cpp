//===- DAttnHandlers.cpp - Evaluator semantics of the dattn ops -----------===//
//
// Each handler is the op's Spec.md semantics in fp64, built on the runtime's
// reference arithmetic (distattn/reference.h) so that the evaluator, the host
// target and the kernels' test oracle are one implementation.
//
// With a PlanTracker the same handlers verify a plan instead: a tile checks
// that the positions it masks with are those of the rows it holds, records
// the (q, k) pairs it covers, and merges and finalizes prove each visible
// pair is covered exactly once.
//
//===----------------------------------------------------------------------===//
#include "compiler/Interpreter/Interpreter.h"
#include "compiler/Interpreter/Timeline.h"
#include "dialects/DAttn/DAttn.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;
using namespace mlir::dattn;
using namespace mlir::dattn::interp;

namespace {

distattn::AttentionShape attentionShape(const Tensor &q, const Tensor &k) {
  return {q.shape[0], q.shape[1], k.shape[1],
          q.shape[2], k.shape[2], q.shape[3]};
}

/// The state of q against k/v: the body of attention and micro_attention.
State attend(const Tensor &q, const Tensor &k, const Tensor &v,
             const distattn::MaskSpec &mask, double scale) {
  State state{Tensor::filled(q.shape, 0.0),
              Tensor::filled(ArrayRef<int64_t>(q.shape).drop_back(), 0.0)};
  distattn::microAttention<double>(
      q.data.data(), k.data.data(), v.data.data(), attentionShape(q, k), mask,
      scale, state.out.data.data(), state.lse.data.data());
  return state;
}

State identityState(StateType type) {
  return {Tensor::filled(type.getShape(), 0.0),
          Tensor::filled(type.getShape().drop_back(),
                         -std::numeric_limits<double>::infinity())};
}

std::string describe(const Positions &positions) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(positions.front(4), os);
  if (positions.size() > 4)
    os << ", ... " << positions.back();
  os << "]";
  return text;
}

/// The keys of `keys` before `end`, as a piece's ascending run.
Run keysBefore(Run keys, int64_t end) {
  if (keys.count > 1 && keys.stride < 0)
    keys = {keys.last(), -keys.stride, keys.count};
  if (keys.start >= end)
    return {keys.start, 0, 0};
  if (keys.count > 1)
    keys.count = std::min(keys.count, (end - 1 - keys.start) / keys.stride + 1);
  if (keys.count == 1)
    keys.stride = 0;
  return keys;
}

/// Verifies one tile on one rank and returns the pairs it covers: the
/// positions it masks with must be the rows it holds (a wrong owner or
/// offset in a plan shows up here), and it may hold each key once.
FailureOr<State> trackTile(MicroAttentionOp tile, unsigned rank,
                           const distattn::MaskSpec &mask, bool hasPositions,
                           const Tensor &q, const Tensor &k,
                           PlanTracker &tracker) {
  if (q.rows.empty() || k.rows.empty())
    return tile.emitError() << "plan verifier: cannot tell which tokens this "
                               "tile holds on rank "
                            << rank;
  for (auto [name, rows, map] :
       {std::tuple<StringRef, const Positions &, distattn::PositionMap>{
            "q", q.rows, mask.q},
        {"k", k.rows, mask.k}}) {
    // Positions decide visibility only under a causal mask (and keys'
    // under k_end): a full tile's claim is not checked.
    bool matters =
        mask.causal ||
        (name == "k" && mask.kLimit != std::numeric_limits<int64_t>::max());
    Positions claimed =
        Positions::progression(map.offset, map.stride, rows.size());
    if (hasPositions && matters && claimed != rows)
      return tile.emitError()
             << "plan verifier: on rank " << rank << " this tile's " << name
             << " positions " << describe(claimed)
             << " are not those of the tokens it holds " << describe(rows);
  }
  Positions keys = k.rows.sorted();
  ArrayRef<Run> keyRuns(keys.getRuns().begin(), keys.getRuns().size());
  for (size_t r = 0; r < keyRuns.size(); ++r) {
    const Run &run = keyRuns[r];
    bool repeated = run.count > 1 && run.stride == 0;
    if (repeated || (r > 0 && keyRuns[r - 1].last() == run.start))
      return tile.emitError()
             << "plan verifier: on rank " << rank << " this tile holds key "
             << run.start << " twice";
  }
  State state;
  state.rows = q.rows;
  state.causal = mask.causal;
  RankReport &report = tracker.ranks[rank];
  llvm::append_range(report.keysHeld, keyRuns);
  // Keys are visible up to the row's position (causal) and k_end; keys
  // past the sequence are padding that no pair counts.
  int64_t keyEnd = std::min(mask.kLimit, tracker.keyLength);
  int64_t firstRow = q.rows.minIn(0, q.rows.size());
  int64_t pairs = 0;
  for (const Run &run : keyRuns) {
    Piece piece{0, q.rows.size(), keysBefore(run, keyEnd), mask.causal};
    if (piece.keys.count == 0)
      continue;
    // Keys that no row lies before cover the same pairs with or without
    // a causal mask: said one way, the pieces of a ring's steps join.
    if (piece.keys.last() <= firstRow)
      piece.causal = true;
    int64_t piecePairs = countPairs(q.rows, piece);
    pairs += piecePairs;
    if (tracker.proveCoverage && piecePairs > 0)
      addPiece(state.pieces, piece);
  }
  // 4 * batch * heads * head_dim flops per pair (QK^T and PV).
  int64_t flops = pairs * 4 * q.shape[0] * q.shape[1] * q.shape[3];
  // The kernel reads the tile's K and V once (GQA: once per KV head).
  if (tracker.timeline)
    tracker.timeline->compute(
        rank, double(flops),
        2.0 * double(dattn::getStorageBytes(tile.getK().getType())));
  if (pairs == 0) {
    ++report.tilesSkipped;
  } else {
    ++report.tilesRun;
    report.visiblePairs += pairs;
    report.flops += flops;
    report.tileElements += q.rows.size() * k.rows.size();
  }
  return state;
}

/// Merges tracked states; a pair covered twice is an error.
FailureOr<State> trackMerge(MergeOp merge, unsigned rank,
                            ArrayRef<const RuntimeValue *> operands) {
  State merged;
  for (const RuntimeValue *operand : operands) {
    const State &state = std::get<State>(*operand);
    if (state.rows.empty())
      continue; // the identity
    merged.causal |= state.causal;
    if (merged.rows.empty()) {
      merged.rows = state.rows;
      merged.pieces = state.pieces;
      continue;
    }
    if (merged.rows != state.rows)
      return merge.emitError()
             << "plan verifier: on rank " << rank
             << " this merge combines different query rows "
             << describe(merged.rows) << " and " << describe(state.rows);
    // Each piece brought against each already there: the pieces of a
    // state are few (a tile's key runs; a ring's steps join into one).
    for (const Piece &piece : state.pieces) {
      for (const Piece &other : merged.pieces)
        if (auto pair = commonPair(merged.rows, other, piece))
          return merge.emitError()
                 << "plan verifier: on rank " << rank << " the pair (q "
                 << pair->query << ", k " << pair->key << ") is computed twice";
      addPiece(merged.pieces, piece);
    }
  }
  return merged;
}

/// A finalized row must have seen every key it is allowed to see, once
/// (the merges proved the once), and none it may not.
LogicalResult checkComplete(FinalizeOp finalize, unsigned rank,
                            const State &state, const PlanTracker &tracker) {
  if (state.causal)
    for (const Piece &piece : state.pieces)
      if (auto pair = pairPastDiagonal(state.rows, piece, tracker.keyLength))
        return finalize.emitError()
               << "plan verifier: on rank " << rank << " query " << pair->query
               << " has seen key " << pair->key
               << ", which a causal attention hides from it";
  auto shortfall =
      findShortfall(state.rows, state.pieces, state.causal, tracker.keyLength);
  if (!shortfall)
    return success();
  return finalize.emitError()
         << "plan verifier: on rank " << rank << " query " << shortfall->query
         << " has seen " << shortfall->seen << " of its " << shortfall->expected
         << " keys";
}

/// Whether a finalized output is an exported partial state: it reaches a
/// dattn.as_state through the ops that use it (a decode plan ships each
/// holder's (out, lse) to be merged). Only then may it be incomplete; the
/// merged state is checked when it is finalized for good.
bool isPartialExport(FinalizeOp finalize) {
  if (!finalize.getLse())
    return false;
  SmallVector<Value> work{finalize.getOut()};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value value = work.pop_back_val();
    if (!seen.insert(value).second)
      continue;
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isa<AsStateOp>(user))
        return true;
      // Through a loop: what a step yields is the next step's argument and
      // the loop's result (a decode plan collects partials in a loop).
      if (auto yield = dyn_cast<scf::YieldOp>(user)) {
        unsigned index = use.getOperandNumber();
        if (auto loop = dyn_cast<scf::ForOp>(yield->getParentOp())) {
          work.push_back(loop.getResult(index));
          work.push_back(loop.getRegionIterArgs()[index]);
        }
        continue;
      }
      llvm::append_range(work, user->getResults());
    }
  }
  return false;
}

} // namespace

void mlir::dattn::interp::registerDAttnHandlers(Interpreter &interpreter) {
  interpreter.registerLocalHandler(
      AttentionOp::getOperationName(),
      [&interpreter](Operation *op, ArrayRef<const RuntimeValue *> operands,
                     SmallVectorImpl<RuntimeValue> &results) -> LogicalResult {
        // Tracking runs on shapes alone: an unplanned attention has no
        // tiles to follow (and no data to compute on).
        if (interpreter.tracker)
          return op->emitError()
                 << "this attention is not planned into tiles yet; run "
                    "dattn-plan-prefill, dattn-plan-decode or "
                    "dattn-decompose first";
        auto attention = cast<AttentionOp>(op);
        State state = attend(std::get<Tensor>(*operands[0]),
                             std::get<Tensor>(*operands[1]),
                             std::get<Tensor>(*operands[2]),
                             attention.getEffectiveMask().getSpec(),
                             attention.getEffectiveScale());
        results.push_back(std::move(state.out));
        return success();
      });

  interpreter.registerHandler(
      MicroAttentionOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        auto tile = cast<MicroAttentionOp>(op);
        for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
          distattn::MaskSpec mask = tile.getEffectiveMask().getSpec();
          if (tile.hasDynamicOffsets()) {
            // at(%q_offset, %k_offset) adds to the static offsets.
            mask.q.offset +=
                std::get<int64_t>(frame.lookup(tile.getQOffset(), rank));
            mask.k.offset +=
                std::get<int64_t>(frame.lookup(tile.getKOffset(), rank));
          }
          const Tensor &q = std::get<Tensor>(frame.lookup(tile.getQ(), rank));
          const Tensor &k = std::get<Tensor>(frame.lookup(tile.getK(), rank));
          const Tensor &v = std::get<Tensor>(frame.lookup(tile.getV(), rank));
          if (interpreter.tracker) {
            // A tile without a mask claims no positions: it sees all it holds.
            auto state = trackTile(tile, rank, mask,
                                   /*hasPositions=*/bool(tile.getMaskAttr()), q,
                                   k, *interpreter.tracker);
            if (failed(state))
              return failure();
            frame.bind(tile.getState(), rank, std::move(*state));
            continue;
          }
          frame.bind(tile.getState(), rank,
                     attend(q, k, v, mask, tile.getEffectiveScale()));
        }
        return success();
      });

  interpreter.registerHandler(
      MergeOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        auto merge = cast<MergeOp>(op);
        StateType type = merge.getType();
        for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
          SmallVector<const RuntimeValue *> operands;
          for (Value state : merge.getStates())
            operands.push_back(&frame.lookup(state, rank));
          if (interpreter.tracker) {
            auto merged = trackMerge(merge, rank, operands);
            if (failed(merged))
              return failure();
            frame.bind(merge.getResult(), rank, std::move(*merged));
            continue;
          }
          std::vector<const double *> outs, lses;
          for (const RuntimeValue *operand : operands) {
            const State &state = std::get<State>(*operand);
            outs.push_back(state.out.data.data());
            lses.push_back(state.lse.data.data());
          }
          State merged = identityState(type);
          distattn::mergeStates<double>(
              outs, lses, merged.lse.getNumElements(), type.getHeadDim(),
              merged.out.data.data(), merged.lse.data.data());
          frame.bind(merge.getResult(), rank, std::move(merged));
        }
        return success();
      });

  interpreter.registerLocalHandler(
      AsStateOp::getOperationName(),
      [&interpreter](Operation *op, ArrayRef<const RuntimeValue *> operands,
                     SmallVectorImpl<RuntimeValue> &results) -> LogicalResult {
        if (PlanTracker *tracker = interpreter.tracker) {
          // The state a dattn.finalize exported: its rows and their keys
          // (when coverage is proved; a timeline only counts).
          const Tensor &out = std::get<Tensor>(*operands[0]);
          if (out.rows.empty() || (tracker->proveCoverage && !out.exported))
            return op->emitError()
                   << "plan verifier: this state's output does not come "
                      "from a dattn.finalize with lse through slices, "
                      "gathers and placements that fill every slot";
          State state;
          state.rows = out.rows;
          if (out.exported)
            state.pieces = *out.exported;
          state.causal = out.causal;
          results.push_back(std::move(state));
          return success();
        }
        results.push_back(State{std::get<Tensor>(*operands[0]),
                                std::get<Tensor>(*operands[1])});
        return success();
      });

  interpreter.registerLocalHandler(
      EmptyStateOp::getOperationName(),
      [&interpreter](Operation *op, ArrayRef<const RuntimeValue *>,
                     SmallVectorImpl<RuntimeValue> &results) {
        auto type = cast<EmptyStateOp>(op).getType();
        // The tracked identity covers nothing and holds no rows yet.
        results.push_back(interpreter.tracker ? State() : identityState(type));
        return success();
      });

  interpreter.registerHandler(
      FinalizeOp::getOperationName(),
      [&interpreter](Operation *op, Frame &frame) -> LogicalResult {
        auto finalize = cast<FinalizeOp>(op);
        auto type = finalize.getState().getType();
        for (unsigned rank = 0; rank < frame.getNumRanks(); ++rank) {
          const State &state =
              std::get<State>(frame.lookup(finalize.getState(), rank));
          Tensor out = state.out, lse = state.lse;
          if (PlanTracker *tracker = interpreter.tracker) {
            if (state.rows.empty())
              return finalize.emitError()
                     << "plan verifier: on rank " << rank
                     << " this output was computed by no tile";
            bool partial = isPartialExport(finalize);
            if (tracker->proveCoverage && !partial &&
                failed(checkComplete(finalize, rank, state, *tracker)))
              return failure();
            out = Tensor::filled(type.getShape(), 0.0);
            out.rows = state.rows;
            if (partial) {
              out.exported = state.pieces;
              out.causal = state.causal;
            }
            lse = Tensor::filled(type.getShape().drop_back(), 0.0);
          }
          frame.bind(finalize.getOut(), rank, std::move(out));
          if (finalize.getLse())
            frame.bind(finalize.getLse(), rank, std::move(lse));
        }
        return success();
      });
}
