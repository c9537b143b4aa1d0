#!/bin/bash
# netdevsim picks the receiving queue as a NIC does, and its ethtool knobs
# do what they say: RSS weights, ntuple rules (tcp4, tcp6, drop, delete),
# channel changes guarded by rules, tcp-data-split on/off/auto.
#
# Where a flow landed is read from the per-queue counters (ethtool -S):
# each check sends a small transfer and looks at which queue's byte count
# moved by at least its size.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
bytes=$((1 << 20))
rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
# xfer PORT [ADDR]: the queues $bytes sent to PORT landed on
xfer() { nsim_xfer_lands $bytes "$@"; }

ktap_start 10
trap nsim_pair_destroy EXIT

nsim_pair_create 4 &&
	ip -n "$NSIM_NS_TX" addr add 2001:db8::1/64 dev "$NSIM_IF_TX" nodad &&
	ip -n "$NSIM_NS_RX" addr add 2001:db8::2/64 dev "$NSIM_IF_RX" nodad
ktap_result $? pair_with_four_rx_queues || ktap_exit

# All RSS weight on queue 2: every flow lands there, whatever its hash.
rx ethtool -X "$NSIM_IF_RX" weight 0 0 1 0 &&
	got=$(xfer 6001) && [ "$got" = "2 " ] && got2=$(xfer 6002) && [ "$got2" = "2 " ]
ktap_result $? rss_weight_sends_all_to_queue_2 "flows landed on: '$got' '$got2'"

# ntuple rules win over RSS, for IPv4 and IPv6.
rx ethtool -K "$NSIM_IF_RX" ntuple on &&
	rx ethtool -N "$NSIM_IF_RX" flow-type tcp4 dst-port 6003 action 1 loc 5 > /dev/null &&
	rx ethtool -N "$NSIM_IF_RX" flow-type tcp6 dst-ip 2001:db8::2 dst-port 6004 action 3 loc 6 > /dev/null &&
	got=$(xfer 6003) && [ "$got" = "1 " ] &&
	got6=$(xfer 6004 2001:db8::2) && [ "$got6" = "3 " ]
ktap_result $? ntuple_tcp4_and_tcp6_beat_rss "tcp4 on '$got', tcp6 on '$got6'"

[ "$(rx ethtool -n "$NSIM_IF_RX" | grep -c '^Filter:')" = 2 ] &&
	rx ethtool -n "$NSIM_IF_RX" rule 6 | grep -q "Direct to queue 3"
ktap_result $? ntuple_rules_listed

# A rule pointing at queue 3 keeps the channel count from dropping below 4.
! rx ethtool -L "$NSIM_IF_RX" combined 2 2> /dev/null &&
	[ "$(rx ethtool -l "$NSIM_IF_RX" | awk '/^Combined/ { n = $2 } END { print n }')" = 4 ]
ktap_result $? channels_guarded_by_rules

# action -1 drops at the receiver and counts: the SYNs of a connection
# attempt (nobody listens; without the rule it would be refused) are
# dropped. The sender keeps retrying until the counter moves; the
# deadline only guards against a hang (the first SYN is usually counted
# before the first read), it is not the time the drop is expected in.
drops0=$(nsim_rx_stat rx_steer_drops)
drops1=$drops0
if rx ethtool -N "$NSIM_IF_RX" flow-type tcp4 dst-port 6005 action -1 loc 7 > /dev/null; then
	ip netns exec "$NSIM_NS_TX" "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" \
		-p 6005 -n 1K 2> /dev/null &
	sender=$!
	deadline=$((SECONDS + 120))
	while [ "${drops1:-0}" -le "${drops0:-0}" ] && [ $SECONDS -lt $deadline ]; do
		drops1=$(nsim_rx_stat rx_steer_drops)
	done
	kill "$sender" 2> /dev/null
	wait "$sender" 2> /dev/null
fi
[ "${drops1:-0}" -gt "${drops0:-0}" ]
ktap_result $? drop_rule_drops_and_counts "steer drops $drops0 -> $drops1"

rx ethtool -N "$NSIM_IF_RX" delete 7 && got=$(xfer 6005) && [ "$got" = "2 " ]
ktap_result $? deleted_rule_no_longer_applies "landed on '$got'"

# With the rules gone and the table back to default (not user-set), two
# channels are allowed and RSS is spread over just those two.
rx ethtool -N "$NSIM_IF_RX" delete 5 && rx ethtool -N "$NSIM_IF_RX" delete 6 &&
	rx ethtool -X "$NSIM_IF_RX" default &&
	rx ethtool -L "$NSIM_IF_RX" combined 2 &&
	[ "$(rx ethtool -x "$NSIM_IF_RX" | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) if ($i > 1) n++ } END { print n + 0 }')" = 0 ]
ktap_result $? fewer_channels_respread_rss

# tcp-data-split: on and off read back; auto reads back as off.
hds() { rx "$BIN/devmemctl" hds "$NSIM_IF_RX" "$@"; }
hds on && [ "$(hds)" = "$NSIM_IF_RX tcp-data-split on" ] &&
	hds auto && [ "$(hds)" = "$NSIM_IF_RX tcp-data-split off" ] &&
	hds off && [ "$(hds)" = "$NSIM_IF_RX tcp-data-split off" ]
ktap_result $? tcp_data_split_on_off_auto "$(hds 2>&1)"

# Debian's ethtool 6.1 still reads rings; the ioctl round trip keeps "on".
hds on && rx ethtool -G "$NSIM_IF_RX" rx 512 &&
	[ "$(hds)" = "$NSIM_IF_RX tcp-data-split on" ]
ktap_result $? ring_ioctl_keeps_header_split "$(hds 2>&1)"
ktap_exit
