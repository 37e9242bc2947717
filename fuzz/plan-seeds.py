#!/usr/bin/env python3
"""Seeds for dattn-plan-fuzzer: the configurations the tests and examples
plan, in the byte layout PlanFuzzer.cpp reads (see its `Fields`).

    fuzz/plan-seeds.py fuzz/corpus/plan
"""
import os
import sys

TOPOLOGIES = ["none", "h100-1x8-nvlink", "h100-4x8-ib400", "a100-4x8", "a800-2x8"]
STRATEGIES = ["auto", "ring", "striped", "zigzag", "all-gather"]
ELEMENTS = ["f32", "bf16", "f16"]
MASTERS = ["auto", "true", "false"]


def field(value, lo, hi):
    """The bytes `pick(lo, hi)` reads as `value`."""
    assert lo <= value <= hi, (value, lo, hi)
    v = value - lo
    return bytes([v >> 8, v & 255]) if hi - lo + 1 > 256 else bytes([v])


def encode(decode=False, kv_heads=1, group=1, head_dim=16, keys=64, batch=1,
           queries=None, decode_queries=1, causal=True, positions=None, element="f32",
           topology="none", strategy="auto", ranks=0, head_parallel=1,
           inner_ring=1, budget=0, masters="auto"):
    out = field(int(decode), 0, 1) + field(kv_heads, 1, 8)
    out += field(group, 1, 4) + field(head_dim, 1, 128)
    out += field(keys, 1, 1024) + field(batch, 1, 5)
    # Query mode 0 takes the count that follows; else dattnc's count.
    out += field(0 if queries else 1, 0, 15) + field(queries or 1, 1, keys)
    out += field(decode_queries, 1, 4) + field(int(causal), 0, 1)
    q_off, q_stride, k_off, k_stride, k_end = positions or (0, 1, 0, 1, 0)
    out += field(0 if positions else 1, 0, 15)
    out += field(q_off, -8, 64) + field(q_stride, 1, 4)
    out += field(k_off, -8, 64) + field(k_stride, 1, 4)
    out += field(k_end, 0, keys) + field(ELEMENTS.index(element), 0, 2)
    out += field(TOPOLOGIES.index(topology), 0, len(TOPOLOGIES) - 1)
    out += field(STRATEGIES.index(strategy), 0, 4) + field(ranks, 0, 12)
    out += field(head_parallel, 1, 8) + field(inner_ring, 1, 8)
    out += field(budget, 0, keys) + field(MASTERS.index(masters), 0, 2)
    return out


# examples/graphs/llama3-8b-prefill.mlir (32 heads, 8 KV heads, 512 tokens)
LLAMA = dict(kv_heads=8, group=4, head_dim=128, keys=512, element="bf16")
SEEDS = {
    "llama3-8b-auto-1x8": dict(LLAMA, topology="h100-1x8-nvlink"),
    "llama3-8b-ring-8": dict(LLAMA, strategy="ring", ranks=8),
    "llama3-8b-zigzag-8": dict(LLAMA, strategy="zigzag", ranks=8),
    "llama3-8b-striped-8": dict(LLAMA, strategy="striped", ranks=8),
    "llama3-8b-all-gather-8": dict(LLAMA, strategy="all-gather", ranks=8),
    "llama3-8b-auto-4x8": dict(LLAMA, topology="h100-4x8-ib400"),
    "zigzag-4-padded": dict(kv_heads=2, group=2, keys=37, strategy="zigzag",
                            ranks=4),
    "ring-12-inner-4": dict(kv_heads=2, keys=96, strategy="ring", ranks=12,
                            inner_ring=4),
    "striped-12-inner-4": dict(kv_heads=2, keys=100, strategy="striped",
                               ranks=12, inner_ring=4),
    "ring-6-head-parallel-3": dict(kv_heads=3, group=2, keys=60,
                                   strategy="ring", ranks=6, head_parallel=3),
    "zigzag-8-inner-4-heads-2": dict(kv_heads=2, group=2, keys=128,
                                     strategy="zigzag", ranks=8,
                                     head_parallel=2, inner_ring=2),
    "full-all-gather-5": dict(kv_heads=2, group=3, keys=50, causal=False,
                              strategy="all-gather", ranks=5),
    "kend-ring-4": dict(keys=64, strategy="ring", ranks=4,
                        positions=(0, 1, 0, 1, 50)),
    "chunk-queries": dict(keys=64, queries=16, strategy="ring", ranks=4),
    # test/Tools/Inputs/decode-batch4.mlir: 4 requests, 300 cached tokens
    "decode-batch4-masters-3": dict(decode=True, kv_heads=2, group=2,
                                    keys=300, batch=4, ranks=3,
                                    masters="true"),
    "decode-batch4-owner-4": dict(decode=True, kv_heads=2, group=2, keys=300,
                                  batch=4, ranks=4, masters="false"),
    "decode-budget": dict(decode=True, kv_heads=2, keys=300, ranks=5,
                          budget=100, masters="false"),
    "decode-auto-1x8": dict(decode=True, kv_heads=8, group=4, head_dim=128,
                            keys=1024, element="bf16",
                            topology="h100-1x8-nvlink"),
    "decode-3-queries": dict(decode=True, kv_heads=2, keys=99,
                             decode_queries=3, ranks=3),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, case in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(encode(**case))


if __name__ == "__main__":
    main()
