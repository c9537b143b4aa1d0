#!/bin/bash
# A netdevsim pair across two namespaces carries a 64 MiB TCP transfer (16
# MiB on the debug kernel) whose every byte is checked against the pattern
# at the receiver.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/volume.sh"
. "$top/tools/lib/nsim.sh"

bytes=$(selftest_volume 64M 16M)

ktap_start 3
trap nsim_pair_destroy EXIT

nsim_pair_create 1
ktap_result $? pair_up_in_two_namespaces || ktap_exit

report=$(nsim_xfer "$bytes" --verify 2>&1)
rc=$?
ktap_diag "$report"
ktap_result $rc tcp_transfer_verified

trap - EXIT
nsim_pair_destroy_checked
ktap_result $? teardown_leaves_nothing
ktap_exit
