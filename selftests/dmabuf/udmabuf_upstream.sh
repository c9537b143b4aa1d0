#!/bin/bash
# Upstream's own udmabuf selftest (tools/testing/selftests/drivers/dma-buf/
# udmabuf.c of the base tree, built unmodified) against whichever
# /dev/udmabuf the flavor has: upstream's on stock, ours on ours and debug.
#
# Its last case maps a 2 GiB hugetlb memfd (1024 huge pages of 2 MiB) and
# touches every page. Reserve them here, with headroom for pages that
# pinning may have to migrate, then run it and give the pages back however
# it ends. Its KTAP output and exit status pass through, with one catch:
# 6.12's test returns 0 even when a case failed, so a "not ok" line or a
# case count short of its plan fails the run too.
top=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$top/.cache/bin
need=1100
sysctl=/proc/sys/vm/nr_hugepages

# Our own one-case KTAP document, for when the test cannot even start.
setup_failed() {
	printf 'KTAP version 1\n1..1\n'
	printf '%s\n' "$@" | sed 's/^/# /'
	echo "not ok 1 udmabuf_upstream_setup"
	exit 1
}

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

[ "$(meminfo Hugepagesize)" = 2048 ] ||
	setup_failed "default huge page size is $(meminfo Hugepagesize) kB, the test assumes 2048"
old=$(cat $sysctl) || setup_failed "cannot read $sysctl"
trap 'echo "$old" > $sysctl' EXIT
free=$(meminfo HugePages_Free)
if [ "$free" -lt $need ]; then
	echo $((old + need - free)) > $sysctl ||
		setup_failed "cannot write $sysctl"
	free=$(meminfo HugePages_Free)
fi
[ "$free" -ge $need ] ||
	setup_failed "HugePages_Free is $free with nr_hugepages $(cat $sysctl), want $need: the VM lacks the memory (MemTotal $(meminfo MemTotal) kB)"

out=$(mktemp /tmp/udmabuf_upstream.XXXXXX)
"$BIN/selftests/udmabuf_upstream" | tee "$out"
rc=${PIPESTATUS[0]}

plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$out" | head -1)
passed=$(grep -c '^ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
rm -f "$out"
if [ "$rc" -eq 0 ] && { [ "$failed" -ne 0 ] || [ "$passed" != "$plan" ]; }; then
	echo "# udmabuf_upstream: exit status 0, but $failed of plan ${plan:-none} failed and $passed passed"
	rc=1
fi
exit "$rc"
