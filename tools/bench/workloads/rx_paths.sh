#!/bin/bash
# Workload: the three ways to receive TCP over the same netdevsim pair, in
# one boot: devmem (payload into a bound udmabuf, no payload check), plain
# recv() (copy to user), and recv(MSG_TRUNC) (no copy at all), 1 and 4
# flows. Each flow has its own RX queue (ntuple rule); in devmem mode each
# queue has its own 64 MiB dma-buf. Throughput is all bytes over the wall
# time from the first send to the last receiver done; CPU is the
# receivers' own CPU time per GB.
#
# Every metric but plain's names plain as its "baseline", so the report
# prints devmem/plain and trunc/plain per flavor next to ours/stock.
#
# devmembar is devmem into device memory: each queue's 64 MiB dma-buf from
# the BAR heap (the VM's --devmem), memory without struct pages; its lines
# name devmem's as their baseline (BAR vs udmabuf, same boot). Without
# device memory it is left out, and said so.
#
# devmem64k is devmem with 64 KiB RX buffers (ethtool rx-buf-len) over
# hugetlb-backed dma-bufs. A provider that cannot bind buffers larger than
# a page (upstream's asks for page_pool order 0) runs it with 4 KiB
# buffers instead, and its lines say so in a "note": its best against ours.
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
RUNS=${BENCH_RUNS:-3}
out=/tmp/rx_paths
mkdir -p $out

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }

setup() {
	local i
	nsim_pair_create 5 || return 1
	rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on > /dev/null || return 1
	rx ethtool -X "$NSIM_IF_RX" equal 1 || return 1
	rx ethtool -K "$NSIM_IF_RX" ntuple on || return 1
	for i in 1 2 3 4; do
		rx ethtool -N "$NSIM_IF_RX" flow-type tcp4 dst-ip "$NSIM_ADDR_RX" \
			dst-port $((5300 + i)) action $i > /dev/null || return 1
	done
}

# Start the receiver of flow I in MODE for BYTES; returns once it is ready.
recv_start() {
	local mode=$1 i=$2 bytes=$3
	case $mode in
	devmem)	nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q "$i" \
			-p $((5300 + i)) -s 64M -n "$bytes" --json --ready-fd 3 ;;
	devmem64k)
		nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q "$i" \
			-p $((5300 + i)) -s 64M -n "$bytes" --hugetlb --json \
			--ready-fd 3 ;;
	devmembar)
		nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q "$i" \
			-p $((5300 + i)) -s 64M -n "$bytes" \
			--heap="bar-$DEVMEM_PCI" --json --ready-fd 3 ;;
	plain)	nsim_recv_start -b "$NSIM_ADDR_RX" -p $((5300 + i)) \
			-n "$bytes" --json ;;
	trunc)	nsim_recv_start -b "$NSIM_ADDR_RX" -p $((5300 + i)) \
			-n "$bytes" --trunc --json ;;
	esac > "$out/$mode.$i.json" || return 1
	pids+=("$NSIM_RX_PID")
}

# One run: FLOWS flows of BYTES each in MODE; prints two metric lines.
run() {
	local mode=$1 flows=$2 bytes=$3 i t0 t1 rc=0 senders=()
	pids=()
	for i in $(seq "$flows"); do
		recv_start "$mode" "$i" "$bytes" || return 1
	done
	t0=$(date +%s.%N)
	for i in $(seq "$flows"); do
		ip netns exec "$NSIM_NS_TX" "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" \
			-p $((5300 + i)) -n "$bytes" &
		senders+=($!)
	done
	for i in "${senders[@]}" "${pids[@]}"; do
		wait "$i" || rc=1
	done
	t1=$(date +%s.%N)
	[ $rc -eq 0 ] || return 1
	NOTE=$note python3 - "$mode" "$flows" "$t0" "$t1" $out/"$mode".*.json <<'PY'
import json, os, sys
mode, flows = sys.argv[1], int(sys.argv[2])
t0, t1, files = float(sys.argv[3]), float(sys.argv[4]), sys.argv[5:]
runs = [json.load(open(f)) for f in files]
assert len(runs) == flows, files
total = sum(r["bytes"] for r in runs)
cpu = sum(r["cpu_seconds"] for r in runs)
for suffix, value, unit, better in (
        ("gbit_per_s", total * 8 / (t1 - t0) / 1e9, "Gbit/s", "higher"),
        ("cpu_s_per_gb", cpu / (total / 1e9), "CPU s/GB", "lower")):
    line = {"metric": f"rx_{mode}_{flows}flow_{suffix}", "value": value,
            "unit": unit, "better": better}
    if mode == "devmembar":
        line["baseline"] = f"rx_devmem_{flows}flow_{suffix}"
    elif mode != "plain":
        line["baseline"] = f"rx_plain_{flows}flow_{suffix}"
    if mode == "devmem64k" and os.environ["NOTE"]:
        line["note"] = os.environ["NOTE"]
    print(json.dumps(line))
PY
}

# RX buffers of LEN bytes on every queue of the receiving device.
buf_len() { rx ethtool -G "$NSIM_IF_RX" rx-buf-len "$1"; }

# Can this kernel's provider bind 64 KiB buffers? Decides devmem64k's
# buffer size once, and the note its lines carry.
probe_64k() {
	big=65536 note=
	if ! buf_len 65536 2> "$out/probe.err" ||
		! rx "$BIN/devmemctl" bind "$NSIM_IF_RX" queues 1 udmabuf 4M \
			hugetlb > /dev/null 2> "$out/probe.err"; then
		big=4096
		note="4 KiB buffers: 64 KiB refused ($(tail -n 1 "$out/probe.err"))"
	fi
	buf_len 4096
}

cleanup() {
	[ -n "$old_hugepages" ] && echo "$old_hugepages" > /proc/sys/vm/nr_hugepages
	nsim_pair_destroy
}

old_hugepages=$(cat /proc/sys/vm/nr_hugepages)
trap cleanup EXIT
# four 64 MiB dma-bufs of 2 MiB pages, and the probe's 4 MiB
echo $((old_hugepages + 132)) > /proc/sys/vm/nr_hugepages
setup || exit 1
probe_64k || exit 1
modes=(plain trunc devmem devmem64k)
if [ -n "${DEVMEM_PCI:-}" ]; then
	modes+=(devmembar)
else
	echo "rx_paths: no device memory (tools/vm/run --devmem): no devmembar lines" >&2
fi
for _ in $(seq "$RUNS"); do
	for mode in "${modes[@]}"; do
		if [ $mode = devmem64k ]; then buf_len "$big" || exit 1; fi
		for flows in 1 4; do
			bytes=$((256 / flows))M
			run $mode $flows $bytes ||
				{ echo "rx_paths: $mode, $flows flows failed" >&2; exit 1; }
			rm -f $out/*.json
		done
		if [ $mode = devmem64k ]; then buf_len 4096 || exit 1; fi
	done
done
