#!/usr/bin/env python3
"""A/B of two builds of the paged decode: GB/s of K+V at the BENCH.md decode
shapes (bf16, 32 q / 8 kv heads, D=128), the two libraries timed in turn in
one process (rounds alternate, so that clock and thermal drift fall on
both), beside cuDNN (dense); and whether their outputs are bit-identical.

Usage: python3 bench/kernels/decode_ab.py OLD.so NEW.so
"""
import os, sys
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H
from torch.nn.attention import SDPBackend

H.load(sys.argv[1]); old = H.LIB
H.load(sys.argv[2]); new = H.LIB
for (B, S) in H.DECODE_SHAPES:
    Hq, Hkv, D = H.DECODE_HEADS
    byts = H.decode_bytes(B, S)
    q4 = H.rnd(B, Hq, 1, D)
    cudnn = H.dense_decode_rates(q4, S, (("cudnn", SDPBackend.CUDNN_ATTENTION),))["cudnn"]
    for page in (128, 16):
        kp, vp, indptr, indices, lens_t = H.make_paged(B, Hkv, D, [S] * B, page, torch.bfloat16)
        q = q4[:, :, 0].contiguous()
        outs = {}
        for name, lib in (("old", old), ("new", new)):
            H.LIB = lib
            o = torch.empty(B, Hq, D, device=H.dev); l = torch.empty(B, Hq, device=H.dev)
            ws, _ = H.ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, o, l)
            torch.cuda.synchronize()
            outs[name] = (o, l, ws)
        same = all(torch.equal(a, b) for a, b in zip(outs["old"][:2], outs["new"][:2]))
        def timer(lib, o, l, ws):
            def run():
                H.LIB = lib
                H.ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, o, l, 0, ws)
            return run
        times = H.interleaved_medians({"old": timer(old, *outs["old"]), "new": timer(new, *outs["new"])},
                                      5, 6, 2, 5)
        H.LIB = new
        extra = []
        o, l, ws = outs["new"]
        for st in (3, 2):
            new.da_paged_decode_set_stages(st)
            ws2, _ = H.ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, o, l)
            t = H.bench(lambda: H.ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, o, l, 0, ws2), 10, 3, 5)
            extra.append(f"new s{st} {byts / t / 1e6:.0f}")
        new.da_paged_decode_set_stages(0)
        mo, mn = (byts / times[name] / 1e6 for name in ("old", "new"))
        print(f"B{B} x {S} page {page}: old {mo:.0f} new {mn:.0f} ({mn / mo:.3f}x) "
              f"{' '.join(extra)} cuDNN {cudnn:.0f} new/cuDNN {mn / cudnn:.3f} "
              f"bit-identical: {'yes' if same else 'NO'}", flush=True)
        del kp, vp; torch.cuda.empty_cache()
