#!/bin/bash
# Devmem TCP receive end to end on netdevsim, with whatever provider and
# exporter the kernel has (stock: upstream's devmem and udmabuf).
#
# The receiver binds a 64 MiB udmabuf to RX queue 3 of a 4-queue device with
# header split on, RSS keeps other flows on queues 0-1, and an ntuple rule
# steers the devmem flow to queue 3. 256 MiB arrive through
# recvmsg(MSG_SOCK_DEVMEM) (128 MiB on the debug kernel: every buffer is
# still reused); devmem-rx checks every payload byte in the
# dma-buf at the cmsg offsets and returns every token. A plain TCP flow to
# queues 0-1 runs at the same time and is verified too. Afterwards no page
# pool of the binding is left and no queue holds buffers.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/volume.sh"
. "$top/selftests/lib/json.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
devmem_port=5202
plain_port=5201
queue=3
devmem_bytes=$(selftest_volume $((256 << 20)) $((128 << 20)))
plain_bytes=$((32 << 20))
out=/tmp/devmem_rx

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
tx() { ip netns exec "$NSIM_NS_TX" "$@"; }

ktap_start 9
trap nsim_pair_destroy EXIT
mkdir -p $out

nsim_pair_create 4
ktap_result $? pair_with_four_rx_queues || ktap_exit

rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on >/dev/null 2>$out/hds.err &&
	rx "$BIN/devmemctl" hds "$NSIM_IF_RX" | grep -q "tcp-data-split on"
ktap_result $? header_split_on "$(cat $out/hds.err)"

# RSS over queues 0-1 only; the devmem flow is steered to queue 3.
nsim_steer_port $devmem_port $queue
ktap_result $? rss_and_ntuple_steering

nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q $queue -p $devmem_port \
	-s 64M -n $devmem_bytes --verify --json --ready-fd 3 --timeout 120 \
	> $out/devmem.json 2> $out/devmem.err
devmem_pid=$NSIM_RX_PID
nsim_recv_start -b "$NSIM_ADDR_RX" -p $plain_port -n $plain_bytes \
	--verify --json --timeout 120 > $out/plain.json 2> $out/plain.err
plain_pid=$NSIM_RX_PID

tx "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $devmem_port -n $devmem_bytes &
devmem_tx=$!
tx "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $plain_port -n $plain_bytes
plain_tx_rc=$?
wait $devmem_tx
devmem_tx_rc=$?
wait $devmem_pid
devmem_rc=$?
wait $plain_pid
plain_rc=$?

ktap_diag "$(cat $out/devmem.json $out/devmem.err)"
eval "$(json_vars $out/devmem.json dm)"
eval "$(json_vars $out/plain.json plain)"
[ $devmem_tx_rc -eq 0 ] && [ $devmem_rc -eq 0 ] &&
	[ "$dm_verified" = true ] && [ "$dm_bytes" = $devmem_bytes ]
ktap_result $? devmem_256m_verified_in_dmabuf "sender $devmem_tx_rc, devmem-rx $devmem_rc"

# Header split puts every payload byte in the dma-buf, none in the linear
# part; all of it was read back from the dma-buf, and tokens all returned.
[ "$dm_dmabuf_bytes" = $devmem_bytes ] && [ "$dm_linear_bytes" = 0 ] &&
	[ "$dm_tokens" = "$dm_frags" ]
ktap_result $? all_payload_in_dmabuf_all_tokens_returned

ktap_diag "$(cat $out/plain.json $out/plain.err)"
[ $plain_tx_rc -eq 0 ] && [ $plain_rc -eq 0 ] && [ "$plain_verified" = true ]
ktap_result $? concurrent_plain_flow_on_unbound_queues "sender $plain_tx_rc, receiver $plain_rc"

# Per-queue statistics: queue 3 took the devmem payload (retransmits may
# add to it), queues 0-1 took none; qstats netlink agrees on queue 3.
dm=$(nsim_rx_stat rx${queue}_devmem_bytes)
dm0=$(nsim_rx_stat rx0_devmem_bytes)
dm1=$(nsim_rx_stat rx1_devmem_bytes)
qbytes=$(rx "$BIN/devmemctl" -j qstats "$NSIM_IF_RX" |
	json_eval /dev/stdin "next(q['bytes'] for q in J if q['queue'] == $queue)")
[ "${dm:-0}" -ge $devmem_bytes ] && [ "$dm0" = 0 ] && [ "$dm1" = 0 ] &&
	[ "${qbytes:-0}" -ge $devmem_bytes ]
ktap_result $? per_queue_stats "rx${queue} devmem $dm, rx0 $dm0, rx1 $dm1, qstats rx${queue} bytes $qbytes"

# devmem-rx is gone, so is its netlink socket and with it the binding: the
# queue restarted on host memory, and no pool serving a dma-buf or with
# buffers still out remains.
nsim_rx_pools_drained $out/pools.json
ktap_result $? unbind_leaves_no_buffers "pools $(cat $out/pools.json)"

trap - EXIT
nsim_pair_destroy_checked
ktap_result $? teardown_leaves_nothing
ktap_exit
