"""Checks a dattn-simulate-timeline Chrome trace (used by a lit test).

usage: check_trace.py TRACE RANKS TILES_PER_RANK SENDS_PER_RANK
Every rank is a process with a "compute" and a "communication" thread; each
rank's compute stream has TILES_PER_RANK tile events and its communication
stream SENDS_PER_RANK sends; within a stream, events do not overlap.
"""
import json
import sys
from collections import defaultdict

trace, ranks, tiles, sends = sys.argv[1], *map(int, sys.argv[2:5])
events = json.load(open(trace))["traceEvents"]
names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["ph"] == "M"}
assert sorted(names) == [(r, t) for r in range(ranks) for t in (0, 1)], names
assert all(names[(r, 0)] == "compute" and names[(r, 1)] == "communication"
           for r in range(ranks))
streams = defaultdict(list)
for e in events:
    if e["ph"] == "X":
        assert e["dur"] >= 0 and e["ts"] >= 0, e
        streams[(e["pid"], e["tid"])].append(e)
for rank in range(ranks):
    compute = [e for e in streams[(rank, 0)] if e["name"] == "tile"]
    comm = [e for e in streams[(rank, 1)] if e["name"].startswith("send to ")]
    assert len(compute) == tiles, (rank, len(compute))
    assert len(comm) == sends, (rank, len(comm))
    for stream in ((rank, 0), (rank, 1)):
        spans = sorted((e["ts"], e["ts"] + e["dur"]) for e in streams[stream])
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert start >= end - 1e-6, (stream, end, start)
print(f"trace ok: {ranks} ranks, {tiles} tiles and {sends} sends each")
