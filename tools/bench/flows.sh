# shellcheck shell=bash
# What the flow workloads (rx_paths, tx_paths) share: their timeouts, the
# guest's busy time, and the start gate that keeps program starts out of
# the intervals they time. Source it after tools/lib/nsim.sh.
#
#   bench_timeout                  seconds a receiver or sender may stall
#   busy_ticks                     busy time of all CPUs so far
#   go_open FIFO                   the gate, on this shell's fd 5
#   gated_start CMD [ARG...]       CMD in the TX namespace, set up and
#                                  waiting at the gate (its --ready-fd 3
#                                  --go-fd 4); sets NSIM_PID
#   go_release N                   let N waiting senders go

# Their default (60) is too short under icount: a guest waiting on the host
# (a program read from the 9p root) is idle, and idle guest time jumps to
# the next timer, so a minute can pass while the host reads one file.
bench_timeout=3600
export NSIM_READY_TIMEOUT=$bench_timeout

# Busy time of all CPUs so far, in USER_HZ ticks: user, nice, system, irq,
# softirq and steal of /proc/stat's first ("cpu") line, read by the shell
# itself so that reading it starts no program.
busy_ticks() {
	local cpu user nice system idle iowait irq softirq steal
	read -r cpu user nice system idle iowait irq softirq steal _ < /proc/stat
	echo $((user + nice + system + irq + softirq + steal))
}

# Opened for reading and writing, so that neither end blocks on open.
go_open() {
	rm -f "$1"
	mkfifo "$1" && exec 5<> "$1"
}

gated_start() {
	nsim_ns_start "$NSIM_NS_TX" "$@" --ready-fd 3 --go-fd 4 4<&5
}

# One byte per sender: each reads one and goes.
go_release() {
	printf '%*s' "$1" '' >&5
}
