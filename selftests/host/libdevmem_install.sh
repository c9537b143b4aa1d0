#!/bin/bash
# libdevmem as a user gets it: `make install` into a scratch DESTDIR puts
# the header, both libraries, the pkg-config file and the tools in place;
# the example receiver then builds against that install alone (Debian's
# headers, not our kernel's: devmem.h must stand on its own), linked
# dynamically and statically, and both binaries start and report the
# library version the header names.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
BIN=${BIN:-$top/.cache/bin}
HDR=${HDR:-$top/.cache/headers}
mkdir -p "$top/.cache/check"
dest=$(mktemp -d "$top/.cache/check/install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
prefix=/usr/local
root=$dest$prefix
version=$(sed -n 's/^#define DEVMEM_VERSION_STRING "\(.*\)"$/\1/p' "$top/tools/libdevmem/devmem.h")

ktap_start 5

make -s -C "$top/tools" install BIN="$BIN" HDR="$HDR" DESTDIR="$dest" \
	PREFIX=$prefix > "$dest/install.log" 2>&1 &&
	[ -f "$root/include/devmem.h" ] && [ -f "$root/lib/libdevmem.a" ] &&
	[ -L "$root/lib/libdevmem.so" ] &&
	[ "$(readlink "$root/lib/libdevmem.so.${version%%.*}")" = "libdevmem.so.$version" ] &&
	[ -x "$root/bin/devmemctl" ] && [ -x "$root/bin/devmem-rx" ] &&
	[ -x "$root/bin/devmem-tx" ]
ktap_result $? install_puts_everything_in_place "$(tail -n 3 "$dest/install.log")"

# pkg-config as it would run on the installed system, rooted at $dest.
pc() {
	PKG_CONFIG_PATH=$root/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest \
		pkg-config "$@" libdevmem
}
[ "$(pc --modversion)" = "$version" ] &&
	pc --cflags | grep -q -- "-I$root/include" &&
	pc --libs | grep -q -- "-ldevmem" &&
	pc --static --libs | grep -q -- "-lnl-genl-3"
ktap_result $? pkg_config_describes_the_install "$(pc --cflags --libs 2>&1)"

# The shared library exports the API and nothing of its internals.
exports=$(nm -D --defined-only "$root/lib/libdevmem.so" | awk '{ print $3 }')
api=$(sed -n 's/^DEVMEM_API [a-z_ 0-9]*[ *]\(devmem_[a-z_0-9]*\)(.*/\1/p' \
	"$top/tools/libdevmem/devmem.h" | sort)
[ -n "$api" ] && [ "$(echo "$exports" | sort)" = "$api" ]
ktap_result $? shared_library_exports_exactly_the_api \
	"$(diff <(echo "$exports" | sort) <(echo "$api") | head -n 5)"

# A program that prints the version, built like any user's program.
cat > "$dest/version.c" <<'C'
#include <devmem.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	printf("%s\n", devmem_version());
	return strcmp(devmem_version(), DEVMEM_VERSION_STRING) != 0;
}
C
ex=$top/tools/examples/devmem_receiver.c
run() { LD_LIBRARY_PATH=$root/lib "$@"; }
# shellcheck disable=SC2046 # pkg-config prints a list of flags
gcc -std=c11 -Wall -Wextra -Werror -o "$dest/version" "$dest/version.c" $(pc --cflags --libs) &&
	gcc -std=c11 -Wall -Wextra -Werror -o "$dest/receiver" "$ex" $(pc --cflags --libs) &&
	[ "$(run "$dest/version")" = "$version" ] &&
	run ldd "$dest/receiver" | grep -q "libdevmem.so.${version%%.*} => $root/lib/"
built=$?
usage=$(run "$dest/receiver" 2>&1)
usage_rc=$?
[ $built = 0 ] && [ $usage_rc = 2 ] && [[ $usage == "usage: devmem-receiver"* ]]
ktap_result $? example_builds_and_runs_shared "exit $usage_rc: $usage"

# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Werror -o "$dest/version-static" "$dest/version.c" \
	-Wl,-Bstatic $(pc --cflags --libs --static) -Wl,-Bdynamic &&
	! ldd "$dest/version-static" | grep -q libdevmem &&
	[ "$("$dest/version-static")" = "$version" ]
ktap_result $? links_statically
ktap_exit
