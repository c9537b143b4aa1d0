// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpu-access-bench: what CPU access to a dma-buf costs, a udmabuf (host
 * RAM, cached) next to a buffer of the BAR heap (device memory, mapped
 * write-combined) of the same size, in the same boot. One JSON line per
 * measurement; the BAR's lines name the udmabuf's as their baseline, so
 * the report prints bar/udmabuf per flavor:
 *
 *   cpu_{udmabuf,bar}_sync_pair_ns  one DMA_BUF_IOCTL_SYNC START|READ +
 *                                   END|READ pair, no importer mapped
 *   cpu_{udmabuf,bar}_read_ms       reading every byte of the buffer
 *                                   through its mmap, inside a sync
 *                                   bracket
 *
 * usage: cpu-access-bench [--reps N] [--heap NAME]
 * Without --heap only the udmabuf lines are printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#include <devmem.h>
#include "bench_util.h"

#define SIZE		(32ull << 20)	/* within udmabuf's default limit */
#define SYNC_PAIRS	1000

/*
 * Under TCG guest loads and stores are not cached either way: the price
 * real hardware charges for uncached (WC) reads does not show here.
 */
static const char *const tcg_note =
	"under emulation (TCG) no access is cached: real WC reads cost more";

static void sync_pair_ns(int fd, const char *kind, const char *baseline)
{
	char metric[64];
	double t0;
	int i;

	snprintf(metric, sizeof(metric), "cpu_%s_sync_pair_ns", kind);
	t0 = bench_now_ns();
	for (i = 0; i < SYNC_PAIRS; i++) {
		if (devmem_dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) ||
		    devmem_dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
			bench_die("DMA_BUF_IOCTL_SYNC", errno);
	}
	bench_report_vs(metric, (bench_now_ns() - t0) / SYNC_PAIRS, "ns",
			baseline, NULL);
}

static void read_ms(int fd, const char *kind, const char *baseline)
{
	volatile uint64_t sink;
	const uint64_t *p;
	uint64_t sum = 0;
	char metric[64];
	double t0;
	size_t i;

	p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		bench_die("mmap of the dma-buf", errno);
	snprintf(metric, sizeof(metric), "cpu_%s_read_ms", kind);
	t0 = bench_now_ns();
	if (devmem_dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		bench_die("DMA_BUF_IOCTL_SYNC", errno);
	for (i = 0; i < SIZE / sizeof(*p); i++)
		sum += p[i];
	if (devmem_dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		bench_die("DMA_BUF_IOCTL_SYNC", errno);
	bench_report_vs(metric, (bench_now_ns() - t0) / 1e6, "ms", baseline,
			baseline ? tcg_note : NULL);
	sink = sum;
	(void)sink;
	munmap((void *)p, SIZE);
}

static void measure(int fd, const char *kind, const char *base_kind)
{
	char sync_base[64] = "", read_base[64] = "";

	if (base_kind) {
		snprintf(sync_base, sizeof(sync_base), "cpu_%s_sync_pair_ns", base_kind);
		snprintf(read_base, sizeof(read_base), "cpu_%s_read_ms", base_kind);
	}
	sync_pair_ns(fd, kind, base_kind ? sync_base : NULL);
	read_ms(fd, kind, base_kind ? read_base : NULL);
}

int main(int argc, char **argv)
{
	const char *heap = NULL;
	int reps = 3, r, fd;

	for (r = 1; r < argc; r++) {
		if (!strcmp(argv[r], "--reps") && r + 1 < argc)
			reps = atoi(argv[++r]);
		else if (!strcmp(argv[r], "--heap") && r + 1 < argc)
			heap = argv[++r];
		else
			reps = 0;
	}
	if (reps < 1) {
		fprintf(stderr, "usage: cpu-access-bench [--reps N] [--heap NAME]\n");
		return 2;
	}

	for (r = 0; r < reps; r++) {
		fd = devmem_udmabuf_create_anon("cpu-access-bench", 0, SIZE, false,
						UDMABUF_FLAGS_CLOEXEC);
		if (fd < 0)
			bench_die("udmabuf", -fd);
		measure(fd, "udmabuf", NULL);
		close(fd);

		if (!heap)
			continue;
		fd = devmem_dma_heap_alloc(heap, SIZE);
		if (fd < 0)
			bench_die(heap, -fd);
		measure(fd, "bar", "udmabuf");
		close(fd);
	}
	return 0;
}
