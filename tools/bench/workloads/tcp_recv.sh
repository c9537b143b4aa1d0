#!/bin/bash
# Workload: plain TCP receive over the netdevsim pair (the reference path
# devmem receive is compared with). One flow, 256 MiB, three runs; prints
# the median of each metric as bench JSON lines.
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tools/lib/nsim.sh"

runs=$(mktemp)
trap nsim_pair_destroy EXIT
nsim_pair_create 1 || exit 1
for i in 1 2 3; do
	nsim_xfer 256M --json >> "$runs" || exit 1
done
python3 - "$runs" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
gbps = statistics.median(r["gbit_per_s"] for r in runs)
cpu_per_gb = statistics.median(r["cpu_seconds"] / (r["bytes"] / 1e9) for r in runs)
print(json.dumps({"metric": "tcp_recv_1flow_throughput", "value": gbps,
                  "unit": "Gbit/s", "better": "higher"}))
print(json.dumps({"metric": "tcp_recv_1flow_cpu_per_gb", "value": cpu_per_gb,
                  "unit": "CPU s/GB", "better": "lower"}))
PY
