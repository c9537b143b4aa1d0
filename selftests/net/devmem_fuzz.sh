#!/bin/bash
# devmem_fuzz.c against a netdevsim device with 4 RX queues and header
# split on, in a namespace of its own: SEED (default 1, or $FUZZ_SEED) and
# CALLS (default 3000, or $FUZZ_CALLS) make the run reproducible. The
# fuzzer checks no answer; this script checks what must hold afterwards:
# no binding and no buffer left in the provider, and the exporter back to
# the buffers and pages it had before. vm-suite checks the kernel log.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/tools/lib/nsim.sh"

BIN=$top/.cache/bin
ns=nsim-fuzz
id=1061
seed=${FUZZ_SEED:-1}
calls=${FUZZ_CALLS:-3000}
provider=/sys/kernel/debug/dmabuf_pp/bindings
exporter=/sys/kernel/debug/udmabuf/stats
out=/tmp/devmem_fuzz

cleanup() { nsim_dev_remove $id $ns; }

# "total bindings B buffers N out O; udmabuf buffers U pages P"
counters() {
	echo "$(tail -n 1 $provider); udmabuf" \
		"$(awk '$1 == "buffers" || $1 == "pages" { printf "%s %s ", $1, $2 }' $exporter)"
}

ktap_require "needs debugfs with dmabuf-pp's and udmabuf's counters" \
	test -r $provider -a -r $exporter
ktap_start 3
trap cleanup EXIT
mkdir -p $out
ip netns add $ns && ifname=$(nsim_dev_create $id 4 $ns) &&
	ip -n $ns link set "$ifname" up && ip -n $ns link set lo up &&
	ip netns exec $ns "$BIN/devmemctl" hds "$ifname" on > /dev/null &&
	before=$(counters)
ktap_result $? device_hds_on_counters_read "$before" || ktap_exit

ip netns exec $ns "$BIN/selftests/devmem_fuzz" "$ifname" "$seed" "$calls" \
	> $out/fuzz.out 2> $out/fuzz.err
rc=$?
ktap_diag "$(cat $out/fuzz.out $out/fuzz.err)"
ktap_result $rc fuzzed_seed_${seed}

# Bindings go once their page_pools drain (retried once a second); a
# binding whose device is gone waits for nothing. The device goes first,
# so that bound queues let go too.
cleanup
nsim_flush_deferred_frees
want="total bindings 0 buffers 0 out 0; udmabuf ${before#*; udmabuf }"
nsim_poll 60 eval '[ "$(counters)" = "$want" ]'
ktap_result $? counters_back "now: $(counters); want: $want"
ktap_exit
