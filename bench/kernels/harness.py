#!/usr/bin/env python3
"""distattn kernel harness: correctness against float32 PyTorch references,
then timings against PyTorch's attention backends measured in the same run.

Usage: python3 harness.py LIB.so [--check] [--bench] [--out DIR]
Loads the C entry points of libdistattn_cuda_capi.so through ctypes and runs
them on torch tensors (same stream).
"""
import argparse, ctypes, json, math, os, statistics, sys, time

import torch
import torch.nn.functional as F
from torch.nn.attention import sdpa_kernel, SDPBackend

dev = torch.device("cuda")


class MAArgs(ctypes.Structure):
    _fields_ = [("q", ctypes.c_void_p), ("k", ctypes.c_void_p), ("v", ctypes.c_void_p),
                ("out", ctypes.c_void_p), ("lse", ctypes.c_void_p),
                ("dtype", ctypes.c_int), ("batch", ctypes.c_int), ("qHeads", ctypes.c_int),
                ("kvHeads", ctypes.c_int), ("qLen", ctypes.c_int64), ("kvLen", ctypes.c_int64),
                ("headDim", ctypes.c_int), ("scale", ctypes.c_float), ("causal", ctypes.c_int),
                ("qOffset", ctypes.c_int64), ("qStride", ctypes.c_int64),
                ("kOffset", ctypes.c_int64), ("kStride", ctypes.c_int64),
                ("mergeInto", ctypes.c_int)]


class PDArgs(ctypes.Structure):
    _fields_ = [("q", ctypes.c_void_p), ("kPages", ctypes.c_void_p), ("vPages", ctypes.c_void_p),
                ("pageIndptr", ctypes.c_void_p), ("pageIndices", ctypes.c_void_p),
                ("kvLens", ctypes.c_void_p), ("out", ctypes.c_void_p), ("lse", ctypes.c_void_p),
                ("dtype", ctypes.c_int), ("batch", ctypes.c_int), ("qHeads", ctypes.c_int),
                ("kvHeads", ctypes.c_int), ("headDim", ctypes.c_int), ("pageSize", ctypes.c_int),
                ("maxKvLen", ctypes.c_int64), ("scale", ctypes.c_float),
                ("splitTokens", ctypes.c_int64), ("workspace", ctypes.c_void_p)]


LIB = None


def load(path):
    global LIB
    LIB = ctypes.CDLL(path)
    LIB.da_micro_attention.argtypes = [ctypes.POINTER(MAArgs), ctypes.c_void_p]
    LIB.da_micro_attention.restype = ctypes.c_int
    LIB.da_micro_attention_set_config.argtypes = [ctypes.c_int]
    LIB.da_micro_attention_set_config.restype = ctypes.c_int
    LIB.da_merge_states.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p),
                                    ctypes.c_int, ctypes.c_int64, ctypes.c_int,
                                    ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    LIB.da_merge_states.restype = ctypes.c_int
    LIB.da_paged_decode.argtypes = [ctypes.POINTER(PDArgs), ctypes.c_void_p]
    LIB.da_paged_decode.restype = ctypes.c_int
    LIB.da_paged_decode_workspace.argtypes = [ctypes.POINTER(PDArgs)]
    LIB.da_paged_decode_workspace.restype = ctypes.c_size_t
    LIB.da_paged_decode_split_tokens.argtypes = [ctypes.POINTER(PDArgs)]
    LIB.da_paged_decode_split_tokens.restype = ctypes.c_int64
    LIB.da_paged_decode_set_stages.argtypes = [ctypes.c_int]
    LIB.da_paged_decode_set_stages.restype = ctypes.c_int
    LIB.da_paged_decode_set_l2_hint.argtypes = [ctypes.c_int]
    LIB.da_paged_decode_set_l2_hint.restype = ctypes.c_int
    LIB.da_paged_decode_set_tma.argtypes = [ctypes.c_int]
    LIB.da_paged_decode_set_tma.restype = ctypes.c_int


def stream():
    return ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)


PROBE = None
_SINK = None


def load_probe(path):
    """page_probe.cu's library: the decode's reads of a paged KV, no math."""
    global PROBE
    PROBE = ctypes.CDLL(path)
    PROBE.da_probe_paged_loads.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_int] * 8 + \
        [ctypes.c_void_p, ctypes.c_void_p]
    PROBE.da_probe_paged_loads.restype = ctypes.c_int


def probe_loads(kp, vp, indices, B, S, page, head_major=True, rows=32, warps=7):
    """Pure loads of B sequences of S tokens in pages of `page` (each
    sequence's pages consecutive in `indices`) by warp rings of two tiles of
    `rows` rows, `warps` a block (the decode's: 7 of 32): a block a
    (sequence, kv head, split), or with head_major off a (sequence, split)
    reading each page's kv heads together; about a block an SM."""
    global _SINK
    if _SINK is None:
        _SINK = torch.zeros(1, dtype=torch.int32, device=dev)
    Hkv = kp.shape[1]
    assert S % page == 0 and indices.numel() == B * (S // page), "whole pages, B x S of them"
    units = B * Hkv if head_major else B
    sms = torch.cuda.get_device_properties(torch.cuda.current_device()).multi_processor_count
    splits = max(1, sms // units)
    rc = PROBE.da_probe_paged_loads(kp.data_ptr(), vp.data_ptr(), indices.data_ptr(), B,
                                    S // page, Hkv, page, rows, splits, warps, int(head_major),
                                    _SINK.data_ptr(), stream())
    if rc != 0:
        raise RuntimeError(f"da_probe_paged_loads rc={rc}")


def dtcode(dt):
    return 0 if dt == torch.bfloat16 else 1


def ours_ma(q, k, v, out, lse, causal=False, qmap=(0, 1), kmap=(0, 1), merge=False, scale=None):
    B, Hq, Sq, D = q.shape
    Hkv, Sk = k.shape[1], k.shape[2]
    a = MAArgs(q.data_ptr(), k.data_ptr(), v.data_ptr(), out.data_ptr(), lse.data_ptr(),
               dtcode(q.dtype), B, Hq, Hkv, Sq, Sk, D, scale or 1.0 / math.sqrt(D), int(causal),
               qmap[0], qmap[1], kmap[0], kmap[1], int(merge))
    rc = LIB.da_micro_attention(ctypes.byref(a), stream())
    if rc != 0:
        raise RuntimeError(f"da_micro_attention rc={rc}")


def ref_ma(q, k, v, causal=False, qmap=(0, 1), kmap=(0, 1), scale=None):
    """float32 reference: (out, lse), out 0 / lse -inf for rows with no key."""
    B, Hq, Sq, D = q.shape
    Hkv, Sk = k.shape[1], k.shape[2]
    G = Hq // Hkv
    scale = scale or 1.0 / math.sqrt(D)
    out = torch.empty(B, Hq, Sq, D, device=dev, dtype=torch.float32)
    lse = torch.empty(B, Hq, Sq, device=dev, dtype=torch.float32)
    kpos = kmap[0] + kmap[1] * torch.arange(Sk, device=dev)
    chunk = max(1, (1 << 26) // max(Sk, 1))
    for b in range(B):
        for h in range(Hq):
            kf = k[b, h // G].float()
            vf = v[b, h // G].float()
            for i0 in range(0, Sq, chunk):
                qf = q[b, h, i0:i0 + chunk].float()
                s = (qf @ kf.T) * scale
                if causal:
                    qpos = qmap[0] + qmap[1] * torch.arange(i0, i0 + qf.shape[0], device=dev)
                    s = s.masked_fill(qpos[:, None] < kpos[None, :], float("-inf"))
                l = torch.logsumexp(s, dim=-1)
                p = torch.exp(s - l[:, None])
                p = torch.nan_to_num(p, nan=0.0)
                out[b, h, i0:i0 + chunk] = p @ vf
                lse[b, h, i0:i0 + chunk] = l
    return out, lse


def compare(out, lse, ro, rl):
    """relative error of out, max abs lse error over finite rows, and whether
    every value is finite where the reference's is: out all finite, lse
    finite or equal to the reference (-inf: a row with no key). A NaN
    anywhere, in ours or the reference, fails: it would compare false with a
    tolerance but vanish from a max() of errors. The errors are inf, never
    NaN, where that check fails."""
    ref_ok = bool(torch.isfinite(ro).all()) and not bool(torch.isnan(rl).any())
    ok_written = bool(torch.isfinite(out).all()) and not bool(torch.isnan(lse).any())
    fin = torch.isfinite(rl)
    inf_match = bool(torch.equal(torch.isfinite(lse), fin)) and bool(torch.equal(lse[~fin], rl[~fin]))
    err = ((out - ro).norm() / ro.norm().clamp_min(1e-30)).item()
    lerr = (lse[fin] - rl[fin]).abs().max().item() if fin.any() else 0.0
    ok = ref_ok and ok_written and inf_match and math.isfinite(err) and math.isfinite(lerr)
    if not ok:
        err, lerr = math.inf, math.inf
    return err, lerr, ok


def rnd(*shape, dt=torch.bfloat16):
    return torch.randn(*shape, device=dev, dtype=torch.float32).to(dt)


def check_ma(results, B, Hq, Hkv, Sq, Sk, D, dt, mask, merge_split=False):
    q, k, v = rnd(B, Hq, Sq, D, dt=dt), rnd(B, Hkv, Sk, D, dt=dt), rnd(B, Hkv, Sk, D, dt=dt)
    causal, qmap, kmap = False, (0, 1), (0, 1)
    if mask == "causal":
        causal, qmap, kmap = True, (Sk - Sq if Sk >= Sq else 0, 1), (0, 1)
    elif mask == "striped":   # rank 1 of 4, q from rank 1, kv from rank 2
        causal, qmap, kmap = True, (1, 4), (2, 4)
    elif mask == "zigzag":    # q chunk later than kv chunk, partially overlapping positions
        causal, qmap, kmap = True, (Sk // 2, 1), (0, 1)
    ro, rl = ref_ma(q, k, v, causal, qmap, kmap)
    out = torch.full((B, Hq, Sq, D), float("nan"), device=dev)
    lse = torch.full((B, Hq, Sq), float("nan"), device=dev)
    if merge_split and Sk >= 2:
        h = Sk // 2
        ours_ma(q, k[:, :, :h].contiguous(), v[:, :, :h].contiguous(), out, lse, causal, qmap, kmap)
        ours_ma(q, k[:, :, h:].contiguous(), v[:, :, h:].contiguous(), out, lse, causal, qmap,
                (kmap[0] + kmap[1] * h, kmap[1]), merge=True)
    else:
        ours_ma(q, k, v, out, lse, causal, qmap, kmap)
    torch.cuda.synchronize()
    err, lerr, ok = compare(out, lse, ro, rl)
    passed = ok and err <= 1e-2 and lerr <= 1e-3
    name = f"ma {str(dt)[6:]} B{B} Hq{Hq}/Hkv{Hkv} Sq{Sq} Sk{Sk} D{D} {mask}{' merge' if merge_split else ''}"
    results.append(dict(test=name, rel_err=err, lse_err=lerr, written=ok, passed=passed))
    print(f"{'PASS' if passed else 'FAIL'} {name}: rel {err:.2e} lse {lerr:.2e}", flush=True)
    return passed


def make_paged(B, Hkv, D, lens, page, dt, shuffle=True):
    npages = [(l + page - 1) // page for l in lens]
    total = sum(npages)
    perm = torch.randperm(total, device=dev) if shuffle else torch.arange(total, device=dev)
    indptr = torch.zeros(B + 1, dtype=torch.int32, device=dev)
    indptr[1:] = torch.tensor(npages, device=dev).cumsum(0)
    indices = perm.to(torch.int32)
    kp = rnd(max(total, 1), Hkv, page, D, dt=dt)
    vp = rnd(max(total, 1), Hkv, page, D, dt=dt)
    return kp, vp, indptr, indices, torch.tensor(lens, dtype=torch.int32, device=dev)


def rblock_pool(kp, vp, indices):
    """Pages as runtime/rblock stores them: block b holds K's page, then V's
    ([2 * pages, kvHeads, pageSize, D]); pagedKvArgs (rblock/Decode.h) passes
    the pool as K = base and V = base + one page with the indices doubled,
    so the decode reads blocks in place. Returns (K, V, indices, pool)."""
    n = kp.shape[0]
    rb = torch.empty((2 * n,) + tuple(kp.shape[1:]), dtype=kp.dtype, device=kp.device)
    rb[0::2] = kp
    rb[1::2] = vp
    return rb[0:2 * n - 1], rb[1:], indices * 2, rb


def ours_decode(q, kp, vp, indptr, indices, lens_t, maxlen, page, out, lse, split=0, ws=None):
    B, Hq, D = q.shape
    Hkv = kp.shape[1]
    a = PDArgs(q.data_ptr(), kp.data_ptr(), vp.data_ptr(), indptr.data_ptr(), indices.data_ptr(),
               lens_t.data_ptr(), out.data_ptr(), lse.data_ptr(), dtcode(q.dtype), B, Hq, Hkv, D,
               page, maxlen, 1.0 / math.sqrt(D), split, None)
    n = LIB.da_paged_decode_workspace(ctypes.byref(a))
    if ws is None or ws.numel() < n:
        # Zero-filled once: the arrival counts of a decode merged in parts.
        ws = torch.zeros(max(n, 16), dtype=torch.uint8, device=dev)
    a.workspace = ws.data_ptr()
    rc = LIB.da_paged_decode(ctypes.byref(a), stream())
    if rc != 0:
        raise RuntimeError(f"da_paged_decode rc={rc}")
    return ws, LIB.da_paged_decode_split_tokens(ctypes.byref(a))


def check_decode(results, B, Hq, Hkv, D, lens, page, dt, split=0, rblock=False):
    q = rnd(B, Hq, D, dt=dt)
    kp, vp, indptr, indices, lens_t = make_paged(B, Hkv, D, lens, page, dt)
    out = torch.full((B, Hq, D), float("nan"), device=dev)
    lse = torch.full((B, Hq), float("nan"), device=dev)
    # rblock: the same pages read in place from runtime/rblock's layout.
    K, V, idx, _ = rblock_pool(kp, vp, indices) if rblock else (kp, vp, indices, None)
    _, chunk = ours_decode(q, K, V, indptr, idx, lens_t, max(lens), page, out, lse, split)
    torch.cuda.synchronize()
    ro = torch.zeros(B, Hq, D, device=dev)
    rl = torch.full((B, Hq), float("-inf"), device=dev)
    for b in range(B):
        L = lens[b]
        if L == 0:
            continue
        pages = indices[indptr[b]:indptr[b + 1]].long()
        kd = kp[pages].permute(1, 0, 2, 3).reshape(Hkv, -1, D)[:, :L]
        vd = vp[pages].permute(1, 0, 2, 3).reshape(Hkv, -1, D)[:, :L]
        o, l = ref_ma(q[b:b + 1, :, None, :], kd[None], vd[None])
        ro[b], rl[b] = o[0, :, 0], l[0, :, 0]
    err, lerr, ok = compare(out, lse, ro, rl)
    passed = ok and err <= 1e-2 and lerr <= 1e-3
    name = f"decode {str(dt)[6:]} B{B} Hq{Hq}/Hkv{Hkv} D{D} page{page}{' rBlock' if rblock else ''} lens{lens[:4]}{'...' if len(lens) > 4 else ''} chunk{chunk}"
    results.append(dict(test=name, rel_err=err, lse_err=lerr, written=ok, passed=passed))
    print(f"{'PASS' if passed else 'FAIL'} {name}: rel {err:.2e} lse {lerr:.2e}", flush=True)
    return passed


def ours_merge(outs, lses, out, lse):
    n = len(outs)
    po = (ctypes.c_void_p * n)(*[o.data_ptr() for o in outs])
    pl = (ctypes.c_void_p * n)(*[l.data_ptr() for l in lses])
    rows, D = outs[0].shape[0], outs[0].shape[1]
    rc = LIB.da_merge_states(po, pl, n, rows, D, out.data_ptr(), lse.data_ptr(), stream())
    if rc != 0:
        raise RuntimeError(f"da_merge_states rc={rc}")


def check_merge(results, n, rows, D):
    outs = [torch.randn(rows, D, device=dev) for _ in range(n)]
    lses = [torch.randn(rows, device=dev) * 5 for _ in range(n)]
    for i in range(n):   # some empty states (identity) and an all-empty row
        drop = torch.rand(rows, device=dev) < 0.2
        lses[i][drop] = float("-inf")
        outs[i][drop] = 0
    if rows > 3:
        for i in range(n):
            lses[i][3] = float("-inf")
            outs[i][3] = 0
    L = torch.stack(lses)
    rl = torch.logsumexp(L, 0)
    w = torch.nan_to_num(torch.exp(L - rl[None]), nan=0.0)
    ro = (torch.stack(outs) * w[..., None]).sum(0)
    out = torch.full((rows, D), float("nan"), device=dev)
    lse = torch.full((rows,), float("nan"), device=dev)
    ours_merge(outs, lses, out, lse)
    # in place: out/lse alias state 0
    o0, l0 = outs[0].clone(), lses[0].clone()
    ours_merge([o0] + outs[1:], [l0] + lses[1:], o0, l0)
    torch.cuda.synchronize()
    err, lerr, ok = compare(out, lse, ro, rl)
    err2, lerr2, ok2 = compare(o0, l0, ro, rl)
    passed = ok and ok2 and max(err, err2) <= 1e-5 and max(lerr, lerr2) <= 1e-5
    name = f"merge n{n} rows{rows} D{D} (+in place)"
    results.append(dict(test=name, rel_err=max(err, err2), lse_err=max(lerr, lerr2), written=ok, passed=passed))
    print(f"{'PASS' if passed else 'FAIL'} {name}: rel {max(err, err2):.2e} lse {max(lerr, lerr2):.2e}", flush=True)
    return passed


# Forward configs (da_micro_attention_set_config): every one is checked; these
# are timed (c1-c4, c6 are in older RESULTS.md sections).
MAX_CONFIG = 14
TIMED_CONFIGS = (5, 7, 8, 9, 10, 11, 12, 13, 14)
FWD_ROUNDS = 3  # interleaved rounds of every forward timer


def run_checks(quick=False):
    res = []
    torch.manual_seed(0)
    for w in range(MAX_CONFIG + 1):
        LIB.da_micro_attention_set_config(w)
        print(f"-- forward block config {w}", flush=True)
        for dt in (torch.bfloat16, torch.float16):
            for D in ((64, 128, 256) if w in (0, 5) else (64,) if w in (9, 14) else (64, 128)):
                for mask in ("full", "causal", "striped", "zigzag"):
                    for (Hq, Hkv) in ((4, 4), (8, 2)):
                        for (Sq, Sk) in ((1, 1), (1, 300), (3816, 3816), (77, 1000)):
                            check_ma(res, 1, Hq, Hkv, Sq, Sk, D, dt, mask)
                check_ma(res, 2, 4, 1, 129, 517, D, dt, "causal", merge_split=True)
                check_ma(res, 1, 2, 2, 200, 333, D, dt, "striped", merge_split=True)
    LIB.da_micro_attention_set_config(0)
    # the long lengths the issue names
    for D in (64, 128, 256):
        check_ma(res, 1, 2, 1, 12345, 12345, D, torch.bfloat16, "causal")
        check_ma(res, 1, 2, 2, 12345, 12345, D, torch.float16, "full")
        check_ma(res, 1, 8, 1, 1, 12345, D, torch.bfloat16, "full")
    check_ma(res, 1, 2, 2, 3816, 12345, 128, torch.bfloat16, "striped")
    check_ma(res, 1, 2, 2, 12345, 3816, 128, torch.bfloat16, "zigzag")
    # merge
    for n in (1, 2, 3, 8, 16):
        for D in (64, 128, 256):
            check_merge(res, n, 1000, D)
    check_merge(res, 2, 5, 32)
    # paged decode
    LIB.da_paged_decode_set_l2_hint(0)
    for dt in (torch.bfloat16, torch.float16):
        check_decode(res, 3, 32, 8, 128, [1, 3816, 12345], 16, dt)
    LIB.da_paged_decode_set_l2_hint(-1)
    for tma in (1, 0):  # pages of 16 tokens or a multiple: TMA, or cp.async
        LIB.da_paged_decode_set_tma(tma)
        for st in (4, 3, 2):
            LIB.da_paged_decode_set_stages(st)
            print(f"-- decode ring of {st} stages (head_dim 128), tma {tma}", flush=True)
            for dt in (torch.bfloat16, torch.float16):
                for D in ((64, 128, 256) if st == 4 else (128,)):
                    check_decode(res, 3, 32, 8, D, [1, 3816, 12345], 16, dt)
                    check_decode(res, 3, 32, 8, D, [1, 3816, 12345], 128, dt)
                    check_decode(res, 2, 8, 8, D, [1000, 0], 7, dt)
                    check_decode(res, 4, 16, 1, D, [5000, 33, 1, 12345], 64, dt, split=512)
                    check_decode(res, 1, 40, 2, D, [777], 32, dt)   # group 20 > 16 rows
    LIB.da_paged_decode_set_stages(0)
    LIB.da_paged_decode_set_tma(-1)
    # runtime/rblock's layout, read in place (the benchmark's rBlock column):
    # the split grid, the in-block merge and the parts.
    for dt in (torch.bfloat16, torch.float16):
        for D in (64, 128, 256):
            check_decode(res, 3, 32, 8, D, [1, 3816, 12345], 128, dt, rblock=True)
            check_decode(res, 16, 32, 8, D, [7000] * 15 + [0], 128, dt, rblock=True)
            check_decode(res, 1, 32, 8, D, [200000], 16, dt, rblock=True)
    return res


# BENCH.md's prefill shapes: (B, H, S, D), each timed causal and not.
PREFILL_SHAPES = [(1, 32, 4096, 128), (1, 32, 16384, 128), (1, 32, 32768, 128), (1, 32, 16384, 64)]
# BENCH.md decode shapes (batch, cached tokens) and their heads: 32 q / 8 kv
# heads, head_dim 128.
DECODE_SHAPES = [(1, 131072), (1, 1048576), (16, 65536)]
DECODE_HEADS = (32, 8, 128)


def decode_bytes(B, S, Hkv=DECODE_HEADS[1], D=DECODE_HEADS[2]):
    """Bytes of K and V (bf16) one decode step reads."""
    return 2 * B * Hkv * S * D * 2


def dense_decode_rates(q4, S, backends):
    """GB/s of K+V of torch SDPA decoding q4 [B, Hq, 1, D] against a dense
    bf16 KV of S tokens, for each (name, SDPBackend) of `backends` (None
    where the backend fails); the KV is freed before returning."""
    B, D, Hkv = q4.shape[0], q4.shape[3], DECODE_HEADS[1]
    kd, vd = rnd(B, Hkv, S, D), rnd(B, Hkv, S, D)
    rates = {}
    for name, be in backends:
        try:
            with sdpa_kernel(be):
                t = bench(lambda: F.scaled_dot_product_attention(q4, kd, vd, enable_gqa=True), 10, 3, 5)
            rates[name] = decode_bytes(B, S, Hkv, D) / t / 1e6
        except Exception as ex:
            rates[name] = None
            print("torch", name, "failed:", str(ex)[:100])
    del kd, vd
    torch.cuda.empty_cache()
    return rates


# GPU cycles the stream sleeps before each sample's start event (doubled
# whenever the host was still enqueuing when the start event ran; kept for
# the rest of the run, so every later sample starts after the same sleep).
_lead_cycles = 2_000_000
_LEAD_CAP = 1 << 26  # ~35 ms at 1.98 GHz: far above any enqueue here


def bench(fn, iters=20, warm=5, inner=1):
    """Median ms of one call, `inner` calls between the events. The stream
    first sleeps on the GPU while the host enqueues the start event and the
    calls, so that the events time the device's work alone: started on an
    idle GPU, a sample would also hold the first call's host launch time
    (46-85 us for torch's SDPA under its sdpa_kernel context, 15-33 us for
    ours through ctypes; bench/RESULTS.md 2026-11-26 10:35), which favoured
    the side that launches faster. A sample whose start event ran before the
    host had enqueued every call and the end event is taken again with a
    longer sleep; past the cap, the timing is refused."""
    global _lead_cycles
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    ts = []
    while len(ts) < iters:
        s = torch.cuda.Event(enable_timing=True)
        e = torch.cuda.Event(enable_timing=True)
        torch.cuda._sleep(_lead_cycles)
        s.record()
        for _ in range(inner):
            fn()
        e.record()
        late = s.query()  # the start event already ran: host time inside
        torch.cuda.synchronize()
        if late:
            if _lead_cycles >= _LEAD_CAP:
                raise RuntimeError("bench: the host's enqueue outlasts the GPU-side sleep")
            _lead_cycles *= 2
            continue
        ts.append(s.elapsed_time(e) / inner)
    return statistics.median(ts)


def interleaved_medians(timers, rounds, *bench_args, on_error=None):
    """Median ms of each of `timers` (name -> fn) over `rounds` rounds that
    each time every timer once (bench(fn, *bench_args)), so that clock and
    thermal drift over the run fall on all of them alike. A timer that
    raises is reported to on_error(name, exception) and dropped from the
    result where on_error is given; else the exception propagates."""
    live = dict(timers)
    times = {name: [] for name in live}
    for _ in range(rounds):
        for name, fn in list(live.items()):
            try:
                times[name].append(bench(fn, *bench_args))
            except Exception as ex:
                if on_error is None:
                    raise
                on_error(name, ex)
                del live[name]
    return {name: statistics.median(times[name]) for name in live}


def run_bench(rows):
    res = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__}
    x = torch.randn(1 << 30, device=dev, dtype=torch.bfloat16)
    y = torch.empty_like(x)
    t = bench(lambda: y.copy_(x))
    res["copy_GBps"] = 2 * x.numel() * 2 / t / 1e6
    del x, y
    a = torch.randn(1 << 28, device=dev)
    b = torch.randn_like(a)
    c = torch.empty_like(a)
    t = bench(lambda: torch.add(a, b, out=c), 20, 5, 5)
    res["add_GBps"] = 3 * a.numel() * 4 / t / 1e6
    del a, b, c
    print(f"device {res['device']}  d2d copy {res['copy_GBps']:.0f} GB/s  torch add {res['add_GBps']:.0f} GB/s", flush=True)
    # prefill
    for causal in (False, True):
        for (B, H, S, D) in PREFILL_SHAPES:
            q, k, v = rnd(B, H, S, D), rnd(B, H, S, D), rnd(B, H, S, D)
            out = torch.empty(B, H, S, D, device=dev)
            lse = torch.empty(B, H, S, device=dev)
            flops = 4 * B * H * S * S * D * (0.5 if causal else 1.0)
            r = dict(kind="prefill", causal=causal, S=S, D=D)
            it = 20 if S <= 16384 else 10

            def torch_sdpa(be):
                def run():
                    with sdpa_kernel(be):
                        F.scaled_dot_product_attention(q, k, v, is_causal=causal)
                return run

            def ours_config(w):
                def run():
                    LIB.da_micro_attention_set_config(w)
                    ours_ma(q, k, v, out, lse, causal, (0, 1), (0, 1))
                return run
            timers = {"flash": torch_sdpa(SDPBackend.FLASH_ATTENTION),
                      "cudnn": torch_sdpa(SDPBackend.CUDNN_ATTENTION)}
            for w in TIMED_CONFIGS:
                if w in (9, 14) and D != 64:
                    r[f"ours_c{w}"] = None  # 9, 14 differ from 8, 13 at D=64 only
                else:
                    timers[f"ours_c{w}"] = ours_config(w)
            timers["ours"] = ours_config(0)
            times = interleaved_medians(
                timers, FWD_ROUNDS, it, 2,
                on_error=lambda name, ex: print("timing", name, "failed:", str(ex)[:100]))
            for name in timers:
                r[name] = flops / times[name] / 1e9 if name in times else None
            LIB.da_micro_attention_set_config(0)
            rows.append(r)
            print(r, flush=True)
            del q, k, v, out, lse
            torch.cuda.empty_cache()
    # decode
    for (B, S) in DECODE_SHAPES:
        Hq, Hkv, D = DECODE_HEADS
        byts = decode_bytes(B, S)
        r = dict(kind="decode", B=B, S=S)
        q4 = rnd(B, Hq, 1, D)
        r.update(dense_decode_rates(q4, S, (("flash", SDPBackend.FLASH_ATTENTION),
                                            ("cudnn", SDPBackend.CUDNN_ATTENTION))))
        for page in (16, 128):
            kp, vp, indptr, indices, lens_t = make_paged(B, Hkv, D, [S] * B, page, torch.bfloat16)
            q = q4[:, :, 0].contiguous()
            out = torch.empty(B, Hq, D, device=dev)
            lse = torch.empty(B, Hq, device=dev)
            for st in (4, 3):  # the default, 2, is 'ours'
                LIB.da_paged_decode_set_stages(st)
                ws, chunk = ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse)
                t = bench(lambda: ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse, 0, ws), 10, 3, 5)
                r[f"ours_p{page}_s{st}"] = byts / t / 1e6
                r[f"chunk_s{st}"] = chunk
            LIB.da_paged_decode_set_stages(0)
            # The same pages on the cp.async loader.
            LIB.da_paged_decode_set_tma(0)
            ws, chunk = ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse)
            t = bench(lambda: ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse, 0, ws), 10, 3, 5)
            r[f"ours_p{page}_cp"] = byts / t / 1e6
            LIB.da_paged_decode_set_tma(-1)
            ws, chunk = ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse)
            t = bench(lambda: ours_decode(q, kp, vp, indptr, indices, lens_t, S, page, out, lse, 0, ws), 10, 3, 5)
            r[f"ours_page{page}"] = byts / t / 1e6
            if page == 128 and PROBE is not None:
                # The same reads with no math (page_probe.cu): what the
                # memory gives this page order.
                t = bench(lambda: probe_loads(kp, vp, indices, B, S, page), 10, 3, 5)
                r["loads_p128"] = byts / t / 1e6
            if page == 128:
                # The same pages as rBlocks: runtime/rblock's layout, read in
                # place (the same random block order).
                rk, rv, ridx, rb = rblock_pool(kp, vp, indices)
                del kp, vp
                ws, _ = ours_decode(q, rk, rv, indptr, ridx, lens_t, S, page, out, lse)
                t = bench(lambda: ours_decode(q, rk, rv, indptr, ridx, lens_t, S, page, out, lse, 0, ws), 10, 3, 5)
                r["ours_p128_rblock"] = byts / t / 1e6
                del rk, rv, rb
            else:
                del kp, vp
            torch.cuda.empty_cache()
        # Pages of 128 in allocation order: each sequence's pages one run,
        # the layout of the dense tensor cuDNN reads (random order above).
        kp, vp, indptr, indices, lens_t = make_paged(B, Hkv, D, [S] * B, 128, torch.bfloat16,
                                                     shuffle=False)
        ws, _ = ours_decode(q, kp, vp, indptr, indices, lens_t, S, 128, out, lse)
        t = bench(lambda: ours_decode(q, kp, vp, indptr, indices, lens_t, S, 128, out, lse, 0, ws), 10, 3, 5)
        r["ours_p128_inorder"] = byts / t / 1e6
        if PROBE is not None:
            t = bench(lambda: probe_loads(kp, vp, indices, B, S, 128), 10, 3, 5)
            r["loads_p128_inorder"] = byts / t / 1e6
        del kp, vp
        torch.cuda.empty_cache()
        rows.append(r)
        print(r, flush=True)
    # merge
    for (n, R, D) in [(2, 32 * 16384, 128), (4, 32 * 8192, 128), (8, 32 * 4096, 128)]:
        outs = [torch.randn(R, D, device=dev) for _ in range(n)]
        lses = [torch.randn(R, device=dev) for _ in range(n)]
        out = torch.empty(R, D, device=dev)
        lse = torch.empty(R, device=dev)
        byts = (n + 1) * R * (D + 1) * 4
        t = bench(lambda: ours_merge(outs, lses, out, lse), 20, 5, 5)
        r = dict(kind="merge", n=n, rows=R, D=D, ours=byts / t / 1e6, copy=res["copy_GBps"])
        rows.append(r)
        print(r, flush=True)
        del outs, lses, out, lse
        torch.cuda.empty_cache()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    ap.add_argument("--commit", default="uncommitted")
    ap.add_argument("--probe", help="page_probe.cu's library: adds the columns of the decode's reads with no math")
    a = ap.parse_args()
    load(a.lib)
    if a.probe:
        load_probe(a.probe)
    summary = {}
    ok = True
    if a.check:
        res = run_checks()
        npass = sum(r["passed"] for r in res)
        print(f"correctness: {npass}/{len(res)} passed", flush=True)
        summary["checks"] = res
        ok = npass == len(res)
    if a.bench:
        rows = []
        info = run_bench(rows)
        summary["bench"] = dict(info=info, rows=rows)
        md = report(info, rows, a.commit, summary.get("checks"))
        print(md)
        with open(os.path.join(a.out, "results_section.md"), "w") as f:
            f.write(md)
    with open(os.path.join(a.out, "kernels.json"), "w") as f:
        json.dump(summary, f, indent=1)
    sys.exit(0 if ok else 1)


def report(info, rows, commit, checks):
    f = lambda x: "n/a" if x is None else f"{x:.0f}"
    rr = lambda a, b: "n/a" if (a is None or not b) else f"{a / b:.2f}x"
    # Decode ratios sit within a percent of 1: three places, so that 0.996
    # does not print as 1.00x.
    rr3 = lambda a, b: "n/a" if (a is None or not b) else f"{a / b:.3f}x"
    L = [f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {info['device']} · commit {commit}\n",
         f"torch {info['torch']}, "
         f"d2d copy {info['copy_GBps']:.0f} GB/s (read+write), torch.add fp32 {info['add_GBps']:.0f} GB/s (2 reads + 1 write), "
         f"CUDA events after a GPU-side sleep that outlasts the host's enqueue (device time only), median (forward: median of {FWD_ROUNDS} interleaved rounds of every column; decode and merge: 5 calls between events).\n"]
    if checks is not None:
        # Python's max() drops a NaN met after a number; compare() gives inf.
        L.append(f"Correctness: {sum(c['passed'] for c in checks)}/{len(checks)} cases pass "
                 f"(max rel err {max(c['rel_err'] for c in checks):.2e}, "
                 f"max lse err {max(c['lse_err'] for c in checks):.2e}).\n")
    L.append("\nMicro-attention forward (bf16 in, fp32 out + lse), B=1 H=32, TFLOP/s:\n")
    L.append("Block configs (the others are in older sections): c5/c7 = the mma.sync kernel, 4 warps x 32 rows, double-buffered K/V "
             "(kv tiles 64/48; D=64 c7 = c5; the fallback where wgmma is not compiled); "
             "c8 = the Hopper wgmma kernel, 2 warpgroups x 64 rows, kv tiles of 128 in a 2-stage cp.async ring; c9 = c8 with 3 warpgroups (D=64 only); "
             "c10/c11 = c8 warp-specialised, a TMA producer warp, rings of 3/2 stages; "
             "c12 = c10 with FlashAttention-3's intra-warpgroup overlap (a producer warpgroup, setmaxnreg 24/240); c13 = c12 with the warpgroups' MMAs in ping-pong; c14 = c13 with 3 warpgroups (D=64 only, setmaxnreg 32/160); "
             "'ours' = the default config (c13 at head_dim 128, c14 at 64), timed as a column of its own.\n")
    cols = [f"c{w}" for w in TIMED_CONFIGS]
    L.append("| S | D | causal | ours | " + " | ".join(cols) + " | torch FLASH | torch cuDNN | ours/FLASH | ours/cuDNN |\n"
             + "|---" * (9 + len(cols)) + "|")
    for r in rows:
        if r["kind"] == "prefill":
            L.append(f"| {r['S']} | {r['D']} | {'yes' if r['causal'] else 'no'} | {f(r['ours'])} | "
                     + " | ".join(f(r[f'ours_{c}']) for c in cols) + f" | {f(r['flash'])} | "
                     f"{f(r['cudnn'])} | {rr(r['ours'], r['flash'])} | {rr(r['ours'], r['cudnn'])} |")
    L.append("\nPaged decode (bf16, 32 q / 8 kv heads, D=128, random page order unless said), GB/s of K+V:\n")
    L.append("Defaults: each 32-token K and V tile loads by TMA (one copy a column half at pages of 128, two 16-row boxes at 16) "
             "in a 2-stage ring, a warp's own, as many warps a block as the rings fill an SM (7), which, "
             "where they are all of a sequence's splits (16 x 64K), deal its tiles round robin and merge "
             "their states in the block, and where they are more and of 1024 tokens or more (1 x 128K, "
             "1 x 1M), take its tiles in runs of 4 as they go, a block of them merging their states and "
             "the last block the blocks'; "
             "s4/s3 = ring depths of 4 and 3 (3 and 4 warps an SM); "
             "'cp.async' = the same pages on the cp.async loader (L2 256B prefetch hint, 4 stages); "
             "'p128 in order' = pages of 128 in allocation order (each sequence's pages one run, "
             "the layout of cuDNN's dense tensor); 'p128 rBlock' = the random pages of 128 as "
             "runtime/rblock stores them (a block's K page, then its V page) and passes them (in "
             "place, indices doubled); 'loads' = the same pages of 128 read by the decode's blocks "
             "and rings with no math (bench/kernels/page_probe.cu: 1-D bulk copies, what the "
             "memory gives those reads; the decode's 2-D tensor copies can beat it), random and "
             "in order. The ratios to FLASH and cuDNN are of "
             "random pages in separate K and V pools.\n")
    L.append("| B x KV | ours page16 | ours page128 | p16 s4 | p16 s3 | p16 cp.async | p128 s4 | p128 s3 | p128 cp.async | p128 in order | p128 rBlock | loads p128 | loads in order | torch FLASH (dense) | torch cuDNN (dense) | default best/FLASH | default best/cuDNN | in order/cuDNN | rBlock/cuDNN | loads/cuDNN | loads in order/cuDNN |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["kind"] == "decode":
            best = max(r["ours_page16"], r["ours_page128"])
            L.append(f"| {r['B']} x {r['S']} | {f(r['ours_page16'])} | {f(r['ours_page128'])} | {f(r['ours_p16_s4'])} | {f(r['ours_p16_s3'])} | {f(r['ours_p16_cp'])} | "
                     f"{f(r['ours_p128_s4'])} | {f(r['ours_p128_s3'])} | {f(r['ours_p128_cp'])} | "
                     f"{f(r['ours_p128_inorder'])} | {f(r['ours_p128_rblock'])} | "
                     f"{f(r.get('loads_p128'))} | {f(r.get('loads_p128_inorder'))} | {f(r['flash'])} | "
                     f"{f(r['cudnn'])} | {rr3(best, r['flash'])} | {rr3(best, r['cudnn'])} | "
                     f"{rr3(r['ours_p128_inorder'], r['cudnn'])} | {rr3(r['ours_p128_rblock'], r['cudnn'])} | "
                     f"{rr3(r.get('loads_p128'), r['cudnn'])} | {rr3(r.get('loads_p128_inorder'), r['cudnn'])} |")
    L.append("\nState merge (fp32), GB/s of states read + written vs d2d copy:\n")
    L.append("| n | rows | D | ours GB/s | copy GB/s | ours/copy | torch add GB/s | ours/add |\n|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["kind"] == "merge":
            L.append(f"| {r['n']} | {r['rows']} | {r['D']} | {f(r['ours'])} | {f(r['copy'])} | {r['ours'] / r['copy']:.2f} | "
                     f"{f(info['add_GBps'])} | {r['ours'] / info['add_GBps']:.2f} |")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
