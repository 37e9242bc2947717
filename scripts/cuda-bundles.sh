#!/usr/bin/env bash
# The cuda target end to end on a GPU machine, in two halves (the GPU
# machines have no MLIR, the compiler machine no GPU):
#   scripts/cuda-bundles.sh generate DIR [RANKS]  dattnc --target cuda for
#       each prefill strategy (the bundled Llama-3-8B example, and a 3816-token
#       config; with an even RANKS also heads split two ways and the
#       hierarchical order; a 512-token zigzag holding plans up to 1500,
#       run at 1300), a 12345-token decode and batched decodes (masters
#       as auto chooses, and forced on RANKS + 1 requests), into DIR/<name>/
#       (needs build/)
#   scripts/cuda-bundles.sh run DIR   builds the kernels once, builds every
#       bundle against them with CMake (the first one from its own src/ as
#       well, as a user would), runs each under mpirun, and compares the
#       output with PyTorch's SDPA (scripts/check-sdpa.py); exits 1 on any
#       failure, and when DIR holds no bundle to run. KERNELS=lib.a links
#       prebuilt kernels instead of compiling them. SANITIZE=1 runs each
#       runner under compute-sanitizer (memcheck) as well, its log in $LOGS
#       (default: the bundle).
#       RUN_TIMEOUT=seconds (default 600) stops a runner that hangs, so that
#       one stuck bundle does not hide the others' results (the runner's fp64
#       reference on the CPU takes its time at 3816 tokens: leave room).
set -uo pipefail
# A GPU machine: a test that finds no GPU fails here instead of skipping
# (test/unit/RequireGpu.h).
export DISTATTN_REQUIRE_GPU=1
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 generate|run DIR [RANKS]" >&2; exit 2; }

if [ "$cmd" = generate ]; then
  set -e
  ranks="${3:-1}"
  mkdir -p "$dir"
  dattnc="$ROOT/build/bin/dattnc"
  for s in ring striped zigzag all-gather; do
    "$dattnc" "$ROOT/examples/graphs/llama3-8b-prefill.mlir" --target cuda \
      --strategy "$s" --ranks "$ranks" -o "$dir/prefill-$s" > "$dir/prefill-$s.log" 2>&1
  done
  "$dattnc" "$ROOT/examples/configs/llama3-8b.json" --seq-len 3816 --target cuda \
    --strategy zigzag --ranks "$ranks" -o "$dir/prefill-3816" > "$dir/prefill-3816.log" 2>&1
  if [ "$ranks" -ge 2 ] && [ $((ranks % 2)) = 0 ]; then
    # Heads split two ways (all-to-all), the ring across the other axis.
    "$dattnc" "$ROOT/examples/graphs/llama3-8b-prefill.mlir" --target cuda \
      --strategy ring --head-parallel 2 --ranks "$ranks" -o "$dir/prefill-heads2" \
      > "$dir/prefill-heads2.log" 2>&1
  fi
  if [ "$ranks" -ge 2 ] && [ $((ranks % 2)) = 0 ]; then
    # The hierarchical ring order: inner rings of 2.
    "$dattnc" "$ROOT/examples/graphs/llama3-8b-prefill.mlir" --target cuda \
      --strategy zigzag --inner-ring 2 --ranks "$ranks" -o "$dir/prefill-hier" \
      > "$dir/prefill-hier.log" 2>&1
  fi
  # Past the compiled length: plans of 512, 1024 and 1500 tokens, run at
  # 1300 (DIR/<name>/run-seq-len: the runner's --seq-len).
  "$dattnc" "$ROOT/examples/configs/llama3-8b.json" --seq-len 512 --max-seq-len 1500 \
    --target cuda --strategy zigzag --ranks "$ranks" -o "$dir/prefill-longer" \
    > "$dir/prefill-longer.log" 2>&1
  echo 1300 > "$dir/prefill-longer/run-seq-len"
  "$dattnc" "$ROOT/examples/configs/llama3-8b.json" --seq-len 12345 --phase decode \
    --target cuda --ranks "$ranks" -o "$dir/decode-12345" > "$dir/decode-12345.log" 2>&1
  # A batch of requests: masters as the cost model chooses, and forced on a
  # batch one larger than the ranks (the last master's share padded).
  batch4="$ROOT/test/Tools/Inputs/decode-batch4-bf16.mlir"
  "$dattnc" "$batch4" --phase decode --target cuda --ranks "$ranks" \
    -o "$dir/decode-batch4-auto" > "$dir/decode-batch4-auto.log" 2>&1
  b=$((ranks + 1))
  sed "s/tensor<4x/tensor<${b}x/g" "$batch4" > "$dir/decode-batch$b.mlir"
  "$dattnc" "$dir/decode-batch$b.mlir" --phase decode --target cuda \
    --ranks "$ranks" --masters -o "$dir/decode-batch$b-masters" \
    > "$dir/decode-batch$b-masters.log" 2>&1
  echo "generated: $(cd "$dir" && ls -d */ | tr -d / | tr '\n' ' ')"
  exit 0
fi
[ "$cmd" = run ] || { echo "usage: $0 generate|run DIR [RANKS]" >&2; exit 2; }

# Nothing run is not a pass: a wrong DIR, or a generate step that wrote
# nothing, would otherwise exit 0.
bundles=()
for b in "$dir"/*/; do
  [ -f "$b/CMakeLists.txt" ] && bundles+=("${b%/}")
done
if [ "${#bundles[@]}" = 0 ]; then
  echo "$0: no bundle (a folder with a CMakeLists.txt) in $dir: nothing to run" >&2
  exit 1
fi

# NCCL: the system's, or the one PyTorch's wheels bring (no libnccl.so
# link there: give CMake the versioned file).
nccl_args=()
if ! [ -f /usr/include/nccl.h ] && ! [ -f /usr/local/include/nccl.h ]; then
  root="$(python3 -c 'import nvidia.nccl, os; print(os.path.dirname(nvidia.nccl.__file__))' 2>/dev/null || true)"
  if [ -n "$root" ]; then
    lib="$(ls "$root"/lib/libnccl.so* | head -1)"
    nccl_args=(-DNCCL_INCLUDE_DIR="$root/include" -DNCCL_LIBRARY="$lib")
    export LD_LIBRARY_PATH="$root/lib:${LD_LIBRARY_PATH:-}"
  fi
fi
# --bind-to none: Open MPI binds each of a few ranks to one core, and the
# runner's fp64 reference (every core of the node) then takes minutes at
# 3816 tokens instead of seconds.
mpirun_cmd=(timeout -s KILL "${RUN_TIMEOUT:-600}" mpirun --bind-to none)
[ "$(id -u)" = 0 ] && mpirun_cmd+=(--allow-run-as-root)

kernels="$dir/kernels"
mkdir -p "$kernels"
if [ -n "${KERNELS:-}" ]; then
  # KERNELS=libdistattn_cuda.a: kernels built elsewhere for sm_90a (the
  # build tree's), so that a GPU run need not compile them.
  cp "$KERNELS" "$kernels/libdistattn_cuda.a" || exit 1
else
  for f in micro_attention merge; do
    nvcc -O3 -std=c++17 -gencode=arch=compute_90a,code=sm_90a -Xcompiler -fPIC \
      -I"$ROOT/runtime/include" -c "$ROOT/runtime/cuda/$f.cu" -o "$kernels/$f.o" &
  done
  wait
  ar rcs "$kernels/libdistattn_cuda.a" "$kernels"/micro_attention.o "$kernels"/merge.o || exit 1
fi

failed=0
first="${SELF_BUILD:-1}"   # SELF_BUILD=0: every bundle links the kernels built once
for b in "${bundles[@]}"; do
  name="$(basename "$b")"
  prebuilt=(-DDISTATTN_CUDA_KERNELS="$kernels/libdistattn_cuda.a")
  [ "$first" = 1 ] && prebuilt=()   # one bundle builds its own kernels
  first=0
  if ! { cmake -G Ninja -S "$b" -B "$b/build" "${nccl_args[@]}" "${prebuilt[@]}" \
           > "$b/cmake.log" 2>&1 && cmake --build "$b/build" >> "$b/cmake.log" 2>&1; }; then
    echo "$name: BUILD FAILED"; tail -20 "$b/cmake.log"; failed=1; continue
  fi
  ranks="$(sed -n 's/.*PLAN_RANKS=\([0-9]*\).*/\1/p' "$b/CMakeLists.txt" | head -1)"
  len_args=()
  [ -f "$b/run-seq-len" ] && len_args=(--seq-len "$(cat "$b/run-seq-len")")
  if ! "${mpirun_cmd[@]}" -np "$ranks" "$b/build/runner" "${len_args[@]}" --dump "$b/out.bin"; then
    echo "$name: RUN FAILED"; failed=1; continue
  fi
  python3 "$ROOT/scripts/check-sdpa.py" "$b" "$b/out.bin" "${len_args[@]}" || failed=1
  if [ "${SANITIZE:-0}" = 1 ]; then
    "${mpirun_cmd[@]}" -np "$ranks" compute-sanitizer --tool memcheck \
      --error-exitcode 3 "$b/build/runner" > "${LOGS:-$b}/$name.memcheck.log" 2>&1 || failed=1
    echo "$name: $(grep -E 'ERROR SUMMARY' "${LOGS:-$b}/$name.memcheck.log" | head -1)"
  fi
done
echo "$0: ${#bundles[@]} bundle(s) run: $([ "$failed" = 0 ] && echo all passed || echo FAILED)"
exit $failed
