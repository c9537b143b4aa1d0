#!/bin/bash
# Devmem TX end to end on netdevsim: payload sent straight out of a dma-buf
# (bind-tx, sendmsg(MSG_ZEROCOPY) with SCM_DEVMEM_DMABUF), which the TX
# device reads by DMA address (ethtool -S tx_devmem_bytes) and the dmabuf-pp
# family counts against the binding (tx-bytes), to a plain
# receiver and to devmem-rx receiving into a dma-buf; several flows on one
# binding; packets lost after the device read them (netdevsim's
# tx_devmem_lose), sent again out of the dma-buf; a dma-buf of device
# memory without struct pages (the BAR heap, with tools/vm/run --devmem);
# device memory not charged to RLIMIT_MEMLOCK; the binding unbound with sends in flight, sockets closed with completions
# pending, the sender killed and the device deleted mid-send. After each
# case the provider's bindings and the udmabuf exporter's pinned pages are
# back where they started.
#
# Needs a kernel with CONFIG_DMABUF_PP_PROVIDER (devmem TX) and our
# udmabuf exporter.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/json.sh"
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/volume.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
port=5203
queue=1
bytes=$(selftest_volume $((64 << 20)) $((16 << 20)))
out=/tmp/devmem_tx
provider=/sys/kernel/debug/dmabuf_pp/bindings
exporter=/sys/kernel/debug/udmabuf/stats

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
tx() { ip netns exec "$NSIM_NS_TX" "$@"; }

# "bindings N pages P": the provider's bindings, the exporter's pinned pages
counters() {
	local b p
	read -r _ _ b _ < <(tail -n 1 $provider)
	p=$(awk '$1 == "pages" { print $2 }' $exporter)
	echo "bindings $b pages $p"
}

# Wait (at most 30 s) until the counters are back to the start: a TX
# binding goes once the last skb holding its buffers is freed.
back_to_start() {
	local deadline=$((SECONDS + 30)) now
	while now=$(counters); [ "$now" != "$start" ]; do
		if [ $SECONDS -ge $deadline ]; then
			ktap_diag "counters: $now, want: $start"
			sed 's/^/# /' $provider
			return 1
		fi
		sleep 0.1	# polls a condition, with a deadline
	done
}

tx_devmem_bytes() {
	tx ethtool -S "$NSIM_IF_TX" | awk '$1 == "tx_devmem_bytes:" { print $2 }'
}

tx_devmem_lost() {
	tx ethtool -S "$NSIM_IF_TX" | awk '$1 == "tx_devmem_lost:" { print $2 }'
}

# "TOTAL SUM": tx_devmem_bytes and the sum of txN_devmem_bytes, one read
tx_devmem_bytes_by_queue() {
	tx ethtool -S "$NSIM_IF_TX" | awk '
		$1 == "tx_devmem_bytes:" { total = $2 }
		$1 ~ /^tx[0-9]+_devmem_bytes:$/ { sum += $2; queues++ }
		END { print total, sum, queues }'
}

tx_devmem_io_bytes() {
	tx ethtool -S "$NSIM_IF_TX" | awk '$1 == "tx_devmem_io_bytes:" { print $2 }'
}

# The TX device has read more than BYTES from device memory
tx_devmem_beyond() {
	[ "$(tx_devmem_bytes)" -gt "$1" ]
}

# The TX device read SENT bytes from device memory for a transfer of BYTES
# of which the sender's TCP sent RETRANS again: each byte at least once
# (the receiver has them all, and there is no other way out), at most
# once more for each time it was sent again. A packet lost before the
# device (a qdisc drop) is sent again without having been read.
read_all_from_device_memory() {
	local sent=$1 bytes=$2 retrans=$3

	[ "$sent" -ge "$bytes" ] && [ "$sent" -le $((bytes + retrans)) ]
}

# devmem-tx out of a udmabuf on the TX device, with extra arguments
devmem_tx() {
	tx "$BIN/devmem-tx" -c "$NSIM_ADDR_RX" -p $port --dmabuf udmabuf \
		--dev "$NSIM_IF_TX" --timeout 60 "$@"
}

# A long send out of the dma-buf (4 GiB, to a receiver that takes them
# all), with extra devmem-tx arguments; returns once the device has read
# 1 MiB of it, or 60 s passed: sets recv, sender and progress (0: going).
long_send_start() {
	local before

	nsim_recv_start -b "$NSIM_ADDR_RX" -p $port -n $((4 << 30)) --timeout 60 \
		> /dev/null 2>&1
	recv=$NSIM_RX_PID
	before=$(tx_devmem_bytes)
	devmem_tx -n $((4 << 30)) "$@" > $out/tx.out 2>&1 &
	sender=$!
	nsim_poll 60 tx_devmem_beyond $((before + (1 << 20)))
	progress=$?
}

# ... and its end: the sender's exit status in tx_rc, the receiver stopped
long_send_end() {
	wait $sender
	tx_rc=$?
	kill $recv 2>/dev/null
	wait $recv 2>/dev/null
	ktap_diag "$(cat $out/tx.out)"
}

ktap_start 17
trap nsim_pair_destroy EXIT
mkdir -p $out

nsim_pair_create 2
ktap_result $? pair_with_two_rx_queues || ktap_exit
start=$(counters)
ktap_diag "start: $start"

# 1. To a plain receiver, every byte checked
before=$(tx_devmem_bytes)
nsim_recv_start -b "$NSIM_ADDR_RX" -p $port -n "$bytes" --verify --json \
	--timeout 60 > $out/plain.json 2> $out/plain.err
recv=$NSIM_RX_PID
devmem_tx -n "$bytes" --json > $out/tx.json 2> $out/tx.err
tx_rc=$?
wait $recv
recv_rc=$?
ktap_diag "$(cat $out/tx.json $out/tx.err $out/plain.json $out/plain.err)"
eval "$(json_vars $out/plain.json plain)"
[ $tx_rc -eq 0 ] && [ $recv_rc -eq 0 ] && [ "$plain_verified" = true ]
ktap_result $? dmabuf_to_plain_recv_verified "sender $tx_rc, receiver $recv_rc"

# ... and the device read all of it from the dma-buf, by DMA address
after=$(tx_devmem_bytes)
eval "$(json_vars $out/tx.json tx)"
read_all_from_device_memory $((after - before)) "$bytes" "$tx_bytes_retrans"
ktap_result $? payload_read_from_device_memory \
	"tx_devmem_bytes +$((after - before)) of $bytes, $tx_bytes_retrans sent again"

# ... and the dmabuf-pp family counted it against the TX binding
json_true $out/tx.json "J['binding']['tx_bytes'] == $bytes"
ktap_result $? family_counts_bytes_sent

back_to_start
ktap_result $? plain_case_leaves_nothing

# 2. dma-buf to dma-buf: no payload byte in host memory on either side
nsim_steer_port $port $queue || ktap_diag "steering failed"
before=$(tx_devmem_bytes)
nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q $queue -p $port -s 16M \
	-n "$bytes" --hds --verify --json --ready-fd 3 --timeout 60 \
	> $out/dm.json 2> $out/dm.err
recv=$NSIM_RX_PID
devmem_tx -n "$bytes" --json > $out/tx.json 2> $out/tx.err
tx_rc=$?
wait $recv
recv_rc=$?
after=$(tx_devmem_bytes)
ktap_diag "$(cat $out/tx.json $out/tx.err $out/dm.json $out/dm.err)"
eval "$(json_vars $out/dm.json dm)"
tx_bytes_retrans=
[ $tx_rc -eq 0 ] && eval "$(json_vars $out/tx.json tx)"
[ $tx_rc -eq 0 ] && [ $recv_rc -eq 0 ] && [ "$dm_verified" = true ] &&
	[ "$dm_dmabuf_bytes" = "$bytes" ] && [ "$dm_linear_bytes" = 0 ] &&
	read_all_from_device_memory $((after - before)) "$bytes" "$tx_bytes_retrans"
ktap_result $? dmabuf_to_dmabuf_verified \
	"sender $tx_rc, devmem-rx $recv_rc, tx_devmem_bytes +$((after - before)), ${tx_bytes_retrans:-?} sent again"

# 3. Four flows share one TX binding, each its own part of the dma-buf
nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q $queue -p $port -s 16M \
	-n $((bytes / 4)) --flows 4 --hds --verify --json --ready-fd 3 --timeout 60 \
	> $out/flows.json 2> $out/flows.err
recv=$NSIM_RX_PID
devmem_tx -n $((bytes / 4)) --flows 4 > $out/tx.out 2>&1
tx_rc=$?
wait $recv
recv_rc=$?
ktap_diag "$(cat $out/tx.out $out/flows.err)"
[ $tx_rc -eq 0 ] && [ $recv_rc -eq 0 ] &&
	[ "$(grep -c '"verified": true' $out/flows.json)" = 4 ]
ktap_result $? four_flows_one_binding_verified "sender $tx_rc, devmem-rx $recv_rc"

# Each TX queue counts what it sent from device memory; together, all
read -r total sum queues < <(tx_devmem_bytes_by_queue)
[ "$queues" -ge 2 ] && [ "$total" -gt 0 ] && [ "$sum" = "$total" ]
ktap_result $? per_queue_counters_add_up "$queues queues: $sum of $total bytes"

# 4. Loss after the device read the payload: TCP sends it again, from
# the dma-buf again, and the receiver still gets every byte right
# (a quarter of the volume: recovering from a loss takes long under TCG)
lose=/sys/kernel/debug/netdevsim/netdevsim$NSIM_ID_TX/ports/0/tx_devmem_lose
lose_bytes=$((bytes / 4))
nsim_recv_start -b "$NSIM_ADDR_RX" -p $port -n $lose_bytes --verify --json \
	--timeout 60 > $out/plain.json 2> $out/plain.err
recv=$NSIM_RX_PID
before=$(tx_devmem_bytes)
lost_before=$(tx_devmem_lost)
echo 16 > "$lose"
devmem_tx -n $lose_bytes --json > $out/tx.json 2> $out/tx.err
tx_rc=$?
echo 0 > "$lose"
wait $recv
recv_rc=$?
after=$(tx_devmem_bytes)
lost=$(($(tx_devmem_lost) - lost_before))
ktap_diag "$(cat $out/tx.json $out/tx.err $out/plain.err)"
eval "$(json_vars $out/plain.json plain)"
tx_bytes_retrans=
[ $tx_rc -eq 0 ] && eval "$(json_vars $out/tx.json tx)"
ktap_diag "lost $lost packets; the device read $((after - before)) bytes for $lose_bytes sent"
# Lost packets were read once and sent again: the device read more than
# BYTES, all of it out of the dma-buf
[ $tx_rc -eq 0 ] && [ $recv_rc -eq 0 ] && [ "$plain_verified" = true ] &&
	[ $lost -gt 0 ] && [ "$tx_bytes_retrans" -gt 0 ] &&
	[ $((after - before)) -gt $lose_bytes ] &&
	read_all_from_device_memory $((after - before)) $lose_bytes "$tx_bytes_retrans"
ktap_result $? lost_packets_sent_again_from_dmabuf \
	"sender $tx_rc, receiver $recv_rc, $lost packets lost, ${tx_bytes_retrans:-?} bytes sent again, tx_devmem_bytes +$((after - before)) of $lose_bytes"

back_to_start
ktap_result $? dmabuf_cases_leave_nothing

# 5. Out of device memory without struct pages: a dma-buf of the BAR heap
# (dmabuf/bar_heap.c), which the device reads through the window netdevsim
# mapped when the binding was made (tx_io.c). The pattern exists nowhere
# but in the BAR, where devmem-tx wrote it through its mapping.
if [ -z "${DEVMEM_PCI:-}" ]; then
	ktap_skip sent_from_bar_verified "no device memory: run the VM with tools/vm/run --devmem SIZE"
else
	bar_info=/sys/kernel/debug/dmabuf_pp_bar/bar-$DEVMEM_PCI/info
	bar_heap_whole() { grep -qx 'buffers 0' $bar_info; }
	bar_bytes=$((bytes / 4))	# the path matters here, not the volume
	nsim_recv_start -b "$NSIM_ADDR_RX" -p $port -n $bar_bytes --verify --json \
		--timeout 60 > $out/plain.json 2> $out/plain.err
	recv=$NSIM_RX_PID
	before=$(tx_devmem_bytes)
	io_before=$(tx_devmem_io_bytes)
	tx "$BIN/devmem-tx" -c "$NSIM_ADDR_RX" -p $port --dmabuf "bar-$DEVMEM_PCI" \
		--dev "$NSIM_IF_TX" --timeout 60 -n $bar_bytes --json \
		> $out/tx.json 2> $out/tx.err
	tx_rc=$?
	wait $recv
	recv_rc=$?
	after=$(tx_devmem_bytes)
	io=$(($(tx_devmem_io_bytes) - io_before))
	ktap_diag "$(cat $out/tx.json $out/tx.err $out/plain.err)"
	eval "$(json_vars $out/plain.json plain)"
	tx_bytes_retrans=
	[ $tx_rc -eq 0 ] && eval "$(json_vars $out/tx.json tx)"
	# Every byte the device read came through the BAR's window; the
	# buffer goes back to the heap with the binding's last skb
	[ $tx_rc -eq 0 ] && [ $recv_rc -eq 0 ] && [ "$plain_verified" = true ] &&
		read_all_from_device_memory $((after - before)) $bar_bytes "$tx_bytes_retrans" &&
		[ $io -eq $((after - before)) ] && nsim_poll 30 bar_heap_whole
	ktap_result $? sent_from_bar_verified \
		"sender $tx_rc, receiver $recv_rc, tx_devmem_bytes +$((after - before)), of which from I/O memory $io; heap: $(tr '\n' ' ' < $bar_info)"
fi

# 6. Device memory is not the sender's locked memory: MSG_ZEROCOPY charges
# the pages it pins to RLIMIT_MEMLOCK (without CAP_IPC_LOCK), devmem TX
# pins nothing and is not charged, as upstream. Under a 32 KiB limit, half
# of one of devmem-tx's 64 KiB sends, the same transfer from host memory
# with MSG_ZEROCOPY is refused at its first send (ENOBUFS: the limit
# bites, however fast completions come), and out of the dma-buf it goes
# through.
memlock_bytes=$((bytes / 4))
memlock=(prlimit --memlock=$((32 << 10)) setpriv --inh-caps -ipc_lock
	--bounding-set -ipc_lock)
nsim_recv_start -b "$NSIM_ADDR_RX" -p $port -n $memlock_bytes --trunc \
	> /dev/null 2> $out/plain.err
recv=$NSIM_RX_PID
tx "${memlock[@]}" "$BIN/devmem-tx" -c "$NSIM_ADDR_RX" -p $port --zerocopy \
	--timeout 60 -n $memlock_bytes > $out/zc.out 2>&1
zc_rc=$?
kill $recv 2>/dev/null
wait $recv 2>/dev/null
nsim_recv_start -b "$NSIM_ADDR_RX" -p $port -n $memlock_bytes --verify --json \
	--timeout 60 > $out/plain.json 2> $out/plain.err
recv=$NSIM_RX_PID
tx "${memlock[@]}" "$BIN/devmem-tx" -c "$NSIM_ADDR_RX" -p $port --dmabuf udmabuf \
	--dev "$NSIM_IF_TX" --timeout 60 -n $memlock_bytes > $out/tx.out 2>&1
tx_rc=$?
wait $recv
recv_rc=$?
ktap_diag "$(cat $out/zc.out $out/tx.out $out/plain.err)"
eval "$(json_vars $out/plain.json plain)"
[ $zc_rc -ne 0 ] && grep -q 'No buffer space available' $out/zc.out &&
	[ $tx_rc -eq 0 ] && [ $recv_rc -eq 0 ] && [ "$plain_verified" = true ]
ktap_result $? not_charged_to_locked_memory \
	"host MSG_ZEROCOPY exit $zc_rc, devmem TX exit $tx_rc, receiver $recv_rc"

# 7. The binding is unbound with sends in flight (devmem-tx's SIGUSR1): the
# flow's next send is refused, every send made before completes, and the
# binding goes with the last skb that holds it
long_send_start
# the oldest devmem-tx is the one holding the binding
pkill -USR1 -o -x devmem-tx
long_send_end
[ $progress -eq 0 ] && [ $tx_rc -eq 1 ] &&
	grep -q 'every send made before the unbind completed' $out/tx.out &&
	back_to_start
ktap_result $? unbind_with_sends_in_flight "sender exit $tx_rc"

# 8. Each socket closed right after its last send, completions pending: the
# kernel still delivers every byte, and its skbs, the binding's last
# holders, are freed once acknowledged
nsim_recv_start -b "$NSIM_ADDR_RX" -p $port -n "$bytes" --verify --json \
	--timeout 60 > $out/plain.json 2> $out/plain.err
recv=$NSIM_RX_PID
devmem_tx -n "$bytes" --close-pending > $out/tx.out 2>&1
tx_rc=$?
wait $recv
recv_rc=$?
ktap_diag "$(cat $out/tx.out $out/plain.err)"
eval "$(json_vars $out/plain.json plain)"
[ $tx_rc -eq 0 ] && [ $recv_rc -eq 0 ] && [ "$plain_verified" = true ] &&
	back_to_start
ktap_result $? closed_with_completions_pending_leaves_nothing \
	"sender $tx_rc, receiver $recv_rc"

# 9. The sender is killed mid-send, all of it (the binding's holder and its
# flows): its binding goes with its last skb
long_send_start
pkill -KILL -x devmem-tx
long_send_end
[ $progress -eq 0 ] && [ $tx_rc -eq 137 ] && back_to_start
ktap_result $? sender_killed_mid_send_leaves_nothing "sender exit $tx_rc"

# 10. The TX device is deleted mid-send: the sender fails, nothing is left
long_send_start --timeout 5
echo "$NSIM_ID_TX" > /sys/bus/netdevsim/del_device
long_send_end
[ $progress -eq 0 ] && [ $tx_rc -ne 0 ] && back_to_start
ktap_result $? device_deleted_mid_send_leaves_nothing "sender exit $tx_rc"

nsim_pair_destroy_checked
ktap_result $? pair_removed
ktap_exit
