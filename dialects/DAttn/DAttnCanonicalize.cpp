//===- DAttnCanonicalize.cpp - dattn folds and canonicalizations ----------===//
//
// Kept apart from the verifiers: each rewrite here is tested in
// test/Dialect/DAttn/canonicalize.mlir.
//
//===----------------------------------------------------------------------===//
#include "dialects/DAttn/DAttn.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::dattn;

namespace {

/// A `full` mask says nothing: the canonical form has no mask attribute.
template <typename OpTy> struct DropFullMask : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    MaskAttr mask = op.getMaskAttr();
    if (!mask || mask.isCausal() || mask.hasKLimit())
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op.removeMaskAttr(); });
    return success();
  }
};

/// A tile whose mask hides nothing (entirely below the causal diagonal and
/// the key limit) needs no mask; one whose mask hides everything contributes
/// nothing and becomes the identity.
struct ResolveTileMask : OpRewritePattern<MicroAttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MicroAttentionOp op,
                                PatternRewriter &rewriter) const override {
    // A tile placed at run time is classified when it runs.
    MaskAttr mask = op.getMaskAttr();
    if (!mask || op.hasDynamicOffsets())
      return failure();
    auto coverage = mask.classify(op.getQ().getType().getDimSize(2),
                                  op.getK().getType().getDimSize(2));
    if (coverage == distattn::TileCoverage::Partial)
      return failure();
    if (coverage == distattn::TileCoverage::All) {
      rewriter.modifyOpInPlace(op, [&] { op.removeMaskAttr(); });
      return success();
    }
    rewriter.replaceOpWithNewOp<EmptyStateOp>(op, op.getState().getType());
    return success();
  }
};

/// merge(a, empty, b) -> merge(a, b); merge(empty, empty) -> empty.
struct DropMergeIdentities : OpRewritePattern<MergeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MergeOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> kept;
    for (Value state : op.getStates())
      if (!state.getDefiningOp<EmptyStateOp>())
        kept.push_back(state);
    if (kept.size() == op.getStates().size())
      return failure();
    if (kept.empty())
      rewriter.replaceOpWithNewOp<EmptyStateOp>(op, op.getType());
    else
      rewriter.replaceOpWithNewOp<MergeOp>(op, op.getType(), kept);
    return success();
  }
};

/// merge(merge(a, b), c) -> merge(a, b, c) when the inner merge has no other
/// use (otherwise flattening would compute it twice).
struct FlattenNestedMerges : OpRewritePattern<MergeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MergeOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> flat;
    bool changed = false;
    for (Value state : op.getStates()) {
      auto inner = state.getDefiningOp<MergeOp>();
      if (inner && inner->hasOneUse()) {
        llvm::append_range(flat, inner.getStates());
        changed = true;
      } else {
        flat.push_back(state);
      }
    }
    if (!changed)
      return failure();
    rewriter.replaceOpWithNewOp<MergeOp>(op, op.getType(), flat);
    return success();
  }
};

/// An lse result nobody reads is not produced.
struct DropUnusedLse : OpRewritePattern<FinalizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FinalizeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getLse() || !op.getLse().use_empty())
      return failure();
    auto replacement = FinalizeOp::create(
        rewriter, op.getLoc(), op.getOut().getType(), Type(), op.getState());
    rewriter.replaceAllUsesWith(op.getOut(), replacement.getOut());
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void AttentionOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<DropFullMask<AttentionOp>>(context);
}

void MicroAttentionOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                   MLIRContext *context) {
  results.add<DropFullMask<MicroAttentionOp>, ResolveTileMask>(context);
}

OpFoldResult MergeOp::fold(FoldAdaptor) {
  // A merge of one state is that state.
  if (getStates().size() == 1)
    return getStates().front();
  return {};
}

void MergeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<DropMergeIdentities, FlattenNestedMerges>(context);
}

void FinalizeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<DropUnusedLse>(context);
}
