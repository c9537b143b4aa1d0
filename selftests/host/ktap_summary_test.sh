#!/bin/bash
# The KTAP summarizer counts leaves, catches parents that failed on their
# own, and refuses a stream in which no test ran.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
sum="$top/selftests/lib/ktap_summary.py"

# expect NAME WANT_LINE WANT_RC <<< KTAP
expect() {
	local name=$1 want=$2 want_rc=$3 got rc
	got=$("$sum")
	rc=$?
	[ "$got" = "$want" ] && [ $rc -eq "$want_rc" ]
	ktap_result $? "$name" "got '$got' rc $rc, want '$want' rc $want_rc"
}

ktap_start 6

expect counts_leaves_not_parents "3 passed, 1 failed, 1 skipped" 1 <<'K'
KTAP version 1
1..2
    KTAP version 1
    1..3
    ok 1 a
    not ok 2 b
    ok 3 c # SKIP no hugepages
not ok 1 group
    ok 1 d
    ok 2 e
ok 2 group2
K

expect parent_failing_alone_counts "2 passed, 1 failed, 0 skipped" 1 <<'K'
KTAP version 1
1..1
    ok 1 a
    ok 2 b
not ok 1 vm.debug
K

expect deep_nesting "2 passed, 0 failed, 0 skipped" 0 <<'K'
KTAP version 1
1..1
        ok 1 leaf1
    ok 1 mid
        ok 1 leaf2
    ok 2 mid2
ok 1 top
K

expect no_tests_is_failure "0 passed, 0 failed, 0 skipped" 1 <<'K'
KTAP version 1
1..0
# nothing here
K

expect diagnostics_are_not_results "1 passed, 0 failed, 0 skipped" 0 <<'K'
KTAP version 1
# not ok 7 this is only a diagnostic
ok 1 real
K

# vm.debug was cut off inside "b" (no "ok N b" line): "c" that follows is a
# leaf of its own (before the fix it passed for a parent and went uncounted).
expect cut_off_child_does_not_leak_depth "3 passed, 1 failed, 0 skipped" 1 <<'K'
KTAP version 1
1..2
    KTAP version 1
    1..2
        ok 1 a1
        not ok 2 a2
    not ok 1 a
        ok 1 b1
not ok 1 vm.debug
    ok 1 c
ok 2 other
K

ktap_exit
