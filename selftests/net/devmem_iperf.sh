#!/bin/bash
# devmem-rx driven by the stock iperf3 client, and by its own pattern
# sender, on netdevsim (stock and ours).
#
# The receiver binds a 64 MiB udmabuf to RX queue 3 of a 4-queue device
# with header split on; an ntuple rule steers TCP port 5201 there, so
# iperf3's control connection lands in the dma-buf as well as its two
# data streams. The client's summary and devmem-rx's report must agree on
# every byte, all payload must be in the dma-buf and every token returned;
# on ours the binding's own statistics say the same (stock has no
# dmabuf-pp family, and devmem-rx says so). Then devmem-tx sends two
# verified flows to devmem-rx --flows 2 --verify. Afterwards no pool of a
# binding is left and no buffer is out.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/json.sh"
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
port=5201
queue=3
out=/tmp/devmem_iperf

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
tx() { ip netns exec "$NSIM_NS_TX" "$@"; }

ktap_start 8
trap nsim_pair_destroy EXIT
mkdir -p $out

nsim_pair_create 4 &&
	rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on > /dev/null &&
	nsim_steer_port $port $queue
ktap_result $? pair_header_split_and_steering || ktap_exit

nsim_rx_start "$BIN/devmem-rx" --iperf -i "$NSIM_IF_RX" -q $queue -s 64M \
	--json --progress --ready-fd 3 --timeout 120 > $out/rx.json 2> $out/rx.err
rx_pid=$NSIM_RX_PID
tx iperf3 -c "$NSIM_ADDR_RX" -p $port -P 2 -t 3 -J > $out/client.json 2> $out/client.err
client_rc=$?
wait $rx_pid
rx_rc=$?
ktap_diag "$(cat $out/rx.json $out/rx.err)"
# --progress: a line a second while the 3 s test runs (stderr is a file
# here, so whole lines rather than one redrawn in place).
[ $client_rc = 0 ] && [ $rx_rc = 0 ] &&
	grep -Eq '^ +[0-9.]+ s +[0-9.]+ MiB +[0-9.]+ Gbit/s +[0-9.]+% in the dma-buf$' $out/rx.err
ktap_result $? iperf3_client_runs_a_test_against_devmem_rx \
	"client $client_rc: $(tail -n 3 $out/client.err), devmem-rx $rx_rc"

# Both reports as shell variables, each file read once (python starts
# slowly under TCG).
eval "$(json_assign $out/rx.json rx_bytes='J["bytes"]' \
	rx_dmabuf='J["dmabuf_bytes"]' rx_linear='J["linear_bytes"]' \
	rx_streams='J["streams"]' rx_sender='J["sender_bytes"]' \
	rx_binding_id='J["binding_id"]' \
	have_binding='1 if J.get("binding") else 0' \
	b_id='(J.get("binding") or {}).get("id", 0)' \
	b_user='(J.get("binding") or {}).get("buffers_user", -1)' \
	b_rx='(J.get("binding") or {}).get("rx_bytes", 0)')"
eval "$(json_assign $out/client.json \
	cl_received='J["end"]["sum_received"]["bytes"]' \
	cl_sent='J["end"]["sum_sent"]["bytes"]' \
	cl_streams='len(J["end"]["streams"])')"

# What the client's receiver line says is what devmem-rx counted (the
# client parsed our results), what it says it sent is what devmem-rx was
# told, and devmem-rx got no more than that and at least half of it (the
# rest can be in flight when TEST_END arrives).
[ "${rx_bytes:-0}" -gt 0 ] && [ "$cl_received" = "$rx_bytes" ] &&
	[ "$cl_sent" = "$rx_sender" ] && [ "$rx_bytes" -le "$cl_sent" ] &&
	[ $((rx_bytes * 2)) -ge "$cl_sent" ] &&
	[ "$rx_streams" = 2 ] && [ "$cl_streams" = 2 ]
ktap_result $? client_and_devmem_rx_agree \
	"devmem-rx $rx_bytes of $rx_sender in $rx_streams; client $cl_received of $cl_sent in $cl_streams"

# Header split: every payload byte in the dma-buf, none in host memory.
[ "$rx_dmabuf" = "$rx_bytes" ] && [ "$rx_linear" = 0 ]
ktap_result $? all_payload_in_dmabuf

# The binding's own statistics, read while the sockets were still open:
# on ours through the dmabuf-pp family, no buffer held by user space
# (every token came back through SO_DEVMEM_DONTNEED, not through a close)
# and more than the test's bytes received (the control connection and the
# cookies came through it too); on stock there are none, and devmem-rx
# says why.
case $(uname -r) in
*-stock)
	[ "$have_binding" = 0 ] && grep -q "no dmabuf-pp family" $out/rx.err ;;
*)
	[ "$have_binding" = 1 ] && [ "$b_id" = "$rx_binding_id" ] && [ "$b_user" = 0 ] &&
		[ "$b_rx" -gt "$rx_bytes" ] ;;
esac
ktap_result $? binding_statistics_or_why_not "binding $b_id: user $b_user, rx $b_rx"

# Verified runs: devmem-tx's pattern on two connections, each checked
# byte by byte in the dma-buf by its own devmem-rx child.
bytes=$((8 << 20))
nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q $queue -p $port -s 64M \
	-n $bytes --flows 2 --verify --json --ready-fd 3 --timeout 120 \
	> $out/flows.json 2> $out/flows.err
rx_pid=$NSIM_RX_PID
tx "$BIN/devmem-tx" -c "$NSIM_ADDR_RX" -p $port -n $bytes --flows 2 --json \
	> $out/tx.json 2> $out/tx.err
tx_rc=$?
wait $rx_pid
rx_rc=$?
ktap_diag "$(cat $out/flows.json $out/flows.err $out/tx.json $out/tx.err)"
[ $tx_rc = 0 ] && [ $rx_rc = 0 ] &&
	grep -q "^{\"bytes\": $((2 * bytes)), \"flows\": 2," $out/tx.json &&
	[ "$(grep -c "\"bytes\": $bytes, \"dmabuf_bytes\": $bytes, .*\"verified\": true" \
	     $out/flows.json)" = 2 ]
ktap_result $? devmem_tx_two_flows_verified "devmem-tx $tx_rc, devmem-rx $rx_rc"

# Both devmem-rx runs are gone and their bindings with them.
nsim_rx_pools_drained $out/pools.json
ktap_result $? unbind_leaves_no_buffers "pools $(cat $out/pools.json)"

trap - EXIT
nsim_pair_destroy_checked
ktap_result $? teardown_leaves_nothing
ktap_exit
