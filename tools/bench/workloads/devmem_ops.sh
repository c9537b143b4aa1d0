#!/bin/bash
# Workload: what a binding and a token cost (tools/bench/devmem_bench.c),
# as curves: bind + unbind of 64 MiB to 4 GiB udmabufs (time, kernel
# memory) against their size; SO_DEVMEM_DONTNEED per token against the
# tokens per call (1 to 1024) and, at 128 per call (what 6.12 takes),
# against the tokens the socket holds (256 to 16384: constant if the
# token table is O(1)). Over a netdevsim pair with header split on and the
# measured flow steered to queue 1.
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
RUNS=${BENCH_RUNS:-3}
PORT=5400
# Tokens are held 4096 at a time and each batch size must see 8192 of
# them: 6 sizes x 8192 tokens of at most 4 KiB each, and some slack.
BYTES=288M
# The held sweep: each point times max(held, 8192) tokens from a 512 MiB
# dma-buf. It stops at 16384: stock's cost per token grows with the tokens
# held (1.2 us at 256, 83 at 16384 under icount; ours 0.18 to 0.25 us), and
# an earlier 65536 point (439 us a token, timed by wall clock) took a
# stock boot 14 min of host time by itself. 64x between the ends shows
# which curve is flat.
HELD=(256 1024 4096 16384)

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }

trap nsim_pair_destroy EXIT
nsim_pair_create 3 || exit 1
rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on > /dev/null || exit 1
nsim_steer_port $PORT 1 || exit 1

rx "$BIN/devmem-bench" bind -i "$NSIM_IF_RX" -q 2 --reps "$RUNS" || exit 1

# dontneed ARGS... BYTES: one timed stream
dontneed() {
	local bytes=${*: -1}
	nsim_rx_start "$BIN/devmem-bench" dontneed -i "$NSIM_IF_RX" -q 1 \
		-p $PORT "${@:1:$#-1}" || return 1
	ip netns exec "$NSIM_NS_TX" "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" \
		-p $PORT -n "$bytes" || { wait "$NSIM_RX_PID"; return 1; }
	wait "$NSIM_RX_PID"
}

for _ in $(seq "$RUNS"); do
	dontneed --hold 4096 --tokens 8192 $BYTES || exit 1
	for held in "${HELD[@]}"; do
		tokens=$((held > 8192 ? held : 8192))
		dontneed -s 512M --hold "$held" --tokens "$tokens" --per-call 128 \
			$((tokens * 5))K || exit 1
	done
done
