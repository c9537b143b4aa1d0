#!/bin/bash
# The benchmark start gate (tcpxfer send --ready-fd --go-fd, as rx_paths
# uses it), on the host over loopback: the sender says it is ready only
# once connected and has sent nothing then (its TCP_INFO bytes_sent, read
# by ss, is zero); one byte on the go fifo releases it, and the receiver
# gets every byte, checked against the pattern; --ready-fd without
# --go-fd is refused.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
BIN=${BIN:-$top/.cache/bin}
ktap_require "no tcpxfer (make tools first)" test -x "$BIN/tcpxfer"
ktap_require "no ss (iproute2)" hash ss
mkdir -p "$top/.cache/check"
dir=$(mktemp -d "$top/.cache/check/go_fd.XXXXXX")
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$dir"' EXIT
port=$((20000 + ($$ + 7) % 20000))

# wait_ready FIFO: true once a program wrote "ready" to it
wait_ready() {
	local line=
	read -r -t 30 line < "$1"
	[ "$line" = ready ]
}

# start_pair NAME BYTES: a verifying receiver and a gated sender whose go
# end is fd 5 of this shell; returns once the sender says it is ready.
start_pair() {
	local name=$1 bytes=$2
	mkfifo "$dir/$name.rr" "$dir/$name.sr" || return 1
	"$BIN/tcpxfer" recv -b 127.0.0.1 -p $port -n "$bytes" --verify --json \
		--ready-fd 3 --timeout 30 3> "$dir/$name.rr" > "$dir/$name.json" 5>&- &
	recv_pid=$!
	pids+=($recv_pid)
	wait_ready "$dir/$name.rr" || return 1
	"$BIN/tcpxfer" send -c 127.0.0.1 -p $port -n "$bytes" --timeout 30 \
		--ready-fd 3 --go-fd 4 3> "$dir/$name.sr" 4<&5 &
	send_pid=$!
	pids+=($send_pid)
	wait_ready "$dir/$name.sr"
}

# The sender's connection's bytes_sent: 0 when ss shows the connection
# without one (ss leaves out a zero count), "none" when there is no
# connection at all.
bytes_sent() {
	local info
	info=$(ss -Htni state established "( dport = :$port )")
	[ -n "$info" ] || { echo none; return; }
	grep -o 'bytes_sent:[0-9]*' <<< "$info" | cut -d: -f2 | grep . || echo 0
}

ktap_start 3

mkfifo "$dir/go"
exec 5<> "$dir/go"
start_pair gated 4M
ready=$?
sent=$(bytes_sent)
[ $ready -eq 0 ] && [ "$sent" = 0 ]
ktap_result $? ready_once_connected_nothing_sent "ready $ready, bytes_sent $sent"

printf x >&5
wait $send_pid
s=$?
wait $recv_pid
r=$?
grep -q '"bytes": 4194304,.*"verified": true' "$dir/gated.json"
ktap_result $? released_by_one_byte_all_verified \
	"sender $s, receiver $r: $(cat "$dir/gated.json")"
exec 5>&-

"$BIN/tcpxfer" send -c 127.0.0.1 -p $port -n 1M --ready-fd 1 > /dev/null 2>&1
[ $? -eq 2 ]
ktap_result $? ready_fd_without_go_fd_refused

ktap_exit
