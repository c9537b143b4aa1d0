#!/bin/bash
# The dmabuf-pp provider's bindings over their whole life, on netdevsim:
# multi-queue binds and their failure, a second exporter, and every way a
# binding can end. After each case the provider's own counters
# (/sys/kernel/debug/dmabuf_pp/bindings) and the udmabuf exporter's pinned
# pages must be back where they started: no binding, no buffer out.
#
# Each case sets up what it needs (RSS, steering, the RX device itself)
# rather than relying on what the case before it left, so any one of them
# can be moved, dropped or fail without taking the others along.
#
# Needs a kernel with CONFIG_DMABUF_PP_PROVIDER and our udmabuf exporter.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/json.sh"
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/volume.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
port=5202
out=/tmp/devmem_lifecycle
provider=/sys/kernel/debug/dmabuf_pp/bindings
exporter=/sys/kernel/debug/udmabuf/stats
nsim_dfs=/sys/kernel/debug/netdevsim/netdevsim$NSIM_ID_RX/ports/0

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
tx() { ip netns exec "$NSIM_NS_TX" "$@"; }

# "bindings N out O pages P": the provider's totals and the exporter's
# pinned pages.
counters() {
	local b o p
	read -r _ _ b _ _ _ o < <(tail -n 1 $provider)
	p=$(awk '$1 == "pages" { print $2 }' $exporter)
	echo "bindings $b out $o pages $p"
}

# Wait (at most 30 s) until the counters start with WANT. Bindings outlive
# their socket until their page_pools drain, which page_pool retries once
# a second, and skbs freed on another CPU wait in that CPU's defer list:
# flush those first, unless the second argument is "unaided" (a binding
# with no device and no user must bring its buffers home by itself).
wait_counters() {
	local want=$1 deadline=$((SECONDS + 30)) now
	[ "${2:-}" = unaided ] || nsim_flush_deferred_frees
	while now=$(counters); [[ $now != "$want"* ]]; do
		if [ $SECONDS -ge $deadline ]; then
			ktap_diag "counters: $now, want: $want"
			sed 's/^/# /' $provider
			return 1
		fi
		sleep 0.1	# polls a condition, with a deadline
	done
}

back_to_start() { wait_counters "$start" "$@"; }

# Flows to $port go to queue 3 (RSS off queues 2-3), unless they already do.
steer_to_queue3() {
	rx ethtool -n "$NSIM_IF_RX" | grep -q "Action: Direct to queue 3" ||
		nsim_steer_port $port 3
}

# No ntuple rule left on the RX device.
no_steering() {
	local loc
	for loc in $(rx ethtool -n "$NSIM_IF_RX" | awk '/^Filter:/ { print $2 }'); do
		rx ethtool -N "$NSIM_IF_RX" delete "$loc" || return 1
	done
}

# The RX device with QUEUES queues and header split on, made anew in its
# namespace (itself made anew if gone) unless it is there.
rx_device() {
	[ -e "/sys/bus/netdevsim/devices/netdevsim$NSIM_ID_RX" ] && return 0
	{ [ -e "/run/netns/$NSIM_NS_RX" ] || ip netns add "$NSIM_NS_RX"; } &&
		NSIM_IF_RX=$(nsim_dev_create "$NSIM_ID_RX" "$1" "$NSIM_NS_RX") &&
		rx ip link set "$NSIM_IF_RX" up &&
		rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on > /dev/null
}

# How many dma-buf attachments the RX netdevsim device has (the dma-buf
# core's list of every buffer and the devices attached to it).
attached() {
	grep -cx "	netdevsim$NSIM_ID_RX" /sys/kernel/debug/dma_buf/bufinfo
}

# devmemctl bind DEV ARGS... hold, in the RX namespace, in the background.
# Returns once the binding is made (its line printed) or refused; the
# binding lasts until hold_stop closes devmemctl's stdin.
hold_start() {
	local in o
	in=$(mktemp -u /tmp/hold-in.XXXXXX)
	o=$(mktemp -u /tmp/hold-out.XXXXXX)
	mkfifo "$in" "$o" || return 1
	# Not through rx(): a backgrounded function is a subshell, and
	# HOLD_PID must be devmemctl itself (ip netns exec execs it).
	ip netns exec "$NSIM_NS_RX" "$BIN/devmemctl" bind "$@" hold \
		< "$in" > "$o" 2> $out/hold.err &
	HOLD_PID=$!
	exec {HOLD_IN}> "$in" {HOLD_OUT}< "$o"
	rm -f "$in" "$o"
	HOLD_LINE=
	read -r -t 300 HOLD_LINE <&$HOLD_OUT
	[[ $HOLD_LINE == binding* ]]
}

hold_stop() {
	local rc
	exec {HOLD_IN}>&-
	wait "$HOLD_PID"
	rc=$?
	exec {HOLD_OUT}<&-
	return $rc
}

# The devmem-rx reports (one JSON object per line) in FILE: all verified,
# all payload in the dma-buf, COUNT of them.
reports_ok() {
	sed 's/^/# /' "$1"
	json_lines_true "$1" "len(J) == $2 and all(r['verified'] and
		r['dmabuf_bytes'] == r['bytes'] and r['linear_bytes'] == 0 for r in J)"
}

# devmem-rx with ARGS receiving FLOWS verified flows of BYTES each, sent
# from the other side; passes when both ends did and every report is
# verified with all payload in the dma-buf. NAME names the output files.
verified_run() {
	local name=$1 flows=$2 bytes=$3 send_rc rx_rc
	shift 3
	nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -p $port -n "$bytes" \
		--flows "$flows" --verify --json --ready-fd 3 --timeout 120 "$@" \
		> "$out/$name.json" 2> "$out/$name.err"
	send_flows "$flows" "$bytes"
	send_rc=$?
	wait $NSIM_RX_PID
	rx_rc=$?
	ktap_diag "$(cat "$out/$name.err")"
	[ $send_rc = 0 ] && [ $rx_rc = 0 ] && reports_ok "$out/$name.json" "$flows"
}

# Send BYTES on each of FLOWS connections to the devmem-rx started before.
send_flows() {
	local flows=$1 bytes=$2 i pids=() rc=0
	for i in $(seq "$flows"); do
		tx "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $port -n "$bytes" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || rc=1
	done
	return $rc
}

# A receiver on queue 3 that keeps every token, and a 1 GiB flow into it;
# returns once 8 MiB more landed on queue 3 (or after 120 s). Sets rx_pid
# and tx_pid.
stream_into_held_tokens() {
	local base deadline=$((SECONDS + 120))
	base=$(nsim_rx_stat rx3_devmem_bytes)
	nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q 3 -p $port -n 1G \
		--hold-tokens --ready-fd 3 --timeout 300 > /dev/null 2> "$out/$1"
	rx_pid=$NSIM_RX_PID
	# Not through tx(): a backgrounded function is a subshell, and tx_pid
	# must be tcpxfer itself (ip netns exec execs it), or killing it leaves
	# a sender that holds our stdout open until its own timeout.
	ip netns exec "$NSIM_NS_TX" "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $port \
		-n 1G --timeout 300 2> /dev/null &
	tx_pid=$!
	until [ "$(nsim_rx_stat rx3_devmem_bytes)" -ge $((base + (8 << 20))) ] ||
		[ $SECONDS -ge $deadline ]; do
		sleep 0.1	# polls a condition, with a deadline
	done
}

ktap_require "needs debugfs with dmabuf-pp's and udmabuf's counters and the dma-buf list" \
	test -r $provider -a -r $exporter -a -r /sys/kernel/debug/dma_buf/bufinfo
ktap_start 11
trap nsim_pair_destroy EXIT
mkdir -p $out

# The start: no binding and no buffer out (what an earlier test left must
# have drained, and with it that test's dma-buf), then the exporter's
# pinned pages as they are once it has.
nsim_pair_create 4 && rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on >/dev/null &&
	[ -w $nsim_dfs/rxq_restart_fail ] && wait_counters "bindings 0 out 0 " &&
	start=$(counters)
ktap_result $? pair_hds_and_no_binding_left || ktap_exit

# --- binding several queues ------------------------------------------------
# One binding over all four queues, RSS spreading four flows over them.
rx ethtool -X "$NSIM_IF_RX" equal 4 &&
	verified_run flows 4 "$(selftest_volume 16M 4M)" -q 0-3 && back_to_start
ktap_result $? four_queues_four_flows_verified

# The same through a dma-buf of the system heap: pages we never see.
verified_run heap 1 "$(selftest_volume 32M 8M)" -q 0-3 --heap && back_to_start
ktap_result $? system_heap_dmabuf_verified

# Queue 2 fails to restart: queues 0 and 1, already restarted with the
# binding, go back to host memory and the bind fails as a whole. The
# queues then work as before: all four bind again.
echo 2 > $nsim_dfs/rxq_restart_fail
rx "$BIN/devmemctl" bind "$NSIM_IF_RX" queues 0-3 udmabuf 4M > $out/fail.out 2>&1
rc=$?
ktap_diag "$(cat $out/fail.out)"
pools=$(rx "$BIN/devmemctl" -j pools "$NSIM_IF_RX" |
	json_eval /dev/stdin 'sum(1 for p in J if p.get("dmabuf"))')
[ $rc = 1 ] && grep -q "RX queue 2 failed to restart" $out/fail.out &&
	[ "$pools" = 0 ] && back_to_start &&
	rx "$BIN/devmemctl" bind "$NSIM_IF_RX" queues 0-3 udmabuf 4M > $out/again.out 2>&1 &&
	back_to_start
ktap_result $? failed_restart_undoes_all_queues "exit $rc, dma-buf pools $pools; again: $(cat $out/again.out)"

# --- lifetime ---------------------------------------------------------------
# devmemctl closes its dma-buf fd right after binding: the binding keeps
# the dma-buf and shows up whole, while devmemctl holds only its sockets.
hold_start "$NSIM_IF_RX" queues 3 udmabuf 8M &&
	id=${HOLD_LINE#binding } && id=${id%% *} &&
	grep -q "^binding $id ifindex [1-9][0-9]* queues 1 buffers 2048 free" $provider &&
	fds=$(ls -l /proc/$HOLD_PID/fd) && grep -q "socket:" <<< "$fds" &&
	! grep -qE "dmabuf|memfd" <<< "$fds"
rc=$?
[ $rc = 0 ] || ktap_diag "devmemctl's fds:" $(awk '{ print $NF }' <<< "$fds")
hold_stop && [ $rc = 0 ] && back_to_start
ktap_result $? dmabuf_fd_closed_right_after_bind "$HOLD_LINE"

# ethtool -L cannot take away a bound queue, and says the memory provider
# is why (RSS is on queues 0-1 and no ntuple rule exists, so nothing else
# stands in the way); once unbound it can.
no_steering && rx ethtool -X "$NSIM_IF_RX" equal 2 &&
	hold_start "$NSIM_IF_RX" queues 3 udmabuf 4M
rc=$?
! rx ethtool -L "$NSIM_IF_RX" combined 2 2> $out/chan.err &&
	grep -q "memory provider" $out/chan.err
refused=$?
ktap_diag "$(cat $out/chan.err)"
hold_stop && [ $rc = 0 ] && [ $refused = 0 ] &&
	rx ethtool -L "$NSIM_IF_RX" combined 2 &&
	rx ethtool -L "$NSIM_IF_RX" combined 4 && back_to_start
ktap_result $? channels_cannot_drop_a_bound_queue

# The receiver dies mid-stream holding every token: its netlink socket
# (opened first, so closed first) unbinds while the TCP socket still holds
# buffers, then the TCP socket's close returns them; skbs it freed on the
# other CPU come home without the test's flush.
steer_to_queue3 && stream_into_held_tokens kill.err
held=$(tail -n 1 $provider)
# ip netns exec execs devmem-rx: the same process
{ kill -9 $rx_pid && wait $rx_pid; } 2> /dev/null
kill $tx_pid 2> /dev/null
wait $tx_pid
ktap_diag "while receiving: $held"
[[ $held == "total bindings 1 "* ]] && [ "${held##* out }" -gt 0 ] &&
	back_to_start unaided
ktap_result $? receiver_killed_holding_tokens

# Bind the same queue 100 times (30 on the debug kernel): rounds of nine
# binds and unbinds in a row (one devmemctl) and one bind carrying a
# verified devmem transfer.
ok=0
rounds=$(selftest_volume 10 3)
steer_to_queue3 || rounds=0
for i in $(seq "$rounds"); do
	rx "$BIN/devmemctl" bind "$NSIM_IF_RX" queues 3 udmabuf 4M repeat 9 \
		> /dev/null 2>> $out/rebind.err &&
		nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q 3 -p $port \
			-n 1M -s 4M --verify --ready-fd 3 --timeout 60 \
			> /dev/null 2>> $out/rebind.err &&
		send_flows 1 1M && wait $NSIM_RX_PID && ok=$((ok + 1))
done
ktap_diag "$(head -n 3 $out/rebind.err)"
[ $rounds != 0 ] && [ $ok = "$rounds" ] && back_to_start
ktap_result $? rebind_in_rounds_of_ten "$ok of $rounds rounds (9 binds, 1 bind with traffic) succeeded"

# --- the netdev goes first ---------------------------------------------------
# Delete the device while a flow runs into the binding and the receiver
# holds its tokens: the binding forgets the device at once, and its
# dma-buf attachment to the device goes with it (no DMA mapping outlives
# the device's driver), while the tokens are still out. Killing the
# receiver gives its tokens back (at close), but its orphaned socket, whose
# FIN can no longer leave, keeps the out-of-order segments it had queued:
# buffers in flight in the stack, which keep the binding alive. Ending that
# socket (ss -K, as its FIN-WAIT timeout would minutes later) ends it all,
# without the test's flush of the CPUs' deferred frees: a binding with no
# device and no user left sees to those itself.
rx_device 4 && steer_to_queue3 && stream_into_held_tokens del.err
attached_before=$(attached)
echo "$NSIM_ID_RX" > /sys/bus/netdevsim/del_device
rc=$?
after_del=$(tail -n 2 $provider)
attached_after=$(attached)
{ kill -9 $rx_pid && wait $rx_pid; } 2> /dev/null
kill $tx_pid 2> /dev/null
wait $tx_pid
ktap_diag "after the delete: $after_del"
ktap_diag "attachments to the device: $attached_before before, $attached_after after"
ktap_diag "lingering: $(rx ss -tanH "sport = :$port" | tr -s ' ' | tr '\n' ';')"
rx ss -K -tanH "sport = :$port" > /dev/null
[ $rc = 0 ] && [[ $after_del == "binding "*" ifindex 0 queues 0 "* ]] &&
	[ "${after_del##* out }" -gt 0 ] &&
	[ "$attached_before" = 1 ] && [ "$attached_after" = 0 ] && back_to_start unaided
ktap_result $? device_deleted_under_traffic_and_tokens

# The namespace of a bound netdev is deleted. The binder lives in it, so
# the namespace goes only when the binder exits: its socket unbinds and
# the namespace's teardown moves the device out, in that order.
rx_device 2 && hold_start "$NSIM_IF_RX" queues 1 udmabuf 4M &&
	ip netns del "$NSIM_NS_RX" &&
	grep -q "queues 1 buffers" $provider
rc=$?
hold_stop; [ $rc = 0 ] && back_to_start
ktap_result $? netns_deleted_while_bound

trap - EXIT
nsim_pair_destroy
back_to_start && [ -z "$(ls /sys/bus/netdevsim/devices/)" ]
ktap_result $? teardown_leaves_nothing
ktap_exit
