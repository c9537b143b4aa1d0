#!/bin/bash
# Upstream's ynl CLI (the base tree's tools/net/ynl/cli.py) speaks the
# dmabuf-pp family from our spec alone (Documentation/netlink/specs/
# dmabuf-pp.yaml, checked against the base tree's genetlink schema): it
# binds, dumps and gets, and a refused get carries the kernel's reason.
# Our generated policy and libdevmem are tested elsewhere; this shows the
# spec and the kernel agree, for any tool built on the spec.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/json.sh"
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
src=$top/.cache/src/linux
cli=$src/tools/net/ynl/cli.py
spec=$top/Documentation/netlink/specs/dmabuf-pp.yaml
schema=$src/Documentation/netlink/genetlink.yaml
out=/tmp/ynl_cli
ns=nsim-ynl
id=1033

ynl() {
	ip netns exec $ns python3 "$cli" --spec "$spec" --schema "$schema" \
		--output-json "$@"
}

cleanup() {
	[ -n "${HOLD_PID:-}" ] && kill "$HOLD_PID" 2> /dev/null
	nsim_dev_remove $id $ns
}

ktap_require "needs the base tree's ynl CLI ($cli)" test -r "$cli"
ktap_start 5
trap cleanup EXIT
mkdir -p $out
ip netns add $ns && ifname=$(nsim_dev_create $id 4 $ns) &&
	ip -n $ns link set "$ifname" up &&
	ip netns exec $ns "$BIN/devmemctl" hds "$ifname" on > /dev/null &&
	ifindex=$(ip netns exec $ns cat "/sys/class/net/$ifname/ifindex")
ktap_result $? device_with_4_queues_hds_on || ktap_exit

# The CLI binds a dma-buf it inherits to queues 1 and 2; its socket, and
# with it the binding, goes when it exits.
ip netns exec $ns "$BIN/selftests/with_dmabuf" 4M python3 "$cli" --spec "$spec" \
	--schema "$schema" --output-json --do bind \
	--json "{\"ifindex\": $ifindex, \"fd\": @FD@, \"queues\": [1, 2], \"buf-size\": 4096}" \
	> $out/bind.json 2> $out/bind.err
rc=$?
ktap_diag "$(cat $out/bind.json $out/bind.err)"
[ $rc = 0 ] && json_true $out/bind.json 'J["id"] > 0 and J["buf-size"] == 4096'
ktap_result $? bind_replies_id_and_buf_size

# A binding devmemctl holds on queue 3, as the CLI's dump and get see it.
coproc HOLD { ip netns exec $ns "$BIN/devmemctl" bind "$ifname" queues 3 udmabuf 4M hold; }
HOLD_PID=$!
hold_in=${HOLD[1]}	# bash unsets HOLD once devmemctl exits
read -r -t 120 line <&"${HOLD[0]}"
bid=${line#binding } && bid=${bid%% *}
ktap_diag "$line"

ynl --dump get > $out/dump.json 2>&1
ktap_diag "$(cat $out/dump.json)"
json_true $out/dump.json "[(b['id'], b['ifindex'], b['queues'], b['buffers'])
	for b in J] == [($bid, $ifindex, [3], 1024)]"
ktap_result $? dump_lists_the_held_binding

ynl --do get --json "{\"id\": $bid}" > $out/get.json 2>&1
ktap_diag "$(cat $out/get.json)"
json_true $out/get.json "J['id'] == $bid and J['buf-size'] == 4096 and
	J['dmabuf-size'] == 4 << 20 and J['buffers-user'] == 0"
ktap_result $? get_returns_the_held_binding

# An id no binding has: refused, with the errno and the kernel's text.
! ynl --do get --json '{"id": 4000000000}' > $out/noent.out 2>&1 &&
	grep -q "No such file or directory" $out/noent.out &&
	grep -q "no binding with id 4000000000" $out/noent.out
ktap_result $? get_unknown_id_refused_with_reason "$(tr '\n' ' ' < $out/noent.out)"

eval "exec $hold_in>&-"	# devmemctl's stdin ends: it unbinds and exits
wait "$HOLD_PID"
HOLD_PID=
ktap_exit
