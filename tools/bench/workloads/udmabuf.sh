#!/bin/bash
# Workload: the exporter behind /dev/udmabuf (stock's or ours): create +
# close, first touch of an mmap, metadata kept, sg entries handed to an
# importer. tools/bench/udmabuf_bench.c says what each metric is.
top=$(cd "$(dirname "$0")/../../.." && pwd)
exec "$top/.cache/bin/udmabuf-bench" --reps "${BENCH_RUNS:-3}"
