#!/bin/bash
# make export's series taken as a kernel developer would take it: written
# with every quilt patch and every file of ours in it, checkpatch --strict
# clean, applied with git am to a pristine extraction of the base committed
# as documented, giving the very tree make builds ours from, which then
# builds, boots, and receives with devmem TCP (devmem_rx in the VM).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
checkpatch=$top/.cache/src/linux/scripts/checkpatch.pl
ktap_require "no prepared kernel tree (make kernel first)" test -x "$checkpatch"

# Laid out like .cache/src and .cache/build (the tree under the same name,
# output and tree side by side), so that ccache, keyed on paths relative
# to the output directory, hits what make kernel compiled.
work=$top/.cache/export-test
series=$work/series
tree=$work/src/$(basename "$(realpath "$top/.cache/src/linux")")
out=$work/build/ours
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work/src" "$work/build"' EXIT

ktap_start 7

"$top/tools/export/series" "$series" > "$work/series.log" 2>&1
rc=$?
mapfile -t patches < <(find "$series" -name '*.patch' | sort)
[ $rc -eq 0 ] && [ ${#patches[@]} -gt 0 ] && [ -f "$series/0000-cover-letter.mbox" ]
ktap_result $? series_written "exit $rc, ${#patches[@]} patches: $(tail -n 3 "$work/series.log")" ||
	ktap_exit

bad=()
for p in "${patches[@]}"; do
	report=$("$checkpatch" --strict --no-tree --terse --show-types - < "$p" 2>&1) ||
		bad+=("$(basename "$p"): $(echo "$report" | head -n 3)")
done
[ ${#bad[@]} -eq 0 ]
ktap_result $? checkpatch_strict_clean "$(printf '%s\n' "${bad[@]}")"

# The base as Debian ships it, committed as Documentation/development.md
# says (its .gitignore ignores the whole tree: add -f), and the series
# applied with git am. The tree lies inside this checkout's work tree: the
# ceiling keeps git from taking the checkout for the tree's repository.
"$top/tools/build/extract-base" "$top" "$tree" &&
	(cd "$tree" && export GIT_CEILING_DIRECTORIES=$work/src GIT_CONFIG_GLOBAL=/dev/null \
		GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.org \
		GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.org &&
		git init -q && git add -f -A && git commit -q -m base &&
		git am -q --whitespace=error-all "${patches[@]}" &&
		[ "$(git rev-list --count HEAD)" -eq $((${#patches[@]} + 1)) ] &&
		rm -rf .git) > "$work/apply.log" 2>&1
ktap_result $? git_am_onto_pristine_base "$(tail -n 5 "$work/apply.log")" || ktap_exit

# Every file the series writes is the one make kernel builds from, except
# the two that only the series has: our MAINTAINERS entry and the family's
# spec (which is the checkout's).
mapfile -t written < <(sed -n 's|^+++ b/||p' "${patches[@]}" | sort -u)
differ=()
for f in "${written[@]}"; do
	case $f in
	MAINTAINERS) grep -q '^DMABUF-PP ' "$tree/$f" || differ+=("$f: no dmabuf-pp entry") ;;
	Documentation/netlink/specs/*) cmp -s "$tree/$f" "$top/$f" || differ+=("$f") ;;
	*) cmp -s "$tree/$f" "$top/.cache/src/linux/$f" || differ+=("$f") ;;
	esac
done
[ ${#differ[@]} -eq 0 ]
ktap_result $? tree_is_the_one_make_builds "${#written[@]} files written; differ: ${differ[*]}"

"$top/tools/build/kernel" "$top" ours "$tree" "$out" > "$work/build.log" 2>&1
ktap_result $? ours_kernel_builds "$(tail -n 5 "$work/build.log")" || ktap_exit

# The VM says which kernel it runs: this build's, not make kernel's. A
# receive that was skipped proves nothing: a failure here.
receive_on() {
	"$top/tools/vm/run" --flavor ours --kernel "$1" --timeout 1200 -- sh -c \
		"cat /proc/version > '$work/version' && exec '$top/selftests/vm-suite' ours devmem_rx"
	local rc=$?
	[ $rc -eq 4 ] && { echo "# devmem_rx was skipped"; return 1; }
	return $rc
}
ktap_nested devmem_receive_on_it receive_on "$out/arch/x86/boot/bzImage"
built=$(sed -n 's/^#define UTS_VERSION "\(.*\)"$/\1/p' "$out/include/generated/utsversion.h" \
	"$out/include/generated/compile.h" 2>/dev/null | head -n 1)
[ -n "$built" ] && grep -qF -- "$built" "$work/version" 2>/dev/null
ktap_result $? vm_ran_this_build "built '$built', VM ran '$(cat "$work/version" 2>/dev/null)'"
ktap_exit
