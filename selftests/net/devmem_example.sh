#!/bin/bash
# tools/examples/devmem_receiver.c, the receiver on libdevmem alone
# written to be copied, does the whole job on a netdevsim pair: header split
# on, RSS kept off its queue, its port steered there, a udmabuf bound,
# 16 MiB received with every byte checked in the dma-buf, and everything
# undone on the way out (rule deleted, RSS table back to default, binding
# gone with no buffer left out).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/json.sh"
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
port=5301
queue=1
bytes=$((16 << 20))
out=/tmp/devmem_example

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
listening() { [ -n "$(rx ss -Hltn "sport = :$port")" ]; }
# RSS table entries pointing at each queue, as "Q:COUNT ..."
rss_spread() {
	rx ethtool -x "$NSIM_IF_RX" | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) n[$i]++ }
		END { for (q in n) printf "%s:%d ", q, n[q] }'
}

ktap_start 5
trap nsim_pair_destroy EXIT
mkdir -p $out

nsim_pair_create 2
ktap_result $? pair_with_two_rx_queues || ktap_exit

# ip netns exec execs the receiver: rx_pid is the receiver itself
ip netns exec "$NSIM_NS_RX" "$BIN/devmem-receiver" "$NSIM_IF_RX" $queue $port \
	> $out/rx.out 2> $out/rx.err &
rx_pid=$!
# the receiver listens once the device is set up and the buffer bound
nsim_poll 120 listening &&
	rx "$BIN/devmemctl" -j show "$NSIM_IF_RX" > $out/show.json 2> $out/show.err &&
	spread_bound=$(rss_spread) &&
	rules_bound=$(rx ethtool -n "$NSIM_IF_RX" | grep -c "Action: Direct to queue $queue") &&
	ip netns exec "$NSIM_NS_TX" "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $port -n $bytes
tx_rc=$?
# a receiver that never saw its sender would wait in accept() forever
[ $tx_rc = 0 ] || kill $rx_pid 2> /dev/null
wait $rx_pid
rx_rc=$?
ktap_diag "$(cat $out/rx.out $out/rx.err)"
ktap_diag "while bound: RSS $spread_bound, rules to queue $queue: $rules_bound"
[ $tx_rc = 0 ] && [ $rx_rc = 0 ] &&
	[ "$(cat $out/rx.out)" = "received $bytes bytes: $bytes in the dma-buf, 0 linear, 0 bad" ]
ktap_result $? receives_16m_verified_in_dmabuf "sender $tx_rc, receiver $rx_rc"

# While it ran: every RSS entry on queue 0, one rule to its queue.
[[ $spread_bound =~ ^0:[0-9]+\ $ ]] && [ "$rules_bound" = 1 ]
ktap_result $? steered_and_kept_off_rss "RSS $spread_bound"

# devmemctl show lists the binding on either kernel: with its statistics
# through the dmabuf-pp family (ours), from page-pool netlink (stock).
ifindex=$(rx cat "/sys/class/net/$NSIM_IF_RX/ifindex")
ktap_diag "show: $(cat $out/show.json)"
json_true $out/show.json "len(J) == 1 and J[0]['ifindex'] == $ifindex and
	J[0]['id'] > 0 and (J[0]['pools'] >= 1 if J[0].get('source') == 'page-pool'
	else J[0]['queues'] == [$queue] and J[0]['buffers'] == (64 << 20) // 4096)"
ktap_result $? show_lists_the_binding "$(cat $out/show.err)"

# Afterwards: no rule, RSS over both queues again, no binding, no buffer
# out.
[ "$(rx ethtool -n "$NSIM_IF_RX" | grep -c '^Filter:')" = 0 ] &&
	[[ $(rss_spread) == *"0:"* ]] && [[ $(rss_spread) == *"$queue:"* ]] &&
	nsim_rx_pools_drained $out/pools.json
ktap_result $? everything_undone "RSS $(rss_spread); pools $(cat $out/pools.json)"
ktap_exit
