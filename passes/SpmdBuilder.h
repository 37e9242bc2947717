//===- SpmdBuilder.h - Building SPMD plans on a shard grid ------*- C++ -*-===//
//
// What every planning pass emits: the rank, slices of [B, H, S, D] tensors
// along the sequence at run-time offsets, ring shifts and gathers on a
// shard.grid, padding, empty and finalized states.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_PASSES_SPMDBUILDER_H
#define DISTATTN_PASSES_SPMDBUILDER_H

#include "dialects/DAttn/DAttn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::dattn {

class SpmdBuilder {
public:
  /// `ranks` is the number of ring positions (gathers collect over grid
  /// axis 0, whose size it is unless the ring is hierarchical, over axes 0
  /// and 1); a last grid axis may split the heads.
  SpmdBuilder(Operation *at, StringRef grid, int64_t ranks,
              int64_t gridRank = 1)
      : builder(at), loc(at->getLoc()), grid(grid), ranks(ranks),
        gridRank(gridRank) {}

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(builder, loc, value);
  }
  Value mul(Value a, Value b) {
    return arith::MulIOp::create(builder, loc, a, b);
  }
  Value sub(Value a, Value b) {
    return arith::SubIOp::create(builder, loc, a, b);
  }
  Value add(Value a, Value b) {
    return arith::AddIOp::create(builder, loc, a, b);
  }
  /// (position - t) mod size: on a ring of `size` whose values move one
  /// hop a step, whose value a rank at `position` holds at step t.
  Value ringOwner(Value position, Value t, int64_t size) {
    return arith::RemUIOp::create(
        builder, loc, sub(add(position, index(size)), t), index(size));
  }
  /// This rank's coordinate on grid axis `axis`.
  Value gridIndex(int16_t axis) {
    if (gridRank == 1)
      return shard::ProcessLinearIndexOp::create(builder, loc, grid);
    return shard::ProcessMultiIndexOp::create(builder, loc, grid,
                                              ArrayRef<int16_t>{axis})
        .getResult()[0];
  }

  /// Heads first + i, i < count, of a [B, H, S, D] tensor.
  Value sliceHeads(Value tensor, OpFoldResult first, int64_t count) {
    return sliceAlong(tensor, /*dim=*/1, first, count);
  }

  /// `into` with `part` written from head `firstHead` and sequence
  /// position `firstRow` on.
  Value placeAt(Value part, Value into, OpFoldResult firstHead,
                OpFoldResult firstRow) {
    auto type = cast<RankedTensorType>(part.getType());
    SmallVector<OpFoldResult> offsets(4, builder.getIndexAttr(0));
    offsets[1] = firstHead;
    offsets[2] = firstRow;
    return tensor::InsertSliceOp::create(
        builder, loc, part, into, offsets, sizes(type),
        SmallVector<OpFoldResult>(4, builder.getIndexAttr(1)));
  }

  /// Rows first + stride * i, i < count, along dim 2 (the sequence) of a
  /// [B, H, S, D] tensor or a [B, H, S] lse.
  Value slice(Value tensor, OpFoldResult first, int64_t count,
              int64_t stride = 1) {
    auto type = cast<RankedTensorType>(tensor.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[2] = count;
    auto resultType = RankedTensorType::get(shape, type.getElementType());
    return tensor::ExtractSliceOp::create(
        builder, loc, resultType, tensor,
        sequenceOffsets(first, type.getRank()), sizes(resultType),
        strides(stride, type.getRank()));
  }

  /// `into` with `part` written from request `first` on (dim 0).
  Value placeBatch(Value part, Value into, OpFoldResult first) {
    auto type = cast<RankedTensorType>(part.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), builder.getIndexAttr(0));
    offsets[0] = first;
    return tensor::InsertSliceOp::create(
        builder, loc, part, into, offsets, sizes(type),
        SmallVector<OpFoldResult>(type.getRank(), builder.getIndexAttr(1)));
  }

  /// `into` with `rows` written at positions first + stride * i.
  Value place(Value rows, Value into, OpFoldResult first, int64_t stride = 1) {
    auto type = cast<RankedTensorType>(rows.getType());
    return tensor::InsertSliceOp::create(
        builder, loc, rows, into, sequenceOffsets(first, type.getRank()),
        sizes(type), strides(stride, type.getRank()));
  }

  /// One hop along the ring on grid axis `axis`: the value of coordinate
  /// c goes to c + 1.
  Value shift(Value tensor, int16_t axis = 0) {
    return shard::ShiftOp::create(builder, loc, tensor.getType(), grid,
                                  ArrayRef<int16_t>{axis}, tensor,
                                  /*shift_axis=*/APInt(64, axis),
                                  /*offset=*/1, /*rotate=*/true);
  }

  /// Every rank's part, in rank order, along dim `dim` (the sequence by
  /// default).
  Value allGather(Value tensor, int64_t dim = 2) {
    auto type = cast<RankedTensorType>(tensor.getType());
    SmallVector<int64_t> gathered(type.getShape());
    gathered[dim] *= ranks;
    return shard::AllGatherOp::create(
        builder, loc, RankedTensorType::get(gathered, type.getElementType()),
        grid, ArrayRef<int16_t>{0}, tensor, /*gather_axis=*/APInt(64, dim));
  }

  /// Member i of each group of `members` along grid axis `gridAxis`
  /// receives piece i (along dim `splitDim`) of every member's `tensor`, in
  /// member order along dim `concatDim`.
  Value allToAll(Value tensor, int64_t splitDim, int64_t concatDim,
                 int16_t gridAxis, int64_t members) {
    auto type = cast<RankedTensorType>(tensor.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[splitDim] /= members;
    shape[concatDim] *= members;
    return shard::AllToAllOp::create(
        builder, loc, RankedTensorType::get(shape, type.getElementType()), grid,
        ArrayRef<int16_t>{gridAxis}, tensor,
        /*split_axis=*/APInt(64, splitDim),
        /*concat_axis=*/APInt(64, concatDim));
  }

  /// Rank i receives piece i (of `ranks`, along dim 0: the batch) of every
  /// rank's `tensor`, in rank order along dim 2.
  Value allToAllBatch(Value tensor) {
    return allToAll(tensor, /*splitDim=*/0, /*concatDim=*/2, /*gridAxis=*/0,
                    ranks);
  }

  /// Requests first + i, i < count, along dim 0 (the batch).
  Value sliceBatch(Value tensor, OpFoldResult first, int64_t count) {
    return sliceAlong(tensor, /*dim=*/0, first, count);
  }

  /// The sum over every rank of the grid.
  Value allReduceSum(Value tensor) {
    SmallVector<int16_t> axes;
    for (int16_t axis = 0; axis < gridRank; ++axis)
      axes.push_back(axis);
    return shard::AllReduceOp::create(builder, loc, tensor.getType(), grid,
                                      axes, tensor, shard::ReductionKind::Sum);
  }

  /// `tensor` with zero rows appended up to `length` along dim 2.
  Value padSequence(Value tensor, int64_t length) {
    SmallVector<int64_t> shape(
        cast<RankedTensorType>(tensor.getType()).getShape());
    shape[2] = length;
    return padTo(tensor, shape);
  }

  /// `tensor` with zeros appended along each dim up to `shape`.
  Value padTo(Value tensor, ArrayRef<int64_t> shape) {
    auto type = cast<RankedTensorType>(tensor.getType());
    assert(
        type.getRank() == int64_t(shape.size()) &&
        llvm::all_of(llvm::zip(type.getShape(), shape),
                     [](auto d) { return std::get<0>(d) <= std::get<1>(d); }) &&
        "padTo only grows each dim");
    if (type.getShape() == shape)
      return tensor;
    Value zero = arith::ConstantOp::create(
        builder, loc, builder.getZeroAttr(type.getElementType()));
    SmallVector<OpFoldResult> low(type.getRank(), builder.getIndexAttr(0));
    SmallVector<OpFoldResult> high;
    for (auto [from, to] : llvm::zip(type.getShape(), shape))
      high.push_back(builder.getIndexAttr(to - from));
    return tensor::PadOp::create(
        builder, loc, RankedTensorType::get(shape, type.getElementType()),
        tensor, low, high, zero);
  }

  Value zeros(RankedTensorType type) {
    return arith::ConstantOp::create(builder, loc, builder.getZeroAttr(type));
  }

  Value emptyState(ArrayRef<int64_t> shape) {
    return EmptyStateOp::create(builder, loc,
                                StateType::get(builder.getContext(), shape));
  }

  Value finalize(Value state, Type elementType) {
    auto type = cast<StateType>(state.getType());
    return FinalizeOp::create(
               builder, loc,
               RankedTensorType::get(type.getShape(), elementType), Type(),
               state)
        .getOut();
  }

protected:
  /// Indices first + i, i < count, along dim `dim`; the rest whole.
  Value sliceAlong(Value tensor, int64_t dim, OpFoldResult first,
                   int64_t count) {
    auto type = cast<RankedTensorType>(tensor.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[dim] = count;
    auto resultType = RankedTensorType::get(shape, type.getElementType());
    SmallVector<OpFoldResult> offsets(type.getRank(), builder.getIndexAttr(0));
    offsets[dim] = first;
    return tensor::ExtractSliceOp::create(
        builder, loc, resultType, tensor, offsets, sizes(resultType),
        SmallVector<OpFoldResult>(type.getRank(), builder.getIndexAttr(1)));
  }

  SmallVector<OpFoldResult> sequenceOffsets(OpFoldResult first, int64_t rank) {
    SmallVector<OpFoldResult> offsets(rank, builder.getIndexAttr(0));
    offsets[2] = first;
    return offsets;
  }
  SmallVector<OpFoldResult> sizes(RankedTensorType type) {
    SmallVector<OpFoldResult> result;
    for (int64_t dim : type.getShape())
      result.push_back(builder.getIndexAttr(dim));
    return result;
  }
  SmallVector<OpFoldResult> strides(int64_t sequenceStride, int64_t rank) {
    SmallVector<OpFoldResult> result(rank, builder.getIndexAttr(1));
    result[2] = builder.getIndexAttr(sequenceStride);
    return result;
  }

  OpBuilder builder;
  Location loc;
  StringRef grid;
  int64_t ranks;
  int64_t gridRank;
};

/// The grid of `shape` plans run on (1-D: a ring of ranks; 2-D: rings along
/// axis 0, heads split along axis 1), made if the module has none of that
/// shape (named "sp", renamed if taken).
inline StringAttr getOrCreateGrid(ModuleOp module, ArrayRef<int64_t> shape) {
  for (auto grid : module.getOps<shard::GridOp>())
    if (grid.getShape() == shape)
      return grid.getSymNameAttr();
  // Built detached, so that inserting it can rename it if "sp" is taken.
  SymbolTable symbols(module);
  OpBuilder builder(module.getContext());
  auto grid = shard::GridOp::create(builder, module.getLoc(), "sp", shape);
  symbols.insert(grid, module.getBody()->begin());
  return grid.getSymNameAttr();
}

} // namespace mlir::dattn

#endif // DISTATTN_PASSES_SPMDBUILDER_H
