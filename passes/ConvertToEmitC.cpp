//===- ConvertToEmitC.cpp - A plan as calls of a target's runtime ---------===//
//
// Every dattn, tensor and shard op of a plan becomes one call of the
// target's runtime (distattn::host, plan_runtime.h; distattn::cuda,
// plan_runtime.cuh), static parameters inline as literals, dynamic ones as
// operands; the upstream conversions take func, arith and scf. The result
// prints as readable C++: one statement per op, named after the runtime
// function it calls. On the cuda target a transfer is spelled out instead
// (NCCL group on the transfer stream, an event recorded at its arrival,
// the compute stream waiting for it where the plan waits), so that the
// emitted code shows the overlap schedule it runs.
//
//===----------------------------------------------------------------------===//
#include "dialects/DAttn/DAttn.h"
#include "passes/Passes.h"

#include "mlir/Conversion/ArithToEmitC/ArithToEmitC.h"
#include "mlir/Conversion/FuncToEmitC/FuncToEmitC.h"
#include "mlir/Conversion/SCFToEmitC/SCFToEmitC.h"
#include "mlir/Dialect/EmitC/Transforms/TypeConversions.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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

/// What differs between the targets.
struct Target {
  bool cuda = false;
  std::string name = "host";
  /// The runtime's namespace, with the trailing "::".
  std::string ns = "distattn::host::";

  /// The runtime's DType literal for a tensor element type (cuda).
  FailureOr<std::string> dtype(Operation *op, Type element) const {
    if (element.isF32())
      return ns + "DType::F32";
    if (element.isBF16())
      return ns + "DType::BF16";
    if (element.isF16())
      return ns + "DType::F16";
    return op->emitOpError() << "the cuda target takes f32, bf16 and f16 "
                                "tensors, not "
                             << element;
  }
};

/// The arguments of one runtime call: operands, and literals inline.
class CallArgs {
public:
  CallArgs(Builder &builder, const Target &target)
      : builder(builder), target(target) {}
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
  /// Text the emitter prints as is (an enumerator, say).
  CallArgs &opaque(StringRef text) {
    args.push_back(emitc::OpaqueAttr::get(builder.getContext(), text));
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
    return emitc::CallOpaqueOp::create(
               rewriter, op->getLoc(), TypeRange{result},
               target.ns + callee.str(), operands, builder.getArrayAttr(args))
        .getResult(0);
  }

private:
  Builder &builder;
  const Target &target;
  SmallVector<Value> operands;
  SmallVector<Attribute> args;
};

/// The static shape of the grid an op names.
FailureOr<SmallVector<int64_t>> gridShape(Operation *op, FlatSymbolRefAttr name,
                                          const Target &target) {
  auto grid = SymbolTable::lookupNearestSymbolFrom<shard::GridOp>(op, name);
  if (!grid || llvm::any_of(grid.getShape(), ShapedType::isDynamic))
    return op->emitError() << "the " << target.name
                           << " target needs a grid of static shape";
  return SmallVector<int64_t>(grid.getShape());
}

/// The tag (an integer) of the merges and tiles that the merge-into fusion
/// (below) rewrites after the conversion, carried from each op to its call.
constexpr StringLiteral kMergeIntoTag = "dattn.merge_into";

/// A conversion pattern that knows the target.
template <typename OpTy> struct TargetPattern : OpConversionPattern<OpTy> {
  TargetPattern(const TypeConverter &converter, MLIRContext *context,
                const Target &target)
      : OpConversionPattern<OpTy>(converter, context), target(target) {}
  const Target &target;
};

/// Maps each op to a runtime call; `build` adds the arguments and returns
/// the callee name.
template <typename OpTy> struct CallPattern : TargetPattern<OpTy> {
  using Adaptor = typename OpTy::Adaptor;
  using Build = std::function<FailureOr<StringRef>(OpTy, Adaptor, CallArgs &)>;
  CallPattern(const TypeConverter &converter, MLIRContext *context,
              const Target &target, Build build)
      : TargetPattern<OpTy>(converter, context, target),
        build(std::move(build)) {}

  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    CallArgs args(rewriter, this->target);
    FailureOr<StringRef> callee = build(op, adaptor, args);
    if (failed(callee))
      return failure();
    Type result =
        this->getTypeConverter()->convertType(op->getResult(0).getType());
    Value call = args.call(rewriter, op, *callee, result);
    // The merge-into fusion's tag goes with the op to its call.
    if (Attribute tag = op->getDiscardableAttr(kMergeIntoTag))
      call.getDefiningOp()->setDiscardableAttr(kMergeIntoTag, tag);
    rewriter.replaceOp(op, call);
    return success();
  }
  Build build;
};

template <typename OpTy, typename Fn>
void addCall(RewritePatternSet &patterns, const TypeConverter &converter,
             const Target &target, Fn fn) {
  patterns.add<CallPattern<OpTy>>(converter, patterns.getContext(), target,
                                  typename CallPattern<OpTy>::Build(fn));
}

void populateCallPatterns(RewritePatternSet &patterns,
                          const TypeConverter &converter,
                          const Target &target) {
  using Args = CallArgs;
  addCall<MicroAttentionOp>(
      patterns, converter, target,
      [&target](MicroAttentionOp op, auto adaptor,
                Args &args) -> FailureOr<StringRef> {
        Type element = op.getQ().getType().getElementType();
        if (target.cuda && !element.isBF16() && !element.isF16())
          return op.emitOpError()
                 << "the cuda target's kernels take bf16 or f16 q, k and v, "
                    "not "
                 << element;
        int64_t headDim = op.getQ().getType().getDimSize(3);
        if (target.cuda && headDim != 64 && headDim != 128 && headDim != 256)
          return op.emitOpError() << "the cuda target's kernels take head_dim "
                                     "64, 128 or 256, not "
                                  << headDim;
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
      patterns, converter, target,
      [&target](AttentionOp op, auto adaptor,
                Args &args) -> FailureOr<StringRef> {
        // An undecomposed attention is one tile over everything, finalized.
        (void)op;
        (void)adaptor;
        return op.emitOpError()
               << "the " << target.name
               << " target takes planned or decomposed attention; run "
                  "dattn-decompose or a planning pass first";
      });
  addCall<MergeOp>(
      patterns, converter, target,
      [&target](MergeOp, auto adaptor, Args &args) -> FailureOr<StringRef> {
        for (Value state : adaptor.getStates())
          args.value(state);
        return StringRef("merge");
      });
  addCall<EmptyStateOp>(
      patterns, converter, target,
      [&target](EmptyStateOp op, auto, Args &args) -> FailureOr<StringRef> {
        args.literals(op.getType().getShape());
        return StringRef("empty_state");
      });
  addCall<AsStateOp>(
      patterns, converter, target,
      [&target](AsStateOp, auto adaptor, Args &args) -> FailureOr<StringRef> {
        args.value(adaptor.getOut()).value(adaptor.getLse());
        return StringRef("as_state");
      });
  addCall<tensor::ExtractSliceOp>(
      patterns, converter, target,
      [&target](tensor::ExtractSliceOp op, auto adaptor,
                Args &args) -> FailureOr<StringRef> {
        if (op.getSourceType().getRank() != op.getResultType().getRank())
          return op.emitOpError()
                 << "the " << target.name
                 << " target does not take rank-reducing slices";
        args.value(adaptor.getSource());
        args.mixed(op.getMixedOffsets(), adaptor.getOffsets())
            .mixed(op.getMixedSizes(), adaptor.getSizes())
            .mixed(op.getMixedStrides(), adaptor.getStrides());
        return StringRef("extract_slice");
      });
  addCall<tensor::InsertSliceOp>(
      patterns, converter, target,
      [&target](tensor::InsertSliceOp op, auto adaptor,
                Args &args) -> FailureOr<StringRef> {
        args.value(adaptor.getSource()).value(adaptor.getDest());
        args.mixed(op.getMixedOffsets(), adaptor.getOffsets())
            .mixed(op.getMixedSizes(), adaptor.getSizes())
            .mixed(op.getMixedStrides(), adaptor.getStrides());
        return StringRef("insert_slice");
      });
  addCall<tensor::PadOp>(
      patterns, converter, target,
      [&target](tensor::PadOp op, auto adaptor,
                Args &args) -> FailureOr<StringRef> {
        Value padding = op.getConstantPaddingValue();
        auto constant =
            padding ? padding.template getDefiningOp<arith::ConstantOp>()
                    : nullptr;
        auto value =
            constant ? dyn_cast<FloatAttr>(constant.getValue()) : nullptr;
        if (!value || llvm::any_of(op.getStaticLow(),
                                   [&target](int64_t low) { return low != 0; }))
          return op.emitOpError() << "the " << target.name
                                  << " target pads at the end with a "
                                     "float constant only";
        args.value(adaptor.getSource()).literal(value.getValueAsDouble());
        args.literals(op.getResultType().getShape());
        return StringRef("pad");
      });
  addCall<shard::ProcessLinearIndexOp>(
      patterns, converter, target,
      [&target](shard::ProcessLinearIndexOp op, auto,
                Args &args) -> FailureOr<StringRef> {
        auto shape = gridShape(op, op.getGridAttr(), target);
        if (failed(shape))
          return failure();
        args.literals(*shape);
        return StringRef("linear_index");
      });
  addCall<shard::ProcessMultiIndexOp>(
      patterns, converter, target,
      [&target](shard::ProcessMultiIndexOp op, auto,
                Args &args) -> FailureOr<StringRef> {
        auto shape = gridShape(op, op.getGridAttr(), target);
        if (failed(shape) || op.getAxes().size() != 1)
          return op.emitOpError() << "the " << target.name
                                  << " target takes one grid axis at a time";
        args.literal(int64_t(op.getAxes()[0])).literals(*shape);
        return StringRef("grid_index");
      });
  addCall<shard::AllToAllOp>(
      patterns, converter, target,
      [&target](shard::AllToAllOp op, auto adaptor,
                Args &args) -> FailureOr<StringRef> {
        auto shape = gridShape(op, op.getGridAttr(), target);
        if (failed(shape))
          return failure();
        if (op.getGridAxes().size() != 1)
          return op.emitOpError()
                 << "the " << target.name
                 << " target exchanges over one grid axis at a time";
        args.value(adaptor.getInput())
            .literal(op.getSplitAxis().getSExtValue())
            .literal(op.getConcatAxis().getSExtValue())
            .literal(int64_t(op.getGridAxes()[0]))
            .literals(*shape);
        return StringRef("all_to_all");
      });
  addCall<shard::AllReduceOp>(
      patterns, converter, target,
      [&target](shard::AllReduceOp op, auto adaptor,
                Args &args) -> FailureOr<StringRef> {
        auto shape = gridShape(op, op.getGridAttr(), target);
        if (failed(shape))
          return failure();
        if (op.getReduction() != shard::ReductionKind::Sum ||
            op.getGridAxes().size() != shape->size())
          return op.emitOpError() << "the " << target.name
                                  << " target sums over the whole grid "
                                     "only";
        args.value(adaptor.getInput()).literals(*shape);
        return StringRef("all_reduce_sum");
      });
}

/// What a shard.shift / dattn.shift_start or shard.all_gather /
/// dattn.all_gather_start moves, whichever op says it.
struct TransferSpec {
  bool gather = false;
  int64_t axis = 0, offset = 0, gatherAxis = 0;
  bool rotate = false;
  SmallVector<int64_t> grid;
};

template <typename OpTy>
FailureOr<TransferSpec> withGrid(OpTy op, const Target &target,
                                 TransferSpec spec) {
  auto shape = gridShape(op, op.getGridAttr(), target);
  if (failed(shape))
    return failure();
  spec.grid = *shape;
  return spec;
}

FailureOr<TransferSpec> describe(shard::ShiftOp op, const Target &target) {
  TransferSpec spec;
  spec.axis = op.getShiftAxis().getSExtValue();
  spec.offset = op.getOffset();
  spec.rotate = bool(op.getRotate());
  return withGrid(op, target, spec);
}
FailureOr<TransferSpec> describe(ShiftStartOp op, const Target &target) {
  TransferSpec spec;
  spec.axis = op.getAxis();
  spec.offset = op.getOffset();
  spec.rotate = bool(op.getRotate());
  return withGrid(op, target, spec);
}
FailureOr<TransferSpec> describe(shard::AllGatherOp op, const Target &target) {
  if (op.getGridAxes().size() != 1)
    return op.emitOpError()
           << "the " << target.name << " target gathers over one grid axis";
  TransferSpec spec;
  spec.gather = true;
  spec.gatherAxis = op.getGatherAxis().getSExtValue();
  spec.axis = op.getGridAxes()[0];
  return withGrid(op, target, spec);
}
FailureOr<TransferSpec> describe(AllGatherStartOp op, const Target &target) {
  TransferSpec spec;
  spec.gather = true;
  spec.gatherAxis = op.getGatherAxis();
  spec.axis = op.getAxis();
  return withGrid(op, target, spec);
}

void verbatim(OpBuilder &builder, Location loc, const Twine &text,
              ValueRange args = {}) {
  emitc::VerbatimOp::create(builder, loc, builder.getStringAttr(text), args);
}

/// Starts a transfer of `input`: the runtime's prepare_* call (receive
/// buffer, peers), then the communication calls spelled out. Host:
/// nonblocking MPI on the transfer's requests. Cuda: an NCCL group (or
/// ncclAllGather) on the transfer stream and the event of its arrival.
Value startTransfer(ConversionPatternRewriter &rewriter, Operation *op,
                    Value input, const TransferSpec &spec, const Target &target,
                    Type transferType) {
  CallArgs args(rewriter, target);
  args.value(input);
  if (spec.gather)
    args.literal(spec.gatherAxis).literal(spec.axis);
  else
    args.literal(spec.axis).literal(spec.offset).literal(spec.rotate);
  args.literals(spec.grid);
  Location loc = op->getLoc();
  Value t = args.call(rewriter, op,
                      spec.gather ? "prepare_all_gather" : "prepare_shift",
                      transferType);
  std::string where = target.cuda ? "on the transfer stream" : "nonblocking";
  if (spec.gather) {
    verbatim(rewriter, loc,
             "// gather along tensor dim " + Twine(spec.gatherAxis) +
                 " over grid axis " + Twine(spec.axis) + ", " + where);
    if (target.cuda)
      verbatim(rewriter, loc,
               "DATTN_NCCL(ncclAllGather({}.data(), {}.data(), {}.count(), "
               "{}.nccl_type(), {}.comm, {}.stream));",
               {input, t, input, input, t, t});
    else
      verbatim(rewriter, loc,
               "MPI_Iallgather({}.source(), {}.count(), MPI_FLOAT, "
               "{}.data(), {}.count(), MPI_FLOAT, {}.comm(), "
               "{}.requests());",
               {t, t, t, t, t, t});
  } else {
    verbatim(rewriter, loc,
             "// send to the rank " + Twine(spec.offset) +
                 " ahead on grid axis " + Twine(spec.axis) +
                 ", receive from the one behind" +
                 (spec.rotate ? " (a ring), " : ", ") + where);
    if (target.cuda) {
      verbatim(rewriter, loc, "DATTN_NCCL(ncclGroupStart());");
      verbatim(rewriter, loc,
               "if ({}.to >= 0) DATTN_NCCL(ncclSend({}.data(), {}.count(), "
               "{}.nccl_type(), {}.to, {}.comm, {}.stream));",
               {t, input, input, input, t, t, t});
      verbatim(rewriter, loc,
               "if ({}.from >= 0) DATTN_NCCL(ncclRecv({}.data(), {}.count(), "
               "{}.nccl_type(), {}.from, {}.comm, {}.stream));",
               {t, t, t, t, t, t, t});
      verbatim(rewriter, loc, "DATTN_NCCL(ncclGroupEnd());");
    } else {
      verbatim(rewriter, loc,
               "MPI_Irecv({}.data(), {}.count(), MPI_FLOAT, {}.from(), "
               "{}.tag(), {}.comm(), &{}.requests()[0]);",
               {t, t, t, t, t, t});
      verbatim(rewriter, loc,
               "MPI_Isend({}.source(), {}.count(), MPI_FLOAT, {}.to(), "
               "{}.tag(), {}.comm(), &{}.requests()[1]);",
               {t, t, t, t, t, t});
    }
  }
  if (target.cuda)
    verbatim(rewriter, loc,
             "DATTN_CUDA(cudaEventRecord({}.arrived(), {}.stream));", {t, t});
  return t;
}

/// The tensor a transfer delivers, where the plan waits for it. Host: its
/// requests complete. Cuda: the compute stream waits for the arrival event.
Value awaitTransfer(ConversionPatternRewriter &rewriter, Operation *op,
                    Value transfer, const Target &target, Type tensorType) {
  if (target.cuda)
    verbatim(rewriter, op->getLoc(),
             "DATTN_CUDA(cudaStreamWaitEvent(" + target.ns +
                 "compute_stream(), {}.arrived()));",
             {transfer});
  else
    verbatim(rewriter, op->getLoc(),
             "MPI_Waitall(2, {}.requests(), MPI_STATUSES_IGNORE);", {transfer});
  CallArgs args(rewriter, target);
  args.value(transfer);
  return args.call(rewriter, op, "received", tensorType);
}

/// shard.shift and shard.all_gather (a transfer waited for at once), and
/// dattn.shift_start and dattn.all_gather_start (the transfer).
template <typename OpTy, bool isStart>
struct TransferPattern : TargetPattern<OpTy> {
  using TargetPattern<OpTy>::TargetPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const Target &target = this->target;
    FailureOr<TransferSpec> spec = describe(op, target);
    if (failed(spec))
      return failure();
    const TypeConverter *converter = this->getTypeConverter();
    Type resultType = converter->convertType(op->getResult(0).getType());
    if (isStart) {
      rewriter.replaceOp(op, startTransfer(rewriter, op, adaptor.getInput(),
                                           *spec, target, resultType));
      return success();
    }
    Type transferType = converter->convertType(TransferType::get(
        op->getContext(), cast<RankedTensorType>(op->getResult(0).getType())));
    Value t = startTransfer(rewriter, op, adaptor.getInput(), *spec, target,
                            transferType);
    rewriter.replaceOp(op, awaitTransfer(rewriter, op, t, target, resultType));
    return success();
  }
};

/// dattn.wait.
struct WaitPattern : TargetPattern<WaitOp> {
  using TargetPattern::TargetPattern;
  LogicalResult
  matchAndRewrite(WaitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, awaitTransfer(rewriter, op, adaptor.getTransfer(), target,
                          getTypeConverter()->convertType(op.getType())));
    return success();
  }
};

/// finalize has one or two results: one call each. On the cuda target the
/// output is converted to the plan's element type.
struct FinalizePattern : TargetPattern<FinalizeOp> {
  using TargetPattern::TargetPattern;
  LogicalResult
  matchAndRewrite(FinalizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> results;
    CallArgs out(rewriter, target);
    out.value(adaptor.getState());
    if (target.cuda) {
      FailureOr<std::string> dtype =
          target.dtype(op, op.getOut().getType().getElementType());
      if (failed(dtype))
        return failure();
      out.opaque(*dtype);
    }
    results.push_back(
        out.call(rewriter, op, "finalize_out",
                 getTypeConverter()->convertType(op.getOut().getType())));
    if (op.getLse()) {
      CallArgs lse(rewriter, target);
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

/// Whether `op` holds an op of one of `OpTys`.
template <typename... OpTys> bool containsAny(Operation *op) {
  return op
      ->walk([](Operation *inner) {
        return isa<OpTys...>(inner) ? WalkResult::interrupt()
                                    : WalkResult::advance();
      })
      .wasInterrupted();
}

/// A comment for each step of a plan, placed before the op that starts it,
/// so that the emitted code reads as the plan does: where the rank sits on
/// the grid, what each loop's steps do, the peeled last step, how the
/// output is assembled.
void commentPlanSteps(ModuleOp module) {
  auto comment = [](Operation *op, const Twine &text) {
    OpBuilder builder(op);
    verbatim(builder, op->getLoc(), "// " + text);
  };
  module.walk([&](Operation *op) {
    if (isa<shard::ProcessLinearIndexOp, shard::ProcessMultiIndexOp>(op)) {
      comment(op, "this rank's place on the grid");
    } else if (auto loop = dyn_cast<scf::ForOp>(op)) {
      if (containsAny<ShiftStartOp, shard::ShiftOp>(loop))
        comment(op, "ring steps: each attends to the K/V blocks at hand while "
                    "they move on to the next rank");
      else if (containsAny<AllGatherStartOp, shard::AllGatherOp>(loop))
        comment(op, "one KV head at a time: the next head's K/V are gathered "
                    "while this one's tiles run");
      else if (containsAny<AsStateOp>(loop))
        comment(op, "merge the partial states of every rank (exact: max + "
                    "log1p of the lse)");
    } else if (isa<MicroAttentionOp>(op) &&
               !op->getParentOfType<scf::ForOp>()) {
      // The first tile after a ring loop starts its last step, peeled so
      // that nothing is sent.
      bool afterRing = false;
      for (Operation *prev = op->getPrevNode();
           prev && !afterRing && !isa<MicroAttentionOp>(prev);
           prev = prev->getPrevNode())
        if (auto loop = dyn_cast<scf::ForOp>(prev))
          afterRing = containsAny<ShiftStartOp, shard::ShiftOp>(loop);
      if (afterRing)
        comment(op, "the last ring step, peeled: nothing is sent after it");
    } else if (isa<shard::AllToAllOp>(op)) {
      comment(op, "each request's partial state to its master (an "
                  "all-to-all over the batch)");
    } else if (isa<shard::AllReduceOp>(op)) {
      comment(op, "assemble the output: every rank adds its rows (zeros "
                  "elsewhere)");
    }
  });
}

//===----------------------------------------------------------------------===//
// Merge-into (cuda): a tile's kernel merges its state into the accumulator.
//===----------------------------------------------------------------------===//
//
// A ring step is `tile = micro_attention(q, k, v, ...); merged = merge(held,
// tile)`: two kernels, and the merge reads both fp32 states and writes a
// third. The cuda runtime's kernel can instead merge the tile into an
// existing state in its epilogue (DaMicroAttentionArgs::mergeInto), writing
// held's buffers in place: `merged = micro_attention_into(held, q, k, v,
// ...)`. The cuda runtime's State shares its buffers between copies
// (shared_ptr), and the generated code copies states freely (a loop's
// carried variable and its copy at each step, the loop's result), so an
// in-place write is only correct where no other SSA value still to be read
// holds the accumulator's buffers. That is proved here from the IR's use
// lists, before the conversion; anything not proved is left as two calls.
// The host target keeps merge: its reference runtime has no such kernel.

/// A dattn.merge emitted as micro_attention_into calls: each tile (a
/// micro_attention result) merged in turn into the accumulator's buffers.
struct MergeInto {
  MergeOp merge;
  unsigned accumulator;                // operand index
  SmallVector<MicroAttentionOp> tiles; // in operand order
};

/// The block that holds `v`'s definition.
Block *homeBlock(Value v) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner();
  return v.getDefiningOp()->getBlock();
}

/// Which values a merge may overwrite.
class MergeIntoAnalysis {
public:
  /// Whether the user of `use` may write into the buffers of the state
  /// that flows through it: no SSA value that is read after the user (once
  /// per execution of the user) holds them. Empty states used more than
  /// once (CSE makes one for every accumulator of a zigzag step) are given
  /// a copy each where the fusion is done (`emptyCopies`).
  bool mayOverwrite(OpOperand &use) {
    Value v = use.get();
    // Used once in the IR but run again and again (the use in a loop, the
    // definition outside): the next run would see the write.
    if (use.getOwner()->getBlock() != homeBlock(v))
      return false;
    if (v.getDefiningOp<EmptyStateOp>()) {
      if (!v.hasOneUse())
        emptyCopies.insert(&use);
      return true;
    }
    if (!v.hasOneUse())
      return false;
    // Fresh buffers: the runtime allocates each tile's and each merge's
    // state (a fused merge's result is its accumulator's, which is proved
    // dead after it, so it is as good as fresh).
    if (v.getDefiningOp<MicroAttentionOp>() || v.getDefiningOp<MergeOp>())
      return true;
    // A loop-carried state holds what was passed in (the init, or the
    // previous step's yield); a loop's result holds the last yield (or the
    // init, if the loop does not run). Each must be claimed in turn. A
    // cycle (back to a value being checked: the state carried round a loop,
    // or round nested loops) checks nothing new, and is fine.
    if (!inProgress.insert(v).second)
      return true;
    bool ok = false;
    scf::ForOp loop;
    unsigned index = 0;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
      if (loop && arg.getOwner() == loop.getBody() &&
          arg.getArgNumber() >= loop.getNumInductionVars())
        index = arg.getArgNumber() - loop.getNumInductionVars();
      else
        loop = nullptr;
    } else if ((loop = v.getDefiningOp<scf::ForOp>())) {
      index = cast<OpResult>(v).getResultNumber();
    }
    if (loop)
      ok = mayOverwrite(loop.getInitArgsMutable()[index]) &&
           mayOverwrite(loop.getBody()->getTerminator()->getOpOperand(index));
    inProgress.erase(v);
    return ok;
  }

  /// Whether `use` (an operand of `merge`) is a tile that can be computed
  /// at the merge instead: a micro_attention in the same block whose
  /// result nothing else reads, with nothing between them but tiles,
  /// merges, empty states, slices and scalar arithmetic (a kernel moved
  /// past a transfer's wait would wait for it: the overlap is kept).
  static MicroAttentionOp fusableTile(MergeOp merge, OpOperand &use) {
    auto tile = use.get().getDefiningOp<MicroAttentionOp>();
    if (!tile || !use.get().hasOneUse() ||
        tile->getBlock() != merge->getBlock())
      return nullptr;
    for (Operation *op = tile->getNextNode(); op != merge.getOperation();
         op = op->getNextNode())
      if (!isa<MicroAttentionOp, MergeOp, EmptyStateOp, tensor::ExtractSliceOp>(
              op) &&
          !isa_and_nonnull<arith::ArithDialect>(op->getDialect()))
        return nullptr;
    return tile;
  }

  /// The merge's plan: the one operand that is not a fusable tile (or the
  /// first) is the accumulator, every other one a fusable tile.
  std::optional<MergeInto> plan(MergeOp merge) {
    MutableArrayRef<OpOperand> operands = merge->getOpOperands();
    SmallVector<MicroAttentionOp> tiles;
    std::optional<unsigned> accumulator;
    if (operands.size() < 2)
      return std::nullopt;
    for (OpOperand &use : operands) {
      tiles.push_back(fusableTile(merge, use));
      if (tiles.back())
        continue;
      if (accumulator)
        return std::nullopt;
      accumulator = use.getOperandNumber();
    }
    MergeInto result{merge, accumulator.value_or(0), {}};
    llvm::SetVector<OpOperand *> before = emptyCopies;
    if (!mayOverwrite(operands[result.accumulator])) {
      emptyCopies = before;
      return std::nullopt;
    }
    for (auto [index, tile] : llvm::enumerate(tiles))
      if (index != result.accumulator)
        result.tiles.push_back(tile);
    return result;
  }

  /// Gives each use in `emptyCopies` an empty state of its own (where the
  /// state still has other uses), just before the one it shared (so that
  /// they read in the order of their uses).
  void copyEmptyStates() {
    for (OpOperand *use : emptyCopies) {
      auto empty = use->get().getDefiningOp<EmptyStateOp>();
      if (empty->hasOneUse())
        continue;
      OpBuilder builder(empty->getContext());
      builder.setInsertionPoint(empty);
      use->set(builder.clone(*empty)->getResult(0));
    }
    emptyCopies.clear();
  }

private:
  DenseSet<Value> inProgress;
  llvm::SetVector<OpOperand *> emptyCopies;
};

/// Plans the merges of `module` that the cuda target fuses with their
/// tiles: tags each such merge and its tiles (kMergeIntoTag: the merge's
/// number, its tiles' the merge's negated minus one) and copies the empty
/// states that several accumulators share. Returns the accumulator operand
/// of each tagged merge.
SmallVector<unsigned> planMergeInto(ModuleOp module) {
  MergeIntoAnalysis analysis;
  SmallVector<unsigned> accumulators;
  module.walk([&](MergeOp merge) {
    std::optional<MergeInto> plan = analysis.plan(merge);
    if (!plan)
      return;
    Builder builder(merge.getContext());
    int64_t id = accumulators.size();
    merge->setDiscardableAttr(kMergeIntoTag, builder.getI64IntegerAttr(id));
    for (MicroAttentionOp tile : plan->tiles)
      tile->setDiscardableAttr(kMergeIntoTag,
                               builder.getI64IntegerAttr(-id - 1));
    accumulators.push_back(plan->accumulator);
  });
  analysis.copyEmptyStates();
  return accumulators;
}

/// After the conversion: the calls of each tagged merge and its tiles
/// become one micro_attention_into call per tile, at the merge, in the
/// tiles' order, chained through the accumulator.
void emitMergeInto(ModuleOp module, ArrayRef<unsigned> accumulators,
                   const Target &target) {
  SmallVector<emitc::CallOpaqueOp> merges(accumulators.size());
  SmallVector<SmallVector<emitc::CallOpaqueOp>> tiles(accumulators.size());
  module.walk([&](emitc::CallOpaqueOp call) {
    auto tag = call->getDiscardableAttr(kMergeIntoTag);
    if (!tag)
      return;
    call->removeDiscardableAttr(kMergeIntoTag);
    int64_t id = cast<IntegerAttr>(tag).getInt();
    if (id >= 0)
      merges[id] = call;
    else
      tiles[-id - 1].push_back(call);
  });
  for (auto [merge, mergedTiles, accumulator] :
       llvm::zip_equal(merges, tiles, accumulators)) {
    // Each tile's call read by its merge's call alone (as planned; were it
    // not, the two calls would stay, which is always correct).
    if (!merge || mergedTiles.empty() ||
        llvm::any_of(mergedTiles, [&](emitc::CallOpaqueOp tile) {
          return !tile->hasOneUse() || *tile->user_begin() != merge;
        }))
      continue;
    OpBuilder builder(merge);
    Value state = merge.getOperand(accumulator);
    // Tiles come in the walk's order, which is the block's: the merge's
    // operand order is that of the tiles it takes (any order is exact).
    for (emitc::CallOpaqueOp tile : mergedTiles) {
      // The tile's arguments after the accumulator: operand indices move
      // up by one, literals stay.
      SmallVector<Value> operands = {state};
      llvm::append_range(operands, tile.getOperands());
      SmallVector<Attribute> args = {builder.getIndexAttr(0)};
      ArrayAttr tileArgs = *tile.getArgs();
      for (Attribute arg : tileArgs) {
        auto index = dyn_cast<IntegerAttr>(arg);
        args.push_back(index && index.getType().isIndex()
                           ? builder.getIndexAttr(index.getInt() + 1)
                           : arg);
      }
      state = emitc::CallOpaqueOp::create(builder, merge.getLoc(),
                                          TypeRange{state.getType()},
                                          target.ns + "micro_attention_into",
                                          operands, builder.getArrayAttr(args))
                  .getResult(0);
    }
    merge.getResult(0).replaceAllUsesWith(state);
    merge.erase();
    for (emitc::CallOpaqueOp tile : mergedTiles)
      tile.erase();
  }
}

struct DAttnConvertToEmitCPass
    : mlir::dattn::impl::DAttnConvertToEmitCBase<DAttnConvertToEmitCPass> {
  using DAttnConvertToEmitCBase::DAttnConvertToEmitCBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    if (target != "host" && target != "cuda") {
      module.emitError() << "unknown target '" << target
                         << "'; expected host or cuda";
      return signalPassFailure();
    }
    Target spec;
    spec.cuda = target == "cuda";
    spec.name = target;
    spec.ns = "distattn::" + target + "::";
    TypeConverter converter;
    converter.addConversion([](Type type) { return type; });
    auto tensor = emitc::OpaqueType::get(context, spec.ns + "Tensor");
    auto state = emitc::OpaqueType::get(context, spec.ns + "State");
    // A handle with buffers and MPI requests (host) or an event (cuda).
    auto transfer = emitc::OpaqueType::get(context, spec.ns + "Transfer");
    converter.addConversion([=](RankedTensorType) -> Type { return tensor; });
    converter.addConversion([=](TransferType) -> Type { return transfer; });
    converter.addConversion([=](StateType) -> Type { return state; });
    populateEmitCSizeTTypeConversions(converter);

    // Tensor constants become runtime calls first: the upstream arith
    // patterns would take them for scalars.
    WalkResult constants = module.walk([&](arith::ConstantOp op) {
      auto splat = dyn_cast<SplatElementsAttr>(op.getValue());
      if (!splat || !isa<FloatType>(splat.getElementType()))
        return WalkResult::advance();
      OpBuilder builder(op);
      CallArgs args(builder, spec);
      if (spec.cuda) {
        FailureOr<std::string> dtype = spec.dtype(op, splat.getElementType());
        if (failed(dtype))
          return WalkResult::interrupt();
        args.opaque(*dtype);
      }
      args.literal(splat.getSplatValue<APFloat>().convertToDouble());
      args.literals(splat.getType().getShape());
      Value call = emitc::CallOpaqueOp::create(
                       builder, op.getLoc(), TypeRange{tensor},
                       spec.ns + "splat", ValueRange{}, args.attributes())
                       .getResult(0);
      op.replaceAllUsesWith(UnrealizedConversionCastOp::create(
                                builder, op.getLoc(), op.getType(), call)
                                .getResult(0));
      op.erase();
      return WalkResult::advance();
    });
    if (constants.wasInterrupted())
      return signalPassFailure();

    commentPlanSteps(module);
    // Cuda: which merges take their tiles into the accumulator (decided on
    // the plan's use lists, before they are gone).
    SmallVector<unsigned> mergeInto;
    if (spec.cuda)
      mergeInto = planMergeInto(module);
    RewritePatternSet patterns(context);
    populateCallPatterns(patterns, converter, spec);
    patterns.add<FinalizePattern, WaitPattern,
                 TransferPattern<shard::ShiftOp, false>,
                 TransferPattern<ShiftStartOp, true>,
                 TransferPattern<shard::AllGatherOp, false>,
                 TransferPattern<AllGatherStartOp, true>>(converter, context,
                                                          spec);
    patterns.add<IndexBinaryPattern<arith::RemUIOp, emitc::RemOp>,
                 IndexBinaryPattern<arith::DivUIOp, emitc::DivOp>>(converter,
                                                                   context);
    populateArithToEmitCPatterns(converter, patterns);
    populateSCFToEmitCConversionPatterns(patterns, converter);
    populateFuncToEmitCPatterns(converter, patterns);

    ConversionTarget legal(*context);
    legal.addLegalDialect<emitc::EmitCDialect>();
    // Everything a plan is made of must become EmitC: what cannot is an
    // error, not a half-converted module.
    legal
        .addIllegalDialect<DAttnDialect, arith::ArithDialect, func::FuncDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    legal.addIllegalOp<shard::ProcessLinearIndexOp, shard::ProcessMultiIndexOp,
                       shard::ShiftOp, shard::AllGatherOp, shard::AllReduceOp,
                       shard::AllToAllOp>();
    legal.addLegalOp<ModuleOp, shard::GridOp, UnrealizedConversionCastOp>();
    if (failed(applyPartialConversion(module, legal, std::move(patterns))))
      return signalPassFailure();
    emitMergeInto(module, mergeInto, spec);
    // Casts the conversion left without users (tensor constants), and
    // scalar constants that only pads yielded (their value is a literal of
    // the pad call now; a bf16 one would not even compile as C++).
    module.walk([](Operation *op) {
      if (isa<UnrealizedConversionCastOp, emitc::ConstantOp>(op) &&
          op->use_empty())
        op->erase();
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
                             spec.cuda ? "distattn/cuda/plan_runtime.cuh"
                                       : "distattn/host/plan_runtime.h");
  }
};

} // namespace
