#!/bin/bash
# Upstream's own ncdevmem (tools/testing/selftests/net/ncdevmem.c of the base
# tree, built unmodified) runs as the devmem TCP server on the netdevsim pair
# and validates every byte a plain client in the peer namespace sends.
#
# ncdevmem shells out to "sudo ethtool ..."; shims/ supplies sudo (we are
# root) and routes "ethtool -G DEV tcp-data-split on|off", which Debian's
# ethtool 6.1 lacks, to devmemctl. Its other ethtool calls (-K ntuple, -X
# equal, -N flow-type ... queue, -L rx N tx M) reach netdevsim unchanged.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
export DEVMEMCTL=$BIN/devmemctl
export PATH=$top/selftests/net/shims:$PATH
port=5203
bytes=$((16 << 20))
queue=1
log=/tmp/ncdevmem.log

ktap_start 4
trap nsim_pair_destroy EXIT

nsim_pair_create 2
ktap_result $? pair_with_two_rx_queues || ktap_exit

# ncdevmem says "Waiting or connection" right before accept(): the client
# starts when that line comes through the fifo, not after a guessed delay.
fifo=$(mktemp -u /tmp/ncdevmem.XXXXXX)
mkfifo "$fifo"
ip netns exec "$NSIM_NS_RX" "$BIN/selftests/ncdevmem" -s "$NSIM_ADDR_RX" \
	-l -p $port -f "$NSIM_IF_RX" -t $queue -q 1 -v 7 2> "$fifo" > /dev/null &
server=$!
listening=1
exec {rd}< "$fifo"
rm -f "$fifo"
while IFS= read -r -t 300 -u "$rd" line; do
	echo "$line" >> "$log"
	case $line in "Waiting or connection"*) listening=0; break ;; esac
done
cat <&"$rd" >> "$log" &
drain=$!
exec {rd}<&-
ktap_result $listening server_bound_and_listening "$(tail -5 "$log")"

# The client is plain TCP: bytes 1..6 then 0, repeated ("-v 7").
ip netns exec "$NSIM_NS_TX" bash -c \
	"yes \$'\\x01\\x02\\x03\\x04\\x05\\x06' | tr '\\n' '\\0' | head -c $bytes \
	> /dev/tcp/$NSIM_ADDR_RX/$port"
client=$?
wait $server
rc=$?
wait $drain
# 6.12's ncdevmem leaves through "client exited" on success and exits
# non-zero only after 20 bad bytes: check for any bad byte and the total.
[ $client -eq 0 ] && [ $rc -eq 0 ] && grep -q "^client exited" "$log" &&
	! grep -q "Failed validation" "$log" &&
	[ "$(grep -o 'total_received=[0-9]*$' "$log" | tail -1)" = "total_received=$bytes" ]
ktap_result $? ncdevmem_validates_16m "client $client, server $rc: $(grep -v 'recvmsg ret' "$log" | tail -8)"

# The payload really went through the dma-buf: netdevsim counted it.
landed=$(nsim_rx_stat rx${queue}_devmem_bytes)
[ "${landed:-0}" -ge $bytes ]
ktap_result $? payload_landed_in_devmem "rx${queue}_devmem_bytes=${landed:-none}, sent $bytes"
ktap_exit
