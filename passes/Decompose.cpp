//===- Decompose.cpp - dattn.attention -> micro-attention tiles -----------===//
//
// The tiling every later pass partitions: one MA per (q block, kv block)
// that the mask does not hide entirely. The decision is made per tile at
// compile time from the tile's global positions (MaskAttr::classify), so the
// kernels mask only inside tiles that straddle the diagonal.
//
//===----------------------------------------------------------------------===//
#include "dialects/DAttn/DAttn.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace mlir::dattn {
#define GEN_PASS_DEF_DATTNDECOMPOSE
#include "passes/Passes.h.inc"
} // namespace mlir::dattn

using namespace mlir;
using namespace mlir::dattn;

namespace {

/// A [begin, begin + size) range of one sequence dimension.
struct Block {
  int64_t begin, size;
};

SmallVector<Block> cutIntoBlocks(int64_t length, int64_t blockSize) {
  SmallVector<Block> blocks;
  for (int64_t begin = 0; begin < length; begin += blockSize)
    blocks.push_back({begin, std::min(blockSize, length - begin)});
  return blocks;
}

/// Rows [block.begin, block.begin + block.size) of a [B, H, S, D] tensor.
Value sliceSequence(OpBuilder &builder, Location loc, Value tensor,
                    Block block) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (block.begin == 0 && block.size == type.getDimSize(2))
    return tensor;
  SmallVector<OpFoldResult> offsets = {
      builder.getIndexAttr(0), builder.getIndexAttr(0),
      builder.getIndexAttr(block.begin), builder.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {builder.getIndexAttr(type.getDimSize(0)),
                                     builder.getIndexAttr(type.getDimSize(1)),
                                     builder.getIndexAttr(block.size),
                                     builder.getIndexAttr(type.getDimSize(3))};
  SmallVector<OpFoldResult> strides(4, builder.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(builder, loc, tensor, offsets, sizes,
                                        strides);
}

struct DAttnDecomposePass
    : mlir::dattn::impl::DAttnDecomposeBase<DAttnDecomposePass> {
  using Base::Base;

  void runOnOperation() override {
    if (qBlock < 1 || kvBlock < 1 || maxTiles < 1) {
      // Reported at the anchor's location without dumping the whole op.
      emitError(getOperation()->getLoc())
          << "dattn-decompose: q-block, kv-block and max-tiles must be "
             "positive (got "
          << int64_t(qBlock) << ", " << int64_t(kvBlock) << ", "
          << int64_t(maxTiles) << ")";
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) { ops.push_back(op); });
    // Check every op before rewriting any, so a rejected input is left as it
    // was rather than half decomposed.
    for (AttentionOp op : ops)
      if (failed(checkTileCount(op)))
        return signalPassFailure();
    for (AttentionOp op : ops)
      decompose(op);
  }

  LogicalResult checkTileCount(AttentionOp op) {
    int64_t qLen = op.getQ().getType().getDimSize(2);
    int64_t kvLen = op.getK().getType().getDimSize(2);
    distattn::MaskSpec mask = op.getEffectiveMask().getSpec();
    int64_t tiles = 0;
    for (Block qb : cutIntoBlocks(qLen, qBlock))
      for (Block kb : cutIntoBlocks(kvLen, kvBlock))
        if (distattn::classifyTile(mask.subTile(qb.begin, kb.begin), qb.size,
                                   kb.size) != distattn::TileCoverage::None &&
            ++tiles > maxTiles)
          return op.emitOpError()
                 << "would be cut into more than " << int64_t(maxTiles)
                 << " micro-attention tiles (q-block=" << int64_t(qBlock)
                 << ", kv-block=" << int64_t(kvBlock)
                 << "); raise the block sizes or max-tiles";
    return success();
  }

  void decompose(AttentionOp op) {
    OpBuilder builder(op);
    Location loc = op.getLoc();
    auto qType = op.getQ().getType();
    auto outType = cast<RankedTensorType>(op.getOut().getType());
    MaskAttr mask = op.getEffectiveMask();
    SmallVector<Block> kvBlocks =
        cutIntoBlocks(op.getK().getType().getDimSize(2), kvBlock);

    // K/V slices are shared by every q block that reads them; made on first
    // use so blocks hidden from every query cost nothing.
    SmallVector<std::pair<Value, Value>> kvSlices(kvBlocks.size());
    auto kvSlice = [&](size_t index) {
      if (!kvSlices[index].first)
        kvSlices[index] = {
            sliceSequence(builder, loc, op.getK(), kvBlocks[index]),
            sliceSequence(builder, loc, op.getV(), kvBlocks[index])};
      return kvSlices[index];
    };

    SmallVector<Value> outBlocks;
    int64_t tiles = 0, maskedTiles = 0, skippedTiles = 0;
    for (Block qb : cutIntoBlocks(qType.getDimSize(2), qBlock)) {
      Value qTile = sliceSequence(builder, loc, op.getQ(), qb);
      auto stateType = StateType::get(op.getContext(),
                                      {qType.getDimSize(0), qType.getDimSize(1),
                                       qb.size, qType.getDimSize(3)});
      SmallVector<Value> states;
      for (auto [index, kb] : llvm::enumerate(kvBlocks)) {
        auto coverage = distattn::classifyTile(
            mask.getSpec().subTile(qb.begin, kb.begin), qb.size, kb.size);
        if (coverage == distattn::TileCoverage::None) {
          ++skippedTiles;
          continue;
        }
        maskedTiles += coverage == distattn::TileCoverage::Partial;
        MaskAttr tileMask = coverage == distattn::TileCoverage::Partial
                                ? mask.getSubTile(qb.begin, kb.begin)
                                : MaskAttr();
        ++tiles;
        auto [kTile, vTile] = kvSlice(index);
        states.push_back(MicroAttentionOp::create(
            builder, loc, stateType, qTile, kTile, vTile, /*q_offset=*/Value(),
            /*k_offset=*/Value(), tileMask, op.getScaleAttr()));
      }
      Value merged;
      if (states.empty())
        merged = EmptyStateOp::create(builder, loc, stateType);
      else if (states.size() == 1)
        merged = states.front();
      else
        merged = MergeOp::create(builder, loc, stateType, states);
      auto blockType =
          RankedTensorType::get(stateType.getShape(), outType.getElementType());
      outBlocks.push_back(
          FinalizeOp::create(builder, loc, blockType, Type(), merged).getOut());
    }
    Value out =
        outBlocks.size() == 1
            ? outBlocks.front()
            : tensor::ConcatOp::create(builder, loc, /*dim=*/2, outBlocks)
                  .getResult();
    if (report)
      emitRemark(op.getLoc())
          << "decomposed into " << tiles << " micro-attention tiles ("
          << maskedTiles << " masked, " << tiles - maskedTiles << " full) over "
          << outBlocks.size() << " q blocks; " << skippedTiles
          << " fully masked tiles skipped";
    op.replaceAllUsesWith(out);
    op.erase();
  }
};

} // namespace
