#!/usr/bin/env bash
# Builds the CUDA kernels, checks them against float32 PyTorch references and
# times them against PyTorch's attention backends on this machine's GPU, then
# appends the table to bench/RESULTS.md.
#   bench/kernels/run.sh [--check-only|--bench-only|--profile] [--no-build]
# --profile runs Nsight Compute on one forward and one decode launch
# (bench/kernels/profile.py) instead, writing ncu.txt under OUT.
# Environment: BUILD_DIR (default build-bench), OUT (logs, default BUILD_DIR).
set -euo pipefail
# A GPU machine: whatever runs here that finds no GPU fails instead of
# skipping (test/unit/RequireGpu.h), so a broken driver cannot pass.
export DISTATTN_REQUIRE_GPU=1
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench}"
OUT="${OUT:-$BUILD_DIR}"
mode=(--check --bench); build=1; pids=(); profile=0
for a in "$@"; do
  case "$a" in
    --check-only) mode=(--check) ;;
    --bench-only) mode=(--bench) ;;
    --no-build) build=0 ;;
    --profile) profile=1 ;;
  esac
done
LIB="$BUILD_DIR/lib/libdistattn_cuda_capi.so"
PROBE="$BUILD_DIR/lib/page_probe.so"
if [ "$build" = 1 ]; then
  # The kernels' shared library straight from nvcc (what CMake's
  # distattn_cuda_capi target builds), independent of the rest of the tree.
  mkdir -p "$BUILD_DIR/lib"
  for f in micro_attention merge paged_decode; do
    nvcc -O3 -std=c++17 -gencode=arch=compute_90a,code=sm_90a -lineinfo \
      -Xcompiler -fPIC -I"$ROOT/runtime/include" \
      -c "$ROOT/runtime/cuda/$f.cu" -o "$BUILD_DIR/lib/$f.o" &
    pids+=($!)
  done
  # The decode's reads with no math (page_probe.cu), beside its columns.
  rm -f "$PROBE"
  (nvcc -O3 -std=c++17 -gencode=arch=compute_90a,code=sm_90a -Xcompiler -fPIC \
    -shared -o "$PROBE" "$ROOT/bench/kernels/page_probe.cu" ||
    echo "page_probe.cu did not build: the loads columns print n/a") &
  pids+=($!)
  for p in "${pids[@]}"; do wait "$p"; done
  nvcc -shared -o "$LIB" "$BUILD_DIR"/lib/{micro_attention,merge,paged_decode}.o
fi
if [ "$profile" = 1 ]; then
  ncu --clock-control none --section SpeedOfLight --section Occupancy \
    --section LaunchStats --section WarpStateStats --section SchedulerStats \
    --section MemoryWorkloadAnalysis -k regex:"microAttentionFwd|pagedDecodeKernel" -c 2 \
    python3 "$ROOT/bench/kernels/profile.py" "$LIB" > "$OUT/ncu.txt" 2>&1
  grep -E "Duration|Throughput|Occupancy|Registers Per|No Eligible" "$OUT/ncu.txt"
  exit 0
fi
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo uncommitted)"
if [ "$commit" != uncommitted ] && [ -n "$(git -C "$ROOT" status --porcelain -- runtime/cuda 2>/dev/null)" ]; then
  commit="$commit+dirty"
fi
rc=0
# The loads columns need the probe; without it (a build dir from before it,
# or its build failed) they print n/a.
probe=()
[ -f "$PROBE" ] && probe=(--probe "$PROBE")
PYTHONUNBUFFERED=1 python3 "$ROOT/bench/kernels/harness.py" \
  "$LIB" "${mode[@]}" ${probe[@]+"${probe[@]}"} --out "$OUT" --commit "$commit" || rc=$?
if [ -f "$OUT/results_section.md" ]; then
  cat "$OUT/results_section.md" >> "$ROOT/bench/RESULTS.md"
  echo "appended to bench/RESULTS.md"
fi
exit $rc
