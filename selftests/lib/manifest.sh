# shellcheck shell=bash
# Reading selftests/TESTS (see its header for the format). Source it, then:
#   manifest_tests WHERE   one "NAME COMMAND" line per test that runs WHERE
#                          ("host", a flavor name, or "after:FLAVOR")
#   manifest_flavors       the flavors that have VM tests, one a line
# COMMAND is left unexpanded: callers run it with eval "set -- $cmd" once
# BIN is set.

MANIFEST=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/TESTS

manifest_tests() {
	local name where cmd
	while read -r name where cmd; do
		case $name in '' | '#'*) continue ;; esac
		[[ ",$where," == *",$1,"* ]] && echo "$name $cmd"
	done < "$MANIFEST"
}

manifest_flavors() {
	local name where cmd
	while read -r name where cmd; do
		case $name in '' | '#'*) continue ;; esac
		[ "$where" = host ] || tr , '\n' <<< "$where"
	done < "$MANIFEST" | awk '!/^after:/ && !seen[$0]++'
}
