#!/bin/bash
# A netdevsim pair across two namespaces carries a 64 MiB TCP transfer whose
# every byte is checked against the pattern at the receiver.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

bytes=64M

ktap_start 3
trap nsim_pair_destroy EXIT

nsim_pair_create 1
ktap_result $? pair_up_in_two_namespaces || ktap_exit

nsim_recv_start -b "$NSIM_ADDR_RX" -p 5201 -n "$bytes" --verify > /tmp/recv.out
ready=$?
if [ $ready -eq 0 ]; then
	ip netns exec "$NSIM_NS_TX" "$TCPXFER" send -c "$NSIM_ADDR_RX" -p 5201 -n "$bytes"
	send_rc=$?
fi
wait "$NSIM_RECV_PID"
recv_rc=$?
ktap_diag "$(cat /tmp/recv.out)"
[ $ready -eq 0 ] && [ "$send_rc" -eq 0 ] && [ $recv_rc -eq 0 ]
ktap_result $? tcp_64m_transfer_verified "ready=$ready send=${send_rc:-} recv=$recv_rc"

trap - EXIT
nsim_pair_destroy
[ -z "$(ls /sys/bus/netdevsim/devices/)" ] && ! ip netns list | grep -q nsim-
ktap_result $? teardown_leaves_nothing
ktap_exit
