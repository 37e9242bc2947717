#!/usr/bin/env python3
"""Paged decode by page (rBlock) size: GB/s of K+V at the BENCH.md decode
shapes (bf16, 32 q / 8 kv heads, D=128, random page order) for pages of
16 to 1024 tokens, beside torch cuDNN on a dense KV, in interleaved rounds
(each figure the median of its rounds).

Usage: python3 bench/kernels/decode_pages.py LIB.so  (LIB from run.sh)
"""
import os, sys
import torch
import torch.nn.functional as F
from torch.nn.attention import sdpa_kernel, SDPBackend
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H

ROUNDS = 5
PAGES = (16, 128, 256, 512, 1024)
H.load(sys.argv[1])
print("| B x KV | " + " | ".join(f"page {p}" for p in PAGES) + " | torch cuDNN (dense) | best page/cuDNN |")
print("|---" * (3 + len(PAGES)) + "|")
for (B, S) in H.DECODE_SHAPES:
    Hq, Hkv, D = H.DECODE_HEADS
    byts = H.decode_bytes(B, S)
    q4 = H.rnd(B, Hq, 1, D)
    q = q4[:, :, 0].contiguous()
    kd, vd = H.rnd(B, Hkv, S, D), H.rnd(B, Hkv, S, D)
    out = torch.empty(B, Hq, D, device=H.dev)
    lse = torch.empty(B, Hq, device=H.dev)

    def cudnn():
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            F.scaled_dot_product_attention(q4, kd, vd, enable_gqa=True)
    timers = {"cudnn": cudnn}
    for page in PAGES:
        kp, vp, indptr, indices, lens_t = H.make_paged(B, Hkv, D, [S] * B, page, torch.bfloat16)
        ws, _ = H.ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse)

        def run(a=(q, kp, vp, indptr, indices, lens_t, S, page, out, lse), ws=ws):
            H.ours_decode(*a, 0, ws)
        timers[page] = run
    times = H.interleaved_medians(timers, ROUNDS, 10, 3, 5)
    rate = {k: byts / t / 1e6 for k, t in times.items()}
    best = max(rate[p] for p in PAGES)
    print(f"| {B} x {S} | " + " | ".join(f"{rate[p]:.0f}" for p in PAGES)
          + f" | {rate['cudnn']:.0f} | {best / rate['cudnn']:.2f}x |", flush=True)
    del timers, kd, vd
    torch.cuda.empty_cache()
