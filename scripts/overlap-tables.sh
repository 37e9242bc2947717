#!/usr/bin/env bash
# Regenerates the three tables of docs/overlap.md from the remarks of
# `dattn-opt --dattn-simulate-timeline` and writes the whole doc (its prose
# kept) to OUT, default docs/overlap.md itself. Needs build/bin.
#   scripts/overlap-tables.sh [OUT]
# shellcheck disable=SC2016 # the backticks in the rows are markdown
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPT=${DATTN_OPT:-$ROOT/build/bin/dattn-opt}
DOC=$ROOT/docs/overlap.md
OUT=${1:-$DOC}
TOPOLOGIES=$ROOT/examples/topologies
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Llama-3-8B attention (32 q heads, 8 kv heads, head_dim 128), causal
# prefill of 64K tokens: 8K a GPU on one node, 2K a GPU on four.
q="tensor<1x32x65536x128xbf16>" kv="tensor<1x8x65536x128xbf16>"
cat >"$WORK/prefill.mlir" <<MLIR
func.func @prefill(%q: $q, %k: $kv, %v: $kv) -> $q {
  %o = dattn.attention %q, %k, %v mask(<causal>) : $q, $kv, $kv -> $q
  return %o : $q
}
MLIR
# 16 requests decoding one token each against 128K cached tokens.
q="tensor<16x32x1x128xbf16>" kv="tensor<16x8x131072x128xbf16>"
cat >"$WORK/decode.mlir" <<MLIR
func.func @decode(%q: $q, %k: $kv, %v: $kv) -> $q {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 131071 + 1 * i>) : $q, $kv, $kv -> $q
  return %o : $q
}
MLIR

# Prints the timeline remark's numbers, "predicted ideal efficiency exposed
# min-busy", for: graph topology passes...
simulate() {
  local graph=$1 topology=$2 numbers
  shift 2
  numbers=$("$OPT" "$WORK/$graph.mlir" \
    --dattn-topology=file="$TOPOLOGIES/$topology.json" "$@" \
    --dattn-simulate-timeline --mlir-print-op-on-diagnostic=false \
    -o /dev/null 2>&1 |
    sed -n 's/.*remark: timeline of .*: \([0-9.]* ms\), ideal \([0-9.]* ms\), efficiency \([0-9.]*%\); exposed communication \([0-9.]*%\) of the time; busy \([0-9.]*\)-.*/\1|\2|\3|\4|\5/p')
  [ -n "$numbers" ] || {
    echo "overlap-tables.sh: no timeline remark for $graph on $topology with $*" >&2
    return 1
  }
  echo "$numbers"
}

# row LABEL NOTE graph topology passes...: one table row; NOTE, if not
# empty, follows the exposed communication.
row() {
  local label=$1 note=$2 numbers predicted ideal efficiency exposed busy
  shift 2
  numbers=$(simulate "$@")
  IFS='|' read -r predicted ideal efficiency exposed busy <<<"$numbers"
  echo "| $label | $predicted | $ideal | $efficiency | $exposed${note:+ $note} |"
}

header() {
  echo "| plan | predicted | ideal | efficiency | exposed communication |"
  echo "|---|---|---|---|---|"
}

node() { # row on 8 ranks of one NVLink node: label note plan-options [overlap]
  row "$1" "$2" prefill h100-1x8-nvlink \
    --dattn-plan-prefill="$3 ranks=8" ${4:+--dattn-overlap}
}

ib() { # row on 32 ranks of 4 InfiniBand nodes, overlapped: label note options
  row "$1" "$2" prefill h100-4x8-ib400 \
    --dattn-plan-prefill="$3 ranks=32" --dattn-overlap
}

decode() { # row on 16 ranks of 4 InfiniBand nodes: label masters [overlap]
  row "$1" "" decode h100-4x8-ib400 \
    --dattn-plan-decode="ranks=16 masters=$2" ${3:+--dattn-overlap}
}

one_node_table() {
  header
  node "zigzag, synchronous shifts" "" "strategy=zigzag"
  node "zigzag + dattn-overlap" "" "strategy=zigzag" overlap
  node "striped + dattn-overlap" "" "strategy=striped" overlap
  # A causal ring's waits are rank 0 idling, not transfers: say so instead.
  local numbers predicted ideal efficiency exposed busy
  numbers=$(simulate prefill h100-1x8-nvlink \
    --dattn-plan-prefill="strategy=ring ranks=8" --dattn-overlap)
  IFS='|' read -r predicted ideal efficiency exposed busy <<<"$numbers"
  echo "| ring + dattn-overlap | $predicted | $ideal | $efficiency | (causal imbalance: rank 0 idles $(awk -v b="$busy" 'BEGIN { printf "%.0f", 100 - b }')% of the time) |"
  node "all-gather, synchronous" "" "strategy=all-gather"
  node "all-gather + dattn-overlap (per KV head)" "" "strategy=all-gather" overlap
}

ib_table() {
  header
  local strategy
  for strategy in zigzag striped ring all-gather; do
    ib "$strategy + overlap, 32 ranks" "" "strategy=$strategy"
  done
  ib 'zigzag, `inner-ring=8` (hierarchical) + overlap, 32 ranks' "" \
    "strategy=zigzag inner-ring=8"
  ib 'striped, `inner-ring=8` + overlap, 32 ranks' "" \
    "strategy=striped inner-ring=8"
  ib 'zigzag, `head-parallel=8` + overlap, 32 ranks' "(the all-to-alls)" \
    "strategy=zigzag head-parallel=8"
  # What auto picks, from its own remark: "auto: zigzag (inner rings of 8)
  # on 32 ranks: ..." becomes "zigzag, inner rings of 8, on 32 ranks".
  local pick
  pick=$("$OPT" "$WORK/prefill.mlir" \
    --dattn-topology=file="$TOPOLOGIES/h100-4x8-ib400.json" \
    --dattn-plan-prefill="strategy=auto ranks=32" \
    --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 |
    sed -n 's/.*remark: auto: \([^:]*\): .*/\1/p' |
    sed 's/ (\([^)]*\)) on /, \1, on /')
  ib "\`strategy=auto\` (picks $pick) + overlap" "" "strategy=auto"
}

decode_table() {
  header
  decode 'one owner (`dattn-plan-decode{ranks=16 masters=false}`): partial states all-gathered' false overlap
  decode 'several masters (`masters=true`), synchronous query hops' true
  decode "several masters + dattn-overlap" true overlap
}

{
  one_node_table
  echo
  ib_table
  echo
  decode_table
} >"$WORK/tables.md"

# Replaces the doc's tables (runs of lines starting with "|"), in order, with
# the generated ones (separated by blank lines); the prose stays.
awk -v tables="$WORK/tables.md" '
  BEGIN {
    n = 1
    while ((getline line < tables) > 0) {
      if (line == "") n++
      else generated[n] = generated[n] line "\n"
    }
    count = n
  }
  /^\|/ {
    if (!in_table) {
      in_table = 1
      if (++seen <= count) printf "%s", generated[seen]
    }
    next
  }
  { in_table = 0; print }
  END {
    if (seen != count) {
      printf "overlap-tables.sh: docs/overlap.md has %d tables, the script makes %d\n", seen, count > "/dev/stderr"
      exit 1
    }
  }
' "$DOC" >"$WORK/overlap.md"
cp "$WORK/overlap.md" "$OUT"
echo "wrote $OUT"
