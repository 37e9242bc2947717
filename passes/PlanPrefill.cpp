//===- PlanPrefill.cpp - Sequence-parallel prefill plans (SPMD) -----------===//
//
// One SPMD program per attention: the rank is a run-time value, so the IR
// does not grow with the number of ranks. Each strategy decides which query
// rows and key/value blocks a rank holds at each ring step; the tiles carry
// their global positions as run-time offsets and are classified (skipped,
// partial, full) when they run.
//
//===----------------------------------------------------------------------===//
#include "compiler/Topology/CostModel.h"
#include "compiler/Topology/Topology.h"
#include "dialects/DAttn/DAttn.h"
#include "passes/Passes.h"
#include "passes/SpmdBuilder.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::dattn {
#define GEN_PASS_DEF_DATTNPLANPREFILL
#include "passes/Passes.h.inc"
} // namespace mlir::dattn

using namespace mlir;
using namespace mlir::dattn;

namespace {

/// Emits the SPMD program of one attention. Sequence positions are padded
/// to `paddedLen`, a multiple of the rank count (twice it for the zigzag
/// layout).
class PrefillPlanBuilder : SpmdBuilder {
public:
  /// `ranks` is the ring size. With `innerRing` = G > 1 the ring runs in a
  /// hierarchical order on grid axes [ranks / G, G]: G ring positions
  /// inside a node, the outer ring across nodes. With `headParallel` > 1 a
  /// last grid axis of that size splits the heads, each ring working on
  /// its share.
  PrefillPlanBuilder(AttentionOp op, StringRef grid, int64_t ranks,
                     int64_t innerRing, int64_t headParallel)
      : SpmdBuilder(op, grid, ranks,
                    (innerRing > 1 ? 2 : 1) + (headParallel > 1 ? 1 : 0)),
        op(op), innerRing(innerRing), headParallel(headParallel) {
    auto qType = op.getQ().getType();
    shape = SmallVector<int64_t>(qType.getShape());
    kvHeads = op.getK().getType().getDimSize(1);
    seqLen = shape[2];
    elementType = qType.getElementType();
    causal = op.getEffectiveMask().isCausal();
  }

  Value build(PrefillStrategy strategy) {
    // Blocks (ring, striped) or chunks (zigzag, all-gather) of equal
    // length, split evenly over a head group for its all-to-all.
    int64_t granule = (strategy == PrefillStrategy::Ring ||
                               strategy == PrefillStrategy::Striped
                           ? ranks
                           : 2 * ranks) *
                      headParallel;
    paddedLen = llvm::divideCeil(seqLen, granule) * granule;
    q = padSequence(op.getQ(), paddedLen);
    k = padSequence(op.getK(), paddedLen);
    v = padSequence(op.getV(), paddedLen);
    // The rank's place on the ring: node-major in the hierarchical order,
    // so the blocks are laid out as in a flat ring over the same GPUs.
    rank = gridIndex(0);
    if (innerRing > 1) {
      node = rank;
      gpu = gridIndex(1);
      rank = add(mul(node, index(innerRing)), gpu);
    }
    output = zeros(RankedTensorType::get(
        {shape[0], shape[1], paddedLen, shape[3]}, elementType));
    if (headParallel > 1) {
      // The ring works on this group's share of the heads (localRows).
      headAxis = innerRing > 1 ? 2 : 1;
      headGroup = gridIndex(headAxis);
      shape[1] /= headParallel;
    }
    switch (strategy) {
    case PrefillStrategy::Ring:
      buildRing(/*strided=*/false);
      break;
    case PrefillStrategy::Striped:
      buildRing(/*strided=*/true);
      break;
    case PrefillStrategy::Zigzag:
      buildZigzag();
      break;
    case PrefillStrategy::AllGather:
      buildAllGather();
      break;
    }
    // Every rank ends with the whole output: its rows, zeros elsewhere,
    // summed over the grid.
    Value assembled = allReduceSum(output);
    if (paddedLen == seqLen)
      return assembled;
    return slice(assembled, builder.getIndexAttr(0), seqLen, 1);
  }

private:
  // Ring and striped: one block of `block` rows a rank; at step t rank r
  // holds the K/V block of rank (r - t) mod N. Striped blocks are the
  // tokens r, r + N, r + 2N, ...
  void buildRing(bool strided) {
    int64_t block = paddedLen / ranks;
    int64_t stride = strided ? ranks : 1;
    Value first = strided ? rank : mul(rank, index(block));
    Value qLocal = localRows(q, first, block, stride);
    Value kLocal = localRows(k, first, block, stride);
    Value vLocal = localRows(v, first, block, stride);
    Value state = emptyState({shape[0], shape[1], block, shape[3]});
    SmallVector<Value> states =
        ringSteps({kLocal, vLocal}, {state},
                  [&](Value owner, ValueRange kv, ValueRange carried) {
                    Value kFirst = strided ? owner : mul(owner, index(block));
                    Value tile = microAttention(qLocal, kv[0], kv[1], first,
                                                kFirst, stride);
                    return SmallVector<Value>{
                        MergeOp::create(builder, loc, carried[0].getType(),
                                        ValueRange{carried[0], tile})};
                  });
    output = placeRows(finalize(states[0], elementType), output, first, block,
                       stride);
  }

  // Zigzag: rank r holds chunks r and 2N-1-r of 2N; every step computes
  // the four (q chunk, kv chunk) tiles, of which causal masks skip some.
  void buildZigzag() {
    int64_t chunk = paddedLen / (2 * ranks);
    Value lo = mul(rank, index(chunk));
    Value hi = mirroredChunk(rank, chunk);
    Value qLo = localRows(q, lo, chunk, 1), qHi = localRows(q, hi, chunk, 1);
    SmallVector<Value> blocks = {
        localRows(k, lo, chunk, 1), localRows(k, hi, chunk, 1),
        localRows(v, lo, chunk, 1), localRows(v, hi, chunk, 1)};
    Value empty = emptyState({shape[0], shape[1], chunk, shape[3]});
    SmallVector<Value> states = ringSteps(
        blocks, {empty, empty}, [&](Value owner, ValueRange c, ValueRange st) {
          Value kLo = mul(owner, index(chunk));
          Value kHi = mirroredChunk(owner, chunk);
          SmallVector<Value> stateLo = {
              st[0], microAttention(qLo, c[0], c[2], lo, kLo, 1),
              microAttention(qLo, c[1], c[3], lo, kHi, 1)};
          SmallVector<Value> stateHi = {
              st[1], microAttention(qHi, c[0], c[2], hi, kLo, 1),
              microAttention(qHi, c[1], c[3], hi, kHi, 1)};
          Type type = st[0].getType();
          return SmallVector<Value>{
              MergeOp::create(builder, loc, type, stateLo),
              MergeOp::create(builder, loc, type, stateHi)};
        });
    output = placeRows(finalize(states[0], elementType), output, lo, chunk, 1);
    output = placeRows(finalize(states[1], elementType), output, hi, chunk, 1);
  }

  // All-gather: K/V blocks gathered once; queries in the zigzag layout so
  // causal work is balanced.
  void buildAllGather() {
    int64_t chunk = paddedLen / (2 * ranks);
    int64_t block = paddedLen / ranks;
    Value first = mul(rank, index(block));
    Value kLocal = localRows(k, first, block, 1);
    Value vLocal = localRows(v, first, block, 1);
    Value lo = mul(rank, index(chunk));
    Value hi = mirroredChunk(rank, chunk);
    Value qLo = localRows(q, lo, chunk, 1), qHi = localRows(q, hi, chunk, 1);
    // One KV head (and its query heads) at a time, so that dattn-overlap
    // can gather the next head's K/V while this one computes.
    int64_t groups = cast<RankedTensorType>(kLocal.getType()).getDimSize(1);
    int64_t qPerGroup = shape[1] / groups;
    // This group's heads, all rows (only this rank's get written).
    Value heads =
        headParallel == 1
            ? output
            : zeros(RankedTensorType::get(
                  {shape[0], shape[1], paddedLen, shape[3]}, elementType));
    auto loop = scf::ForOp::create(builder, loc, index(0), index(groups),
                                   index(1), ValueRange{heads});
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(loop.getBody());
    Value group = loop.getInductionVar();
    Value kAll = allGather(sliceHeads(kLocal, group, 1));
    Value vAll = allGather(sliceHeads(vLocal, group, 1));
    Value qHead = mul(group, index(qPerGroup));
    Value out = loop.getRegionIterArgs()[0];
    for (auto [rows, qRows] : {std::pair<Value, Value>{lo, qLo}, {hi, qHi}}) {
      Value tile = microAttention(sliceHeads(qRows, qHead, qPerGroup), kAll,
                                  vAll, rows, index(0), 1);
      out = placeAt(finalize(tile, elementType), out, qHead, rows);
    }
    scf::YieldOp::create(builder, loc, out);
    builder.setInsertionPointAfter(loop);
    if (headParallel == 1) {
      output = loop.getResult(0);
      return;
    }
    for (Value rows : {lo, hi})
      output = placeRows(slice(loop.getResult(0), rows, chunk, 1), output, rows,
                         chunk, 1);
  }

  /// This rank's rows first + stride * i, i < count, of a [B, H, S, D]
  /// tensor, on its share of the heads. With head parallelism (Ulysses)
  /// each of the P ranks of a head group takes a 1/P sub-block of the rows
  /// with every head, and an all-to-all over the group trades heads for
  /// rows: each ends with the whole block on its group's H/P heads.
  Value localRows(Value tensor, Value first, int64_t count, int64_t stride) {
    if (headParallel == 1)
      return slice(tensor, first, count, stride);
    int64_t part = count / headParallel;
    Value subFirst = arith::AddIOp::create(
        builder, loc, first, mul(headGroup, index(stride * part)));
    return allToAll(slice(tensor, subFirst, part, stride), /*splitDim=*/1,
                    /*concatDim=*/2, headAxis, headParallel);
  }

  /// `into` (every head) with `rows` (this rank's block on its group's
  /// heads) written back at first + stride * i: with head parallelism the
  /// inverse all-to-all first, rows for heads, so each rank writes its
  /// sub-block of the rows on every head.
  Value placeRows(Value rows, Value into, Value first, int64_t count,
                  int64_t stride) {
    if (headParallel == 1)
      return place(rows, into, first, stride);
    int64_t part = count / headParallel;
    Value subFirst = arith::AddIOp::create(
        builder, loc, first, mul(headGroup, index(stride * part)));
    return place(
        allToAll(rows, /*splitDim=*/2, /*concatDim=*/1, headAxis, headParallel),
        into, subFirst, stride);
  }

  /// `step(owner, blocks, states)` computes on the K/V `blocks` in hand,
  /// which came from ring position `owner`, and returns the merged states.
  using RingStep =
      function_ref<SmallVector<Value>(Value, ValueRange, ValueRange)>;

  /// The ring steps: every rank sees every ring position's `blocks` once
  /// while they are passed on, and the final `states` are returned.
  SmallVector<Value> ringSteps(ValueRange blocks, ValueRange states,
                               RingStep step) {
    if (innerRing <= 1)
      return ringLoop(/*axis=*/0, ranks, rank, blocks, states, step);
    // Hierarchical order: the outer ring passes each node's blocks to the
    // next node (one hop across the inter-node link per outer step, hidden
    // under a whole inner ring of compute); the inner ring passes them
    // around the node's G ring positions. Owner of the blocks at (outer o,
    // inner i): ((node - o) mod M) * G + (gpu - i) mod G.
    int64_t nodes = ranks / innerRing;
    auto outer = scf::ForOp::create(builder, loc, index(0), index(nodes),
                                    index(1), concat(blocks, states));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(outer.getBody());
    ValueRange outerArgs = outer.getRegionIterArgs();
    Value ownerNode = ringOwner(node, outer.getInductionVar(), nodes);
    Value nodeFirst = mul(ownerNode, index(innerRing));
    SmallVector<Value> merged = ringLoop(
        /*axis=*/1, innerRing, gpu, outerArgs.take_front(blocks.size()),
        outerArgs.drop_front(blocks.size()),
        [&](Value ownerGpu, ValueRange kv, ValueRange st) {
          return step(add(nodeFirst, ownerGpu), kv, st);
        });
    SmallVector<Value> next;
    for (Value block : outerArgs.take_front(blocks.size()))
      next.push_back(shift(block, /*axis=*/0));
    llvm::append_range(next, merged);
    scf::YieldOp::create(builder, loc, next);
    builder.setInsertionPointAfter(outer);
    return SmallVector<Value>(outer.getResults().drop_front(blocks.size()));
  }

  /// scf.for over the `size` steps of a ring along grid axis `axis`, on
  /// which this rank sits at `position`; `step` gets the position whose
  /// blocks are in hand, (position - t) mod size, and the blocks move one
  /// hop after each step.
  SmallVector<Value> ringLoop(int16_t axis, int64_t size, Value position,
                              ValueRange blocks, ValueRange states,
                              RingStep step) {
    auto loop = scf::ForOp::create(builder, loc, index(0), index(size),
                                   index(1), concat(blocks, states));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(loop.getBody());
    ValueRange args = loop.getRegionIterArgs();
    ValueRange kv = args.take_front(blocks.size());
    SmallVector<Value> next;
    Value owner = ringOwner(position, loop.getInductionVar(), size);
    SmallVector<Value> merged = step(owner, kv, args.drop_front(blocks.size()));
    for (Value block : kv)
      next.push_back(shift(block, axis));
    llvm::append_range(next, merged);
    scf::YieldOp::create(builder, loc, next);
    return SmallVector<Value>(loop.getResults().drop_front(blocks.size()));
  }

  static SmallVector<Value> concat(ValueRange a, ValueRange b) {
    SmallVector<Value> all(a.begin(), a.end());
    llvm::append_range(all, b);
    return all;
  }

  /// The first position of chunk 2N-1-r.
  Value mirroredChunk(Value r, int64_t chunk) {
    return mul(arith::SubIOp::create(builder, loc, index(2 * ranks - 1), r),
               index(chunk));
  }

  Value microAttention(Value qTile, Value kTile, Value vTile, Value qFirst,
                       Value kFirst, int64_t stride) {
    auto qType = cast<RankedTensorType>(qTile.getType());
    auto stateType = StateType::get(op.getContext(), qType.getShape());
    int64_t kEnd =
        paddedLen == seqLen ? std::numeric_limits<int64_t>::max() : seqLen;
    // Positions matter only to a causal mask or to hide padded keys.
    if (!causal && paddedLen == seqLen)
      return MicroAttentionOp::create(builder, loc, stateType, qTile, kTile,
                                      vTile, Value(), Value(), MaskAttr(),
                                      op.getScaleAttr());
    auto mask = MaskAttr::get(op.getContext(),
                              causal ? MaskKind::Causal : MaskKind::Full, 0,
                              stride, 0, stride, kEnd);
    return MicroAttentionOp::create(builder, loc, stateType, qTile, kTile,
                                    vTile, qFirst, kFirst, mask,
                                    op.getScaleAttr());
  }

  AttentionOp op;
  int64_t innerRing, headParallel;
  SmallVector<int64_t> shape;
  int64_t kvHeads, seqLen, paddedLen = 0;
  Type elementType;
  bool causal;
  Value q, k, v, rank, output;
  Value node, gpu;      // grid axes 0 and 1 in the hierarchical order
  int16_t headAxis = 1; // the grid axis of a head group, and this rank's
  Value headGroup;      // place on it, with head parallelism
};

struct DAttnPlanPrefillPass
    : mlir::dattn::impl::DAttnPlanPrefillBase<DAttnPlanPrefillPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto topology = module->getAttrOfType<TopologyAttr>(kTopologyAttrName);
    bool automatic = strategy == "auto";
    std::optional<PrefillStrategy> fixed = parsePrefillStrategy(strategy);
    if (!automatic && !fixed) {
      emitError(module.getLoc())
          << "dattn-plan-prefill: unknown strategy '" << strategy
          << "'; expected auto, ring, striped, zigzag or all-gather";
      return signalPassFailure();
    }
    if (automatic && !topology) {
      emitError(module.getLoc())
          << "dattn-plan-prefill: strategy=auto needs the cluster: attach "
             "one with --dattn-topology=file=<topology.json>";
      return signalPassFailure();
    }
    int64_t numRanks = ranks;
    if (numRanks == 0 && topology)
      numRanks = topology.getNumGpus();
    if (numRanks < 1) {
      emitError(module.getLoc())
          << "dattn-plan-prefill: give ranks=N (at least 1) or attach a "
             "topology, whose GPUs are then the ranks";
      return signalPassFailure();
    }
    if (topology && numRanks > topology.getNumGpus()) {
      emitError(module.getLoc())
          << "dattn-plan-prefill: ranks=" << numRanks << " but the topology ("
          << topology.getName() << ") has " << topology.getNumGpus() << " GPUs";
      return signalPassFailure();
    }
    if (headParallel < 1 || numRanks % headParallel != 0 ||
        (automatic && headParallel > 1)) {
      emitError(module.getLoc())
          << "dattn-plan-prefill: "
          << (automatic && headParallel > 1
                  ? std::string("strategy=auto chooses the head "
                                "parallelism itself; drop head-parallel or "
                                "pick a strategy")
                  : "head-parallel=" + std::to_string(headParallel) +
                        " must be at least 1 and divide the " +
                        std::to_string(numRanks) + " ranks");
      return signalPassFailure();
    }
    if (failed(checkInnerRing(module, fixed, numRanks)))
      return signalPassFailure();
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) { ops.push_back(op); });
    for (AttentionOp op : ops) {
      if (failed(checkSupported(op)))
        return signalPassFailure();
      int64_t kvHeads = op.getK().getType().getDimSize(1);
      if (kvHeads % headParallel != 0) {
        op.emitOpError() << "head-parallel=" << int64_t(headParallel)
                         << " does not divide the " << kvHeads << " KV heads";
        return signalPassFailure();
      }
    }
    if (ops.empty())
      return;
    // Choose every plan first, so a rejected choice changes nothing.
    SmallVector<PrefillPrediction> chosen;
    for (AttentionOp op : ops) {
      if (!automatic) {
        PrefillPrediction p;
        p.strategy = *fixed;
        p.ranks = numRanks;
        p.headParallel = headParallel;
        p.innerRing = innerRing;
        chosen.push_back(p);
        continue;
      }
      auto choice =
          choosePlan(op, topology, numRanks, /*searchRanks=*/ranks == 0);
      if (failed(choice))
        return signalPassFailure();
      chosen.push_back(*choice);
    }
    for (auto [op, choice] : llvm::zip(ops, chosen)) {
      int64_t heads = choice.headParallel;
      int64_t ring = choice.ranks / heads;
      int64_t inner = choice.innerRing;
      SmallVector<int64_t> shape = {ring};
      if (inner > 1)
        shape = {ring / inner, inner};
      if (heads > 1)
        shape.push_back(heads);
      StringAttr grid = getOrCreateGrid(module, shape);
      Value out = PrefillPlanBuilder(op, grid.getValue(), ring, inner, heads)
                      .build(choice.strategy);
      op.replaceAllUsesWith(out);
      op.erase();
    }
  }

  /// The cost model's choice for one attention (strategy and head
  /// parallelism), explained in a remark. With `searchRanks`, rank counts
  /// 1, 2, 4, ... up to `numRanks` (and `numRanks` itself) are tried too: on
  /// a slow link a short sequence is faster on fewer GPUs.
  FailureOr<PrefillPrediction> choosePlan(AttentionOp op, TopologyAttr topology,
                                          int64_t numRanks, bool searchRanks) {
    AttentionWorkload work = AttentionWorkload::of(op);
    SmallVector<int64_t> candidates = {numRanks};
    if (searchRanks)
      for (int64_t r = 1; r < numRanks; r *= 2)
        candidates.push_back(r);
    CostModel model(topology);
    SmallVector<PrefillPrediction> all, atBest;
    std::optional<PrefillPrediction> best;
    for (int64_t candidate : candidates) {
      SmallVector<PrefillPrediction> predictions;
      PrefillPrediction p =
          model.choose(work, candidate, predictions, /*searchHeads=*/true);
      if (!best ||
          (p.fits && (!best->fits || p.totalSeconds < best->totalSeconds))) {
        best = p;
        atBest = predictions;
      }
    }
    if (!best->fits)
      return op.emitOpError()
             << "no prefill strategy fits " << topology.getGpu() << " memory ("
             << topology.getMemoryMib() << " MiB) on up to " << numRanks
             << " ranks; the smallest needs: " << describe(*best);
    InFlightDiagnostic remark = emitRemark(op.getLoc());
    remark << "auto: " << describe(*best) << "; also considered:";
    for (const PrefillPrediction &p : atBest)
      if (p.strategy != best->strategy ||
          p.headParallel != best->headParallel ||
          p.innerRing != best->innerRing)
        remark << " " << describe(p) << ";";
    if (best->ranks != numRanks)
      remark << " fewer ranks are faster than all " << numRanks
             << ": the transfers would not hide under the compute";
    return *best;
  }

  /// inner-ring=G needs a ring strategy whose ring (the ranks over the
  /// head parallelism) G divides.
  LogicalResult checkInnerRing(ModuleOp module,
                               std::optional<PrefillStrategy> fixed,
                               int64_t numRanks) {
    if (innerRing == 1)
      return success();
    int64_t ring = numRanks / headParallel;
    std::string why;
    if (innerRing < 1)
      why = "must be at least 1";
    else if (!fixed)
      why = "is chosen by strategy=auto itself; drop inner-ring or pick a "
            "strategy";
    else if (*fixed == PrefillStrategy::AllGather)
      why = "orders a ring; all-gather has none";
    else if (ring % innerRing != 0)
      why = "must divide the ring of " + std::to_string(ring) + " ranks" +
            (headParallel > 1 ? " (ranks / head-parallel)" : "");
    if (why.empty())
      return success();
    return emitError(module.getLoc())
           << "dattn-plan-prefill: inner-ring=" << int64_t(innerRing) << " "
           << why;
  }

  LogicalResult checkSupported(AttentionOp op) {
    int64_t qLen = op.getQ().getType().getDimSize(2);
    int64_t kvLen = op.getK().getType().getDimSize(2);
    if (qLen != kvLen)
      return op.emitOpError()
             << "prefill plans need self-attention (q_len == kv_len), got "
             << qLen << " queries against " << kvLen
             << " keys; plans for q_len != kv_len are not implemented yet";
    MaskAttr mask = op.getEffectiveMask();
    if (mask.getQOffset() || mask.getKOffset() || mask.getQStride() != 1 ||
        mask.getKStride() != 1 || mask.hasKLimit())
      return op.emitOpError()
             << "prefill plans take a full or plain causal mask; shifted, "
                "strided or limited positions are not implemented yet";
    return success();
  }
};

} // namespace
