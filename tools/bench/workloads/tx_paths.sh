#!/bin/bash
# Workload: the ways to send TCP over the same netdevsim pair, in one boot,
# at 1 and 4 flows: plain send() from host memory (the copy into the
# kernel), MSG_ZEROCOPY from host memory (no copy; pages pinned, and a
# completion per send), and devmem TX out of a udmabuf (no copy, nothing
# pinned per send, the device reads the dma-buf by DMA address). All three
# are devmem-tx, writing the same pattern and, for the two zerocopy modes,
# reusing a range only after its completion. Each flow is its own
# devmem-tx (for devmem TX, with its own 16 MiB dma-buf and binding) and
# its own receiver, tcpxfer recv --trunc, the cheapest receiver there is.
#
# Throughput is all bytes over the time from the senders' release (each
# started, its dma-buf bound, waiting) to the last receiver done; CPU is
# the senders' own CPU time per GB (getrusage of the flows, with the
# softirq work that ran in their context), and "sys CPU" the whole guest's
# busy time per GB over the same interval (/proc/stat: receivers too).
# Zerocopy and devmem lines name plain send's as their "baseline", so the
# report prints them against it per flavor. Stock (6.12) has no devmem
# TX: its devmem lines are left out, and it says so.
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tools/lib/nsim.sh"
. "$top/tools/bench/flows.sh"

BIN=$top/.cache/bin
RUNS=${BENCH_RUNS:-3}
out=/tmp/tx_paths
mkdir -p $out
# Start the sender of flow I (BYTES, MODE): devmem-tx sets up its dma-buf
# and binding and waits at the gate; it connects once released.
send_start() {
	# shellcheck disable=SC2046 # mode_args: words on purpose
	gated_start "$BIN/devmem-tx" -c "$NSIM_ADDR_RX" -p $((5400 + $2)) \
		-n "$3" --json $(mode_args "$1") --timeout $bench_timeout \
		> "$out/send.$2.json" || return 1
	pids+=("$NSIM_PID")
}

# devmem-tx's arguments for MODE
mode_args() {
	case $1 in
	send) ;;
	zerocopy) echo --zerocopy ;;
	devmem) echo --dmabuf udmabuf --dev "$NSIM_IF_TX" ;;
	esac
}

# One run: FLOWS flows of BYTES each in MODE; prints three metric lines,
# tx_NAME_gbit_per_s, tx_NAME_cpu_s_per_gb and tx_NAME_sys_cpu_s_per_gb.
run() {
	local mode=$1 flows=$2 bytes=$3 name=$4 i t0 t1 b0 b1 rc=0
	pids=()
	for i in $(seq "$flows"); do
		nsim_recv_start -b "$NSIM_ADDR_RX" -p $((5400 + i)) -n "$bytes" \
			--trunc --json --timeout $bench_timeout > "$out/recv.$i.json" ||
			return 1
		pids+=("$NSIM_RX_PID")
	done
	for i in $(seq "$flows"); do
		send_start "$mode" "$i" "$bytes" || return 1
	done
	# Every program started, every dma-buf bound: the interval holds the
	# connections and the transfer, no exec from the 9p root (I/O to the
	# host, whose timing icount cannot fix) and no `date` either.
	b0=$(busy_ticks)
	t0=$EPOCHREALTIME
	go_release "$flows"
	for i in "${pids[@]}"; do
		wait "$i" || rc=1
	done
	t1=$EPOCHREALTIME
	b1=$(busy_ticks)
	[ $rc -eq 0 ] || return 1
	local base=send_${flows}flow
	[ "$mode" = send ] && base=-
	"$top/tools/bench/flow_metrics.py" tx "$name" "$flows" "$t0" "$t1" \
		"$(((b1 - b0) * 1000000 / $(getconf CLK_TCK)))" "$base" \
		$out/send.*.json
}

# 256 MiB a run, as rx_paths: less, and connection setup weighs in
total_mib=256

go_open $out/go || exit 1
trap nsim_pair_destroy EXIT
nsim_pair_create 2 || exit 1
modes=(send zerocopy)
# Probe devmem TX with a receiver: does this kernel bind for TX at all?
nsim_recv_start -b "$NSIM_ADDR_RX" -p 5400 -n 1M --trunc > /dev/null || exit 1
probe=$NSIM_RX_PID
if ip netns exec "$NSIM_NS_TX" "$BIN/devmem-tx" -c "$NSIM_ADDR_RX" -p 5400 \
	-n 1M --dmabuf udmabuf --dev "$NSIM_IF_TX" > /dev/null 2> "$out/probe.err"; then
	modes+=(devmem)
	wait "$probe"
else
	echo "tx_paths: no devmem TX here, no tx_devmem lines: $(tail -n 1 "$out/probe.err")" >&2
	kill "$probe" 2>/dev/null
	wait "$probe" 2>/dev/null
fi
for _ in $(seq "$RUNS"); do
	for mode in "${modes[@]}"; do
		for flows in 1 4; do
			run $mode $flows $((total_mib / flows))M "${mode}_${flows}flow" ||
				{ echo "tx_paths: $mode, $flows flows failed" >&2; exit 1; }
			rm -f $out/*.json
		done
	done
done
