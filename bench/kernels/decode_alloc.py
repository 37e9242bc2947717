#!/usr/bin/env python3
"""Paged decode over the page orders an rBlock pool's allocation policy
produces after a serving churn: requests arrive (their blocks allocated at
once) and finish (freed in order) with the pool 40-90% full, a fifth is left
live, then the decode shapes' sequences grow side by side, a block each
every 128 tokens. Policies: LIFO free lists (BlockPool before 2026-11-26),
the lowest free slot first, and chunks of a 2 MiB large page (BlockPool
now: a request's blocks fill chunks of their own); beside them random order
and allocation order, and torch cuDNN on a dense KV, in interleaved rounds.
Prints each order's share of ascending and adjacent block pairs, then GB/s.
The pages live in separate K and V pools (the kernel benchmark's layout),
so a chunk is 8 pages (2 MiB of K); in runtime/rblock's own layout a block
is its K page then its V page and chunkSlotsFor gives chunks of 4, also one
large page (that layout is not what this script times).

Usage: python3 bench/kernels/decode_alloc.py LIB.so  (LIB from run.sh)
"""
import os, sys, random, heapq, torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H
from torch.nn.attention import SDPBackend, sdpa_kernel
H.load(sys.argv[1])
Hq, Hkv, D = H.DECODE_HEADS
page = 128

class Lifo:
    def __init__(s, n): s.free = list(range(n - 1, -1, -1))
    def alloc(s, after=-1): return s.free.pop()
    def release(s, x): s.free.append(x)
class Lowest:
    def __init__(s, n): s.free = list(range(n)); heapq.heapify(s.free)
    def alloc(s, after=-1): return heapq.heappop(s.free)
    def release(s, x): heapq.heappush(s.free, x)
class Chunked:
    """BlockPool now: chunks of a 2 MiB large page's worth of K pages (8 of
    128 tokens here); the slot after the request's last where free in its
    chunk, else the lowest wholly free chunk, else the lowest free slot."""
    C = 8
    def __init__(s, n):
        s.n, s.isfree = n, [True] * n
        s.free = list(range(n))
        s.cfree = [min(s.C, n - c * s.C) for c in range((n + s.C - 1) // s.C)]
        s.chunks = [c for c in range(len(s.cfree)) if s.cfree[c] == s.C]
    def take(s, x):
        s.isfree[x] = False; s.cfree[x // s.C] -= 1
        return x
    def alloc(s, after=-1):
        nxt = after + 1
        if after >= 0 and nxt < s.n and nxt // s.C == after // s.C and s.isfree[nxt]:
            return s.take(nxt)
        while s.chunks:
            c = heapq.heappop(s.chunks)
            if s.cfree[c] == s.C:
                return s.take(c * s.C)
        while True:
            x = heapq.heappop(s.free)
            if s.isfree[x]:
                return s.take(x)
    def release(s, x):
        s.isfree[x] = True; heapq.heappush(s.free, x)
        c = x // s.C
        s.cfree[c] += 1
        if s.cfree[c] == s.C: heapq.heappush(s.chunks, c)

def scenario(policy, B, S, slots, seed):
    rng = random.Random(seed)
    pool = policy(slots)
    live, used = [], 0
    # Churn: requests arrive (prefill: their pages at once) and finish (pages
    # freed in order), the pool kept 40-90% full.
    for _ in range(3000):
        if used < 0.4 * slots or (used < 0.9 * slots and rng.random() < 0.5):
            n = rng.randint(8, 400)
            if used + n > 0.9 * slots: continue
            r = []
            for _ in range(n): r.append(pool.alloc(r[-1] if r else -1))
            live.append(r); used += n
        else:
            r = live.pop(rng.randrange(len(live)))
            for x in r: pool.release(x)
            used -= len(r)
    # Keep a fifth of the pool live; free the rest.
    rng.shuffle(live)
    while used > 0.2 * slots:
        r = live.pop()
        for x in r: pool.release(x)
        used -= len(r)
    # B sequences decode side by side: each takes a page every 128 steps.
    per = S // page
    seqs = [[] for _ in range(B)]
    for _ in range(per):
        for b in range(B): seqs[b].append(pool.alloc(seqs[b][-1] if seqs[b] else -1))
    return [x for s in seqs for x in s]

for (B, S) in ((16, 65536), (1, 1048576)):
    byts = H.decode_bytes(B, S)
    need = B * S // page
    slots = int(need / 0.78) + 64
    q4 = H.rnd(B, Hq, 1, D); q = q4[:, :, 0].contiguous()
    kd, vd = H.rnd(B, Hkv, S, D), H.rnd(B, Hkv, S, D)
    def cudnn():
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            F.scaled_dot_product_attention(q4, kd, vd, enable_gqa=True)
    kp = H.rnd(slots, Hkv, page, D); vp = H.rnd(slots, Hkv, page, D)
    indptr = torch.arange(0, need + 1, S // page, dtype=torch.int32, device=H.dev)
    lens_t = torch.full((B,), S, dtype=torch.int32, device=H.dev)
    orders = {"lifo": scenario(Lifo, B, S, slots, 1), "lowest": scenario(Lowest, B, S, slots, 1),
              "chunks": scenario(Chunked, B, S, slots, 1)}
    perm = list(range(slots)); random.Random(2).shuffle(perm)
    orders["random"] = perm[:need]
    orders["in order"] = list(range(need))
    def stat(o):
        asc = sum(1 for i in range(len(o) - 1) if o[i + 1] > o[i]) / (len(o) - 1)
        adj = sum(1 for i in range(len(o) - 1) if abs(o[i + 1] - o[i]) == 1) / (len(o) - 1)
        per = S // page  # pairs of one sequence within one 2 MiB chunk
        same = sum(1 for b in range(B) for i in range(b * per, (b + 1) * per - 1)
                   if o[i] // 8 == o[i + 1] // 8) / (B * (per - 1))
        return f"asc {asc:.2f} adj {adj:.2f} same 2MiB {same:.2f}"
    timers = {"cuDNN": cudnn}
    for name, o in orders.items():
        idx = torch.tensor(o, dtype=torch.int32, device=H.dev)
        out = torch.empty(B, Hq, D, device=H.dev); lse = torch.empty(B, Hq, device=H.dev)
        ws, _ = H.ours_decode(q, kp, vp, indptr, idx, lens_t, S, page, out, lse)
        timers[name] = (lambda idx=idx, out=out, lse=lse, ws=ws:
                        H.ours_decode(q, kp, vp, indptr, idx, lens_t, S, page, out, lse, 0, ws))
        print(f"  {name}: {stat(o)}", flush=True)
    times = H.interleaved_medians(timers, 7, 6, 2, 5)
    c = byts / times["cuDNN"] / 1e6
    print(f"B{B}x{S} (pool {slots} slots): " + " ".join(f"{n} {byts / t / 1e6:.0f}" for n, t in times.items())
          + " | /cuDNN " + " ".join(f"{n} {byts / t / 1e6 / c:.4f}" for n, t in times.items() if n != "cuDNN"), flush=True)
    del kp, vp, kd, vd; torch.cuda.empty_cache()
