#!/usr/bin/python3
"""Turn raw bench lines into the ours/stock table and the JSON record.

usage: report.py RAW_JSONL OUT_JSON

Each raw line: {"flavor", "round", "workload", "metric", "value", "unit",
"better", "mode"}; a workload may report a metric several times per round;
"mode" (icount or wall, as tools/bench/run booted the guests) is the same
on every line. For every
metric the median of all its values (runs and rounds) is taken per flavor
and the ratio ours/stock printed; "better" says which direction is a win.
A metric only one flavor can measure (ours' 64 KiB RX buffers) is printed
with that flavor's median and no ratio ("ratio": null in the JSON). A line
may name a "baseline" metric of the same workload: the median ratio
metric/baseline is then printed per flavor in a second table.
The spread column is (max - min) / median of those values, per flavor: a
ratio within the spread is noise.
"""
import fnmatch
import json
import os
import statistics
import sys

# The targets, as ours/stock ratios: (pattern, limit). A "lower" metric
# meets its target at or below the limit, a "higher" one at or above. The
# receive lines meet theirs by CPU per GB (the receivers' own, and the whole
# guest's: both match) or by throughput.
TARGETS = (
    ("rx_devmem_*_cpu_s_per_gb", 0.7),
    ("rx_devmem_*_gbit_per_s", 1.3),
    ("bind_*", 0.5),
    ("dontneed_*", 0.25),
)


def target_of(metric, better, ratio):
    """The target column: '' when the metric has none."""
    for pattern, limit in TARGETS:
        if fnmatch.fnmatch(metric, pattern):
            met = ratio <= limit if better == "lower" else ratio >= limit
            sign = "<=" if better == "lower" else ">="
            return f"{sign}{limit:g} {'met' if met else 'not met'}"
    return ""


def spread_of(values):
    mid = statistics.median(values)
    return (max(values) - min(values)) / mid if mid else 0.0


def path_ratios(rows, metrics):
    """Metric / its "baseline" metric, per flavor: e.g. devmem vs plain recv
    measured in the same boots. Printed as a second table; returned for the
    JSON record."""
    bases = {(r["workload"], r["metric"]): r["baseline"]
             for r in rows if "baseline" in r}
    out = []
    if not bases:
        return out
    print(f"\n{'same boot: metric / baseline':<48} {'stock':>8} {'ours':>8}")
    for (workload, metric), base in sorted(bases.items()):
        num, den = metrics[(workload, metric)], metrics.get((workload, base))
        if not den:
            print(f"{metric}: baseline {base} missing", file=sys.stderr)
            continue
        ratio = {f: statistics.median(num[f]) / statistics.median(den[f])
                 if num[f] and den[f] else None for f in ("stock", "ours")}
        shown = {f: f"{r:>7.3f}x" if r is not None else f"{'-':>8}"
                 for f, r in ratio.items()}
        print(f"{metric + ' / ' + base.split('_')[1]:<48} "
              f"{shown['stock']} {shown['ours']}")
        out.append({"workload": workload, "metric": metric, "baseline": base,
                    **ratio})
    return out


def main():
    raw, out = sys.argv[1], sys.argv[2]
    rows = [json.loads(line) for line in open(raw) if line.startswith("{")]
    metrics = {}
    for r in rows:
        m = metrics.setdefault((r["workload"], r["metric"]),
                               {"unit": r["unit"], "better": r["better"],
                                "stock": [], "ours": []})
        m[r["flavor"]].append(r["value"])

    if not metrics:
        print("bench: no workload reported any number", file=sys.stderr)
        return 1
    modes = {r.get("mode", "wall") for r in rows}
    if len(modes) != 1:
        print(f"bench: lines of several modes in one record: {sorted(modes)}",
              file=sys.stderr)
        return 1
    mode = modes.pop()
    print("guest time: " + ("instructions executed (QEMU icount): spreads "
                            "should be a few percent" if mode == "icount" else
                            "wall-clock under TCG: a ratio inside its "
                            "spread is noise"))
    table = []
    notes = {}
    for r in rows:
        if "note" in r:
            notes.setdefault(r["metric"], set()).add(f"{r['flavor']}: {r['note']}")
    print(f"{'metric':<42} {'stock':>10} {'ours':>10} {'ours/stock':>10} "
          f"{'spread s/o':>12}  {'target':<14} unit")
    for (workload, metric), m in sorted(metrics.items()):
        better = "higher is better" if m["better"] == "higher" else "lower is better"
        if not m["stock"] or not m["ours"]:
            shown = {f: f"{statistics.median(m[f]):>10.4g}" if m[f] else f"{'-':>10}"
                     for f in ("stock", "ours")}
            spread = "/".join(f"{spread_of(m[f]):.0%}" if m[f] else "-"
                              for f in ("stock", "ours"))
            print(f"{metric:<42} {shown['stock']} {shown['ours']} {'-':>10} "
                  f"{spread:>12}  {'':<14} {m['unit']} ({better})")
            table.append({"workload": workload, "metric": metric,
                          "unit": m["unit"], "better": m["better"],
                          "stock": m["stock"], "ours": m["ours"],
                          "ratio": None, "target": "",
                          "notes": sorted(notes.get(metric, ()))})
            continue
        stock = statistics.median(m["stock"])
        ours = statistics.median(m["ours"])
        ratio = ours / stock if stock else float("nan")
        spread = "/".join(f"{spread_of(m[f]):.0%}" for f in ("stock", "ours"))
        target = target_of(metric, m["better"], ratio)
        print(f"{metric:<42} {stock:>10.4g} {ours:>10.4g} {ratio:>9.3f}x "
              f"{spread:>12}  {target:<14} {m['unit']} ({better})")
        table.append({"workload": workload, "metric": metric, "unit": m["unit"],
                      "better": m["better"], "stock": m["stock"],
                      "ours": m["ours"], "ratio": ratio, "target": target,
                      "notes": sorted(notes.get(metric, ()))})
    for metric, lines in sorted(notes.items()):
        for line in sorted(lines):
            print(f"note: {metric}: {line}")
    record = {"mode": mode, "metrics": table, "path_ratios": path_ratios(rows, metrics),
              "raw": rows}
    json.dump(record, open(out, "w"), indent=1)
    print(f"raw numbers: {out}")
    import plot  # only now: without matplotlib the numbers are kept all the same
    svg = os.path.splitext(out)[0] + ".svg"
    plot.write_plot(record, svg)
    print(f"plot: {svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
