#!/bin/bash
# Workload: what a binding and a token cost (tools/bench/devmem_bench.c):
# bind + unbind of 1 GiB and 4 GiB udmabufs (time, kernel memory), and
# SO_DEVMEM_DONTNEED per token at 1, 16, 128 and 1024 tokens per call,
# over a netdevsim pair with header split on and the measured flow
# steered to queue 1.
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
RUNS=${BENCH_RUNS:-3}
PORT=5400
# Tokens are held 4096 at a time and each batch size must see 8192 of
# them: 4 sizes x 8192 tokens of at most 4 KiB each, and some slack.
BYTES=192M

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }

trap nsim_pair_destroy EXIT
nsim_pair_create 3 || exit 1
rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on > /dev/null || exit 1
nsim_steer_port $PORT 1 || exit 1

rx "$BIN/devmem-bench" bind -i "$NSIM_IF_RX" -q 2 --reps "$RUNS" || exit 1

for _ in $(seq "$RUNS"); do
	nsim_rx_start "$BIN/devmem-bench" dontneed -i "$NSIM_IF_RX" -q 1 \
		-p $PORT --hold 4096 --tokens 8192 || exit 1
	ip netns exec "$NSIM_NS_TX" "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" \
		-p $PORT -n $BYTES || { wait "$NSIM_RX_PID"; exit 1; }
	wait "$NSIM_RX_PID" || exit 1
done
