# shellcheck shell=bash
# A netdevsim pair across two network namespaces, as tests, the demo and the
# benchmarks use it. Source this file (inside the VM, as root), then:
#
#   nsim_dev_create ID QUEUES NS   one device in NS; prints its name
#   nsim_dev_remove ID [NS...]     remove it (if there) and namespaces NS
#   nsim_pair_create [RX_QUEUES]   make the pair and bring it up
#   nsim_pair_destroy              remove devices and namespaces
#   nsim_pair_destroy_checked      the same; true when nothing of it is left
#   nsim_xfer BYTES [RECV ARGS]    one pattern transfer TX -> RX (tcpxfer)
#   nsim_ns_start NS CMD [ARG...]  a program in namespace NS, once ready
#   nsim_rx_start CMD [ARG...]     the same in the RX namespace
#   nsim_rx_stat NAME              an ethtool -S counter of the RX device
#   nsim_steer_port PORT QUEUE     RSS on queues 0-1, TCP to PORT on QUEUE
#   nsim_flush_deferred_frees      let every CPU free the skbs it deferred
#
# After create, these name the two ends:
#   NSIM_NS_TX, NSIM_IF_TX, NSIM_ADDR_TX    the sending host
#   NSIM_NS_RX, NSIM_IF_RX, NSIM_ADDR_RX    the receiving host (the "NIC"
#                                           devmem tests bind queues on)

NSIM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TCPXFER=${TCPXFER:-$NSIM_TOP/.cache/bin/tcpxfer}

NSIM_NS_TX=nsim-tx
NSIM_NS_RX=nsim-rx
NSIM_ADDR_TX=192.0.2.1
NSIM_ADDR_RX=192.0.2.2
NSIM_ID_TX=${NSIM_ID_TX:-1021}
NSIM_ID_RX=${NSIM_ID_RX:-1022}

# Create netdevsim device ID with QUEUES queues and move its netdev to NS.
# Prints the interface name.
nsim_dev_create() {
	local id=$1 queues=$2 ns=$3 dir ifname
	dir=/sys/bus/netdevsim/devices/netdevsim$id/net
	echo "$id 1 $queues" > /sys/bus/netdevsim/new_device || return 1
	# Probing is synchronous: the netdev exists once the write returns.
	ifname=$(ls "$dir") || return 1
	ip link set "$ifname" netns "$ns" || return 1
	echo "$ifname"
}

# Remove netdevsim device ID, if it is there, then the namespaces NS...
# (for a test's exit trap: always succeeds).
nsim_dev_remove() {
	local id=$1 ns
	shift
	[ -e "/sys/bus/netdevsim/devices/netdevsim$id" ] &&
		echo "$id" > /sys/bus/netdevsim/del_device
	for ns in "$@"; do
		ip netns del "$ns" 2> /dev/null
	done
	return 0
}

nsim_pair_create() {
	local queues=${1:-1} idx_tx idx_rx fd_tx fd_rx
	ip netns add "$NSIM_NS_TX" || return 1
	ip netns add "$NSIM_NS_RX" || return 1
	NSIM_IF_TX=$(nsim_dev_create "$NSIM_ID_TX" "$queues" "$NSIM_NS_TX") || return 1
	NSIM_IF_RX=$(nsim_dev_create "$NSIM_ID_RX" "$queues" "$NSIM_NS_RX") || return 1

	idx_tx=$(ip netns exec "$NSIM_NS_TX" cat "/sys/class/net/$NSIM_IF_TX/ifindex")
	idx_rx=$(ip netns exec "$NSIM_NS_RX" cat "/sys/class/net/$NSIM_IF_RX/ifindex")
	exec {fd_tx}< "/run/netns/$NSIM_NS_TX" {fd_rx}< "/run/netns/$NSIM_NS_RX"
	echo "$fd_tx:$idx_tx $fd_rx:$idx_rx" > /sys/bus/netdevsim/link_device
	local rc=$?
	exec {fd_tx}<&- {fd_rx}<&-
	[ $rc -eq 0 ] || return 1

	ip -n "$NSIM_NS_TX" addr add "$NSIM_ADDR_TX/24" dev "$NSIM_IF_TX" &&
	ip -n "$NSIM_NS_RX" addr add "$NSIM_ADDR_RX/24" dev "$NSIM_IF_RX" &&
	ip -n "$NSIM_NS_TX" link set "$NSIM_IF_TX" up &&
	ip -n "$NSIM_NS_RX" link set "$NSIM_IF_RX" up &&
	ip -n "$NSIM_NS_TX" link set lo up &&
	ip -n "$NSIM_NS_RX" link set lo up
}

nsim_pair_destroy() {
	local id
	for id in "$NSIM_ID_TX" "$NSIM_ID_RX"; do
		[ -e "/sys/bus/netdevsim/devices/netdevsim$id" ] &&
			echo "$id" > /sys/bus/netdevsim/del_device
	done
	ip netns del "$NSIM_NS_TX" 2>/dev/null
	ip netns del "$NSIM_NS_RX" 2>/dev/null
	return 0
}

nsim_pair_destroy_checked() {
	nsim_pair_destroy
	[ -z "$(ls /sys/bus/netdevsim/devices/)" ] && ! ip netns list | grep -q nsim-
}

# Run CMD ARGS in namespace NS in the background, with its fd 3 on a
# pipe; return once CMD writes "ready" there (tcpxfer, devmem-rx and
# devmem-tx do with --ready-fd 3: listening, or set up and waiting), so
# nothing sleeps or polls. Gives up after NSIM_READY_TIMEOUT seconds
# (300). Sets NSIM_PID; the caller waits for it.
nsim_ns_start() {
	local ns=$1 ready line=
	shift
	ready=$(mktemp -u /tmp/nsim-ready.XXXXXX)
	mkfifo "$ready" || return 1
	ip netns exec "$ns" "$@" 3> "$ready" &
	NSIM_PID=$!
	read -r -t "${NSIM_READY_TIMEOUT:-300}" line < "$ready"
	rm -f "$ready"
	[ "$line" = ready ]
}

# nsim_ns_start in the RX namespace; sets NSIM_RX_PID.
nsim_rx_start() {
	nsim_ns_start "$NSIM_NS_RX" "$@"
	local rc=$?
	NSIM_RX_PID=$NSIM_PID
	return $rc
}

# nsim_rx_start for "tcpxfer recv ARGS".
nsim_recv_start() {
	nsim_rx_start "$TCPXFER" recv --ready-fd 3 "$@"
}

# Buffers of skbs that a socket consumed on another CPU than the one that
# received them wait in the receiving CPU's deferred-free list
# (skb_attempt_defer_free()) until that CPU's next RX softirq, however
# long that takes on an idle machine. Raise one on every CPU before
# counting buffers: a loopback datagram sent from a CPU is received on it,
# and net_rx_action() purges the list first.
nsim_flush_deferred_frees() {
	local cpu last
	last=$(($(nproc --all) - 1))
	for cpu in $(seq 0 $last); do
		taskset -c "$cpu" bash -c 'echo > /dev/udp/127.0.0.1/9' || return 1
	done
}

# nsim_rx_pools_drained FILE: the RX device has page pools, none serving a
# dma-buf and none with buffers out, within 30 s (buffers come back
# asynchronously: skbs freed on another CPU wait in its defer list, which
# is flushed first, and a detached pool is retried once a second). The
# last `devmemctl -j pools` reading is left in FILE for diagnostics.
nsim_rx_pools_drained() {
	local file=$1
	nsim_flush_deferred_frees || return 1
	nsim_poll 30 nsim_rx_pools_clean "$file"
}

nsim_rx_pools_clean() {
	ip netns exec "$NSIM_NS_RX" "$NSIM_TOP/.cache/bin/devmemctl" -j pools "$NSIM_IF_RX" > "$1" &&
		python3 -c 'import json, sys
pools = json.load(open(sys.argv[1]))
sys.exit(1 if not pools or any(p.get("dmabuf") or p.get("inflight") for p in pools) else 0)' "$1"
}

# Run CMD ARGS until it succeeds, for at most SECONDS: for conditions that
# come true asynchronously (a binding appears, buffers come back).
nsim_poll() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1	# polls a condition, with a deadline
	done
}

# "Q BYTES" per RX queue of the RX device, from one ethtool -S call.
nsim_rx_queue_bytes() {
	ip netns exec "$NSIM_NS_RX" ethtool -S "$NSIM_IF_RX" |
		sed -n 's/^ *rx\([0-9]*\)_bytes: \([0-9]*\)$/\1 \2/p'
}

# nsim_xfer_lands BYTES PORT [ADDR]: send BYTES to PORT (tcpxfer on both
# ends) and print the RX queues whose byte counter grew by at least BYTES,
# space separated ("2 " for a flow that landed on queue 2).
nsim_xfer_lands() {
	local bytes=$1 port=$2 addr=${3:-$NSIM_ADDR_RX} before
	before=$(nsim_rx_queue_bytes)
	nsim_recv_start -b "$addr" -p "$port" -n "$bytes" > /dev/null || return 1
	ip netns exec "$NSIM_NS_TX" "$TCPXFER" send -c "$addr" -p "$port" -n "$bytes" --timeout 60
	wait "$NSIM_RX_PID" || return 1
	awk -v min="$bytes" 'NR == FNR { b[$1] = $2; next }
		$2 - b[$1] >= min { printf "%s ", $1 }' <(echo "$before") <(nsim_rx_queue_bytes)
}

# The value of counter NAME in ethtool -S of the RX device.
nsim_rx_stat() {
	ip netns exec "$NSIM_NS_RX" ethtool -S "$NSIM_IF_RX" |
		awk -v k="$1:" '$1 == k { print $2 }'
}

# Keep RSS on the RX device's queues 0-1 and steer TCP to the RX address
# and PORT to QUEUE with an ntuple rule, so that QUEUE sees that one flow.
# Fails unless the device reports exactly that back.
nsim_steer_port() {
	local port=$1 queue=$2
	ip netns exec "$NSIM_NS_RX" ethtool -X "$NSIM_IF_RX" equal 2 &&
		ip netns exec "$NSIM_NS_RX" ethtool -K "$NSIM_IF_RX" ntuple on &&
		ip netns exec "$NSIM_NS_RX" ethtool -N "$NSIM_IF_RX" flow-type tcp4 \
			dst-ip "$NSIM_ADDR_RX" dst-port "$port" action "$queue" > /dev/null &&
		[ "$(ip netns exec "$NSIM_NS_RX" ethtool -x "$NSIM_IF_RX" |
			awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) if ($i > 1) n++ }
			     END { print n + 0 }')" = 0 ] &&
		ip netns exec "$NSIM_NS_RX" ethtool -n "$NSIM_IF_RX" |
			grep -q "Action: Direct to queue $queue"
}

# Send BYTES of the pattern from the TX to the RX namespace over the pair,
# with extra "tcpxfer recv" arguments (--verify, --json). The receiver's
# report goes to stdout. Returns 0 only when both ends succeeded; a failed
# sender takes the receiver down with it instead of leaving it waiting.
nsim_xfer() {
	local bytes=$1 send_rc recv_rc
	shift
	nsim_recv_start -b "$NSIM_ADDR_RX" -p 5201 -n "$bytes" "$@" || {
		wait "$NSIM_RX_PID"
		return 1
	}
	ip netns exec "$NSIM_NS_TX" "$TCPXFER" send -c "$NSIM_ADDR_RX" -p 5201 -n "$bytes"
	send_rc=$?
	[ $send_rc -eq 0 ] || kill "$NSIM_RX_PID" 2>/dev/null
	wait "$NSIM_RX_PID"
	recv_rc=$?
	[ $send_rc -eq 0 ] && [ $recv_rc -eq 0 ]
}
