#!/bin/bash
# The dmabuf-pp generic netlink family (dmabuf_pp_family.c) on a netdevsim
# device with 64 RX queues and header split on, in a namespace of its own:
# one binding per queue makes the dump span several messages.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
ns=nsim-family
id=1031
queues=64

cleanup() { nsim_dev_remove $id $ns; }

ktap_start 2
trap cleanup EXIT
ip netns add $ns && ifname=$(nsim_dev_create $id $queues $ns) &&
	ip -n $ns link set "$ifname" up &&
	ip netns exec $ns "$BIN/devmemctl" hds "$ifname" on > /dev/null
ktap_result $? device_with_${queues}_queues_hds_on || ktap_exit

ktap_nested family ip netns exec $ns "$BIN/selftests/dmabuf_pp_family" \
	"$ifname" $queues
ktap_exit
