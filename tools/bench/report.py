#!/usr/bin/env python3
"""Turn raw bench lines into the ours/stock table and the JSON record.

usage: report.py RAW_JSONL OUT_JSON

Each raw line: {"flavor", "round", "workload", "metric", "value", "unit",
"better"}; a workload may report a metric several times per round. For every
metric the median of all its values (runs and rounds) is taken per flavor
and the ratio ours/stock printed; "better" says which direction is a win. A line
may name a "baseline" metric of the same workload: the median ratio
metric/baseline is then printed per flavor in a second table.
The spread column is (max - min) / median of those values, per flavor: a
ratio within the spread is noise.
"""
import json
import statistics
import sys


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
                 for f in ("stock", "ours")}
        print(f"{metric + ' / ' + base.split('_')[1]:<48} "
              f"{ratio['stock']:>7.3f}x {ratio['ours']:>7.3f}x")
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
    table = []
    print(f"{'metric':<34} {'stock':>10} {'ours':>10} {'ours/stock':>10} "
          f"{'spread s/o':>12}  unit")
    for (workload, metric), m in sorted(metrics.items()):
        if not m["stock"] or not m["ours"]:
            print(f"{metric:<34} missing a flavor's numbers", file=sys.stderr)
            return 1
        stock = statistics.median(m["stock"])
        ours = statistics.median(m["ours"])
        ratio = ours / stock if stock else float("nan")
        better = "higher is better" if m["better"] == "higher" else "lower is better"
        spread = "/".join(f"{spread_of(m[f]):.0%}" for f in ("stock", "ours"))
        print(f"{metric:<34} {stock:>10.4g} {ours:>10.4g} {ratio:>9.3f}x "
              f"{spread:>12}  {m['unit']} ({better})")
        table.append({"workload": workload, "metric": metric, "unit": m["unit"],
                      "better": m["better"], "stock": m["stock"],
                      "ours": m["ours"], "ratio": ratio})
    paths = path_ratios(rows, metrics)
    json.dump({"metrics": table, "path_ratios": paths, "raw": rows},
              open(out, "w"), indent=1)
    print(f"raw numbers: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
