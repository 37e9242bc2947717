#!/usr/bin/env bash
# distattn's Quick start. Each command installs what is missing (apt), builds
# into build/ and then:
#   scripts/run.sh example   compiles the bundled example and checks it
#   scripts/run.sh test      runs the format check and the whole test suite
# Environment: DISTATTN_BUILD_DIR (default build), JOBS (default nproc).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${DISTATTN_BUILD_DIR:-$ROOT/build}
LLVM=/usr/lib/llvm-22
JOBS=${JOBS:-$(nproc)}
PACKAGES=(cmake ninja-build g++ python3 git llvm-22-dev llvm-22-tools
  libmlir-22-dev mlir-22-tools libgtest-dev clang-format openmpi-bin
  libopenmpi-dev clang-22 libclang-rt-22-dev)

say() { printf '\n== %s\n' "$*"; }

install_missing() {
  local missing=() sudo=""
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  say "installing ${missing[*]}"
  $sudo apt-get update -qq
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"; then
    echo "error: could not install ${missing[*]}." >&2
    echo "LLVM/MLIR 22 comes from Debian 12's bookworm-security suite;" \
      "check that it is in your apt sources." >&2
    exit 1
  fi
}

build() {
  say "configuring and building in $BUILD"
  mkdir -p "$BUILD"
  cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR="$LLVM/lib/cmake/mlir" -DLLVM_EXTERNAL_LIT="$LLVM/bin/lit" \
    >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 1; }
  ninja -C "$BUILD" -j"$JOBS"
}

example() {
  local graph=$ROOT/examples/graphs/llama3-8b-prefill.mlir
  local out=$BUILD/example
  mkdir -p "$out"
  say "dattn-decompose: $graph"
  "$BUILD/bin/dattn-opt" "$graph" --dattn-decompose=report \
    --mlir-print-op-on-diagnostic=false -o "$out/tiles.mlir"
  echo "tiled IR: $out/tiles.mlir; its first tiles:"
  grep -m3 'dattn.micro_attention' "$out/tiles.mlir" | sed 's/ : .*//'
  say "reference evaluator: the graph against its tiles (fp64, seeded inputs)"
  "$BUILD/bin/dattn-run" "$graph" --compare-with="$out/tiles.mlir" --tol=1e-9

  local topology=$ROOT/examples/topologies/h100-1x8-nvlink.json
  say "plan for $(basename "$topology" .json): strategy=auto on 8 ranks, then dattn-overlap"
  "$BUILD/bin/dattn-opt" "$graph" --dattn-topology=file="$topology" \
    --dattn-plan-prefill=ranks=8 --dattn-overlap --cse \
    --mlir-print-op-on-diagnostic=false -o "$out/plan.mlir" 2>&1 |
    sed 's/^.*: remark: //; /^ *%o = /d; /^ *\^$/d'
  echo "SPMD plan: $out/plan.mlir"
  say "plan verifier: coverage, positions, per-rank load"
  "$BUILD/bin/dattn-opt" "$out/plan.mlir" --dattn-verify-plan \
    --dattn-verify-schedule --mlir-print-op-on-diagnostic=false \
    -o /dev/null 2>&1 | sed 's/^.*: remark: //; /^ *func.func/d; /^ *\^$/d'
  say "reference evaluator: the graph against the plan on its simulated ranks"
  "$BUILD/bin/dattn-run" "$graph" --compare-with="$out/plan.mlir" --tol=1e-9
  say "timeline on the topology (Chrome trace: $out/trace.json)"
  "$BUILD/bin/dattn-opt" "$out/plan.mlir" --dattn-simulate-timeline=trace="$out/trace.json" \
    --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 |
    sed -n 's/^.*: remark: //p'
  echo "(512 tokens are far too few to keep 8 GPUs busy, and the timeline says" \
    "so; docs/overlap.md has 64K tokens, where zigzag hides its transfers.)"
  say "dattnc: the whole compiler in one command, then build and run its bundle"
  rm -rf "$out/bundle"
  "$BUILD/bin/dattnc" "$graph" --topology "$topology" --ranks 8 \
    -o "$out/bundle" 2>&1 | grep -E '^(==|  cmake|  mpirun|build and)'
  grep -m3 -E 'for \(|micro_attention|shift\(' "$out/bundle/plan.cpp" |
    sed 's/^ */  plan.cpp: /'
  cmake -S "$out/bundle" -B "$out/bundle/build" -G Ninja >/dev/null
  cmake --build "$out/bundle/build" >/dev/null
  mpirun --allow-run-as-root --oversubscribe -np 8 "$out/bundle/build/runner"
  say "not implemented yet"
  echo "cuda bundles across nodes or on more than two GPUs (run on one and" \
    "two H100: docs/cuda-target.md; scripts/cuda-bundles.sh runs them on a" \
    "GPU machine); inputs already sharded in the C API; the kernels clearly" \
    "above cuDNN (by device time: forward 0.98-1.10x cuDNN; decode at" \
    "pages of 128 0.988-0.993x at 16 x 64K in random page order," \
    "0.997-1.009x at 1 x 1M: bench/RESULTS.md 2026-11-26 10:34-11:02);" \
    "see README, Status. (Runs longer than the compiled" \
    "length: dattnc --max-seq-len.)"
}

format_check() {
  say "clang-format check"
  local files
  files=$(cd "$ROOT" && git ls-files '*.cpp' '*.h' '*.cu' '*.cuh')
  (cd "$ROOT" && clang-format --dry-run --Werror $files)
  echo "$(echo "$files" | wc -l) files formatted"
}

docs_check() {
  say "generated docs are current (docs/generated)"
  ninja -C "$BUILD" mlir-doc >/dev/null
  diff -u "$ROOT/docs/generated/DAttnDialect.md" "$BUILD/docs/DAttn/DAttnDialect.md"
  diff -u "$ROOT/docs/generated/DAttnPasses.md" "$BUILD/docs/DAttnPasses.md"
  say "docs tables are current (docs/auto-plans.md, docs/overlap.md)"
  local tables pair script doc
  tables=$(mktemp -d)
  for pair in "auto-plan-table.sh auto-plans.md" "overlap-tables.sh overlap.md"; do
    read -r script doc <<<"$pair"
    if ! DATTN_OPT="$BUILD/bin/dattn-opt" "$ROOT/scripts/$script" \
      "$tables/$doc" >/dev/null || ! diff -u "$ROOT/docs/$doc" "$tables/$doc"; then
      rm -rf "$tables"
      echo "docs/$doc is not current: run scripts/$script to refresh it" >&2
      return 1
    fi
  done
  rm -rf "$tables"
  echo "up to date"
}

# The sum of lit's summary counts of the kinds PATTERN in LOG (lit lists
# only the non-zero counts).
lit_count() {
  { grep -oP "^\\s*($2)\\s*:\\s*\\K[0-9]+" "$1" || true; } |
    awk '{ sum += $1 } END { print sum + 0 }'
}

# The checking build: ASan + UBSan (clang-22 with its compiler-rt, CUDA
# off), whose directory also builds the fuzzers (fuzz/README.md). Runs its
# lit + GoogleTest suite, then each fuzzer for DISTATTN_FUZZ_SECONDS over
# its seeds in fuzz/corpus (the crash regressions among them). Sets
# SAN_PASSED, SAN_FAILED and SAN_SKIPPED (a fuzzer is one test).
SANITIZER_BUILD=${DISTATTN_SANITIZER_BUILD_DIR:-$ROOT/build-asan}
FUZZ_SECONDS=${DISTATTN_FUZZ_SECONDS:-30}
sanitizer_tests() {
  SAN_PASSED=0 SAN_FAILED=1 SAN_SKIPPED=0
  say "ASan + UBSan build (clang-22, CUDA off) in $SANITIZER_BUILD"
  mkdir -p "$SANITIZER_BUILD"
  local opt="-O1 -gline-tables-only -DNDEBUG"
  if ! cmake -G Ninja -S "$ROOT" -B "$SANITIZER_BUILD" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$LLVM/bin/clang" \
    -DCMAKE_CXX_COMPILER="$LLVM/bin/clang++" -DCMAKE_C_FLAGS_RELEASE="$opt" \
    -DCMAKE_CXX_FLAGS_RELEASE="$opt" -DDISTATTN_SANITIZE=address,undefined \
    -DDISTATTN_ENABLE_FUZZ=ON -DDISTATTN_ENABLE_CUDA=OFF \
    -DMLIR_DIR="$LLVM/lib/cmake/mlir" -DLLVM_EXTERNAL_LIT="$LLVM/bin/lit" \
    >"$SANITIZER_BUILD/configure.log" 2>&1; then
    cat "$SANITIZER_BUILD/configure.log"
    return 1
  fi
  ninja -C "$SANITIZER_BUILD" -j"$JOBS" || return 1

  say "lit + FileCheck + GoogleTest under ASan + UBSan"
  local log=$SANITIZER_BUILD/test-results.log status=0
  export ASAN_SYMBOLIZER_PATH=$LLVM/bin/llvm-symbolizer
  "$LLVM/bin/lit" -sv "$SANITIZER_BUILD/test" | tee "$log" || status=1
  SAN_PASSED=$(lit_count "$log" Passed)
  SAN_FAILED=$(lit_count "$log" 'Failed|Unresolved|Timed Out|Unexpectedly Passed')
  SAN_SKIPPED=$(lit_count "$log" 'Skipped|Unsupported|Expectedly Failed')

  say "fuzzers: ${FUZZ_SECONDS} s each from fuzz/corpus"
  local name dict out
  for name in parse topology config plan; do
    dict=()
    case $name in
    parse) dict=(-dict="$ROOT/fuzz/dicts/mlir.dict") ;;
    topology | config) dict=(-dict="$ROOT/fuzz/dicts/json.dict") ;;
    esac
    # New inputs go to the build directory; the tree's seeds stay as they are.
    out=$SANITIZER_BUILD/fuzz-runs/$name
    rm -rf "$out" && mkdir -p "$out/corpus"
    if "$SANITIZER_BUILD/bin/dattn-$name-fuzzer" "${dict[@]}" \
      -max_total_time="$FUZZ_SECONDS" -timeout=60 -print_final_stats=1 \
      -artifact_prefix="$out/" "$out/corpus" "$ROOT/fuzz/corpus/$name" \
      >"$out/log" 2>&1; then
      SAN_PASSED=$((SAN_PASSED + 1))
      echo "dattn-$name-fuzzer: $(grep -oP 'number_of_executed_units:\s*\K[0-9]+' \
        "$out/log") runs, no crash"
    else
      SAN_FAILED=$((SAN_FAILED + 1)) status=1
      tail -n 40 "$out/log"
      echo "dattn-$name-fuzzer FAILED (log: $out/log; the input: $out/crash-*;" \
        "replay: $SANITIZER_BUILD/bin/dattn-$name-fuzzer FILE)"
    fi
  done
  return "$status"
}

run_tests() {
  format_check
  docs_check
  say "lit tests that cannot fail (scripts/check-lit-tests.py)"
  python3 "$ROOT/scripts/check-lit-tests.py" "$ROOT/test"
  say "lit + FileCheck + GoogleTest"
  local log=$BUILD/test-results.log
  set +e
  "$LLVM/bin/lit" -sv "$BUILD/test" | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  local passed failed skipped
  passed=$(lit_count "$log" Passed)
  failed=$(lit_count "$log" 'Failed|Unresolved|Timed Out|Unexpectedly Passed')
  skipped=$(lit_count "$log" 'Skipped|Unsupported|Expectedly Failed')
  local sanitizer=0
  sanitizer_tests || sanitizer=1
  passed=$((passed + SAN_PASSED)) failed=$((failed + SAN_FAILED))
  skipped=$((skipped + SAN_SKIPPED))
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$status" -ne 0 ] && return "$status"
  return "$sanitizer"
}

case "${1:-}" in
example) install_missing; build; example ;;
test) install_missing; build; run_tests ;;
*)
  echo "usage: $0 example|test" >&2
  exit 2
  ;;
esac
