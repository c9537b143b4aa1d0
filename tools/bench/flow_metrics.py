#!/usr/bin/python3
"""Metric lines of one bench run of several flows (rx_paths, tx_paths).

usage: flow_metrics.py PREFIX NAME FLOWS T0 T1 BUSY_US BASELINE JSON...

Each JSON is one flow's report (a receiver's or a sender's) with "bytes"
and "cpu_seconds". Prints three lines, PREFIX_NAME_gbit_per_s (all bytes
over T1 - T0), PREFIX_NAME_cpu_s_per_gb (the flows' own CPU) and
PREFIX_NAME_sys_cpu_s_per_gb (BUSY_US of the whole guest), each naming
PREFIX_BASELINE_SUFFIX as its baseline unless BASELINE is "-".
"""
import json
import sys


def main(argv):
    prefix, name, flows = argv[1], argv[2], int(argv[3])
    t0, t1, busy_us = float(argv[4]), float(argv[5]), int(argv[6])
    baseline, files = argv[7], argv[8:]
    runs = [json.load(open(f)) for f in files]
    if len(runs) != flows:
        sys.exit(f"flow_metrics: {flows} flows, {len(runs)} reports: {files}")
    total = sum(r["bytes"] for r in runs)
    cpu = sum(r["cpu_seconds"] for r in runs)
    for suffix, value, unit, better in (
            ("gbit_per_s", total * 8 / (t1 - t0) / 1e9, "Gbit/s", "higher"),
            ("cpu_s_per_gb", cpu / (total / 1e9), "CPU s/GB", "lower"),
            ("sys_cpu_s_per_gb", busy_us / 1e6 / (total / 1e9),
             "guest CPU s/GB", "lower")):
        line = {"metric": f"{prefix}_{name}_{suffix}", "value": value,
                "unit": unit, "better": better}
        if baseline != "-":
            line["baseline"] = f"{prefix}_{baseline}_{suffix}"
        print(json.dumps(line))


if __name__ == "__main__":
    main(sys.argv)
