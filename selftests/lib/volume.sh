# shellcheck shell=bash
# How much data a test moves, by kernel flavor. Source it, then:
#   selftest_volume FULL DEBUG   prints DEBUG on the debug kernel, else FULL
#
# The debug kernel (KASAN, lockdep, kmemleak, ...) runs 5 to 10 times slower
# under TCG and is there to catch memory and locking bugs, which every code
# path exercised once finds as well as a thousand times; the data volume
# that shakes out ordering and accounting bugs is moved on stock and ours.
# The flavor is the kernel's release suffix (CONFIG_LOCALVERSION "-debug").
selftest_volume() {
	case $(uname -r) in
	*-debug) echo "$2" ;;
	*) echo "$1" ;;
	esac
}
