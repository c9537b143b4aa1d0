#!/bin/bash
# Workload: the ways to receive TCP over the same netdevsim pair, in one
# boot, against the number of flows (1, 2, 4, 8): devmem (payload into a
# bound udmabuf, no payload check), plain recv() (copy to user), and
# recv(MSG_TRUNC) (no copy at all: the stack's ceiling). Each flow has its
# own RX queue (ntuple rule); in devmem mode each queue has its own 64 MiB
# dma-buf. Throughput is all bytes over the time from the senders' release
# (each started and connected, waiting) to the last receiver done; CPU is
# the receivers' own CPU time per GB (getrusage: their runtime, with the
# softirq work that ran in their context), and "sys CPU" is the whole
# guest's busy time per GB over the same interval (/proc/stat: senders,
# softirqs and NAPI wherever they ran; nothing else runs then).
#
# Every metric but plain's names plain as its "baseline", so the report
# prints devmem/plain and trunc/plain per flavor next to ours/stock.
#
# devmembar is devmem into device memory: each queue's 64 MiB dma-buf from
# the BAR heap (the VM's --devmem, 512 MiB at least; make bench gives
# 1 GiB), memory without
# struct pages; its lines name devmem's as their baseline (BAR vs udmabuf,
# same boot). Without device memory it is left out, and said so.
#
# devmembuf is devmem at 4 flows against the RX buffer size (ethtool
# rx-buf-len 4 to 64 KiB) over hugetlb-backed dma-bufs, its baseline
# devmem's 4 flows. A provider that cannot bind buffers of a size
# (upstream's asks for page_pool order 0) has no line at that size, and
# says so on stderr.
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tools/lib/nsim.sh"
. "$top/tools/bench/flows.sh"

BIN=$top/.cache/bin
RUNS=${BENCH_RUNS:-3}
out=/tmp/rx_paths
mkdir -p $out
rx() { ip netns exec "$NSIM_NS_RX" "$@"; }

setup() {
	local i
	nsim_pair_create 9 || return 1
	rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on > /dev/null || return 1
	rx ethtool -X "$NSIM_IF_RX" equal 1 || return 1
	rx ethtool -K "$NSIM_IF_RX" ntuple on || return 1
	for i in $(seq 8); do
		rx ethtool -N "$NSIM_IF_RX" flow-type tcp4 dst-ip "$NSIM_ADDR_RX" \
			dst-port $((5300 + i)) action $i > /dev/null || return 1
	done
}

# Start the receiver of flow I in MODE for BYTES; returns once it is ready.
recv_start() {
	local mode=$1 i=$2 bytes=$3
	case $mode in
	devmem)	nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q "$i" \
			-p $((5300 + i)) -s 64M -n "$bytes" --json --ready-fd 3 \
			--timeout $bench_timeout ;;
	devmembuf)
		nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q "$i" \
			-p $((5300 + i)) -s 64M -n "$bytes" --hugetlb --json \
			--ready-fd 3 --timeout $bench_timeout ;;
	devmembar)
		nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q "$i" \
			-p $((5300 + i)) -s 64M -n "$bytes" \
			--heap="bar-$DEVMEM_PCI" --json --ready-fd 3 \
			--timeout $bench_timeout ;;
	plain)	nsim_recv_start -b "$NSIM_ADDR_RX" -p $((5300 + i)) \
			-n "$bytes" --json --timeout $bench_timeout ;;
	trunc)	nsim_recv_start -b "$NSIM_ADDR_RX" -p $((5300 + i)) \
			-n "$bytes" --trunc --json --timeout $bench_timeout ;;
	esac > "$out/$mode.$i.json" 2> "$out/$mode.$i.err" ||
		{ cat "$out/$mode.$i.err" >&2; return 1; }
	pids+=("$NSIM_RX_PID")
}

# Start the sender of flow I (BYTES): connected, and waiting at the gate.
send_start() {
	gated_start "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $((5300 + $1)) \
		-n "$2" --timeout $bench_timeout || return 1
	senders+=("$NSIM_PID")
}

# One run: FLOWS flows of BYTES each in MODE; prints three metric lines,
# rx_NAME_gbit_per_s, rx_NAME_cpu_s_per_gb and rx_NAME_sys_cpu_s_per_gb.
run() {
	local mode=$1 flows=$2 bytes=$3 name=$4 i t0 t1 b0 b1 rc=0
	pids=() senders=()
	for i in $(seq "$flows"); do
		recv_start "$mode" "$i" "$bytes" || return 1
	done
	for i in $(seq "$flows"); do
		send_start "$i" "$bytes" || return 1
	done
	# Every program is started and every connection made: the interval
	# holds the transfer alone, no exec from the 9p root (the I/O to the
	# host whose timing icount cannot fix) and no `date` either.
	if [ -n "$profile" ]; then
		profile_ctl enable || return 1
	fi
	b0=$(busy_ticks)
	t0=$EPOCHREALTIME
	go_release "$flows"
	for i in "${senders[@]}" "${pids[@]}"; do
		wait "$i" || rc=1
	done
	t1=$EPOCHREALTIME
	b1=$(busy_ticks)
	if [ -n "$profile" ]; then
		profile_ctl disable || return 1
	fi
	# A receiver's stderr (devmem-rx's notes, progress) is kept out of the
	# console, but not out of sight when the run failed.
	[ $rc -eq 0 ] || { cat $out/*.err >&2; return 1; }
	local base=-
	case $mode in
	devmembar | devmembuf) base=devmem_${flows}flow ;;
	plain) ;;
	*) base=plain_${flows}flow ;;
	esac
	"$top/tools/bench/flow_metrics.py" rx "$name" "$flows" "$t0" "$t1" \
		"$(((b1 - b0) * 1000000 / $(getconf CLK_TCK)))" "$base" \
		$out/"$mode".*.json
}

# RX buffers of LEN bytes on every queue of the receiving device.
buf_len() { rx ethtool -G "$NSIM_IF_RX" rx-buf-len "$1"; }

# The RX buffer sizes this kernel's provider binds (4 KiB always): the
# devmembuf sweep's points.
probe_buf_sizes() {
	local size
	buf_sizes=(4096)
	for size in 8192 16384 32768 65536; do
		if buf_len $size 2> "$out/probe.err" &&
			rx "$BIN/devmemctl" bind "$NSIM_IF_RX" queues 1 udmabuf 4M \
				hugetlb > /dev/null 2> "$out/probe.err"; then
			buf_sizes+=($size)
		else
			echo "rx_paths: RX buffers of $((size / 1024)) KiB refused," \
				"no rx_devmembuf_$((size / 1024))k lines: $(tail -n 1 "$out/probe.err")" >&2
		fi
	done
	buf_len 4096
}

# BENCH_PROFILE=NAME (tools/bench/run --profile): run NAME alone (e.g.
# devmem_4flow, devmembuf_64k) once, and sample where every CPU spends
# its time during the transfer: perf's software clock, which under icount
# ticks with instructions executed. perf starts before the run, its
# sampling enabled and disabled through its control fifo around the
# interval the metrics time; its report goes to stderr.
profile=${BENCH_PROFILE:-}
profile_start() {
	mkfifo $out/perf.ctl $out/perf.ack || return 1
	perf record -q -a -e cpu-clock -F 4999 -D -1 \
		--control fifo:$out/perf.ctl,$out/perf.ack -o $out/perf.data \
		> $out/perf.log 2>&1 &
	perf_pid=$!
	exec 6> $out/perf.ctl 7< $out/perf.ack
}
# profile_ctl enable|disable: returns once perf acknowledged it
profile_ctl() {
	local ack=
	echo "$1" >&6 && read -r -t $bench_timeout ack <&7 && [ "$ack" = ack ] ||
		{ echo "rx_paths: perf did not acknowledge '$1': $(cat $out/perf.log)" >&2; return 1; }
}
profile_report() {
	exec 6>&- 7<&-
	kill -INT "$perf_pid"
	wait "$perf_pid"
	echo "rx_paths: profile of $profile, every CPU, by symbol:" >&2
	perf report -i $out/perf.data --stdio --no-children --sort sym \
		--percent-limit 0.3 2> /dev/null | grep -v '^$' >&2
}
# true if the run named NAME is to be made
wanted() { [ -z "$profile" ] || [ "$1" = "$profile" ]; }

cleanup() {
	[ -n "$old_hugepages" ] && echo "$old_hugepages" > /proc/sys/vm/nr_hugepages
	nsim_pair_destroy
}

# 256 MiB a run, under icount too: with 64 MiB, connection setup and
# process start weighed so much that throughput fell from 0.7-0.8 to
# 0.25-0.35 Gbit/s and ratios moved by up to 2x (receivers' CPU at one
# flow: 0.664x at 256 MiB, 1.306x at 64 MiB).
total_mib=256

old_hugepages=$(cat /proc/sys/vm/nr_hugepages)
trap cleanup EXIT
# four 64 MiB dma-bufs of 2 MiB pages, and the probe's 4 MiB
echo $((old_hugepages + 132)) > /proc/sys/vm/nr_hugepages
go_open $out/go || exit 1
setup || exit 1
probe_buf_sizes || exit 1
modes=(plain trunc devmem)
if [ -n "${DEVMEM_PCI:-}" ]; then
	modes+=(devmembar)
else
	echo "rx_paths: no device memory (tools/vm/run --devmem): no devmembar lines" >&2
fi
if [ -n "$profile" ]; then
	RUNS=1
	profile_start || exit 1
fi
for _ in $(seq "$RUNS"); do
	for mode in "${modes[@]}"; do
		for flows in 1 2 4 8; do
			wanted "${mode}_${flows}flow" || continue
			run $mode $flows $((total_mib / flows))M "${mode}_${flows}flow" ||
				{ echo "rx_paths: $mode, $flows flows failed" >&2; exit 1; }
			rm -f $out/*.json $out/*.err
		done
	done
	for size in "${buf_sizes[@]}"; do
		wanted "devmembuf_$((size / 1024))k" || continue
		buf_len "$size" || exit 1
		run devmembuf 4 $((total_mib / 4))M "devmembuf_$((size / 1024))k" ||
			{ echo "rx_paths: devmembuf, $size-byte buffers failed" >&2; exit 1; }
		rm -f $out/*.json $out/*.err
	done
	buf_len 4096 || exit 1
done
if [ -n "$profile" ]; then
	profile_report
fi
