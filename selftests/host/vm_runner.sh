#!/bin/bash
# Self-tests of tools/vm/run, from the host: it passes the command's exit
# status and output through, runs in the caller's directory with the
# checkout writable and the root read-only, honours --mem/--append and
# --timeout, gives the guest device memory with --devmem (and only then),
# makes guest time count instructions with --icount,
# and fails a run whose kernel splats even when the command succeeded.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
run=$top/tools/vm/run
mkdir -p "$top/.cache/check"
out=$(mktemp -d "$top/.cache/check/vm_runner.XXXXXX")
trap 'rm -rf "$out"' EXIT

# vm NAME ARGS... : run tools/vm/run, keep stdout/stderr/status under $out.
vm() {
	local name=$1
	shift
	"$run" "$@" > "$out/$name.out" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
}
rc() { cat "$out/$1.rc"; }
# A run that failed as it should: its kept console log is of no more use.
forget() { rm -rf "$(sed -n 's|^vm/run: console log: \(.*\)/console.log$|\1|p' "$out/$1.err")"; }
show() { ktap_diag "rc $(rc "$1"): $(tr '\n' ' ' < "$out/$1.err" | cut -c1-300)"; }

ktap_start 12

vm exit3 -- sh -c 'exit 3'
[ "$(rc exit3)" -eq 3 ]
ktap_result $? exit_status_passes_through "got $(rc exit3)" || show exit3

vm uname --flavor stock -- uname -r
grep -Eqx '6\.12\.[0-9]+-stock' "$out/uname.out"
ktap_result $? stock_kernel_is_6_12 "uname -r said '$(cat "$out/uname.out")'" || show uname

mkdir -p "$out/sub"
(cd "$out/sub" && vm cwd -- sh -c 'pwd; echo written-in-vm > file')
[ "$(cat "$out/cwd.out")" = "$out/sub" ] && [ "$(cat "$out/sub/file")" = written-in-vm ]
ktap_result $? runs_in_cwd_and_writes_back || show cwd

# Read-only root, writable scratch, and the /dev links scripts rely on
# (bash's <(...) needs /dev/fd, which devtmpfs alone does not have).
vm fs -- bash -c 'touch /tmp/t /run/t /var/tmp/t /root/t && ! touch /usr/t 2>/dev/null &&
	[ "$(cat <(echo via-dev-fd))" = via-dev-fd ]'
[ "$(rc fs)" -eq 0 ]
ktap_result $? guest_filesystems_and_dev_fd || show fs

vm huge --mem 4G --cpus 3 --append hugepages=1100 -- sh -c \
	'nproc; mountpoint -q /dev/hugepages && awk "/^HugePages_Total/ {print \$2}" /proc/meminfo'
[ "$(tr '\n' ' ' < "$out/huge.out")" = "3 1100 " ]
ktap_result $? mem_cpus_and_hugepages "got '$(tr '\n' ' ' < "$out/huge.out")', want '3 1100'" ||
	show huge

vm warn --flavor debug -- sh -c 'echo warn > /sys/kernel/debug/dmabuf_pp_test/trigger'
[ "$(rc warn)" -eq 125 ] && grep -q 'WARNING:' "$out/warn.err" &&
	grep -q 'console log: ' "$out/warn.err"
ktap_result $? warn_in_guest_fails_run && forget warn || show warn

vm leak --flavor debug -- sh -c 'echo leak > /sys/kernel/debug/dmabuf_pp_test/trigger'
[ "$(rc leak)" -eq 125 ] && grep -q 'memory leak' "$out/leak.err"
ktap_result $? kmemleak_report_fails_run && forget leak || show leak

# The command never ends, so only the time-out can stop this run.
vm spin --timeout 5 -- sh -c 'while :; do :; done'
[ "$(rc spin)" -eq 124 ] && grep -q 'timed out' "$out/spin.err"
ktap_result $? timeout_kills_vm && forget spin || show spin

# --devmem: an ivshmem device whose BAR 2 is the file, named to the command.
vm devmem --devmem 1M --devmem-file "$out/devmem.img" -- sh -c \
	'd=/sys/bus/pci/devices/$DEVMEM_PCI; cat $d/vendor $d/device; stat -c %s $d/resource2'
[ "$(tr '\n' ' ' < "$out/devmem.out")" = "0x1af4 0x1110 1048576 " ] &&
	[ "$(stat -c %s "$out/devmem.img")" = 1048576 ]
ktap_result $? devmem_device_backed_by_file "got '$(tr '\n' ' ' < "$out/devmem.out")'" ||
	show devmem

vm nodevmem -- sh -c 'echo "${DEVMEM_PCI:-none}"; cat /sys/bus/pci/devices/*/device | grep -c 0x1110'
vm badsize --devmem 3M -- true
[ "$(tr '\n' ' ' < "$out/nodevmem.out")" = "none 0 " ] && [ "$(rc badsize)" -eq 126 ]
ktap_result $? devmem_only_on_request "got '$(tr '\n' ' ' < "$out/nodevmem.out")', --devmem 3M: $(rc badsize)" ||
	show badsize

# --icount: guest time counts the instructions the guest executes, so a
# loop that does no I/O takes the same guest time in two boots (without
# icount the host's load decides it), and idle guest time costs no host
# time (sleep=off): each boot first sleeps 60 guest seconds, which would
# take a minute of host time in any other mode. The same command in both
# (what ran before the loop changes what interrupts it). Microseconds of
# a bash loop:
loop='sleep 60; s=${EPOCHREALTIME/./}; for ((i = 0; i < 100000; i++)); do :; done; echo "$VM_ICOUNT $((${EPOCHREALTIME/./} - s))"'
host_start=$SECONDS
vm icount1 --icount -- bash -c "$loop"
vm icount2 --icount -- bash -c "$loop"
host_s=$((SECONDS - host_start))
read -r flag1 us1 < "$out/icount1.out"
read -r flag2 us2 < "$out/icount2.out"
[ "$flag1" = 1 ] && [ "$flag2" = 1 ] && [ "${us1:-0}" -gt 0 ] && [ "${us2:-0}" -gt 0 ] &&
	[ $((100 * (us1 > us2 ? us1 - us2 : us2 - us1) / us1)) -lt 1 ] && [ "$host_s" -lt 120 ]
ktap_result $? icount_makes_guest_time_repeat \
	"VM_ICOUNT $flag1/$flag2, loop took $us1 and $us2 us; two boots with a 60 s sleep took $host_s host s" ||
	show icount2

vm badflavor --flavor nope -- true
[ "$(rc badflavor)" -eq 126 ]
ktap_result $? unknown_flavor_refused || show badflavor

ktap_exit
