#!/usr/bin/env python3
"""Draws rblock-sim's table as an SVG bar chart (no plotting library needed).

    rblock-sim > sim.md     (examples/topologies/a100-4x8.json by default)
    plot_sim.py sim.md sim.svg

One panel per mix that borrows (L-Eval-like, LV-Eval-like); per policy two
bars: the fraction of used blocks stored off their owner (remote blocks) and
the free memory while requests wait (idle memory).
"""
import sys

COLUMNS = ("remote blocks", "idle memory while waiting")
COLOURS = ("#3b6ea5", "#d98c2b")


def read_table(path):
    rows, header = [], None
    for line in open(path):
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        else:
            rows.append(dict(zip(header, cells)))
    return rows


def percent(text):
    return float(text.rstrip("%"))


def main():
    rows = read_table(sys.argv[1])
    mixes = [m for m in ("leval", "lveval") if any(r["mix"] == m for r in rows)]
    bar, gap, left, width = 12, 10, 170, 360
    panels, y = [], 40
    for mix in mixes:
        policies = [r for r in rows if r["mix"] == mix]
        panels.append((mix, y, policies))
        y += 30 + len(policies) * (2 * bar + gap)
    height = y + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" '
        f'height="{height}" font-family="sans-serif" font-size="11">',
        '<text x="10" y="18" font-size="13">rblock-sim, 4 x 8 A100-80GB, '
        "Llama-2-7B KV, lend cap 50%</text>",
    ]
    for k, (name, colour) in enumerate(zip(COLUMNS, COLOURS)):
        x = left + k * 170
        out.append(f'<rect x="{x}" y="26" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="35">{name} (%)</text>')
    for mix, top, policies in panels:
        label = {"leval": "L-Eval-like", "lveval": "LV-Eval-like"}[mix]
        out.append(f'<text x="10" y="{top + 18}" font-weight="bold">{label}</text>')
        yy = top + 26
        for r in policies:
            out.append(f'<text x="10" y="{yy + bar + 4}">{r["policy"]}</text>')
            for k, (col, colour) in enumerate(zip(COLUMNS, COLOURS)):
                v = percent(r[col])
                w = width * v / 100
                out.append(
                    f'<rect x="{left}" y="{yy + k * bar}" width="{w:.1f}" '
                    f'height="{bar - 1}" fill="{colour}"/>'
                )
                out.append(
                    f'<text x="{left + w + 4:.1f}" y="{yy + k * bar + bar - 2}">'
                    f"{v:.1f}</text>"
                )
            yy += 2 * bar + gap
    out.append("</svg>")
    open(sys.argv[2], "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
