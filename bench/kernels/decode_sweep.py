#!/usr/bin/env python3
"""Decode split and ring-depth sweep: GB/s of K+V at the default split and at
4x, 2x, 1/2, 1/4, 1/8 of its tokens, 4 and 3 stages, beside cuDNN (dense).

Usage: python3 bench/kernels/decode_sweep.py LIB.so  (LIB from run.sh)
"""
import os
import sys, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H
from torch.nn.attention import SDPBackend
H.load(sys.argv[1])
for (B, S) in H.DECODE_SHAPES:
    Hq, Hkv, D = H.DECODE_HEADS
    byts = H.decode_bytes(B, S)
    q4 = H.rnd(B, Hq, 1, D)
    cudnn = H.dense_decode_rates(q4, S, (("cudnn", SDPBackend.CUDNN_ATTENTION),))["cudnn"]
    print(f"B{B} S{S} cudnn {cudnn:.0f}" if cudnn else f"B{B} S{S} cudnn failed", flush=True)
    for page in (128, 16):
        kp, vp, indptr, indices, lens_t = H.make_paged(B, Hkv, D, [S] * B, page, torch.bfloat16)
        q = q4[:, :, 0].contiguous()
        out = torch.empty(B, Hq, D, device=H.dev); lse = torch.empty(B, Hq, device=H.dev)
        for st in (4, 3, 2):
            H.LIB.da_paged_decode_set_stages(st)
            _, c0 = H.ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse)
            line = []
            for f in (4, 2, 1, 0.5, 0.25, 0.125):
                sp = max(256, int(c0 * f) // 32 * 32)
                ws, c = H.ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse, sp)
                t = H.bench(lambda: H.ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse, sp, ws), 10, 3, 5)
                line.append(f"{c}:{byts/t/1e6:.0f}")
            print(f"  p{page} s{st} default chunk {c0}: " + " ".join(line), flush=True)
        H.LIB.da_paged_decode_set_stages(0)
        del kp, vp; torch.cuda.empty_cache()
