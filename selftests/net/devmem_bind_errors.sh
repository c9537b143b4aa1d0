#!/bin/bash
# Runs devmem_bind_errors against a netdevsim device with 2 RX queues and a
# veth pair (a device without the queue management API), in one namespace.
# Arguments go to devmem_bind_errors (--strict).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tools/lib/nsim.sh"

ns=devmem-err
cleanup() {
	[ -e /sys/bus/netdevsim/devices/netdevsim$NSIM_ID_RX ] &&
		echo "$NSIM_ID_RX" > /sys/bus/netdevsim/del_device
	ip netns del $ns 2>/dev/null
}
trap cleanup EXIT

ip netns add $ns || exit 1
dev=$(nsim_dev_create "$NSIM_ID_RX" 2 $ns) || exit 1
ip -n $ns link add veth0 type veth peer name veth1 &&
	ip -n $ns link set "$dev" up &&
	ip -n $ns link set veth0 up &&
	ip -n $ns link set veth1 up || exit 1
ip netns exec $ns "$top/.cache/bin/selftests/devmem_bind_errors" "$dev" veth0 "$@"
