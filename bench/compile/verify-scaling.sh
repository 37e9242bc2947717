#!/usr/bin/env bash
# Compile-time benchmark: dattnc planning, proving (dattn-verify-plan),
# simulating and writing the bundle of causal prefill of 1M tokens
# (Llama-3-8B attention) for 64 to 512 ranks on a 64 x 8 H100 topology.
# Prints wall time, CPU time and peak memory of the whole dattnc process,
# and of dattn-verify-plan alone on the plan it wrote. The proof reasons
# over position ranges, so time and memory grow with the plan's steps, not
# with rows x keys. The issue's bound: 1M tokens on 512 ranks within 10 s
# and 4 GB.
# Usage: bench/compile/verify-scaling.sh [build-dir]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:-$ROOT/build}/bin
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
sed 's/"nodes": 4,/"nodes": 64,/; s/h100-4x8-ib400/h100-64x8-ib400/' \
  "$ROOT/examples/topologies/h100-4x8-ib400.json" >"$WORK/topology.json"
measure() { # prints "wall user maxrss-MiB" of the command
  /usr/bin/time -f '%e %U %M' -o "$WORK/time" "$@" >"$WORK/log" 2>&1 || {
    cat "$WORK/log" >&2
    exit 1
  }
  awk '{ printf "%8.2f %8.2f %10.0f", $1, $2, $3 / 1024 }' "$WORK/time"
}
printf '%-22s %6s | %8s %8s %10s | %8s %8s %10s\n' strategy ranks \
  wall-s cpu-s peak-MiB verify-s cpu-s peak-MiB
for strategy in auto zigzag striped ring; do
  for ranks in 64 512; do
    rm -rf "$WORK/bundle"
    line=$(measure "$BIN/dattnc" "$ROOT/examples/configs/llama3-8b.json" \
      --seq-len 1048576 --topology "$WORK/topology.json" --ranks "$ranks" \
      --strategy "$strategy" -o "$WORK/bundle")
    grep -q 'every visible (q, k) pair is computed exactly once' "$WORK/log" || {
      echo "error: dattnc did not prove the plan ($strategy, $ranks ranks)" >&2
      cat "$WORK/log" >&2
      exit 1
    }
    name=$strategy
    [ "$strategy" = auto ] && name="auto: $(grep -o 'auto: [a-z-]*\( (inner rings of [0-9]*)\)\?' "$WORK/log" | head -1 | sed 's/auto: //')"
    verify=$(measure "$BIN/dattn-opt" "$WORK/bundle/plan.mlir" \
      --dattn-verify-plan=report=none -o /dev/null)
    printf '%-22s %6s | %s | %s\n' "$name" "$ranks" "$line" "$verify"
  done
done
