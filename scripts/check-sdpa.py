#!/usr/bin/env python3
"""Compares a bundle's output with PyTorch's scaled_dot_product_attention.

  check-sdpa.py BUNDLE_DIR DUMP [--tol 1e-2] [--seq-len L]

DUMP is what `runner --dump DUMP` wrote (q, k, v and the bundle's output as
float32, world rank 0's); the shapes come from the bundle's CMakeLists.txt
(B HQ HKV SQ S D CAUSAL), with S (and SQ, for prefill) replaced by L
when the runner ran `--seq-len L`. The reference is SDPA on the GPU in bf16 (the
cuda target's input type) and in float32; causal masks align the queries
with the last keys (a decode token sees the whole cache). Exits 1 when the
relative error against the bf16 reference exceeds --tol, or when the output
or a reference holds a NaN or an infinity (counted apart: a NaN in the error
norm compares false with anything, and where errors are reduced with a max
it can vanish).
"""
import argparse
import math
import pathlib
import re
import sys

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bundle")
    parser.add_argument("dump")
    parser.add_argument("--tol", type=float, default=1e-2)
    parser.add_argument("--seq-len", type=int, default=0)
    args = parser.parse_args()
    cmake = (pathlib.Path(args.bundle) / "CMakeLists.txt").read_text()
    dims = {k: int(v) for k, v in re.findall(r"\b(B|HQ|HKV|SQ|S|D|CAUSAL)=(\d+)", cmake)}
    b, hq, hkv, sq, s, d = (dims[k] for k in ("B", "HQ", "HKV", "SQ", "S", "D"))
    if args.seq_len:
        sq, s = (args.seq_len if sq == s else sq), args.seq_len
    data = np.fromfile(args.dump, dtype=np.float32)
    sizes = [b * hq * sq * d, b * hkv * s * d, b * hkv * s * d, b * hq * sq * d]
    if data.size != sum(sizes):
        sys.exit(f"check-sdpa: {args.dump} holds {data.size} floats, expected {sum(sizes)}")
    parts = np.split(data, np.cumsum(sizes)[:-1])
    q, k, v, out = (torch.from_numpy(p.copy()).cuda() for p in parts)
    q, out = q.view(b, hq, sq, d), out.view(b, hq, sq, d)
    k, v = k.view(b, hkv, s, d), v.view(b, hkv, s, d)
    mask = None
    if dims["CAUSAL"]:
        i = torch.arange(sq, device="cuda").view(sq, 1) + (s - sq)
        mask = torch.arange(s, device="cuda").view(1, s) <= i
    # GQA: each group of HQ/HKV query heads shares one K/V head.
    k, v = (x.repeat_interleave(hq // hkv, dim=1) for x in (k, v))
    errors, problems = {}, []
    bad = ~torch.isfinite(out)
    if bad.any():
        first = tuple(int(i) for i in bad.nonzero()[0])
        problems.append(f"{int(bad.sum())} non-finite output value(s), the first "
                        f"{out[first].item()} at {list(first)}")
    for name, dtype in (("bf16", torch.bfloat16), ("fp32", torch.float32)):
        ref = torch.nn.functional.scaled_dot_product_attention(
            q.to(dtype), k.to(dtype), v.to(dtype), attn_mask=mask).float()
        if not torch.isfinite(ref).all():
            problems.append(f"{int((~torch.isfinite(ref)).sum())} non-finite value(s) "
                            f"in the {name} reference")
        errors[name] = ((out - ref).norm() / ref.norm()).item()
    ok = not problems and math.isfinite(errors["bf16"]) and errors["bf16"] <= args.tol
    print(f"{args.bundle}: q [{b},{hq},{sq},{d}] k/v [{b},{hkv},{s},{d}] causal={dims['CAUSAL']}: "
          f"rel_err vs torch SDPA bf16 {errors['bf16']:.3g}, fp32 {errors['fp32']:.3g} "
          f"(tol {args.tol:g}){''.join('; ' + p for p in problems)}: {'ok' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
