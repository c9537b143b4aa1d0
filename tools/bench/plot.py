#!/usr/bin/python3
"""Draw a bench record (report.py's JSON) with matplotlib.

usage: plot.py BENCH_JSON OUT.svg|OUT.png   (redraws a record)

Debian's python3-matplotlib (tools/build/deps) is for Debian's
/usr/bin/python3, hence the interpreter above and in tools/bench/run. The
figure is drawn without pyplot, so no display is ever looked for.

What is drawn, top to bottom:

1. Ratios: for each metric of "metrics", ours/stock (the report's median
   ratio) as a bar from 1x on a log axis centred on 1x: green where ours is
   better, red where it is worse (the metric's "better" says which way),
   pale where the ratios of single rounds fall on both sides of 1x. The
   whisker spans the lowest to the highest per-round ratio: in round r,
   the median of ours' values over the median of stock's, the two flavors
   booted one after the other ("raw" lines carry their "round"; a record
   without "raw" gets no whiskers). A black tick marks the metric's target
   when it has one ("target": "<=0.7 met"); a * after a name says the
   record carries a note on it (report.py prints the notes).

2. Curves: a metric measured at several sizes, drawn against that size,
   stock dashed with open markers and ours solid with filled ones: the
   point is the median of the values, the whisker their min to max (the
   report's spread column). Curves come from two places:
   - metric names with a parameter in them, e.g. rx_devmem_1flow_gbit_per_s
     and rx_devmem_4flow_gbit_per_s make one curve over flows (PARAMETERS
     below lists the forms); the curves of one workload with the same
     parameter and unit share a plot, labelled by the part of their names
     that differs (devmem, plain, trunc, ...);
   - an optional "curves" list in the record, for measurements that do not
     fit a metric name:
       "curves": [{"name": "devmem", "panel": "receive vs flows",
                   "x_label": "flows", "y_label": "Gbit/s",
                   "points": [{"x": 1, "stock": [1.41, 1.45],
                                       "ours": [1.40, 1.43]}, ...]}]
     "stock" and "ours" hold every value measured at x (each round's or
     each run's); curves with the same "panel" (default: their "name")
     share a plot. The x axis is logarithmic when x spans 16x or more, the
     y axis when the values span 30x or more.

A record with one kind only draws that kind.
"""
import json
import math
import re
import statistics
import sys

try:
    import matplotlib
except ImportError:
    sys.exit(f"plot.py: {sys.executable} has no matplotlib: run Debian's "
             "/usr/bin/python3 with python3-matplotlib (tools/build/deps)")
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import NullLocator
from matplotlib.transforms import offset_copy

BETTER, WORSE = "#2e9e3e", "#cc3333"
FLAVORS = (("stock", "--", "white"), ("ours", "-", None))  # style, marker fill

# A parameter inside a metric's name: (pattern around its number, x label).
PARAMETERS = (
    (r"_(\d+)flow_", "flows"),
    (r"_(\d+)_per_call_", "tokens per call"),
    (r"_(\d+)g(?=_|$)", "GiB"),
    (r"_(\d+)m(?=_|$)", "MiB"),
    (r"_held_(\d+)_", "tokens held"),
    (r"_(\d+)k(?=_|$)", "KiB"),
)

matplotlib.rcParams.update({
    "svg.fonttype": "none",       # text stays text: a small, greppable SVG
    "svg.hashsalt": "dmabuf-pp",  # the same record draws the same file
    "font.size": 9,
    "font.sans-serif": ["DejaVu Sans"],        # the SVG names one font
    "font.monospace": ["DejaVu Sans Mono"],
})


def target_limit(target):
    m = re.match(r"[<>]=([0-9.]+)", target or "")
    return float(m.group(1)) if m else None


def by_round(raw, workload, metric, flavor):
    """{round: median of that round's values} of one metric and flavor."""
    rounds = {}
    for r in raw:
        if (r["workload"], r["metric"], r["flavor"]) == (workload, metric, flavor):
            rounds.setdefault(r.get("round", 0), []).append(r["value"])
    return {n: statistics.median(v) for n, v in rounds.items()}


def round_ratios(raw, m):
    stock = by_round(raw, m["workload"], m["metric"], "stock")
    ours = by_round(raw, m["workload"], m["metric"], "ours")
    return [ours[n] / stock[n] for n in stock if n in ours and stock[n]]


def draw_ratios(fig, rows, raw, mode):
    rounds = len({r.get("round") for r in raw})
    ratios = [m["ratio"] for m in rows]
    colors, spans, targets, shown = [], [], [], []
    for y, m in enumerate(rows):
        wins = m["ratio"] < 1 if m["better"] == "lower" else m["ratio"] > 1
        per_round = round_ratios(raw, m) or [m["ratio"]]
        lo, hi = min(per_round), max(per_round)
        pale = lo < 1 < hi
        colors.append(to_rgba(BETTER if wins else WORSE, 0.35 if pale else 1))
        spans.append((lo, hi))
        limit = target_limit(m.get("target"))
        if limit:
            targets.append((limit, y))
        shown += [lo, hi, m["ratio"]] + ([limit] if limit else [])
    edge = max(max(v, 1 / v) for v in shown)

    ax = fig.subplots()
    ax.set_xscale("log", base=2)
    y = range(len(rows))
    ax.barh(y, [r - 1 for r in ratios], left=1, height=0.6, color=colors)
    if raw:  # lo to hi; the median of all values may lie outside
        ax.errorbar([(lo + hi) / 2 for lo, hi in spans], y,
                    xerr=[(hi - lo) / 2 for lo, hi in spans], fmt="none",
                    ecolor="black", elinewidth=1, capsize=3)
    if targets:
        ax.plot(*zip(*targets), linestyle="none", marker="|", color="black",
                markersize=12, markeredgewidth=2)
    for i, r in enumerate(ratios):
        ax.annotate(f"{r:.3f}x", (1, i), xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", va="center")
    for i in range(1, len(rows)):  # a rule between workloads
        if rows[i]["workload"] != rows[i - 1]["workload"]:
            ax.axhline(i - 0.5, color="#999", linewidth=0.6)
    k = math.ceil(math.log2(edge) + 0.2)  # the axis: 1/2^k to 2^k
    ax.set_xlim(2.0 ** -k, 2.0 ** k)
    # at most nine labels: a power of 2 each when k is small, of 4, 8, ...
    # when a ratio far from 1x (a count that fell to nearly nothing) widens it
    step = max(1, math.ceil(k / 4))
    ticks = [2.0 ** e for e in range(-(k // step) * step, k + 1, step)]
    ax.set_xticks(ticks, [f"{t:g}x" if t >= 1 else f"1/{round(1 / t)}x" for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.axvline(1, color="black", linewidth=1)
    ax.grid(axis="x", color="#ddd")
    ax.set_yticks(y, [m["metric"] + (" *" if m.get("notes") else "") for m in rows],
                  family="monospace", fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("ours / stock (log scale)" +
                  ("; * a note in the record (report.py prints it)"
                   if any(m.get("notes") for m in rows) else ""))
    clock = {"icount": "guest time = instructions (icount)",
             "wall": "guest time = wall clock"}.get(mode, "")
    ax.set_title(f"make bench{f' ({clock})' if clock else ''}: ours / stock per metric, median of all values"
                 + (f" ({rounds} round{'s' if rounds != 1 else ''})" if raw else ""))
    legend = [Patch(color=BETTER, label="ours better"),
              Patch(color=WORSE, label="ours worse")]
    if raw:
        legend += [Patch(color="#999", alpha=0.35, label="rounds on both sides of 1x"),
                   Line2D([], [], color="black", marker="|",
                          label="min-max of per-round ratios")]
    if targets:
        legend.append(Line2D([], [], color="black", marker="|", markersize=10,
                             linestyle="none", markeredgewidth=2, label="target"))
    below = offset_copy(ax.transAxes, fig=fig.figure, y=-0.45, units="inches")
    # under the axis label, however tall the chart
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0),
              bbox_transform=below, ncol=len(legend), fontsize=7, frameon=False)


def panels_from_names(record):
    """Curves hidden in metric names, as panels: {"title", "x_label",
    "y_label", "lines": [{"name", "points"}]}."""
    series = {}
    for m in record.get("metrics", []):
        for pattern, x_label in PARAMETERS:
            found = re.search(pattern, m["metric"])
            if found:
                break
        else:
            continue
        a, b = found.span(1)
        template = m["metric"][:a] + "N" + m["metric"][b:]
        points = series.setdefault((m["workload"], x_label, m["unit"],
                                    m["better"], template), [])
        points.append({"x": int(found.group(1)), "stock": m["stock"],
                       "ours": m["ours"]})
    panels = {}
    for (workload, x_label, unit, better, template), points in series.items():
        if len({p["x"] for p in points}) < 2:
            continue
        panel = panels.setdefault((workload, x_label, unit), {
            "x_label": x_label, "y_label": f"{unit} ({better} is better)",
            "lines": []})
        panel["lines"].append({"name": template, "points": points})
    for (workload, _, _), panel in panels.items():
        title, names = tell_apart([line["name"] for line in panel["lines"]])
        panel["title"] = f"{workload}: {title}"
        for line, name in zip(panel["lines"], names):
            line["name"] = name
        panel["lines"].sort(key=lambda line: line["name"])
    return list(panels.values())


def tell_apart(names):
    """Names alike but for a part: ("rx_*_Nflow_gbit_per_s", ["devmem",
    "plain", ...]) from rx_devmem_Nflow_gbit_per_s, rx_plain_Nflow_... ."""
    if len(names) < 2:
        return names[0], names
    words = [n.split("_") for n in names]
    shortest = min(len(w) for w in words)
    head = 0
    while head < shortest - 1 and len({w[head] for w in words}) == 1:
        head += 1
    tail = 0
    while head + tail < shortest - 1 and len({w[-tail - 1] for w in words}) == 1:
        tail += 1
    first = words[0]
    title = "_".join(first[:head] + ["*"] + first[len(first) - tail:])
    return title, ["_".join(w[head:len(w) - tail]) for w in words]


def panels_from_curves(record):
    panels = {}
    for c in record.get("curves", []):
        key = c.get("panel", c["name"])
        panel = panels.setdefault(key, {"title": key, "x_label": c["x_label"],
                                        "y_label": c["y_label"], "lines": []})
        panel["lines"].append({"name": c["name"], "points": c["points"]})
    return list(panels.values())


def draw_panel(ax, panel):
    xs, ys = [], []
    for i, line in enumerate(panel["lines"]):
        color = f"C{i % 10}"
        points = sorted(line["points"], key=lambda p: p["x"])
        for flavor, style, fill in FLAVORS:
            pts = [p for p in points if p.get(flavor)]
            x = [p["x"] * (0.98 if flavor == "stock" else 1.02) for p in pts]
            mid = [statistics.median(p[flavor]) for p in pts]
            lo = [m - min(p[flavor]) for m, p in zip(mid, pts)]
            hi = [max(p[flavor]) - m for m, p in zip(mid, pts)]
            ax.errorbar(x, mid, yerr=[lo, hi], color=color, linestyle=style,
                        marker="o", markersize=4, markerfacecolor=fill or color,
                        capsize=2, elinewidth=0.8, linewidth=1.2)
            xs += [p["x"] for p in pts]
            ys += [v for p in pts for v in p[flavor]]
    if xs and min(xs) > 0 and max(xs) / min(xs) >= 16:
        ax.set_xscale("log", base=2)
    if ys and min(ys) > 0 and max(ys) / min(ys) >= 30:
        ax.set_yscale("log")
    ax.set_xticks(sorted(set(xs)), [f"{x:g}" for x in sorted(set(xs))])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(panel["x_label"])
    ax.set_ylabel(panel["y_label"])
    ax.set_title(panel["title"], fontsize=8, family="monospace")
    ax.grid(color="#eee")
    handles = []
    if len(panel["lines"]) > 1:
        handles = [Line2D([], [], color=f"C{i % 10}", linewidth=3, label=line["name"])
                   for i, line in enumerate(panel["lines"])]
    handles += [Line2D([], [], color="black", linestyle=style, marker="o",
                       markerfacecolor=fill or "black", label=flavor)
                for flavor, style, fill in FLAVORS]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16),
              ncol=4, fontsize=7, frameon=False)


def draw_curves(fig, panels):
    cols = 2 if len(panels) > 1 else 1
    rows = (len(panels) + cols - 1) // cols
    axes = list(fig.subplots(rows, cols, squeeze=False).flat)
    for ax, panel in zip(axes, panels):
        draw_panel(ax, panel)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    fig.suptitle("against size: median, whiskers min to max of all values; "
                 "stock dashed, ours solid", fontsize=9)


def write_plot(record, path):
    """Draw RECORD (report.py's JSON, as a dict) to PATH (.svg or .png)."""
    panels = panels_from_names(record) + panels_from_curves(record)
    # neither NaN nor None (a metric one flavor cannot measure)
    ratios = [m for m in record.get("metrics", []) if (m["ratio"] or 0) > 0]
    heights = []
    if ratios:
        heights.append(1.2 + 0.22 * len(ratios))
    if panels:
        heights.append(3.2 * ((len(panels) + 1) // 2) + 0.4)
    if not heights:
        raise ValueError("nothing to plot: the record has no metrics and no curves")
    fig = Figure(figsize=(10, sum(heights)), layout="constrained")
    parts = fig.subfigures(len(heights), 1, height_ratios=heights, squeeze=False).flat
    if ratios:
        draw_ratios(next(parts), ratios, record.get("raw", []), record.get("mode"))
    if panels:
        draw_curves(next(parts), panels)
    fig.savefig(path, metadata={"Date": None} if path.endswith(".svg") else None)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py BENCH_JSON OUT.svg|OUT.png")
    with open(sys.argv[1]) as f:
        write_plot(json.load(f), sys.argv[2])
