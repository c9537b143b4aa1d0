#!/bin/bash
# Workload: plain TCP receive over the netdevsim pair (the reference path
# devmem receive is compared with). One flow, 256 MiB, three runs per boot;
# every run is reported, tools/bench/report.py takes the medians.
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tools/lib/nsim.sh"

trap nsim_pair_destroy EXIT
nsim_pair_create 1 || exit 1
for _ in 1 2 3; do
	nsim_xfer 256M --json || exit 1
done | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(json.dumps({"metric": "tcp_recv_1flow_throughput", "value": r["gbit_per_s"],
                      "unit": "Gbit/s", "better": "higher"}))
    print(json.dumps({"metric": "tcp_recv_1flow_cpu_per_gb",
                      "value": r["cpu_seconds"] / (r["bytes"] / 1e9),
                      "unit": "CPU s/GB", "better": "lower"}))
'
exit "${PIPESTATUS[0]}"
