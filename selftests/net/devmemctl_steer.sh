#!/bin/bash
# devmemctl steer and rss (libdevmem's ntuple and RSS calls, through the
# ethtool ioctl): rules read back by Debian's ethtool say what was asked
# (ethtool prints masks inverted: "mask: 0.0.0.0" is an exact match),
# traffic lands where they say, RSS stays off the excluded queues and comes
# back to all of them with "default", deleted rules stop applying, and bad
# requests are refused with a reason and the documented exit status.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/json.sh"
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
bytes=$((1 << 20))
out=/tmp/devmemctl_steer
rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
ctl() { rx "$BIN/devmemctl" "$@"; }
# the queues the RSS table points at, sorted, space separated
rss_queues() {
	rx ethtool -x "$NSIM_IF_RX" | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) print $i }' |
		sort -nu | tr '\n' ' '
}

ktap_start 6
trap nsim_pair_destroy EXIT
mkdir -p $out

nsim_pair_create 4 &&
	ip -n "$NSIM_NS_TX" addr add 2001:db8::1/64 dev "$NSIM_IF_TX" nodad &&
	ip -n "$NSIM_NS_RX" addr add 2001:db8::2/64 dev "$NSIM_IF_RX" nodad
ktap_result $? pair_with_four_rx_queues || ktap_exit

# RSS off queues 2 and 3; then one IPv4 and one IPv6 rule onto them.
ctl rss "$NSIM_IF_RX" exclude 2-3 && [ "$(rss_queues)" = "0 1 " ] &&
	v4=$(ctl steer "$NSIM_IF_RX" add tcp4 dst "$NSIM_ADDR_RX" dport 6101 queue 2) &&
	v6=$(ctl -j steer "$NSIM_IF_RX" add tcp6 dst 2001:db8::2 dport 6102 queue 3) &&
	loc4=$(echo "$v4" | sed -n 's/^rule \([0-9]*\): queue 2$/\1/p') &&
	loc6=$(echo "$v6" | json_eval /dev/stdin 'J["loc"] if J["queue"] == 3 else ""') &&
	[ -n "$loc6" ] &&
	rx ethtool -n "$NSIM_IF_RX" rule "$loc4" > $out/rule4 &&
	grep -q "Direct to queue 2" $out/rule4 &&
	grep -q "Dest port: 6101 mask: 0x0$" $out/rule4 &&
	grep -q "Dest IP addr: $NSIM_ADDR_RX mask: 0.0.0.0$" $out/rule4 &&
	grep -q "Src IP addr: 0.0.0.0 mask: 255.255.255.255$" $out/rule4 &&
	rx ethtool -n "$NSIM_IF_RX" rule "$loc6" | grep -q "Direct to queue 3"
ktap_result $? rules_and_rss_read_back "v4 '$v4', v6 '$v6', RSS on '$(rss_queues)'; $(cat $out/rule4)"

got4=$(nsim_xfer_lands $bytes 6101) && got6=$(nsim_xfer_lands $bytes 6102 2001:db8::2) &&
	got_other=$(nsim_xfer_lands $bytes 6103) &&
	[ "$got4" = "2 " ] && [ "$got6" = "3 " ] &&
	[[ $got_other == "0 " || $got_other == "1 " ]]
ktap_result $? traffic_lands_where_told "6101 on '$got4', 6102 on '$got6', unsteered on '$got_other'"

# Deleted: the port falls back to RSS, which goes back to every queue.
ctl steer "$NSIM_IF_RX" del "$loc4" && ctl rss "$NSIM_IF_RX" default &&
	[ "$(rss_queues)" = "0 1 2 3 " ] &&
	! rx ethtool -n "$NSIM_IF_RX" rule "$loc4" > /dev/null 2>&1 &&
	ctl rss "$NSIM_IF_RX" exclude 2-3 && got=$(nsim_xfer_lands $bytes 6101) &&
	[[ $got == "0 " || $got == "1 " ]] && ctl rss "$NSIM_IF_RX" default
ktap_result $? deleted_rule_and_default_rss "6101 now on '$got', RSS on '$(rss_queues)'"

# Refusals: exit 1 with the reason, 2 for usage; nothing changes.
refused() {
	local want=$1 rc
	shift
	ctl "$@" > /dev/null 2> $out/err
	rc=$?
	[ $rc = "$want" ] || { echo "'$*' exited $rc, not $want: $(head -n 1 $out/err)"; return 1; }
	echo "$*: $(head -n 1 $out/err)" >> $out/refusals
}
: > $out/refusals
refused 1 steer "$NSIM_IF_RX" del "$loc4" && grep -q "deleting an ntuple rule" $out/err &&
	refused 1 rss "$NSIM_IF_RX" exclude 0-3 && grep -q "leaves RSS nowhere" $out/err &&
	refused 1 rss "$NSIM_IF_RX" exclude 7 && grep -q "queue 7 out of range" $out/err &&
	refused 1 steer "$NSIM_IF_RX" add tcp4 dport 6104 queue 9 &&
	grep -q "adding an ntuple rule" $out/err &&
	refused 1 steer nosuchdev add tcp4 dport 6104 queue 1 &&
	refused 2 steer "$NSIM_IF_RX" add tcp4 queue 1 &&
	refused 2 steer "$NSIM_IF_RX" add udp4 dport 1 queue 1 &&
	refused 2 steer "$NSIM_IF_RX" add tcp4 dst ::1 queue 1 &&
	refused 2 rss "$NSIM_IF_RX" exclude 3-1 &&
	[ "$(rss_queues)" = "0 1 2 3 " ] &&
	[ "$(rx ethtool -n "$NSIM_IF_RX" | grep -c '^Filter:')" = 1 ]
ktap_result $? refusals_say_why "$(cat $out/refusals)"

ctl steer "$NSIM_IF_RX" del "$loc6" &&
	[ "$(rx ethtool -n "$NSIM_IF_RX" | grep -c '^Filter:')" = 0 ]
ktap_result $? last_rule_deleted
ktap_exit
