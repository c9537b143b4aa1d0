#!/bin/bash
# Workload: CPU access to a dma-buf, a udmabuf next to device memory (the
# BAR heap, with the VM's --devmem): DMA_BUF_IOCTL_SYNC pairs and reading
# through the mmap. tools/bench/cpu_access_bench.c says what each metric is.
top=$(cd "$(dirname "$0")/../../.." && pwd)
heap=()
if [ -n "${DEVMEM_PCI:-}" ]; then
	heap=(--heap "bar-$DEVMEM_PCI")
else
	echo "cpu_access: no device memory (tools/vm/run --devmem): udmabuf lines only" >&2
fi
exec "$top/.cache/bin/cpu-access-bench" --reps "${BENCH_RUNS:-3}" "${heap[@]}"
