#!/bin/bash
# Devmem TCP into device memory without struct pages: the BAR heap
# (dmabuf/bar_heap.c) over the VM's ivshmem device (tools/vm/run --devmem),
# with whatever provider the kernel has (stock's and ours, unmodified).
#
# devmem-rx binds a dma-buf of BAR memory to RX queue 3 and receives the
# pattern into it, checked through the write-combined mapping. Teardown
# orders first: netdevsim deleted under a binding, the dma-buf's fd closed
# while bound (devmemctl bind ... heap NAME SIZE hold), and the PCI device
# removed while a buffer is allocated, mapped and bound (removal waits for
# the last user; the receive still completes), then brought back by a
# rescan. Last a receive whose fragment places go to
# .cache/check/bar-payload/FLAVOR/ with the buffer's BAR offset, for
# bar_payload.sh to find the bytes in the BAR's backing file on the host
# once the VM has stopped (a new buffer starts zeroed: nothing may
# allocate from the heap after it; it holds its tokens, so no buffer is
# written twice), then its unbind. Every case ends with
# the heap whole again.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/volume.sh"
. "$top/selftests/lib/json.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
port=5202
queue=3
bytes=$(selftest_volume $((64 << 20)) $((16 << 20)))
size=$((16 << 20))
# The receive the host checks: no buffer reused, so the dma-buf is larger.
final_bytes=$(selftest_volume $((32 << 20)) $((16 << 20)))
out=/tmp/devmem_bar
flavor=${DEVMEM_FLAVOR:-$(uname -r | sed 's/.*-//')}
result=$top/.cache/check/bar-payload/$flavor
plan=10

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
tx() { ip netns exec "$NSIM_NS_TX" "$@"; }

ktap_start $plan
if [ -z "${DEVMEM_PCI:-}" ]; then
	for _ in $(seq $plan); do
		ktap_skip device_memory "no device memory: run the VM with tools/vm/run --devmem SIZE"
	done
	ktap_exit
fi
heap=bar-$DEVMEM_PCI
dbg=/sys/kernel/debug/dmabuf_pp_bar/$heap
pcidev=/sys/bus/pci/devices/$DEVMEM_PCI

info() { sed -n "s/^$1 //p" "$dbg/info"; }
heap_whole() { [ "$(info buffers)" = 0 ] && [ "$(info free)" = "$(info size)" ]; }
# The heap whole again within 30 s: a binding's buffers come back
# asynchronously (deferred skb frees, detached pools), and with them the
# dma-buf.
heap_drains() {
	nsim_flush_deferred_frees
	nsim_poll 30 heap_whole || { ktap_diag "$(cat "$dbg/info")"; return 1; }
}
state_is() { [ "$(info state)" = "$1" ]; }

# setup: a pair with header split, RSS on queues 0-1, the port steered to
# queue 3
setup() {
	nsim_pair_create 4 &&
		rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on > /dev/null &&
		nsim_steer_port $port $queue
}

trap nsim_pair_destroy EXIT
mkdir -p $out
rm -rf "$result"
mkdir -p "$result"

[ -c "/dev/dma_heap/$heap" ] && state_is live && heap_whole && setup
ktap_result $? heap_live_and_pair_ready "$(cat "$dbg/info" 2>&1)" || ktap_exit

# 1. netdevsim deleted under a binding: the queues and their window onto
# the BAR go, the binding dies with the device, devmem-rx's exit frees it.
nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q $queue -p $port \
	-s $size -n $bytes --heap="$heap" --ready-fd 3 --timeout 120 \
	> /dev/null 2> $out/del.err
started=$?
rx_pid=$NSIM_RX_PID
bound=$(info buffers)
nsim_pair_destroy
kill $rx_pid 2>/dev/null
wait $rx_pid
[ $started -eq 0 ] && [ "$bound" = 1 ] && heap_drains
ktap_result $? netdevsim_deleted_under_binding "started $started, buffers while bound $bound: $(cat $out/del.err)"

# 2. The dma-buf's only fd closed right after the bind (devmemctl does):
# the binding keeps the buffer until the unbind, then it is freed.
setup || { ktap_diag "setting the pair up again failed"; ktap_exit; }
mkfifo $out/hold.in
ip netns exec "$NSIM_NS_RX" "$BIN/devmemctl" bind "$NSIM_IF_RX" queues $queue \
	heap "$heap" 4M hold < $out/hold.in > $out/hold.out 2>&1 &
hold_pid=$!
exec 4> $out/hold.in
held() { grep -q '^binding' $out/hold.out; }
nsim_poll 30 held && [ "$(info buffers)" = 1 ] &&
	! ls -l /proc/$hold_pid/fd | grep -q dmabuf
held_rc=$?
exec 4>&-
wait $hold_pid
hold_rc=$?
[ $held_rc -eq 0 ] && [ $hold_rc -eq 0 ] && heap_drains
ktap_result $? dmabuf_fd_closed_after_bind "held $held_rc, devmemctl $hold_rc: $(cat $out/hold.out)"

# 3. The PCI device removed while a buffer is allocated, mapped (--verify)
# and bound: removal waits for the last user; the receive still
# completes into the BAR; then the device is gone and the heap refuses.
nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q $queue -p $port \
	-s $size -n $((bytes / 4)) --heap="$heap" --verify --json --ready-fd 3 \
	--timeout 120 > $out/rm.json 2> $out/rm.err
rx_pid=$NSIM_RX_PID
echo 1 > "$pcidev/remove" &
remove_pid=$!
nsim_poll 30 state_is removing && kill -0 $remove_pid 2>/dev/null && [ -d "$pcidev" ]
ktap_result $? removal_waits_for_bound_buffer "state $(info state)"

tx "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $port -n $((bytes / 4))
tx_rc=$?
wait $rx_pid
rx_rc=$?
nsim_pair_destroy
# Removal finishes once the binding let go of the buffer; a leak would
# leave it waiting for ever (and unkillable), so it gets a deadline.
remove_rc=timeout
if heap_drains && nsim_poll 30 state_is removed; then
	wait $remove_pid
	remove_rc=$?
fi
"$BIN/devmem-rx" -i lo -q 0 -p $port -n 1 -s 1M --heap="$heap" 2> $out/nodev.err
[ $tx_rc -eq 0 ] && [ $rx_rc -eq 0 ] && json_true $out/rm.json 'J["verified"]' &&
	[ "$remove_rc" = 0 ] && state_is removed && [ ! -e "$pcidev" ] &&
	grep -q "dma-heap $heap: No such device" $out/nodev.err
ktap_result $? receive_completes_then_device_gone \
	"sender $tx_rc, devmem-rx $rx_rc, remove $remove_rc, state $(info state): $(cat $out/rm.err $out/nodev.err)"
if [ "$remove_rc" != 0 ]; then
	# A removal still waiting holds the PCI core's rescan/remove lock: a
	# rescan would hang this boot. Nothing more can be tried.
	for _ in $(seq $((plan - KTAP_DONE))); do
		ktap_skip after_removal "the device's removal did not finish"
	done
	trap - EXIT
	nsim_pair_destroy
	ktap_exit
fi

# 4. A rescan brings the device back, and the heap serves it again.
echo 1 > /sys/bus/pci/rescan
nsim_poll 30 state_is live && heap_whole && [ -d "$pcidev" ]
ktap_result $? rescan_brings_the_heap_back "$(cat "$dbg/info")"

# 5. Receive into the BAR of the device the rescan brought back, every
# byte checked through the WC mapping; the last write to the BAR in this
# boot, which the host checks in the file afterwards. Tokens are held, so
# that no buffer is written twice: a segment TCP drops after the NIC wrote
# it (a spurious retransmit) then lands in a buffer nobody logged, never
# over a logged one. The dma-buf has room for twice the payload.
setup || { ktap_diag "setting the pair up again failed"; ktap_exit; }
nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q $queue -p $port \
	-s $((2 * final_bytes)) -n $final_bytes --heap="$heap" --verify \
	--hold-tokens --json --ready-fd 3 --timeout 120 \
	--frag-log "$result/frags" > $out/rx.json 2> $out/rx.err
rx_pid=$NSIM_RX_PID
cp "$dbg/buffers" $out/buffers
tx "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $port -n $final_bytes
tx_rc=$?
wait $rx_pid
rx_rc=$?
ktap_diag "$(cat $out/rx.json $out/rx.err)"
eval "$(json_vars $out/rx.json dm)"
[ $tx_rc -eq 0 ] && [ $rx_rc -eq 0 ] && [ "$dm_verified" = true ] &&
	[ "$dm_bytes" = $final_bytes ] && [ "$dm_dmabuf_bytes" = $final_bytes ] &&
	[ "$dm_linear_bytes" = 0 ] && [ "$dm_tokens" = 0 ]
ktap_result $? receive_into_bar_verified "sender $tx_rc, devmem-rx $rx_rc"

# Where the buffer lies in the BAR, for the host's check of the file.
read -r bar_off bar_size < <(awk -v ino="$dm_dmabuf_inode" '$1 == ino { print $2, $3 }' $out/buffers)
[ -n "$bar_off" ] && [ "$bar_size" = $((2 * final_bytes)) ] && [ -s "$result/frags" ] &&
	echo "$bar_off $bar_size" > "$result/place"
ktap_result $? fragment_places_recorded "buffers: $(cat $out/buffers)"

# 6. devmem-rx unbound and closed everything: the heap is whole.
nsim_rx_pools_drained $out/pools.json && heap_drains
ktap_result $? unbind_frees_the_buffer "pools $(cat $out/pools.json)"

trap - EXIT
nsim_pair_destroy_checked && heap_whole
ktap_result $? teardown_leaves_nothing
ktap_exit
