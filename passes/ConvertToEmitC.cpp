//===- ConvertToEmitC.cpp - A plan as calls of the host runtime -----------===//
//
// Every dattn, tensor and shard op of a plan becomes one call of
// distattn::host (plan_runtime.h), static parameters inline as literals,
// dynamic ones as operands; the upstream conversions take func, arith and
// scf. The result prints as readable C++: one statement per op, named after
// the runtime function it calls.
//
//===----------------------------------------------------------------------===//
#include "dialects/DAttn/DAttn.h"
#include "passes/Passes.h"

#include "mlir/Conversion/ArithToEmitC/ArithToEmitC.h"
#include "mlir/Conversion/FuncToEmitC/FuncToEmitC.h"
#include "mlir/Conversion/SCFToEmitC/SCFToEmitC.h"
#include "mlir/Dialect/EmitC/Transforms/TypeConversions.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::dattn {
#define GEN_PASS_DEF_DATTNCONVERTTOEMITC
#include "passes/Passes.h.inc"
} // namespace mlir::dattn

using namespace mlir;
using namespace mlir::dattn;

namespace {

/// The arguments of one runtime call: operands, and literals inline.
class CallArgs {
public:
  explicit CallArgs(Builder &builder) : builder(builder) {}
  CallArgs &value(Value v) {
    args.push_back(builder.getIndexAttr(operands.size()));
    operands.push_back(v);
    return *this;
  }
  CallArgs &literal(int64_t x) {
    args.push_back(builder.getI64IntegerAttr(x));
    return *this;
  }
  CallArgs &literal(double x) {
    args.push_back(builder.getF64FloatAttr(x));
    return *this;
  }
  CallArgs &literal(bool x) {
    args.push_back(
        emitc::OpaqueAttr::get(builder.getContext(), x ? "true" : "false"));
    return *this;
  }
  CallArgs &literals(ArrayRef<int64_t> xs) {
    for (int64_t x : xs)
      literal(x);
    return *this;
  }
  /// A static value or a (converted) operand.
  CallArgs &mixed(OpFoldResult ofr) {
    if (auto attr = dyn_cast<Attribute>(ofr))
      return literal(cast<IntegerAttr>(attr).getInt());
    return value(cast<Value>(ofr));
  }
  /// A slice's offsets, sizes or strides: static entries inline, dynamic
  /// ones from `dynamic` (the converted operands) in order.
  CallArgs &mixed(ArrayRef<OpFoldResult> values, ValueRange dynamic) {
    unsigned next = 0;
    for (OpFoldResult ofr : values)
      if (isa<Attribute>(ofr))
        mixed(ofr);
      else
        value(dynamic[next++]);
    return *this;
  }
  ArrayAttr attributes() { return builder.getArrayAttr(args); }
  Value call(ConversionPatternRewriter &rewriter, Operation *op,
             StringRef callee, Type result) {
    return emitc::CallOpaqueOp::create(rewriter, op->getLoc(),
                                       TypeRange{result},
                                       ("distattn::host::" + callee).str(),
                                       operands, builder.getArrayAttr(args))
        .getResult(0);
  }

private:
  Builder &builder;
  SmallVector<Value> operands;
  SmallVector<Attribute> args;
};

/// The static shape of the grid an op names.
FailureOr<SmallVector<int64_t>> gridShape(Operation *op,
                                          FlatSymbolRefAttr name) {
  auto grid = SymbolTable::lookupNearestSymbolFrom<shard::GridOp>(op, name);
  if (!grid || llvm::any_of(grid.getShape(), ShapedType::isDynamic))
    return op->emitError() << "the host target needs a grid of static shape";
  return SmallVector<int64_t>(grid.getShape());
}

/// Maps each op to a runtime call; `build` adds the arguments and returns
/// the callee name.
template <typename OpTy> struct CallPattern : OpConversionPattern<OpTy> {
  using Adaptor = typename OpTy::Adaptor;
  using Build = std::function<FailureOr<StringRef>(OpTy, Adaptor, CallArgs &)>;
  CallPattern(const TypeConverter &converter, MLIRContext *context, Build build)
      : OpConversionPattern<OpTy>(converter, context), build(std::move(build)) {
  }

  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    CallArgs args(rewriter);
    FailureOr<StringRef> callee = build(op, adaptor, args);
    if (failed(callee))
      return failure();
    Type result =
        this->getTypeConverter()->convertType(op->getResult(0).getType());
    rewriter.replaceOp(op, args.call(rewriter, op, *callee, result));
    return success();
  }
  Build build;
};

template <typename OpTy, typename Fn>
void addCall(RewritePatternSet &patterns, const TypeConverter &converter,
             Fn fn) {
  patterns.add<CallPattern<OpTy>>(converter, patterns.getContext(),
                                  typename CallPattern<OpTy>::Build(fn));
}

void populateHostCallPatterns(RewritePatternSet &patterns,
                              const TypeConverter &converter) {
  using Args = CallArgs;
  addCall<MicroAttentionOp>(
      patterns, converter,
      [](MicroAttentionOp op, auto adaptor,
         Args &args) -> FailureOr<StringRef> {
        distattn::MaskSpec mask = op.getEffectiveMask().getSpec();
        args.value(adaptor.getQ()).value(adaptor.getK()).value(adaptor.getV());
        args.literal(mask.causal)
            .literals({mask.q.offset, mask.q.stride, mask.k.offset,
                       mask.k.stride, mask.kLimit});
        if (op.hasDynamicOffsets())
          args.value(adaptor.getQOffset()).value(adaptor.getKOffset());
        else
          args.literals({0, 0});
        args.literal(op.getEffectiveScale());
        return StringRef("micro_attention");
      });
  addCall<AttentionOp>(
      patterns, converter,
      [](AttentionOp op, auto adaptor, Args &args) -> FailureOr<StringRef> {
        // An undecomposed attention is one tile over everything, finalized.
        (void)op;
        (void)adaptor;
        return op.emitOpError()
               << "the host target takes planned or decomposed attention; run "
                  "dattn-decompose or a planning pass first";
      });
  addCall<MergeOp>(
      patterns, converter,
      [](MergeOp, auto adaptor, Args &args) -> FailureOr<StringRef> {
        for (Value state : adaptor.getStates())
          args.value(state);
        return StringRef("merge");
      });
  addCall<EmptyStateOp>(
      patterns, converter,
      [](EmptyStateOp op, auto, Args &args) -> FailureOr<StringRef> {
        args.literals(op.getType().getShape());
        return StringRef("empty_state");
      });
  addCall<AsStateOp>(
      patterns, converter,
      [](AsStateOp, auto adaptor, Args &args) -> FailureOr<StringRef> {
        args.value(adaptor.getOut()).value(adaptor.getLse());
        return StringRef("as_state");
      });
  addCall<tensor::ExtractSliceOp>(
      patterns, converter,
      [](tensor::ExtractSliceOp op, auto adaptor,
         Args &args) -> FailureOr<StringRef> {
        if (op.getSourceType().getRank() != op.getResultType().getRank())
          return op.emitOpError()
                 << "the host target does not take rank-reducing slices";
        args.value(adaptor.getSource());
        args.mixed(op.getMixedOffsets(), adaptor.getOffsets())
            .mixed(op.getMixedSizes(), adaptor.getSizes())
            .mixed(op.getMixedStrides(), adaptor.getStrides());
        return StringRef("extract_slice");
      });
  addCall<tensor::InsertSliceOp>(
      patterns, converter,
      [](tensor::InsertSliceOp op, auto adaptor,
         Args &args) -> FailureOr<StringRef> {
        args.value(adaptor.getSource()).value(adaptor.getDest());
        args.mixed(op.getMixedOffsets(), adaptor.getOffsets())
            .mixed(op.getMixedSizes(), adaptor.getSizes())
            .mixed(op.getMixedStrides(), adaptor.getStrides());
        return StringRef("insert_slice");
      });
  addCall<tensor::PadOp>(
      patterns, converter,
      [](tensor::PadOp op, auto adaptor, Args &args) -> FailureOr<StringRef> {
        Value padding = op.getConstantPaddingValue();
        auto constant =
            padding ? padding.template getDefiningOp<arith::ConstantOp>()
                    : nullptr;
        auto value =
            constant ? dyn_cast<FloatAttr>(constant.getValue()) : nullptr;
        if (!value || llvm::any_of(op.getStaticLow(),
                                   [](int64_t low) { return low != 0; }))
          return op.emitOpError() << "the host target pads at the end with a "
                                     "float constant only";
        args.value(adaptor.getSource()).literal(value.getValueAsDouble());
        args.literals(op.getResultType().getShape());
        return StringRef("pad");
      });
  addCall<shard::ProcessLinearIndexOp>(patterns, converter,
                                       [](shard::ProcessLinearIndexOp op, auto,
                                          Args &args) -> FailureOr<StringRef> {
                                         auto shape =
                                             gridShape(op, op.getGridAttr());
                                         if (failed(shape))
                                           return failure();
                                         args.literals(*shape);
                                         return StringRef("linear_index");
                                       });
  addCall<shard::ProcessMultiIndexOp>(
      patterns, converter,
      [](shard::ProcessMultiIndexOp op, auto,
         Args &args) -> FailureOr<StringRef> {
        auto shape = gridShape(op, op.getGridAttr());
        if (failed(shape) || op.getAxes().size() != 1)
          return op.emitOpError()
                 << "the host target takes one grid axis at a time";
        args.literal(int64_t(op.getAxes()[0])).literals(*shape);
        return StringRef("grid_index");
      });
  addCall<shard::ShiftOp>(
      patterns, converter,
      [](shard::ShiftOp op, auto adaptor, Args &args) -> FailureOr<StringRef> {
        auto shape = gridShape(op, op.getGridAttr());
        if (failed(shape))
          return failure();
        args.value(adaptor.getInput())
            .literal(op.getShiftAxis().getSExtValue())
            .literal(int64_t(op.getOffset()))
            .literal(bool(op.getRotate()))
            .literals(*shape);
        return StringRef("shift");
      });
  addCall<ShiftStartOp>(
      patterns, converter,
      [](ShiftStartOp op, auto adaptor, Args &args) -> FailureOr<StringRef> {
        auto shape = gridShape(op, op.getGridAttr());
        if (failed(shape))
          return failure();
        args.value(adaptor.getInput())
            .literal(int64_t(op.getAxis()))
            .literal(int64_t(op.getOffset()))
            .literal(bool(op.getRotate()))
            .literals(*shape);
        return StringRef("shift");
      });
  addCall<shard::AllGatherOp>(
      patterns, converter,
      [](shard::AllGatherOp op, auto adaptor,
         Args &args) -> FailureOr<StringRef> {
        auto shape = gridShape(op, op.getGridAttr());
        if (failed(shape) || op.getGridAxes().size() != 1)
          return op.emitOpError()
                 << "the host target gathers over one grid axis";
        args.value(adaptor.getInput())
            .literal(op.getGatherAxis().getSExtValue())
            .literal(int64_t(op.getGridAxes()[0]))
            .literals(*shape);
        return StringRef("all_gather");
      });
  addCall<AllGatherStartOp>(patterns, converter,
                            [](AllGatherStartOp op, auto adaptor,
                               Args &args) -> FailureOr<StringRef> {
                              auto shape = gridShape(op, op.getGridAttr());
                              if (failed(shape))
                                return failure();
                              args.value(adaptor.getInput())
                                  .literal(int64_t(op.getGatherAxis()))
                                  .literal(int64_t(op.getAxis()))
                                  .literals(*shape);
                              return StringRef("all_gather");
                            });
  addCall<shard::AllReduceOp>(
      patterns, converter,
      [](shard::AllReduceOp op, auto adaptor,
         Args &args) -> FailureOr<StringRef> {
        auto shape = gridShape(op, op.getGridAttr());
        if (failed(shape))
          return failure();
        if (op.getReduction() != shard::ReductionKind::Sum ||
            op.getGridAxes().size() != shape->size())
          return op.emitOpError() << "the host target sums over the whole grid "
                                     "only";
        args.value(adaptor.getInput()).literals(*shape);
        return StringRef("all_reduce_sum");
      });
}

/// finalize has one or two results: one call each.
struct FinalizePattern : OpConversionPattern<FinalizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FinalizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> results;
    CallArgs out(rewriter);
    out.value(adaptor.getState());
    results.push_back(
        out.call(rewriter, op, "finalize_out",
                 getTypeConverter()->convertType(op.getOut().getType())));
    if (op.getLse()) {
      CallArgs lse(rewriter);
      lse.value(adaptor.getState());
      results.push_back(
          lse.call(rewriter, op, "finalize_lse",
                   getTypeConverter()->convertType(op.getLse().getType())));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Unsigned index division and remainder (ring arithmetic), which the
/// upstream arith patterns leave to integers.
template <typename ArithOp, typename EmitCOp>
struct IndexBinaryPattern : OpConversionPattern<ArithOp> {
  using OpConversionPattern<ArithOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ArithOp op, typename ArithOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getType().isIndex())
      return failure();
    rewriter.replaceOpWithNewOp<EmitCOp>(
        op, this->getTypeConverter()->convertType(op.getType()),
        adaptor.getLhs(), adaptor.getRhs());
    return success();
  }
};

/// On the host a transfer has arrived when it started.
struct WaitPattern : OpConversionPattern<WaitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(WaitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getTransfer());
    return success();
  }
};

struct DAttnConvertToEmitCPass
    : mlir::dattn::impl::DAttnConvertToEmitCBase<DAttnConvertToEmitCPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    TypeConverter converter;
    converter.addConversion([](Type type) { return type; });
    auto tensor = emitc::OpaqueType::get(context, "distattn::host::Tensor");
    auto state = emitc::OpaqueType::get(context, "distattn::host::State");
    converter.addConversion([=](RankedTensorType) -> Type { return tensor; });
    converter.addConversion([=](TransferType) -> Type { return tensor; });
    converter.addConversion([=](StateType) -> Type { return state; });
    populateEmitCSizeTTypeConversions(converter);

    // Tensor constants become runtime calls first: the upstream arith
    // patterns would take them for scalars.
    module.walk([&](arith::ConstantOp op) {
      auto splat = dyn_cast<SplatElementsAttr>(op.getValue());
      if (!splat || !isa<FloatType>(splat.getElementType()))
        return;
      OpBuilder builder(op);
      CallArgs args(builder);
      args.literal(splat.getSplatValue<APFloat>().convertToDouble());
      args.literals(splat.getType().getShape());
      Value call = emitc::CallOpaqueOp::create(
                       builder, op.getLoc(), TypeRange{tensor},
                       "distattn::host::splat", ValueRange{}, args.attributes())
                       .getResult(0);
      op.replaceAllUsesWith(UnrealizedConversionCastOp::create(
                                builder, op.getLoc(), op.getType(), call)
                                .getResult(0));
      op.erase();
    });

    RewritePatternSet patterns(context);
    populateHostCallPatterns(patterns, converter);
    patterns.add<FinalizePattern, WaitPattern,
                 IndexBinaryPattern<arith::RemUIOp, emitc::RemOp>,
                 IndexBinaryPattern<arith::DivUIOp, emitc::DivOp>>(converter,
                                                                   context);
    populateArithToEmitCPatterns(converter, patterns);
    populateSCFToEmitCConversionPatterns(patterns, converter);
    populateFuncToEmitCPatterns(converter, patterns);

    ConversionTarget target(*context);
    target.addLegalDialect<emitc::EmitCDialect>();
    // Everything a plan is made of must become EmitC: what cannot is an
    // error, not a half-converted module.
    target
        .addIllegalDialect<DAttnDialect, arith::ArithDialect, func::FuncDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    target
        .addIllegalOp<shard::ProcessLinearIndexOp, shard::ProcessMultiIndexOp,
                      shard::ShiftOp, shard::AllGatherOp, shard::AllReduceOp>();
    target.addLegalOp<ModuleOp, shard::GridOp, UnrealizedConversionCastOp>();
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();
    // Casts the conversion left without users (tensor constants).
    module.walk([](UnrealizedConversionCastOp cast) {
      if (cast->use_empty())
        cast.erase();
    });
    // Planning attributes (the topology) have served; C++ has no place for
    // them.
    for (NamedAttribute attr : llvm::to_vector(module->getAttrs()))
      if (attr.getName().strref().starts_with("dattn."))
        module->removeAttr(attr.getName());
    // The grid lives on in the calls' literals.
    for (auto grid : llvm::make_early_inc_range(module.getOps<shard::GridOp>()))
      grid.erase();
    OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
    emitc::IncludeOp::create(builder, module.getLoc(),
                             "distattn/host/plan_runtime.h");
  }
};

} // namespace
