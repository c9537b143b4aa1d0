#!/bin/bash
# SO_DEVMEM_DONTNEED abuse on a live devmem TCP socket (devmem_tokens.c),
# on netdevsim with whatever provider the kernel has.
#
# The program binds a 64 MiB udmabuf to RX queue 3 of a 4-queue device with
# header split on; RSS keeps other flows on queues 0-1 and an ntuple rule
# steers the devmem flow to queue 3, as in devmem_rx.sh. "tcpxfer send"
# sends 4 MiB from the peer namespace; the program holds a few hundred
# tokens, runs its cases on them (a nested KTAP document here), reads the
# rest and exits having closed everything and unbound. Then no binding and
# no buffer may be left: our provider's debugfs totals say so where the
# kernel has them, the device's page pools otherwise (stock).
#
# usage: selftests/net/devmem_tokens.sh   (no arguments; in the VM, as root)
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
port=5204
queue=3
bytes=$((4 << 20))
out=/tmp/devmem_tokens
bindings=/sys/kernel/debug/dmabuf_pp/bindings

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
tx() { ip netns exec "$NSIM_NS_TX" "$@"; }

# The program's KTAP, captured while it ran in the background, and its status.
replay() { cat "$1"; return "$2"; }

# Succeeds when nothing of the binding is left; prints what it looked at.
# "total bindings N buffers B out O" is the last line of our provider's
# file; without it, no pool of the device may serve a dma-buf or have
# buffers out, and the device must have pools at all (else the dump
# proves nothing).
leftovers() {
	if [ -e "$bindings" ]; then
		tail -n 1 "$bindings" |
			awk '{ print } $1 == "total" && $3 == 0 && $7 == 0 { ok = 1 } END { exit !ok }'
	else
		rx "$BIN/devmemctl" pools "$NSIM_IF_RX" 2>&1 |
			awk '{ print } $1 != "id" { next }
			     { n++; delete v; for (i = 1; i < NF; i += 2) v[$i] = $(i + 1) }
			     v["dmabuf"] + 0 || v["inflight"] + 0 { bad++ }
			     END { exit !(n && !bad) }'
	fi
}

ktap_start 7
trap nsim_pair_destroy EXIT
mkdir -p $out

nsim_pair_create 4
ktap_result $? pair_with_four_rx_queues || ktap_exit

rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on >/dev/null 2>$out/hds.err &&
	rx "$BIN/devmemctl" hds "$NSIM_IF_RX" | grep -q "tcp-data-split on"
ktap_result $? header_split_on "$(cat $out/hds.err)"

# RSS over queues 0-1 only; the devmem flow is steered to queue 3.
nsim_steer_port $port $queue
ktap_result $? rss_and_ntuple_steering

# Entries one SO_DEVMEM_DONTNEED takes: 1024 with dmabuf-pp's provider
# (its debugfs directory, seen from here: ip netns exec remounts /sys),
# 128 with upstream's.
max_entries=128
[ -d /sys/kernel/debug/dmabuf_pp ] && max_entries=1024

send_rc="not run: the program never got ready"
if nsim_rx_start "$BIN/selftests/devmem_tokens" "$NSIM_IF_RX" $queue $port 3 $max_entries \
		> $out/tokens.ktap 2> $out/tokens.err; then
	tx "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $port -n $bytes 2> $out/send.err
	send_rc=$?
fi
wait "$NSIM_RX_PID"
rc=$?
[ -s $out/tokens.err ] && ktap_diag "$(cat $out/tokens.err)"
ktap_nested token_cases replay $out/tokens.ktap $rc

[ "$send_rc" = 0 ]
ktap_result $? sender_sent_all "tcpxfer send: $send_rc $(cat $out/send.err 2>/dev/null)"

# The program closed its sockets and unbound before it exited; the binding
# goes once every buffer is back in it, asynchronously. Poll, with a
# deadline, after each time every CPU has freed the skbs it deferred.
deadline=$((SECONDS + 20))
while :; do
	nsim_flush_deferred_frees
	left=$(leftovers)
	clean=$?
	if [ $clean -eq 0 ] || [ $SECONDS -ge $deadline ]; then
		break
	fi
	sleep 0.2
done
ktap_result "$clean" nothing_left_after_close_and_unbind "$left"

trap - EXIT
nsim_pair_destroy_checked
ktap_result $? teardown_leaves_nothing
ktap_exit
