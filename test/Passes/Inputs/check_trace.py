"""Checks a dattn-simulate-timeline Chrome trace (used by a lit test).

usage: check_trace.py TRACE RANKS TILES_PER_RANK SENDS_PER_RANK
Every rank is a process with a "compute" thread and a communication thread
per grid axis ("communication", or "communication, grid axis A" on a grid of
several axes); each rank's compute stream has TILES_PER_RANK tile events and
its communication streams SENDS_PER_RANK sends in all; within a stream,
events do not overlap.
"""
import json
import sys
from collections import defaultdict

trace, ranks, tiles, sends = sys.argv[1], *map(int, sys.argv[2:5])
events = json.load(open(trace))["traceEvents"]
names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["ph"] == "M"}
threads = sorted({t for (_, t) in names})
axes = len(threads) - 1
assert axes >= 1 and threads == list(range(axes + 1)), threads
assert sorted(names) == [(r, t) for r in range(ranks) for t in threads], names
for r in range(ranks):
    assert names[(r, 0)] == "compute", names[(r, 0)]
    for a in range(axes):
        want = "communication" if axes == 1 else f"communication, grid axis {a}"
        assert names[(r, a + 1)] == want, names[(r, a + 1)]
streams = defaultdict(list)
for e in events:
    if e["ph"] == "X":
        assert e["dur"] >= 0 and e["ts"] >= 0, e
        streams[(e["pid"], e["tid"])].append(e)
for rank in range(ranks):
    compute = [e for e in streams[(rank, 0)] if e["name"] == "tile"]
    comm = [e for t in threads[1:] for e in streams[(rank, t)]
            if e["name"].startswith("send to ")]
    assert len(compute) == tiles, (rank, len(compute))
    assert len(comm) == sends, (rank, len(comm))
    for stream in [(rank, t) for t in threads]:
        spans = sorted((e["ts"], e["ts"] + e["dur"]) for e in streams[stream])
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert start >= end - 1e-6, (stream, end, start)
print(f"trace ok: {ranks} ranks, {axes} communication stream(s), "
      f"{tiles} tiles and {sends} sends each")
