#!/usr/bin/env python3
"""One launch each of the forward (S=16384, D=128, H=32) and paged decode
(1 x 131072, 32/8 heads) kernels, for `ncu` (run.sh --profile).
Usage: python3 profile.py LIB.so"""
import sys, torch
sys.path.insert(0, __import__("os").path.dirname(__file__))
import harness as h

h.load(sys.argv[1])
q, k, v = (h.rnd(1, 32, 16384, 128) for _ in range(3))
out = torch.empty(1, 32, 16384, 128, device=h.dev)
lse = torch.empty(1, 32, 16384, device=h.dev)
h.ours_ma(q, k, v, out, lse)
del q, k, v, out, lse
S, B = 131072, 1
kp, vp, indptr, indices, lens_t = h.make_paged(B, 8, 128, [S], 16, torch.bfloat16)
qd = h.rnd(B, 32, 128)
o = torch.empty(B, 32, 128, device=h.dev)
l = torch.empty(B, 32, device=h.dev)
h.ours_decode(qd, kp, vp, indptr, indices, lens_t, S, 16, o, l)
torch.cuda.synchronize()
