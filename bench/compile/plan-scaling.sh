#!/usr/bin/env bash
# Compile-time benchmark: planning causal prefill of 1M tokens (Llama-3-8B
# attention) for 8 to 512 ranks. Prints the wall time of dattn-opt and the
# size of the planned program (ops, bytes of IR): SPMD plans do not grow
# with the rank count. Usage: bench/compile/plan-scaling.sh [build-dir]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:-$ROOT/build}/bin
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
q="tensor<1x32x1048576x128xbf16>" kv="tensor<1x8x1048576x128xbf16>"
cat >"$WORK/in.mlir" <<MLIR
func.func @prefill(%q: $q, %k: $kv, %v: $kv) -> $q {
  %o = dattn.attention %q, %k, %v mask(<causal>) : $q, $kv, $kv -> $q
  return %o : $q
}
MLIR
printf '%-10s %-7s %10s %8s %10s\n' strategy ranks seconds ops ir-bytes
# "zigzag/8": zigzag in the hierarchical order, inner rings of 8 (a node);
# "zigzag^8": zigzag with the heads split 8 ways (Ulysses all-to-alls).
for strategy in ring striped zigzag all-gather zigzag/8 zigzag^8; do
  for ranks in 8 64 512; do
    base=${strategy%[/^]*}
    options="strategy=$base ranks=$ranks"
    case "$strategy" in
      */*) options="$options inner-ring=${strategy#*/}" ;;
      *^*) options="$options head-parallel=${strategy#*^}" ;;
    esac
    start=$(date +%s.%N)
    "$BIN/dattn-opt" "$WORK/in.mlir" \
      --dattn-plan-prefill="$options" --cse \
      -o "$WORK/out.mlir"
    end=$(date +%s.%N)
    ops=$("$BIN/dattn-opt" "$WORK/out.mlir" --mlir-print-op-generic |
      grep -c '= "\|^ *"')
    printf '%-10s %-7s %10.3f %8s %10s\n' "$strategy" "$ranks" \
      "$(echo "$end - $start" | awk '{print $1 - $3}')" "$ops" \
      "$(wc -c <"$WORK/out.mlir")"
  done
done
