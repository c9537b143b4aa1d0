#!/bin/bash
# devmem-rx's iperf3 server against Debian's own iperf3 client, on the
# host over loopback: the protocol without a VM (iperf_plain is the same
# server code with no dma-buf bound, so every byte arrives in the iov).
# Runs to the end, with 1 and 4 streams, the client and the server agree
# on every count; tests we cannot run are refused in words the client
# prints; an interrupted client, a connection with a foreign cookie and
# parameters that are not JSON each end the right way.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/json.sh"
BIN=${BIN:-$top/.cache/bin}
mkdir -p "$top/.cache/check"
dir=$(mktemp -d "$top/.cache/check/iperf.XXXXXX")
srv=
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; rm -rf "$dir"' EXIT
port=$((20000 + $$ % 20000))

# Start the server in the background, return once it listens. One left
# over by a failed case goes first: it would hold the port.
server_start() {
	local line=
	[ -n "$srv" ] && kill $srv 2>/dev/null && wait $srv 2>/dev/null
	rm -f "$dir/ready"
	mkfifo "$dir/ready" || return 1
	"$BIN/host/iperf_plain" $port 3 "$@" 3> "$dir/ready" > "$dir/srv.out" 2> "$dir/srv.err" &
	srv=$!
	read -r -t 30 line < "$dir/ready"
	[ "$line" = ready ]
}

server_rc() {
	wait $srv
}

# Client and server agree: what the server says it received is what the
# client's receiver line says (the client parsed our results), what the
# client says it sent is what the server was told, the server got no more
# than was sent and at least half of it (the rest can be in flight when
# TEST_END arrives), and with no dma-buf every byte is linear.
agree() {
	local streams=$1 rx sent
	rx=$(json_eval "$dir/srv.out" 'J["bytes"]') &&
	sent=$(json_eval "$dir/srv.out" 'J["sender_bytes"]') &&
	[ "$rx" -le "$sent" ] && [ $((rx * 2)) -ge "$sent" ] &&
	[ "$(json_eval "$dir/srv.out" 'J["streams"]')" = "$streams" ] &&
	[ "$(json_eval "$dir/srv.out" 'J["linear_bytes"]')" = "$rx" ] &&
	[ "$(json_eval "$dir/srv.out" 'J["dmabuf_bytes"]')" = 0 ] &&
	[ "$(json_eval "$dir/cli.json" 'J["end"]["sum_received"]["bytes"]')" = "$rx" ] &&
	[ "$(json_eval "$dir/cli.json" 'J["end"]["sum_sent"]["bytes"]')" = \
	  "$(json_eval "$dir/srv.out" 'J["sender_bytes"]')" ] &&
	[ "$(json_eval "$dir/cli.json" 'len(J["end"]["streams"])')" = "$streams" ]
}

ktap_start 6

server_start --json &&
	iperf3 -c 127.0.0.1 -p $port -t 1 -J > "$dir/cli.json" 2> "$dir/cli.err" &&
	server_rc && agree 1
ktap_result $? one_stream_timed_test_counts_agree \
	"$(cat "$dir/srv.out" "$dir/srv.err" "$dir/cli.err" 2>/dev/null | tail -n 5)"

server_start --json &&
	iperf3 -c 127.0.0.1 -p $port -P 4 -n 64M -J > "$dir/cli.json" 2> "$dir/cli.err" &&
	server_rc && agree 4 &&
	[ "$(json_eval "$dir/srv.out" 'J["sender_bytes"]')" = $((64 << 20)) ]
ktap_result $? four_streams_64m_counts_agree \
	"$(cat "$dir/srv.out" "$dir/srv.err" "$dir/cli.err" 2>/dev/null | tail -n 5)"

# -R and -u: the client prints iperf3's "not implemented" error, the
# server says what it refused, both exit non-zero.
refused() {
	server_start || return 1
	iperf3 -c 127.0.0.1 -p $port -t 1 "$@" > "$dir/cli.out" 2>&1 && return 1
	server_rc && return 1
	grep -q "not implemented" "$dir/cli.out" &&
		grep -q "refusing the iperf3 test" "$dir/srv.err"
}
refused -R && grep -q -- "no -R" "$dir/srv.err"
ktap_result $? reverse_mode_refused "$(cat "$dir/cli.out" "$dir/srv.err" 2>/dev/null)"
refused -u && grep -q -- "TCP only" "$dir/srv.err"
ktap_result $? udp_refused "$(cat "$dir/cli.out" "$dir/srv.err" 2>/dev/null)"

# SIGINT once the test runs (the client has printed its first interval)
# makes the client send CLIENT_TERMINATE: the server stops with that
# reason, it does not wait out its 20 s timeout. The client's -t 60
# cannot end the test first.
interrupt_client() {
	local line cli
	mkfifo "$dir/cli.fifo" || return 1
	iperf3 -c 127.0.0.1 -p $port -t 60 -i 1 > "$dir/cli.fifo" 2>&1 &
	cli=$!
	exec 9< "$dir/cli.fifo"	# open until the client is gone: no SIGPIPE
	while read -r -t 30 line <&9; do
		echo "$line" >> "$dir/cli.out"
		[[ $line == *sec*bits/sec* ]] && break
	done
	kill -INT $cli
	cat <&9 >> "$dir/cli.out"
	exec 9<&-
	wait $cli
	return 0
}
server_start && interrupt_client && ! server_rc &&
	grep -q "client was interrupted" "$dir/srv.err"
ktap_result $? interrupted_client_ends_the_test "$(cat "$dir/srv.err" 2>/dev/null)"

# A scripted client: a stream connection with another cookie is denied
# (one byte, -1) and the test goes on with the right one; then parameters
# that are not JSON end the next test with a reason.
server_start &&
	python3 - $port > "$dir/py.out" 2>&1 <<'PY' && server_rc &&
import socket, struct, sys
port = int(sys.argv[1])
cookie = b"a" * 36 + b"\0"
def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=10)
def byte(s):
    b = s.recv(1)
    assert b, "closed"
    return struct.unpack("b", b)[0]
def json_msg(s, text):
    s.sendall(struct.pack("!I", len(text)) + text)
ctl = conn()
ctl.sendall(cookie)
assert byte(ctl) == 9                     # PARAM_EXCHANGE
json_msg(ctl, b'{"tcp":true,"parallel":1,"time":1}')
assert byte(ctl) == 10                    # CREATE_STREAMS
bad = conn()
bad.sendall(b"b" * 36 + b"\0")
assert byte(bad) == -1                    # ACCESS_DENIED
good = conn()
good.sendall(cookie)
assert byte(ctl) == 1 and byte(ctl) == 2  # TEST_START, TEST_RUNNING
good.sendall(b"x" * 100000)
good.shutdown(socket.SHUT_WR)             # then wait until all is acked:
import fcntl, select, termios, time       # the server must have it queued
deadline = time.monotonic() + 10
while struct.unpack("i", fcntl.ioctl(good, termios.TIOCOUTQ, b"\0" * 4))[0]:
    assert time.monotonic() < deadline, "loopback never acked our bytes"
    select.select([], [], [], 0.01)
ctl.sendall(struct.pack("b", 4))          # TEST_END
assert byte(ctl) == 13                    # EXCHANGE_RESULTS
json_msg(ctl, b'{"cpu_util_total":0,"cpu_util_user":0,"cpu_util_system":0,'
              b'"sender_has_retransmits":0,"streams":[{"id":1,"bytes":100000,'
              b'"retransmits":0,"jitter":0,"errors":0,"packets":0}]}')
n = struct.unpack("!I", ctl.recv(4, socket.MSG_WAITALL))[0]
res = ctl.recv(n, socket.MSG_WAITALL)
assert b'"bytes":100000' in res, res
assert byte(ctl) == 14                    # DISPLAY_RESULTS
ctl.sendall(struct.pack("b", 16))         # IPERF_DONE
print("ok")
PY
	grep -q "another cookie, denied" "$dir/srv.err" &&
	server_start && python3 - $port > "$dir/py2.out" 2>&1 <<'PY' && ! server_rc &&
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"c" * 36 + b"\0")
assert s.recv(1) == b"\x09"
s.sendall(struct.pack("!I", 9) + b"{not json")
assert s.recv(1) == b"", "the server should close"
PY
	grep -q "parameters: not a JSON object" "$dir/srv.err"
ktap_result $? foreign_cookie_denied_bad_json_refused \
	"$(cat "$dir/py.out" "$dir/py2.out" "$dir/srv.err" 2>/dev/null | tail -n 6)"

ktap_exit
