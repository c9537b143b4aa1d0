#!/bin/bash
# Every devmemctl verb on stock and ours, as a script would use it: exit
# status 0 done, 1 refused (with the kernel's extack text on stderr), 2
# usage; -j output that parses as JSON and says what the plain output says.
# (steer and rss have their own test, devmemctl_steer.)
#
# On a netdevsim pair with 2 RX queues: --help and usage errors, hds set
# and read back in every mode, qstats, bind ... hold (its id, the binding
# while it holds, nothing after), pools naming the binding, show on both
# kernels, bindings (ours: statistics; stock: refused with the reason),
# and refusals: a queue that does not exist, one already bound.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/json.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
out=/tmp/devmemctl_verbs

rx() { ip netns exec "$NSIM_NS_RX" "$@"; }
ctl() { rx "$BIN/devmemctl" "$@"; }
stock() { [[ $(uname -r) == *-stock ]]; }

ktap_start 10
trap 'exec 7>&- 2>/dev/null; nsim_pair_destroy' EXIT
mkdir -p $out

nsim_pair_create 2
ktap_result $? pair_with_two_rx_queues || ktap_exit
dev=$NSIM_IF_RX
ifindex=$(rx cat "/sys/class/net/$dev/ifindex")

# --help: exit 0, every verb named; no verb, an unknown one or a bad
# argument: exit 2 with the usage on stderr.
"$BIN/devmemctl" --help > $out/help 2>&1
help_rc=$?
missing=
for verb in hds pools qstats bind bindings show steer rss; do
	grep -q "devmemctl .*$verb" $out/help || missing+=" $verb"
done
"$BIN/devmemctl" > /dev/null 2> $out/none; none_rc=$?
"$BIN/devmemctl" frobnicate > /dev/null 2> $out/unknown; unknown_rc=$?
ctl hds "$dev" sideways > /dev/null 2> $out/badarg; badarg_rc=$?
[ $help_rc = 0 ] && [ -z "$missing" ] && [ $none_rc = 2 ] && [ $unknown_rc = 2 ] &&
	[ $badarg_rc = 2 ] && grep -q usage: $out/unknown && grep -q usage: $out/badarg
ktap_result $? help_and_usage_errors \
	"help $help_rc (missing:$missing), none $none_rc, unknown $unknown_rc, bad arg $badarg_rc"

# hds: on and off read back as set, plain and JSON; auto leaves the choice
# to the driver, which then reports the mode it chose.
ok=0
for mode in on off auto on; do
	want=$mode
	[ $mode = auto ] && want="(on|off)"
	ctl hds "$dev" $mode > /dev/null &&
		ctl hds "$dev" | grep -Eq "tcp-data-split $want\$" &&
		ctl -j hds "$dev" > $out/hds.json &&
		grep -Eq "\"tcp_data_split\": \"$want\"" $out/hds.json &&
		json_true $out/hds.json "J['ifindex'] == $ifindex" || { ok=1; break; }
done
ktap_result $ok hds_set_and_read_back "after '$mode': $(cat $out/hds.json)"

# qstats: one entry per RX queue of the device.
ctl -j qstats "$dev" > $out/qstats.json &&
	json_true $out/qstats.json \
		"sorted(q['queue'] for q in J) == [0, 1] and all(q['ifindex'] == $ifindex for q in J)"
ktap_result $? qstats_every_queue "$(cat $out/qstats.json)"

# bind ... hold: prints the id and keeps the binding until stdin closes.
mkfifo $out/hold $out/bound
ctl -j bind "$dev" queues 1 udmabuf 16M hold < $out/hold > $out/bound 2> $out/bind.err &
bind_pid=$!
exec 7> $out/hold
read -r -t 120 bind_json < $out/bound
echo "$bind_json" > $out/bind.json
binding=$(json_eval $out/bind.json 'J["id"]')
[[ $binding =~ ^[1-9][0-9]*$ ]]
ktap_result $? bind_hold_prints_the_id "$bind_json $(cat $out/bind.err)"

# While it holds: page pools name it on queue 1's pool, show lists it.
ctl -j pools "$dev" > $out/pools.json &&
	json_true $out/pools.json "sum(p['dmabuf'] == $binding for p in J) == 1" &&
	ctl -j show "$dev" > $out/show.json 2> $out/show.err &&
	json_true $out/show.json "len(J) == 1 and J[0]['id'] == $binding and J[0]['ifindex'] == $ifindex"
ktap_result $? pools_and_show_name_the_binding "$(cat $out/pools.json $out/show.json)"

# bindings: ours reports the binding's statistics; stock has no family to
# ask and says so, with exit status 1.
ctl -j bindings > $out/bindings.json 2> $out/bindings.err
bindings_rc=$?
if stock; then
	[ $bindings_rc = 1 ] && grep -q 'no "dmabuf-pp"' $out/bindings.err
else
	[ $bindings_rc = 0 ] && json_true $out/bindings.json \
		"len(J) == 1 and J[0]['id'] == $binding and J[0]['queues'] == [1] and J[0]['buffers'] == (16 << 20) // 4096 and J[0]['buffers_user'] == 0"
fi
ktap_result $? bindings_statistics_or_refusal \
	"rc $bindings_rc: $(cat $out/bindings.json $out/bindings.err)"

# Refusals carry the kernel's words: queue 1 is taken, queue 7 does not
# exist. Exit status 1, the errno and the extack text on stderr.
ctl bind "$dev" queues 1 udmabuf 1M > /dev/null 2> $out/busy.err; busy_rc=$?
ctl bind "$dev" queues 7 udmabuf 1M > /dev/null 2> $out/noq.err; noq_rc=$?
[ $busy_rc = 1 ] && [ $noq_rc = 1 ] &&
	grep -Eq '^devmemctl: [A-Za-z ]+: .*queue' $out/busy.err &&
	grep -Eq '^devmemctl: [A-Za-z ]+: .*queue' $out/noq.err
ktap_result $? refusals_exit_1_with_extack "busy: $(cat $out/busy.err); no queue: $(cat $out/noq.err)"

# Closing its stdin ends the hold: exit 0, and no binding is left.
exec 7>&-
wait $bind_pid
hold_rc=$?
ctl -j show "$dev" > $out/show_after.json 2> /dev/null
[ $hold_rc = 0 ] && [ "$(cat $out/show_after.json)" = "[]" ]
ktap_result $? hold_ends_on_eof_and_unbinds "rc $hold_rc, show $(cat $out/show_after.json)"

# A device that does not exist: refused, exit 1, named in the message.
ctl hds nosuchdev0 > /dev/null 2> $out/nodev.err
[ $? = 1 ] && grep -q nosuchdev0 $out/nodev.err
ktap_result $? unknown_device_refused "$(cat $out/nodev.err)"

trap - EXIT
nsim_pair_destroy
ktap_exit
