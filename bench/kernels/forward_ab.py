#!/usr/bin/env python3
"""A/B of two builds of the micro-attention forward: TFLOP/s at the BENCH.md
prefill shapes (bf16, B=1, H=32) of each forward config given, on both
libraries, beside torch cuDNN, in interleaved rounds in one process (so that
clock and thermal drift fall on every column alike), each figure the median
of its rounds. A config the old library does not know is shown as n/a.

Usage: python3 bench/kernels/forward_ab.py OLD.so NEW.so [CONFIG ...]
       (default configs: 0, the default of each build)
"""
import os, sys
import torch
import torch.nn.functional as F
from torch.nn.attention import sdpa_kernel, SDPBackend
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H

ROUNDS = 5
H.load(sys.argv[1]); old = H.LIB
H.load(sys.argv[2]); new = H.LIB
configs = [int(c) for c in sys.argv[3:]] or [0]
cols = [(name, lib, w) for w in configs for name, lib in (("old", old), ("new", new))
        if lib.da_micro_attention_set_config(w) == 0]
print("| S | D | causal | " + " | ".join(f"{n} c{w}" for n, _, w in cols)
      + " | torch cuDNN | " + " | ".join(f"new c{w}/old c{w}" for w in configs) + " |")
print("|---" * (4 + len(cols) + len(configs)) + "|")
for causal in (False, True):
    for (B, Hh, S, D) in H.PREFILL_SHAPES:
        q, k, v = (H.rnd(B, Hh, S, D) for _ in range(3))
        out = torch.empty(B, Hh, S, D, device=H.dev)
        lse = torch.empty(B, Hh, S, device=H.dev)
        flops = 4 * B * Hh * S * S * D * (0.5 if causal else 1.0)
        it = 10

        def ours(lib, w):
            def run():
                H.LIB = lib
                lib.da_micro_attention_set_config(w)
                H.ours_ma(q, k, v, out, lse, causal, (0, 1), (0, 1))
            return run

        def cudnn():
            with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
                F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        timers = [(f"{n} c{w}", ours(lib, w)) for n, lib, w in cols] + [("cudnn", cudnn)]
        times = H.interleaved_medians(dict(timers), ROUNDS, it, 2)
        rate = {name: flops / t / 1e9 for name, t in times.items()}
        ratios = [f"{rate[f'new c{w}'] / rate[f'old c{w}']:.3f}" if f"old c{w}" in rate else "n/a"
                  for w in configs]
        print(f"| {S} | {D} | {'yes' if causal else 'no'} | "
              + " | ".join(f"{rate[f'{n} c{w}']:.0f}" for n, _, w in cols)
              + f" | {rate['cudnn']:.0f} | " + " | ".join(ratios) + " |", flush=True)
        del q, k, v, out, lse
        torch.cuda.empty_cache()
for lib in (old, new):
    lib.da_micro_attention_set_config(0)
