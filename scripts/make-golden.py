#!/usr/bin/env python3
"""Golden attention outputs for distattn, computed by PyTorch in float64.

Writes test/golden/attention.txt (format: test/golden/README.md): for each
case below, inputs q, k, v made by this script from a fixed seed, and the
out and lse that PyTorch computes for them in float64 under the case's mask
and scale. The host kernels (test/unit/oracle/GoldenTest.cpp) and the fp64
evaluator (test/Interpreter/golden.mlir) must reproduce them.

Needs PyTorch (CPU is enough); nothing else:

    python3 scripts/make-golden.py            # writes test/golden/attention.txt
    python3 scripts/make-golden.py -o FILE    # elsewhere

The output depends only on the cases and the seeds, so running it again
must reproduce the committed file up to the last digits of out and lse.
"""

import argparse
import math
import os
import sys

# name, (B, Hq, Hkv, Sq, Sk, D), mask, q positions (offset, stride),
# k positions (offset, stride), k_end (None: no limit), scale (None: the
# default 1/sqrt(D)), seed of the inputs.
CASES = [
    # GQA 4:1, causal prefill from position 0.
    ("gqa4_causal_s33_d16", (1, 4, 1, 33, 33, 16), "causal", (0, 1), (0, 1),
     None, None, 1),
    # Two sequences, heads 1:1, q_len != kv_len, no mask, explicit scale.
    ("mha_full_b2_s7x64_d8", (2, 2, 2, 7, 64, 8), "full", (0, 1), (0, 1),
     None, 0.3, 2),
    # Decode: one new token per sequence at position 16, GQA 4:1, D = 64.
    ("gqa4_decode_b2_s1x17_d64", (2, 8, 2, 1, 17, 64), "causal", (16, 1),
     (0, 1), None, None, 3),
    # A chunk of 7 queries at the end of 64 keys (bottom-right causal).
    ("gqa4_causal_chunk_s7x64_d16", (1, 8, 2, 7, 64, 16), "causal", (57, 1),
     (0, 1), None, 0.2, 4),
    # A striped tile (4 ranks): rank 1's queries against rank 2's keys, the
    # sequence's true length 50; row 0 (position 1) sees no key.
    ("striped_causal_kend_d8", (1, 2, 1, 16, 16, 8), "causal", (1, 4), (2, 4),
     50, None, 5),
    # One token against one key.
    ("gqa4_single_token_d8", (1, 4, 1, 1, 1, 8), "causal", (0, 1), (0, 1),
     None, None, 6),
    # A padded key block: keys at 20 and later are padding.
    ("mha_full_kend_s7x33_d16", (1, 2, 2, 7, 33, 16), "full", (0, 1), (0, 1),
     20, 0.17, 7),
    # A 64 x 64 causal tile, GQA 2:1.
    ("gqa2_causal_s64_d16", (1, 2, 1, 64, 64, 16), "causal", (0, 1), (0, 1),
     None, None, 8),
]

MASK64 = (1 << 64) - 1


def splitmix64(seed):
    """The splitmix64 stream (Steele et al.), a few lines in any language."""
    state = seed & MASK64
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        yield z ^ (z >> 31)


def make_inputs(shape, seed):
    """q, k, v as flat lists: multiples of 1/128 in [-2, 2), exact in
    float64, float32, bfloat16 and float16, so every consumer reads the same
    numbers whatever its input type."""
    b, hq, hkv, sq, sk, d = shape
    stream = splitmix64(seed)

    def draw(n):
        return [((next(stream) >> 55) - 256) / 128.0 for _ in range(n)]

    return draw(b * hq * sq * d), draw(b * hkv * sk * d), draw(b * hkv * sk * d)


def compute(torch, case, q, k, v):
    """out and lse of one case in float64, as Spec.md defines them."""
    import torch.nn.functional as F

    name, shape, kind, (qo, qs), (ko, ks), k_end, scale, _ = case
    b, hq, hkv, sq, sk, d = shape
    f64 = torch.float64
    Q = torch.tensor(q, dtype=f64).reshape(b, hq, sq, d)
    K = torch.tensor(k, dtype=f64).reshape(b, hkv, sk, d)
    V = torch.tensor(v, dtype=f64).reshape(b, hkv, sk, d)
    if scale is None:
        scale = 1.0 / math.sqrt(d)

    # The mask from its definition: global positions offset + stride * i.
    q_pos = qo + qs * torch.arange(sq)
    k_pos = ko + ks * torch.arange(sk)
    visible = torch.ones(sq, sk, dtype=torch.bool)
    if kind == "causal":
        visible &= q_pos[:, None] >= k_pos[None, :]
    if k_end is not None:
        visible &= (k_pos < k_end)[None, :]
    no_key = ~visible.any(dim=-1)  # rows that see nothing: out 0, lse -inf

    # q head h reads kv head h // (Hq / Hkv).
    group = hq // hkv
    K_rep = K.repeat_interleave(group, dim=1)
    V_rep = V.repeat_interleave(group, dim=1)
    out = F.scaled_dot_product_attention(Q, K_rep, V_rep, attn_mask=visible,
                                         scale=scale)
    try:
        gqa = F.scaled_dot_product_attention(Q, K, V, attn_mask=visible,
                                             scale=scale, enable_gqa=True)
    except TypeError:  # PyTorch before 2.5 has no enable_gqa
        gqa = None
    if gqa is not None:
        check(torch.allclose(gqa[..., ~no_key, :], out[..., ~no_key, :],
                             rtol=0, atol=1e-13),
              name, "enable_gqa and repeat_interleave disagree")
    # SDPA gives NaN (or, in newer versions, 0) for a row without keys;
    # Spec.md says 0.
    out = torch.where(no_key[None, None, :, None], torch.zeros((), dtype=f64),
                      out)

    scores = scale * (Q @ K_rep.transpose(-1, -2))
    scores = scores.masked_fill(~visible, -math.inf)
    lse = torch.logsumexp(scores, dim=-1)  # natural log; -inf without keys

    # The script checks itself: SDPA against softmax(scores) V.
    explicit = torch.softmax(scores, dim=-1).nan_to_num(0.0) @ V_rep
    check(torch.allclose(explicit, out, rtol=0, atol=1e-13), name,
          "SDPA and the explicit softmax disagree")
    check(bool(torch.isfinite(out).all()), name, "non-finite output")
    check(bool((torch.isinf(lse) == no_key).all()), name,
          "lse is -inf exactly where a row sees no key")
    return out.flatten().tolist(), lse.flatten().tolist()


def check(condition, name, what):
    if not condition:
        sys.exit(f"make-golden.py: case {name}: {what}")


def fmt(values, per_line=8):
    lines = []
    for i in range(0, len(values), per_line):
        lines.append(" ".join("%.17g" % x for x in values[i:i + per_line]))
    return "\n".join(lines)


def write_case(f, case, tensors):
    name, shape, kind, (qo, qs), (ko, ks), k_end, scale, seed = case
    b, hq, hkv, sq, sk, d = shape
    used = scale if scale is not None else 1.0 / math.sqrt(d)
    f.write(f"case {name}\n")
    f.write("shape %d %d %d %d %d %d\n" % shape)
    f.write(f"mask {kind} {qo} {qs} {ko} {ks} "
            f"{'none' if k_end is None else k_end}\n")
    f.write("scale %s %.17g\n" % ("default" if scale is None else "explicit",
                                  used))
    dims = {"q": (b, hq, sq, d), "k": (b, hkv, sk, d), "v": (b, hkv, sk, d),
            "out": (b, hq, sq, d), "lse": (b, hq, sq)}
    for key in ("q", "k", "v", "out", "lse"):
        f.write(f"tensor {key} {len(dims[key])} "
                + " ".join(map(str, dims[key])) + "\n")
        f.write(fmt(tensors[key]) + "\n")
    f.write("end\n")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output",
                        default=os.path.join(root, "test", "golden",
                                             "attention.txt"))
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("make-golden.py needs PyTorch (pip install torch; CPU is "
                 "enough)")

    # Everything is computed (and self-checked) before the file is touched.
    results = []
    for case in CASES:
        q, k, v = make_inputs(case[1], case[7])
        out, lse = compute(torch, case, q, k, v)
        results.append((case, {"q": q, "k": k, "v": v, "out": out,
                               "lse": lse}))
    with open(args.output, "w") as f:
        f.write("# Golden attention outputs: PyTorch %s, float64.\n"
                % torch.__version__)
        f.write("# Made by scripts/make-golden.py; format: "
                "test/golden/README.md.\n")
        f.write("distattn-golden 1\n")
        for case, tensors in results:
            write_case(f, case, tensors)
    print(f"wrote {len(CASES)} cases to {args.output}")


if __name__ == "__main__":
    main()
