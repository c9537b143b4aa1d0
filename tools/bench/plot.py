"""The bench's ours/stock ratios as an SVG bar chart, with no plotting
library (Debian's python3 alone): one horizontal bar per metric on a
logarithmic axis centred on 1x, green where ours wins, red where it
loses, and a tick at the metric's target when it has one.

Used by report.py; can also redraw a record: plot.py BENCH_JSON OUT_SVG
"""
import json
import math
import re
import sys
from xml.sax.saxutils import escape

ROW = 22          # pixels per metric
LABEL = 330       # width of the metric names
AXIS = 460        # width of the bars' area
LO, HI = 1 / 64, 4.0   # axis range; ratios outside are clipped at the edge


def x_of(ratio):
    r = min(max(ratio, LO), HI)
    span = math.log(HI) - math.log(LO)
    return LABEL + AXIS * (math.log(r) - math.log(LO)) / span


def target_limit(target):
    m = re.match(r"[<>]=([0-9.]+)", target or "")
    return float(m.group(1)) if m else None


def write_svg(table, path):
    rows = [t for t in table if t["ratio"] == t["ratio"] and t["ratio"] > 0]
    height = ROW * (len(rows) + 3)
    width = LABEL + AXIS + 90
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" font-family="monospace" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="4" y="16" font-weight="bold">make bench: ours / stock '
           f'(log scale; green: ours better; | target)</text>']
    top = ROW * 1.5
    for tick in (1 / 64, 1 / 16, 1 / 4, 1 / 2, 1, 2, 4):
        x = x_of(tick)
        label = f"{tick:g}x" if tick >= 1 else f"1/{round(1 / tick)}x"
        out.append(f'<line x1="{x:.1f}" y1="{top:.0f}" x2="{x:.1f}" '
                   f'y2="{height - ROW:.0f}" stroke="#ccc"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 6}" '
                   f'text-anchor="middle">{label}</text>')
    one = x_of(1)
    for i, t in enumerate(rows):
        y = top + i * ROW
        ratio = t["ratio"]
        wins = ratio < 1 if t["better"] == "lower" else ratio > 1
        x = x_of(ratio)
        color = "#3a3" if wins else "#c33"
        out.append(f'<text x="4" y="{y + 15:.0f}">{escape(t["metric"])}</text>')
        out.append(f'<rect x="{min(x, one):.1f}" y="{y + 4:.0f}" '
                   f'width="{abs(x - one):.1f}" height="{ROW - 8}" '
                   f'fill="{color}"/>')
        out.append(f'<text x="{LABEL + AXIS + 6}" y="{y + 15:.0f}">'
                   f'{ratio:.3f}x</text>')
        limit = target_limit(t.get("target"))
        if limit:
            tx = x_of(limit)
            out.append(f'<line x1="{tx:.1f}" y1="{y + 1:.0f}" x2="{tx:.1f}" '
                       f'y2="{y + ROW - 1:.0f}" stroke="black" '
                       f'stroke-width="2"/>')
    out.append(f'<line x1="{one:.1f}" y1="{top:.0f}" x2="{one:.1f}" '
               f'y2="{height - ROW:.0f}" stroke="black"/>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py BENCH_JSON OUT_SVG")
    write_svg(json.load(open(sys.argv[1]))["metrics"], sys.argv[2])
