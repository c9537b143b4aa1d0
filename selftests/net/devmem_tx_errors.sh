#!/bin/bash
# Runs devmem_tx_errors in the TX namespace of a netdevsim pair with two
# queues. A stock kernel (no devmem TX) is checked for clean refusals only.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tools/lib/nsim.sh"

trap nsim_pair_destroy EXIT
nsim_pair_create 2 || exit 1
mode=
[[ $(uname -r) == *-stock ]] && mode=--stock
ip netns exec "$NSIM_NS_TX" "$top/.cache/bin/selftests/devmem_tx_errors" \
	"$NSIM_IF_TX" "$NSIM_NS_RX" "$NSIM_ADDR_RX" $mode
