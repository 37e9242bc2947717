#!/usr/bin/env bash
# Writes the fuzzers' seed corpora (fuzz/corpus/<target>/) from the tree's
# examples and tests: MLIR test files split at `// -----` and plans that
# dattn-opt makes of the example graphs (parse), the topology files
# (topology), the model configs (config) and the planned configurations
# of the tests (plan, by plan-seeds.py). The crash regressions (regress-*)
# are kept. Needs a build with dattn-opt:
#   fuzz/make-corpus.sh [BUILD]     (default: build)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
OPT=$BUILD/bin/dattn-opt
CORPUS=$ROOT/fuzz/corpus
# The crash regressions (regress-*) stay; the rest is made again.
mkdir -p "$CORPUS"/{parse,topology,config,plan}
find "$CORPUS" -type f ! -name 'regress-*' -delete

# One seed per split of each dialect test and example graph.
for file in "$ROOT"/test/Dialect/DAttn/*.mlir "$ROOT"/examples/graphs/*.mlir; do
  name=$(basename "$file" .mlir)
  awk -v out="$CORPUS/parse/$name" '
    /^\/\/ -----/ { n++; next }
    /^\/\/ (RUN|CHECK|expected)/ { next }
    { print > (out "-" n ".mlir") }' n=0 "$file"
done
# Plans: every op and attribute the passes produce.
graph=$ROOT/examples/graphs/llama3-8b-prefill.mlir
decode=$ROOT/test/Tools/Inputs/decode-batch4.mlir
for plan in "strategy=ring ranks=4" "strategy=zigzag ranks=4" \
  "strategy=striped ranks=3" "strategy=all-gather ranks=4" \
  "strategy=ring ranks=4 head-parallel=2" "strategy=zigzag ranks=8 inner-ring=4"; do
  name=plan-$(echo "$plan" | tr ' =' '-_')
  "$OPT" "$graph" --dattn-plan-prefill="$plan" --dattn-overlap --cse \
    -o "$CORPUS/parse/$name.mlir"
done
"$OPT" "$decode" --dattn-plan-decode="ranks=3 masters=true" --dattn-overlap \
  --cse -o "$CORPUS/parse/plan-decode-masters.mlir"
"$OPT" "$decode" --dattn-plan-decode="ranks=3 masters=false" --cse \
  -o "$CORPUS/parse/plan-decode.mlir"
"$OPT" "$graph" --dattn-decompose="q-block=128 kv-block=128" --canonicalize \
  -o "$CORPUS/parse/decomposed.mlir"

cp "$ROOT"/examples/topologies/*.json "$ROOT"/test/Topology/Inputs/*.json \
  "$CORPUS/topology/"
cp "$ROOT"/examples/configs/*.json "$ROOT"/test/Tools/Inputs/*.json \
  "$CORPUS/config/"
python3 "$ROOT/fuzz/plan-seeds.py" "$CORPUS/plan"
echo "seeds: $(find "$CORPUS" -type f | wc -l) in $CORPUS"
