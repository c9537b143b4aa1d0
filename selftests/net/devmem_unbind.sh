#!/bin/bash
# How a binding leaves its device (devmem_unbind.c): unbind-ntf once and
# only when true, a bound device kept in its namespace, a binding of many
# queues reported whole. Two netdevsim devices with header split on, in a
# namespace of their own: one of 4 queues (deleted by the last case), one
# of 512 (a binding of all of them does not fit a default-sized message).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
ns=nsim-unbind
other=nsim-unbind-b
id=1051
many_id=1052
many_queues=512

cleanup() { nsim_dev_remove $id; nsim_dev_remove $many_id $ns $other; }

in_ns() { ip netns exec $ns "$@"; }

ktap_require "needs netdevsim's debugfs (rxq_restart_fail)" \
	test -d /sys/kernel/debug/netdevsim
ktap_start 2
trap cleanup EXIT
# The many-queue device is renamed on its way: both start as eth0.
many=nsim-many
ip netns add $ns && ip netns add $other &&
	ifname=$(nsim_dev_create $id 4 $ns) &&
	echo "$many_id 1 $many_queues" > /sys/bus/netdevsim/new_device &&
	ip link set "$(ls /sys/bus/netdevsim/devices/netdevsim$many_id/net)" \
		netns $ns name $many &&
	in_ns ip link set "$ifname" up && in_ns ip link set "$many" up &&
	in_ns "$BIN/devmemctl" hds "$ifname" on > /dev/null &&
	in_ns "$BIN/devmemctl" hds "$many" on > /dev/null
ktap_result $? devices_4_and_${many_queues}_queues_hds_on || ktap_exit

# ip netns exec mounts a sysfs of the namespace, without debugfs, which
# the program needs (netdevsim's rxq_restart_fail).
ktap_nested unbind in_ns sh -c 'mount -t debugfs debugfs /sys/kernel/debug &&
	exec "$@"' sh "$BIN/selftests/devmem_unbind" "$ifname" $id \
	"$many" $many_queues $ns $other
ktap_exit
