#!/usr/bin/env python3
"""What a page order costs before any math: at the BENCH.md decode shapes
(bf16, 32 q / 8 kv heads, D=128, pages of 128), the paged decode beside
pure loads of the same pages in the same decomposition (page_probe.cu: the
decode's warp rings of 32-row TMA tiles, no math) and torch cuDNN on a dense
KV, for three page orders: allocation order (a sequence's pages one run, the
dense tensor's layout), runs of 8 adjacent pages (one 2 MiB large page of K,
as runtime/rblock's chunked pool places a request's blocks) in random order,
and random order. Interleaved rounds; each figure the median of its rounds.

Each loads column is what the memory gives a kernel that reads the pages
that way with 1-D bulk copies (the decode's 2-D tensor copies can read
faster in allocation order, bench/RESULTS.md 2026-11-26 10:35):
the decode's blocks (a block a sequence's kv head, 7 warps of 32-row
tiles); the same blocks with 14 warps of 16-row tiles (the same bytes in
flight in twice the copies); page-major (a block reading a page's 8 kv
heads, 256 KiB contiguous, before the next page). Where the best of them
sits below cuDNN's dense read, a decode over that order has to read faster
than any of these pure loads to reach 1.0x cuDNN.

Usage: python3 bench/kernels/decode_ceiling.py LIB.so [PROBE.so]
  LIB from run.sh; PROBE (page_probe.cu's library) defaults to the
  page_probe.so run.sh builds next to LIB.
"""
import os, random, sys
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H

ROUNDS = 7
PAGE = 128
# name -> (head-major, rows a tile, warps a block)
PATTERNS = {"decode": (True, 32, 7), "w14r16": (True, 16, 14), "page-major": (False, 32, 7)}


def probe_path(lib_path):
    """The probe's library: given, or run.sh's next to LIB (one build
    command, run.sh's)."""
    if len(sys.argv) > 2:
        return sys.argv[2]
    path = os.path.join(os.path.dirname(os.path.abspath(lib_path)), "page_probe.so")
    if not os.path.isfile(path):
        sys.exit(f"decode_ceiling.py: no {path}; build it with bench/kernels/run.sh "
                 "(or pass PROBE.so)")
    return path


def orders(total, rng):
    """Page lists by name, each a permutation of the pool's pages."""
    assert total % 8 == 0, "runs of 8 need whole runs"
    runs = list(range(total // 8))
    rng.shuffle(runs)
    rand = list(range(total))
    rng.shuffle(rand)
    return {"in order": list(range(total)),
            "runs of 8": [r * 8 + j for r in runs for j in range(8)],
            "random": rand}


def main():
    H.load(sys.argv[1])
    H.load_probe(probe_path(sys.argv[1]))
    Hq, Hkv, D = H.DECODE_HEADS
    print(f"{torch.cuda.get_device_name(0)}, torch {torch.__version__}, {ROUNDS} interleaved rounds")
    print("| B x KV | page order | loads, decode's blocks | loads, 14 warps x 16 rows | loads, page-major "
          "| ours | torch cuDNN (dense) | best loads/cuDNN | ours/cuDNN | ours/decode's loads |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (B, S) in H.DECODE_SHAPES:
        byts = H.decode_bytes(B, S)
        per = S // PAGE
        total = B * per
        q4 = H.rnd(B, Hq, 1, D)
        q = q4[:, :, 0].contiguous()
        kd, vd = H.rnd(B, Hkv, S, D), H.rnd(B, Hkv, S, D)

        def cudnn():
            with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
                F.scaled_dot_product_attention(q4, kd, vd, enable_gqa=True)
        kp, vp = H.rnd(total, Hkv, PAGE, D), H.rnd(total, Hkv, PAGE, D)
        indptr = torch.arange(0, total + 1, per, dtype=torch.int32, device=H.dev)
        lens_t = torch.full((B,), S, dtype=torch.int32, device=H.dev)
        timers = {"cuDNN": cudnn}
        named = orders(total, random.Random(B * 7 + S))
        for name, o in named.items():
            idx = torch.tensor(o, dtype=torch.int32, device=H.dev)
            out = torch.empty(B, Hq, D, device=H.dev)
            lse = torch.empty(B, Hq, device=H.dev)
            ws, _ = H.ours_decode(q, kp, vp, indptr, idx, lens_t, S, PAGE, out, lse)
            timers[f"ours {name}"] = (lambda idx=idx, out=out, lse=lse, ws=ws: H.ours_decode(
                q, kp, vp, indptr, idx, lens_t, S, PAGE, out, lse, 0, ws))
            for pat, (major, rows, warps) in PATTERNS.items():
                timers[f"{pat} {name}"] = (lambda idx=idx, a=(major, rows, warps): H.probe_loads(
                    kp, vp, idx, B, S, PAGE, head_major=a[0], rows=a[1], warps=a[2]))
        times = H.interleaved_medians(timers, ROUNDS, 6, 2, 5)
        gbs = {n: byts / t / 1e6 for n, t in times.items()}
        c = gbs["cuDNN"]
        for name in named:
            loads = [gbs[f"{pat} {name}"] for pat in PATTERNS]
            ours = gbs[f"ours {name}"]
            print(f"| {B} x {S} | {name} | " + " | ".join(f"{x:.0f}" for x in loads) +
                  f" | {ours:.0f} | {c:.0f} | {max(loads) / c:.4f} | {ours / c:.4f} | "
                  f"{ours / loads[0]:.4f} |", flush=True)
        del kp, vp, kd, vd
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
