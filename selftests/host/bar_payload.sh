#!/bin/bash
# The proof from outside the VM: after FLAVOR's VM stopped, the payload its
# devmem_bar test received into device memory is in the file behind the
# VM's ivshmem BAR (.cache/check/devmem-FLAVOR.img, tools/vm/run
# --devmem-file), at the offsets devmem-rx reported. Nothing inside the
# guest can show that the bytes went to the device and not to host RAM.
#
# usage: selftests/host/bar_payload.sh FLAVOR
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
flavor=${1:?usage: bar_payload.sh FLAVOR}
check=$top/.cache/bin/host/bar_payload_check
result=$top/.cache/check/bar-payload/$flavor
file=$top/.cache/check/devmem-$flavor.img

ktap_start 3
if [ ! -s "$result/place" ] || [ ! -f "$file" ]; then
	why="no record of $flavor's devmem_bar receive (it failed or skipped there)"
	ktap_skip payload_found_in_backing_file "$why"
	ktap_skip wrong_stream_offsets_are_caught "$why"
	ktap_skip zeroed_file_is_caught "$why"
	ktap_exit
fi
read -r bar_off size < "$result/place"

out=$("$check" "$file" "$bar_off" "$size" "$result/frags" 2>&1)
ktap_result $? payload_found_in_backing_file "$out" && ktap_diag "$out"

# The check can fail: the same bytes against a log one byte off, and the
# log against a file of zeros (what the BAR held before the receive).
shifted=$(mktemp)
zeros=$(mktemp)
trap 'rm -f "$shifted" "$zeros"' EXIT
awk '{ print $1, $2 + 1, $3 }' "$result/frags" > "$shifted"
! "$check" "$file" "$bar_off" "$size" "$shifted" > /dev/null 2>&1
ktap_result $? wrong_stream_offsets_are_caught
truncate -s "$(stat -c %s "$file")" "$zeros"
! "$check" "$zeros" "$bar_off" "$size" "$result/frags" > /dev/null 2>&1
ktap_result $? zeroed_file_is_caught
ktap_exit
