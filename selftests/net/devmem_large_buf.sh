#!/bin/bash
# RX buffers larger than a page: netdevsim posts what ethtool rx-buf-len
# says (4 KiB to 64 KiB), and a binding's net_iovs take the size of the
# buffers its queues post, so a 64 KiB segment lands in one buffer.
#
# A dma-buf whose mapped ranges are not aligned to the buffer size is
# refused with a message naming the first bad range: here a hugetlb udmabuf
# that starts 4 KiB into its first huge page. One over whole 2 MiB huge
# pages binds, 64 MiB (16 on debug) arrive verified in frags larger than a page, and the
# buffer length cannot change under the binding. Small segments (1500-byte
# MTU, no GSO) are packed into the open buffer, many to a buffer.
#
# The link runs a 9000-byte MTU so that every full segment carries 8948
# bytes: one such segment in one buffer proves the large buffers, whatever
# the sender's TSO sizing does (on a slow kernel it sends two-segment
# frames, which fit in a page). Afterwards no binding and
# no buffer is left, and the device is back at 4 KiB.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/json.sh"
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/volume.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
provider=/sys/kernel/debug/dmabuf_pp/bindings
port=5203
queue=3
bytes=$(selftest_volume $((64 << 20)) $((16 << 20)))
out=/tmp/devmem_large_buf
hugepages=/proc/sys/vm/nr_hugepages

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
tx() { ip netns exec "$NSIM_NS_TX" "$@"; }

buf_len() { rx ethtool -g "$NSIM_IF_RX" | awk '/^RX Buf Len:/ { v = $4 } END { print v }'; }
totals() { tail -n 1 $provider; }

cleanup() {
	nsim_pair_destroy
	[ -n "$old_hugepages" ] && echo "$old_hugepages" > $hugepages
}

trap cleanup EXIT
# 16 MiB dma-buf plus two of 4 MiB: 12 huge pages, with room to spare.
old_hugepages=$(cat $hugepages)
echo $((old_hugepages + 16)) > $hugepages
ktap_require "the kernel gave $(cat $hugepages) of the $((old_hugepages + 16)) huge pages asked for" \
	test "$(cat $hugepages)" -ge $((old_hugepages + 16))
ktap_require "needs debugfs with dmabuf-pp's counters" test -r $provider

ktap_start 8
mkdir -p $out
nsim_pair_create 4 && rx "$BIN/devmemctl" hds "$NSIM_IF_RX" on > /dev/null &&
	ip -n "$NSIM_NS_TX" link set "$NSIM_IF_TX" mtu 9000 &&
	ip -n "$NSIM_NS_RX" link set "$NSIM_IF_RX" mtu 9000 &&
	nsim_steer_port $port $queue
ktap_result $? pair_hds_steering || ktap_exit

# Powers of two from a page to 64 KiB only; a refusal changes nothing.
len0=$(buf_len)
! rx ethtool -G "$NSIM_IF_RX" rx-buf-len 12288 2> $out/odd.err &&
	! rx ethtool -G "$NSIM_IF_RX" rx-buf-len 131072 2> $out/big.err &&
	grep -q "power of two" $out/odd.err && grep -q "power of two" $out/big.err &&
	[ "$(buf_len)" = "$len0" ] && [ "$len0" = 4096 ]
ktap_result $? rx_buf_len_only_powers_of_two "default $len0; $(cat $out/odd.err)"

rx ethtool -G "$NSIM_IF_RX" rx-buf-len 65536 && [ "$(buf_len)" = 65536 ]
ktap_result $? rx_buf_len_64k "now $(buf_len)"

# 4 KiB into a huge page: fine for pages, not for 64 KiB buffers. And a
# binding cannot ask for other buffers than the queues post.
! rx "$BIN/devmemctl" bind "$NSIM_IF_RX" queues $queue udmabuf 4M hugetlb \
	offset 4K > /dev/null 2> $out/misaligned.err &&
	grep -q "mapped range at offset 0 is not 65536-byte aligned" $out/misaligned.err &&
	! rx "$BIN/devmemctl" bind "$NSIM_IF_RX" queues $queue udmabuf 4M hugetlb \
		buf-size 4K > /dev/null 2>> $out/misaligned.err &&
	grep -q "are 65536 bytes (rx-buf-len), not 4096" $out/misaligned.err &&
	[ "$(totals)" = "total bindings 0 buffers 0 out 0" ]
ktap_result $? misaligned_dmabuf_refused "$(cat $out/misaligned.err)"

# Whole huge pages: 16 MiB in 256 buffers of 64 KiB. 64 MiB arrive (16 on debug); a
# frag above 4 KiB (a full 8948-byte segment at least) proves the NIC
# filled large buffers.
nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q $queue -p $port -s 16M \
	--hugetlb -n $bytes --verify --json --ready-fd 3 --timeout 120 \
	> $out/rx.json 2> $out/rx.err
rx_pid=$NSIM_RX_PID
grep "^binding" $provider > $out/bound
tx "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $port -n $bytes
tx_rc=$?
wait $rx_pid
rx_rc=$?
ktap_diag "$(cat $out/rx.json $out/rx.err)"
ktap_diag "while bound: $(cat $out/bound)"
json_true $out/rx.json "J['verified'] and J['bytes'] == $bytes and
	J['dmabuf_bytes'] == J['bytes'] and J['tokens'] == J['frags'] and
	8948 <= J['max_frag'] <= 65536"
verified=$?
[ $tx_rc = 0 ] && [ $rx_rc = 0 ] && [ $verified = 0 ] &&
	grep -q "queues 1 buffers 256 free" $out/bound
ktap_result $? received_verified_in_64k_buffers "sender $tx_rc, devmem-rx $rx_rc"

# Small segments share a buffer: a 1500-byte MTU and one segment per frame
# on the sender give 1448-byte segments, which the NIC packs one after another into its
# open 64 KiB buffer (a frag at a buffer's start only when a new one
# opens). A 4 MiB binding (64 buffers) then carries the stream without
# starving: unpacked it would hold 64 segments at a time.
# (netdevsim's TSO cannot be turned off: one segment per frame it is.)
small=$(selftest_volume $((16 << 20)) $((4 << 20)))
ip -n "$NSIM_NS_TX" link set "$NSIM_IF_TX" mtu 1500 gso_max_segs 1 &&
	ip -n "$NSIM_NS_RX" link set "$NSIM_IF_RX" mtu 1500 &&
	nsim_rx_start "$BIN/devmem-rx" -i "$NSIM_IF_RX" -q $queue -p $port -s 4M \
		--hugetlb -n "$small" --verify --json --frag-log $out/small.frags \
		--ready-fd 3 --timeout 120 > $out/small.json 2> $out/small.err &&
	tx "$BIN/tcpxfer" send -c "$NSIM_ADDR_RX" -p $port -n "$small"
tx_rc=$?
wait $NSIM_RX_PID
rx_rc=$?
# frags, and of them those not at the start of a 64 KiB buffer
read -r frags inside < <(awk '{ n++; if ($1 % 65536) inner++ } END { print n + 0, inner + 0 }' \
	$out/small.frags)
ktap_diag "$(cat $out/small.json $out/small.err)"
ktap_diag "$frags frags, $inside of them inside a buffer"
json_true $out/small.json "J['verified'] and J['bytes'] == $small and
	J['dmabuf_bytes'] == J['bytes'] and J['max_frag'] <= 1448"
verified=$?
[ $tx_rc = 0 ] && [ $rx_rc = 0 ] && [ $verified = 0 ] && [ "$frags" -gt 0 ] &&
	[ $((inside * 10)) -ge $((frags * 9)) ]
ktap_result $? small_segments_packed_into_64k_buffers "sender $tx_rc, devmem-rx $rx_rc"
ip -n "$NSIM_NS_TX" link set "$NSIM_IF_TX" mtu 9000 gso_max_segs 65535
ip -n "$NSIM_NS_RX" link set "$NSIM_IF_RX" mtu 9000

# The buffer length is fixed while a queue is bound. This binding goes
# through the dmabuf-pp family, which says what size it asked for.
hold_in=$(mktemp -u /tmp/large-hold.XXXXXX)
mkfifo "$hold_in"
ip netns exec "$NSIM_NS_RX" "$BIN/devmemctl" bind "$NSIM_IF_RX" queues $queue \
	udmabuf 4M hugetlb buf-size 64K hold < "$hold_in" > $out/hold.out 2>&1 &
hold_pid=$!
exec {hold_fd}> "$hold_in"
rm -f "$hold_in"
nsim_poll 60 grep -q "queues 1 buffers 64 free" $provider &&
	rx "$BIN/devmemctl" bindings | grep -q "queues $queue buf-size 65536 buffers 64 " &&
	! rx ethtool -G "$NSIM_IF_RX" rx-buf-len 4096 2> $out/busy.err &&
	grep -q "memory provider" $out/busy.err && [ "$(buf_len)" = 65536 ]
bound_rc=$?
exec {hold_fd}>&-
wait $hold_pid && [ $bound_rc = 0 ]
ktap_result $? rx_buf_len_fixed_while_bound "$(cat $out/busy.err $out/hold.out)"

# Nothing left, and the device goes back to pages.
nsim_flush_deferred_frees
nsim_poll 60 eval '[ "$(totals)" = "total bindings 0 buffers 0 out 0" ]' &&
	rx ethtool -G "$NSIM_IF_RX" rx-buf-len 4096 && [ "$(buf_len)" = 4096 ]
ktap_result $? nothing_left_back_to_4k "$(totals)"

trap - EXIT
cleanup
ktap_exit
