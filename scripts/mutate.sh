#!/usr/bin/env bash
# Mutation score of the test suite: applies named mutations to the compiler
# and runtime sources one at a time, rebuilds only the targets the tests
# need, runs the tests that should catch each, restores the source, and
# prints which mutations were killed and which survived.
#
#   scripts/mutate.sh [--src DIR] [--build DIR] [--threshold PCT]
#                     [--no-baseline] [--list] [--check] [--allow-dirty]
#                     [NAME...]
#
# --src: the source tree (default: the repository this script is in), a
# git work tree whose mutated files must be clean, unless --allow-dirty
# (each file is restored from a copy taken before its mutation either way;
# the refusal keeps uncommitted work out of reach). --build: its configured
# build directory (default SRC/build). --list prints the mutations;
# --check only checks that each fragment occurs once in SRC and builds
# nothing. NAME...: run only those mutations. Before mutating, every test
# the chosen mutations use is run once on the clean tree (--no-baseline
# skips that): a test that fails anyway kills nothing. Exits 1 when the
# score is below the threshold (default 95%), 2 when a fragment is not
# found exactly once, a mutant does not build or the baseline fails.
#
# Environment: DISTATTN_SRC, DISTATTN_BUILD_DIR, MUTATION_THRESHOLD, NINJA
# (default ninja; e.g. a flock wrapper), JOBS (default nproc), LIT (default
# /usr/lib/llvm-22/bin/lit), MUTATION_TIMEOUT (seconds a test may run,
# default 900; a test that runs past it counts as killing the mutant).
#
# Each mutation replaces one exact fragment of one file. The fragment must
# occur exactly once, so a refactor makes this script fail loudly instead
# of skipping the mutation; re-point the fragment then.
set -euo pipefail

SELF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=${DISTATTN_SRC:-$SELF_ROOT}
BUILD=${DISTATTN_BUILD_DIR:-}
THRESHOLD=${MUTATION_THRESHOLD:-95}
NINJA=${NINJA:-ninja}
JOBS=${JOBS:-$(nproc)}
LIT=${LIT:-/usr/lib/llvm-22/bin/lit}
TIMEOUT=${MUTATION_TIMEOUT:-900}
BASELINE=1
LIST=0
CHECK=0
ALLOW_DIRTY=0
ONLY=()

while [ $# -gt 0 ]; do
  case "$1" in
  --src) SRC=$2; shift 2 ;;
  --build) BUILD=$2; shift 2 ;;
  --threshold) THRESHOLD=$2; shift 2 ;;
  --no-baseline) BASELINE=0; shift ;;
  --list) LIST=1; shift ;;
  --check) CHECK=1; shift ;;
  --allow-dirty) ALLOW_DIRTY=1; shift ;;
  -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
  -*) echo "mutate.sh: unknown option $1" >&2; exit 2 ;;
  *) ONLY+=("$1"); shift ;;
  esac
done
SRC=$(cd "$SRC" && pwd)
BUILD=${BUILD:-$SRC/build}

#===----------------------------------------------------------------------===#
# The mutations: name, file, exact fragment, replacement, tests.
# Tests: lit:PATH (a file or folder under test/; the tools its RUN lines
# name are rebuilt) or gtest:BINARY[:FILTER] (a GoogleTest binary of
# test/unit, rebuilt and run directly).
#===----------------------------------------------------------------------===#
NAMES=() FILES=() OLDS=() NEWS=() TESTS=()
mutation() {
  NAMES+=("$1") FILES+=("$2") OLDS+=("$3") NEWS+=("$4") TESTS+=("$5")
}

REF=runtime/include/distattn/reference.h
REF_TESTS='gtest:HostReferenceTests gtest:KernelHostTests gtest:ReferenceOracleTests gtest:GoldenTests'

# reference.h: the arithmetic the evaluator, the host target and the
# kernels' tests share; only an independent oracle can catch these.
mutation ref-causal-mask-off-by-one $REF \
  'return k.at(j) < kLimit && (!causal || q.at(i) >= k.at(j));' \
  'return k.at(j) < kLimit && (!causal || q.at(i) > k.at(j));' "$REF_TESTS"
mutation ref-kend-off-by-one $REF \
  'return k.at(j) < kLimit && (!causal' \
  'return k.at(j) <= kLimit && (!causal' "$REF_TESTS"
mutation ref-gqa-head-map $REF \
  'int64_t kvh = h / s.groupSize();' \
  'int64_t kvh = h % s.kvHeads;' "$REF_TESTS"
mutation ref-default-scale $REF \
  'return 1.0 / std::sqrt(double(headDim));' \
  'return 1.0 / double(headDim);' "$REF_TESTS"
mutation ref-lse-log2 $REF \
  'lse[row] = rowMax + std::log(sum);' \
  'lse[row] = rowMax + std::log2(sum);' "$REF_TESTS"
mutation ref-merge-weight-sign $REF \
  'weights[i] = std::exp(lses[i][r] - merged);' \
  'weights[i] = std::exp(merged - lses[i][r]);' "$REF_TESTS"
mutation ref-merge-lse-log1p-sign $REF \
  'return m + std::log1p(std::exp(-std::fabs(a - b)));' \
  'return m - std::log1p(std::exp(-std::fabs(a - b)));' "$REF_TESTS"
# The compile-time tile classification dattn-decompose cuts with.
mutation classify-skip-off-by-one $REF \
  'if (qMax < kMin)' \
  'if (qMax <= kMin)' "$REF_TESTS"
mutation classify-full-off-by-one $REF \
  'if (qMin >= kMax && allBeforeLimit)' \
  'if (qMin + 1 >= kMax && allBeforeLimit)' "$REF_TESTS"

# The kernels' index arithmetic (the host side of the CUDA kernels' masks
# and splits, runtime/include/distattn/cuda/index_math.h).
IDX=runtime/include/distattn/cuda/index_math.h
mutation kernel-causal-limit-off-by-one $IDX \
  $'if (d < 0)\n    return -1;' \
  $'if (d <= 0)\n    return -1;' 'gtest:KernelHostTests'
mutation kernel-tile-mask-decision $IDX \
  'return (t + 1) * tileN - 1 > minLimit;' \
  'return (t + 1) * tileN > minLimit;' 'gtest:KernelHostTests'

# dattn-decompose.
mutation decompose-partial-tile-unmasked passes/Decompose.cpp \
  'MaskAttr tileMask = coverage == distattn::TileCoverage::Partial' \
  'MaskAttr tileMask = coverage == distattn::TileCoverage::All' \
  'lit:Interpreter/decompose-numerics.mlir lit:Passes/dattn-decompose.mlir'
mutation decompose-subtile-key-stride dialects/DAttn/DAttnDialect.cpp \
  'getKOffset() + getKStride() * kBegin, getKStride(),' \
  'getKOffset() + kBegin, getKStride(),' \
  'lit:Interpreter/decompose-numerics.mlir lit:Passes/dattn-decompose.mlir'

# dattn-plan-prefill (and the SPMD helpers it shares with decode).
PREFILL_TESTS='lit:Interpreter/plan-prefill-numerics.mlir lit:Passes/dattn-plan-prefill.mlir'
mutation prefill-ring-step-dropped passes/PlanPrefill.cpp \
  'index(0), index(size),' 'index(0), index(size - 1),' "$PREFILL_TESTS"
mutation prefill-shift-direction passes/SpmdBuilder.h \
  '/*offset=*/1, /*rotate=*/true' '/*offset=*/-1, /*rotate=*/true' \
  "$PREFILL_TESTS"
mutation prefill-ring-owner-direction passes/SpmdBuilder.h \
  'sub(add(position, index(size)), t)' 'add(add(position, index(size)), t)' \
  "$PREFILL_TESTS"
mutation striped-key-stride passes/PlanPrefill.cpp \
  'stride, 0, stride, kEnd);' 'stride, 0, 1, kEnd);' "$PREFILL_TESTS"
mutation zigzag-tile-stride passes/PlanPrefill.cpp \
  'microAttention(qHi, c[1], c[3], hi, kHi, 1)' \
  'microAttention(qHi, c[1], c[3], hi, kHi, 2)' "$PREFILL_TESTS"
mutation prefill-padding-not-hidden passes/PlanPrefill.cpp \
  'paddedLen == seqLen ? std::numeric_limits<int64_t>::max() : seqLen;' \
  'std::numeric_limits<int64_t>::max();' "$PREFILL_TESTS"

mutation allgather-gqa-head-map passes/PlanPrefill.cpp \
  'Value qHead = mul(group, index(qPerGroup));' 'Value qHead = group;' \
  "$PREFILL_TESTS lit:Interpreter/plan-prefill-gqa-groups-numerics.mlir"
mutation heads-subblock-stride passes/PlanPrefill.cpp \
  $'return slice(tensor, first, count, stride);\n    int64_t part = count / headParallel;\n    Value subFirst = arith::AddIOp::create(\n        builder, loc, first, mul(headGroup, index(stride * part)));' \
  $'return slice(tensor, first, count, stride);\n    int64_t part = count / headParallel;\n    Value subFirst = arith::AddIOp::create(\n        builder, loc, first, mul(headGroup, index(part)));' \
  'lit:Interpreter/plan-prefill-heads-numerics.mlir lit:Passes/dattn-plan-prefill-heads.mlir'
mutation hierarchical-outer-shift-axis passes/PlanPrefill.cpp \
  'next.push_back(shift(block, /*axis=*/0));' \
  'next.push_back(shift(block, /*axis=*/1));' \
  'lit:Interpreter/plan-prefill-hierarchical-numerics.mlir lit:Passes/dattn-plan-prefill-hierarchical.mlir'

# dattn-overlap.
OVERLAP_TESTS='lit:Passes/dattn-overlap.mlir lit:Passes/dattn-simulate-timeline.mlir lit:Passes/dattn-verify-plan.mlir'
mutation overlap-transfer-started-late passes/Overlap.cpp \
  $'auto handle = ShiftStartOp::create(\n        builder, shift.getLoc(),' \
  $'auto handle = ShiftStartOp::create(\n        builder = OpBuilder(shift), shift.getLoc(),' \
  "$OVERLAP_TESTS"
mutation overlap-last-step-sends passes/Overlap.cpp \
  'peelLastIteration(loop, shifts);' '(void)shifts;' "$OVERLAP_TESTS"

# dattn-verify-schedule: a write into a buffer still in flight (what a
# wait placed too late allows) must be caught.
mutation schedule-verifier-checks-wrong-operand passes/VerifySchedule.cpp \
  'if (insert && insert.getDest() == source)' \
  'if (insert && insert.getSource() == source)' \
  'lit:Passes/dattn-verify-schedule-invalid.mlir lit:Passes/dattn-verify-schedule.mlir'

# dattn-simulate-timeline: a transfer cannot leave before its sender has
# computed up to the point that starts it.
mutation timeline-send-ignores-compute-clock compiler/Interpreter/Timeline.cpp \
  'double start = std::max(computeClock[sender], clock);' \
  'double start = clock;' \
  'lit:Passes/dattn-simulate-timeline.mlir lit:Passes/dattn-simulate-timeline-decode.mlir'

# dattn-plan-decode.
mutation decode-budget-split passes/PlanDecode.cpp \
  'budget ? int64_t(budget) : llvm::divideCeil(kvLen, numRanks);' \
  'budget ? int64_t(budget) : kvLen / numRanks;' \
  'lit:Interpreter/plan-decode-numerics.mlir lit:Passes/dattn-plan-decode.mlir'
mutation decode-merge-drops-a-rank passes/PlanDecode.cpp \
  $'index(ranks),\n                                   index(1), ValueRange{emptyState(shape)});' \
  $'index(ranks - 1),\n                                   index(1), ValueRange{emptyState(shape)});' \
  'lit:Interpreter/plan-decode-numerics.mlir lit:Passes/dattn-plan-decode.mlir'
mutation decode-kend-off-by-one passes/PlanDecode.cpp \
  'mask.getQStride(), 0, 1, kvLen);' 'mask.getQStride(), 0, 1, kvLen - 1);' \
  'lit:Interpreter/plan-decode-numerics.mlir lit:Passes/dattn-plan-decode.mlir'
mutation decode-masters-partial-misplaced passes/PlanDecode.cpp \
  'Value at = mul(master, index(mine));' 'Value at = mul(rank, index(mine));' \
  'lit:Interpreter/plan-decode-masters-numerics.mlir lit:Passes/dattn-plan-decode-masters.mlir'

# The plan verifier (dattn-verify-plan's tracker in the evaluator).
VERIFY_TESTS='lit:Passes/dattn-verify-plan-invalid.mlir lit:Passes/dattn-verify-plan.mlir'
mutation verifier-accepts-double-coverage compiler/Interpreter/DAttnHandlers.cpp \
  'if (auto pair = commonPair(merged.rows, other, piece))' \
  'if (auto pair = std::optional<Pair>())' "$VERIFY_TESTS"
mutation verifier-accepts-missing-keys compiler/Interpreter/Coverage.cpp \
  'if (covered == expected)' 'if (covered <= expected)' "$VERIFY_TESTS"

# The reference evaluator.
mutation evaluator-merge-drops-a-state compiler/Interpreter/DAttnHandlers.cpp \
  'for (Value state : merge.getStates())' \
  'for (Value state : merge.getStates().drop_back())' \
  'lit:Interpreter/decompose-numerics.mlir lit:Interpreter/semantics.mlir'
mutation evaluator-shift-direction compiler/Interpreter/ShardHandlers.cpp \
  'int64_t source = coords[axis] - offset;' \
  'int64_t source = coords[axis] + offset;' \
  'lit:Interpreter/semantics.mlir lit:Interpreter/plan-prefill-numerics.mlir'

# The cost model's choices.
mutation cost-prefill-choice-inverted compiler/Topology/CostModel.cpp \
  'p.totalSeconds < best->totalSeconds * (1 - 1e-9)' \
  'p.totalSeconds > best->totalSeconds * (1 + 1e-9)' \
  'lit:Passes/dattn-plan-prefill-auto.mlir lit:Interpreter/plan-prefill-auto-heads.mlir'
mutation cost-decode-choice-inverted passes/PlanDecode.cpp \
  'if (!best || p.totalSeconds < best->totalSeconds) {' \
  'if (!best || p.totalSeconds > best->totalSeconds) {' \
  'lit:Passes/dattn-plan-decode-auto.mlir'
mutation cost-striped-diagonal-pairs compiler/Topology/CostModel.cpp \
  'return block * (block + 1) / 2;' 'return block * block;' \
  'lit:Passes/dattn-plan-prefill-auto.mlir lit:Interpreter/plan-prefill-auto-heads.mlir'

# The host target: the MPI calls emitted, and the peers the runtime gives
# them.
mutation emitc-mpi-recv-peer passes/ConvertToEmitC.cpp \
  '"MPI_Irecv({}.data(), {}.count(), MPI_FLOAT, {}.from(), "' \
  '"MPI_Irecv({}.data(), {}.count(), MPI_FLOAT, {}.to(), "' \
  'lit:Conversion/dattn-convert-to-emitc.mlir lit:Target/host-cpp.mlir'
mutation emitc-mpi-waits-receive-only passes/ConvertToEmitC.cpp \
  '"MPI_Waitall(2, {}.requests(), MPI_STATUSES_IGNORE);"' \
  '"MPI_Waitall(1, {}.requests(), MPI_STATUSES_IGNORE);"' \
  'lit:Conversion/dattn-convert-to-emitc.mlir lit:Target/host-cpp.mlir'
mutation emitc-nccl-send-peer passes/ConvertToEmitC.cpp \
  '"{}.nccl_type(), {}.to, {}.comm, {}.stream));"' \
  '"{}.nccl_type(), {}.from, {}.comm, {}.stream));"' \
  'lit:Target/cuda-ring.mlir lit:Target/cuda-all-gather.mlir'
mutation host-run-length-not-hiding-keys runtime/include/distattn/host/plan_runtime.h \
  'std::min(kEnd, valid_length())};' 'kEnd};' 'gtest:HostPlanRuntimeTests'
mutation host-shift-peers-swapped runtime/include/distattn/grid.h \
  'int64_t to = me + offset, from = me - offset;' \
  'int64_t to = me - offset, from = me + offset;' 'lit:Target/host-mpi.mlir'

# rBlock, the KV block manager.
RBLOCK_TESTS='gtest:RBlockPoolTests gtest:RBlockManagerTests gtest:RBlockPropertyTests'
mutation rblock-block-freed-twice runtime/rblock/BlockPool.cpp \
  'if (s < 0 || s >= capacity() || isFree(s))' \
  'if (s < 0 || s >= capacity())' "$RBLOCK_TESTS"
mutation rblock-whole-chunk-count runtime/rblock/BlockPool.cpp \
  'if (chunkFree[c]-- == chunk)' 'if (--chunkFree[c] == chunk)' \
  "$RBLOCK_TESTS"
mutation rblock-lent-count-off-by-one runtime/rblock/RManager.cpp \
  'lentSlots += n;' 'lentSlots += n - 1;' "$RBLOCK_TESTS"
mutation rblock-dgfm-moves-one-too-many runtime/rblock/GManager.cpp \
  'w = std::min(w, ledger(cycle[i], next(i)));' \
  'w = std::min(w, ledger(cycle[i], next(i)) + 1);' "$RBLOCK_TESTS"
mutation rblock-decode-attends-past-last-token runtime/rblock/Decode.cpp \
  'int64_t tokens = int64_t(slots.size() - 1) * tokensPerBlock + lastTokens;' \
  'int64_t tokens = int64_t(slots.size()) * tokensPerBlock;' \
  'gtest:RBlockDecodeTests'

#===----------------------------------------------------------------------===#

if [ "$LIST" = 1 ]; then
  for i in "${!NAMES[@]}"; do
    printf '%-36s %-44s %s\n' "${NAMES[$i]}" "${FILES[$i]}" "${TESTS[$i]}"
  done
  exit 0
fi

SELECTED=()
if [ ${#ONLY[@]} -eq 0 ]; then
  SELECTED=("${!NAMES[@]}")
else
  for name in "${ONLY[@]}"; do
    found=
    for i in "${!NAMES[@]}"; do
      [ "${NAMES[$i]}" = "$name" ] && found=$i
    done
    [ -n "$found" ] || { echo "mutate.sh: no mutation named $name" >&2; exit 2; }
    SELECTED+=("$found")
  done
fi

say() { printf '== %s\n' "$*"; }
die() { echo "mutate.sh: $*" >&2; exit 2; }

# Replaces the one occurrence of a fragment: `check` only counts.
replace() { # mode file old new
  python3 - "$@" <<'PY'
import sys
mode, path, old, new = sys.argv[1:5]
with open(path) as f:
    text = f.read()
n = text.count(old)
if n != 1:
    sys.exit(f"{path}: the fragment occurs {n} times, not once:\n{old}")
if mode == "apply":
    with open(path, "w") as f:
        f.write(text.replace(old, new))
PY
}

if [ "$CHECK" = 1 ]; then
  bad=0
  for i in "${SELECTED[@]}"; do
    if replace check "$SRC/${FILES[$i]}" "${OLDS[$i]}" "${NEWS[$i]}" 2>/dev/null; then
      printf 'applies  %s\n' "${NAMES[$i]}"
    else
      printf 'MISSING  %s (%s)\n' "${NAMES[$i]}" "${FILES[$i]}"
      bad=1
    fi
  done
  exit $((bad * 2))
fi

[ -f "$BUILD/build.ninja" ] || die "$BUILD is not a configured build directory"
git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1 || die "$SRC is not a git work tree"

# Unless --allow-dirty, a mutated file must be what git has, so that no
# uncommitted work is at stake; and every fragment must still apply.
declare -A SEEN_FILE=()
for i in "${SELECTED[@]}"; do
  f=${FILES[$i]}
  [ -f "$SRC/$f" ] || die "${NAMES[$i]}: no file $f in $SRC"
  if [ -z "${SEEN_FILE[$f]:-}" ] && [ "$ALLOW_DIRTY" = 0 ]; then
    git -C "$SRC" diff --quiet HEAD -- "$f" ||
      die "$f has uncommitted changes; commit or stash them first"
    SEEN_FILE[$f]=1
  fi
  replace check "$SRC/$f" "${OLDS[$i]}" "${NEWS[$i]}" ||
    die "mutation ${NAMES[$i]} no longer applies: re-point its fragment"
done

# The tools a lit test runs, from its RUN lines.
lit_tools() { # path under test/
  grep -rhoE '(dattn-opt|dattn-run|dattn-translate|dattnc|rblock-sim)\b' \
    --include='*.mlir' "$SRC/test/$1" 2>/dev/null | grep -v '^$' | sort -u || true
}

targets_of() { # tests
  local t out=()
  for t in $1; do
    case "$t" in
    lit:*) mapfile -t -O "${#out[@]}" out < <(lit_tools "${t#lit:}") ;;
    gtest:*) t=${t#gtest:}; out+=("${t%%:*}") ;;
    *) die "unknown test kind: $t" ;;
    esac
  done
  printf '%s\n' "${out[@]}" | sort -u | tr '\n' ' '
}

build() { # targets; log
  # shellcheck disable=SC2086
  nice -n 10 $NINJA -C "$BUILD" -j"$JOBS" $1 >"$2" 2>&1
}

run_tests() { # tests; log: 0 when all pass
  local t rc=0 bin filter
  : >"$2"
  for t in $1; do
    case "$t" in
    lit:*)
      echo "-- lit ${t#lit:}" >>"$2"
      # In a subshell: a test killed by a signal is reported in the log.
      (timeout -k 10 "$TIMEOUT" "$LIT" -v "$BUILD/test/${t#lit:}") >>"$2" 2>&1 ||
        rc=1 ;;
    gtest:*)
      t=${t#gtest:}
      bin=${t%%:*} filter='*'
      [ "$bin" != "$t" ] && filter=${t#*:}
      echo "-- $bin --gtest_filter=$filter" >>"$2"
      (timeout -k 10 "$TIMEOUT" "$BUILD/test/unit/$bin" \
        --gtest_filter="$filter" --gtest_brief=1) >>"$2" 2>&1 || rc=1 ;;
    esac
    # One failing test is enough to kill a mutant.
    [ "$rc" = 0 ] || return 1
  done
  return 0
}

LOGS=$BUILD/mutation-logs
mkdir -p "$LOGS"
BACKUP=$(mktemp -d)
CURRENT=
ALL_TARGETS=
restore() {
  if [ -n "$CURRENT" ]; then
    # cp, not mv: a newer mtime, so ninja rebuilds from the clean source.
    cp "$BACKUP/original" "$SRC/$CURRENT"
    CURRENT=
  fi
}
on_exit() {
  local rc=$?
  if [ -n "$CURRENT" ]; then
    restore
    echo "mutate.sh: interrupted; $BUILD may hold mutant binaries:" \
      "rebuild with: ninja -C $BUILD" >&2
  fi
  rm -rf "$BACKUP"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

for i in "${SELECTED[@]}"; do
  ALL_TARGETS+=" $(targets_of "${TESTS[$i]}")"
done
# shellcheck disable=SC2086 # one target a word
ALL_TARGETS=$(printf '%s\n' $ALL_TARGETS | sort -u | tr '\n' ' ')
START=$(date +%s)

say "building $ALL_TARGETS"
build "$ALL_TARGETS" "$LOGS/build-clean.log" ||
  die "the clean tree does not build: $LOGS/build-clean.log"
# A test not built (a stale configuration) must not count as a kill.
for i in "${SELECTED[@]}"; do
  for t in ${TESTS[$i]}; do
    case "$t" in
    gtest:*) b=${t#gtest:}; b=${b%%:*}
      [ -x "$BUILD/test/unit/$b" ] || die "no test binary $BUILD/test/unit/$b" ;;
    lit:*) [ -e "$SRC/test/${t#lit:}" ] || die "no test $SRC/test/${t#lit:}" ;;
    *) die "${NAMES[$i]}: unknown test kind $t (lit:PATH or gtest:BINARY)" ;;
    esac
  done
done

if [ "$BASELINE" = 1 ]; then
  declare -A TESTED=()
  for i in "${SELECTED[@]}"; do
    for t in ${TESTS[$i]}; do
      [ -n "${TESTED[$t]:-}" ] && continue
      TESTED[$t]=1
      say "baseline: $t"
      run_tests "$t" "$LOGS/baseline.log" ||
        die "$t fails on the clean tree ($LOGS/baseline.log); fix that first"
    done
  done
fi

RESULTS=()
killed=0 survived=0 broken=0
for i in "${SELECTED[@]}"; do
  name=${NAMES[$i]} file=${FILES[$i]} tests=${TESTS[$i]}
  cp "$SRC/$file" "$BACKUP/original"
  CURRENT=$file
  replace apply "$SRC/$file" "${OLDS[$i]}" "${NEWS[$i]}"
  t0=$(date +%s)
  if ! build "$(targets_of "$tests")" "$LOGS/$name.build.log"; then
    result="BROKEN (does not build)"
    broken=$((broken + 1))
  elif run_tests "$tests" "$LOGS/$name.log"; then
    result=SURVIVED
    survived=$((survived + 1))
  else
    result=killed
    killed=$((killed + 1))
  fi
  restore
  say "$name: $result ($(($(date +%s) - t0)) s)"
  RESULTS+=("| $name | $file | ${tests//lit:/} | $result |")
done

say "rebuilding the clean tree"
build "$ALL_TARGETS" "$LOGS/build-restored.log" ||
  echo "mutate.sh: the restored tree did not rebuild: $LOGS/build-restored.log" >&2

total=$((killed + survived))
score=$(python3 -c "print(f'{100 * $killed / max($total, 1):.1f}')")
echo
echo "| mutation | file | tests | result |"
echo "|---|---|---|---|"
printf '%s\n' "${RESULTS[@]}"
echo
echo "mutation score: $killed of $total killed ($score%), threshold $THRESHOLD%;" \
  "$(($(date +%s) - START)) s; logs in $LOGS"
if [ "$broken" -gt 0 ]; then
  echo "mutate.sh: $broken mutant(s) do not build: fix their replacements" >&2
  exit 2
fi
python3 -c "import sys; sys.exit(0 if $killed * 100 >= $THRESHOLD * $total else 1)" || {
  echo "mutate.sh: score below $THRESHOLD%" >&2
  exit 1
}
