# shellcheck shell=bash
# KTAP v1 output for shell tests and runners. Source it, then:
#   ktap_require WHY CMD...       before ktap_start: unless CMD succeeds,
#                                 the test is skipped with WHY (a missing
#                                 prerequisite, as kselftest skips) and exits
#   ktap_start N                  header and plan
#   ktap_result RC NAME [DIAG]    "ok" when RC is 0, else "not ok" (+ diag)
#   ktap_skip NAME WHY
#   ktap_nested NAME CMD...       run CMD, indent its KTAP as subtests of NAME
#   ktap_exit                     exit 0 / 1 / 4 (all skipped), as kselftest
# With KTAP_TIMES set (vm-suite sets it), each result comes after a
# "# N s" line: the seconds since the previous one, to see where a long
# test spends its time.

KTAP_DONE=0
KTAP_FAILED=0
KTAP_SKIPPED=0
KTAP_PLANNED=0
KTAP_LAST=$SECONDS

ktap_require() {
	local why=$1
	shift
	"$@" && return 0
	printf 'KTAP version 1\n1..1\nok 1 prerequisites # SKIP %s\n' "$why"
	exit 4
}

ktap_start() {
	KTAP_PLANNED=$1
	printf 'KTAP version 1\n1..%d\n' "$1"
}

# Every line of a (possibly multi-line) message becomes a '#' line.
ktap_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

ktap_result() {
	local rc=$1 name=$2
	KTAP_DONE=$((KTAP_DONE + 1))
	if [ -n "${KTAP_TIMES:-}" ]; then
		ktap_diag "$((SECONDS - KTAP_LAST)) s"
		KTAP_LAST=$SECONDS
	fi
	if [ "$rc" -eq 0 ]; then
		printf 'ok %d %s\n' "$KTAP_DONE" "$name"
	else
		KTAP_FAILED=$((KTAP_FAILED + 1))
		[ $# -gt 2 ] && ktap_diag "$name: $3"
		printf 'not ok %d %s\n' "$KTAP_DONE" "$name"
	fi
	return "$rc"
}

ktap_skip() {
	KTAP_DONE=$((KTAP_DONE + 1))
	KTAP_SKIPPED=$((KTAP_SKIPPED + 1))
	printf 'ok %d %s # SKIP %s\n' "$KTAP_DONE" "$1" "$2"
}

# Run a KTAP-speaking command as one test whose cases become subtests.
# Exit status 4 (kselftest's KSFT_SKIP) reports the test as skipped. As in
# KTAP v1, "# Subtest: NAME" goes inside the child's document, right after
# its version line.
ktap_nested() {
	local name=$1 rc
	shift
	"$@" 2>&1 | awk -v name="$name" '
		NR == 1 && /^KTAP version/ { print "    " $0; print "    # Subtest: " name; fflush(); next }
		NR == 1 { print "    # Subtest: " name }
		{ print "    " $0; fflush() }'
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 4 ]; then
		ktap_skip "$name" "all cases skipped"
	else
		ktap_result "$rc" "$name" "exit status $rc"
	fi
}

ktap_exit() {
	if [ "$KTAP_DONE" -ne "$KTAP_PLANNED" ]; then
		ktap_diag "planned $KTAP_PLANNED tests, ran $KTAP_DONE"
		exit 1
	fi
	[ "$KTAP_FAILED" -eq 0 ] || exit 1
	[ "$KTAP_PLANNED" -gt 0 ] && [ "$KTAP_SKIPPED" -eq "$KTAP_PLANNED" ] && exit 4
	exit 0
}
