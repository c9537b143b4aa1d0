// SPDX-License-Identifier: GPL-2.0-only
/*
 * udmabuf-bench: what one /dev/udmabuf costs, measured the same way on
 * whichever exporter the running kernel has (make bench runs it on stock
 * and on ours and prints the ratios). One JSON line per measurement:
 *
 *   udmabuf_create_close_{shmem,hugetlb}_{1g,4g}_ms   create + close
 *   udmabuf_first_touch_{shmem,hugetlb}_1g_ms         mmap + read one byte
 *                                                     of every page
 *   udmabuf_meta_kib_per_gib_{shmem,hugetlb}          kernel memory a live
 *                                                     buffer keeps (Slab +
 *                                                     VmallocUsed growth)
 *   udmabuf_sg_entries_per_gib_{shmem,hugetlb}        entries an importer
 *                                                     with a 2 GiB segment
 *                                                     limit is handed
 *
 * The memfds are populated before any timing, so pinning is measured, not
 * page allocation. The program raises size_limit_mb and reserves the huge
 * pages it needs, and puts both back when it exits.
 *
 * usage: udmabuf-bench [--reps N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "../../selftests/kernel/dmabuf_probe.h"
#include <devmem.h>
#include "bench_util.h"

#define GIB		(1ull << 30)
#define HPAGE		(2ull << 20)
#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define PROBE		"/sys/kernel/debug/dmabuf_pp_importer/probe"
/* Buffers made over one memfd for the memory figure: more signal. */
#define META_BUFFERS	16

static char old_hugepages[32];

static void restore(void)
{
	if (old_hugepages[0])
		bench_write_text(NR_HUGEPAGES, old_hugepages);
}

static void reserve_hugepages(unsigned long n)
{
	char text[32], got[32];

	snprintf(text, sizeof(text), "%lu", n);
	bench_write_text(NR_HUGEPAGES, text);
	bench_read_text(NR_HUGEPAGES, got, sizeof(got));
	if (strtoul(got, NULL, 10) < n) {
		fprintf(stderr, "udmabuf-bench: only %s of %lu huge pages\n",
			got, n);
		exit(1);
	}
}

/* Slab + VmallocUsed, in bytes: where an exporter's metadata lives. */
static long long kernel_bytes(void)
{
	long long kb, total = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		bench_die("/proc/meminfo", errno);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1 ||
		    sscanf(line, "VmallocUsed: %lld kB", &kb) == 1)
			total += kb;
	fclose(f);
	return total * 1024;
}

static int populated_memfd(uint64_t size, bool hugetlb)
{
	int fd = devmem_memfd_create("udmabuf-bench", size, hugetlb, F_SEAL_SHRINK);

	if (fd < 0)
		bench_die("memfd", -fd);
	if (fallocate(fd, 0, 0, size))
		bench_die("fallocate", errno);
	return fd;
}

static int make_buffer(int memfd, uint64_t size)
{
	int fd = devmem_udmabuf_create(memfd, 0, size, UDMABUF_FLAGS_CLOEXEC);

	if (fd < 0)
		bench_die("UDMABUF_CREATE", -fd);
	return fd;
}

static void create_close(int memfd, uint64_t size, const char *src, int reps)
{
	char metric[64];
	double t0;
	int i;

	snprintf(metric, sizeof(metric), "udmabuf_create_close_%s_%llug_ms",
		 src, (unsigned long long)(size / GIB));
	for (i = 0; i < reps; i++) {
		t0 = bench_now_ns();
		close(make_buffer(memfd, size));
		bench_report(metric, (bench_now_ns() - t0) / 1e6, "ms", NULL);
	}
}

static void first_touch(int memfd, uint64_t size, const char *src, int reps)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile unsigned char sink = 0;
	char metric[64];
	unsigned char *p;
	uint64_t off;
	double t0;
	int i, fd;

	snprintf(metric, sizeof(metric), "udmabuf_first_touch_%s_1g_ms", src);
	for (i = 0; i < reps; i++) {
		fd = make_buffer(memfd, size);
		t0 = bench_now_ns();
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			bench_die("mmap", errno);
		for (off = 0; off < size; off += page)
			sink ^= p[off];
		bench_report(metric, (bench_now_ns() - t0) / 1e6, "ms", NULL);
		munmap(p, size);
		close(fd);
	}
	(void)sink;
}

static void metadata(int memfd, uint64_t size, const char *src, int reps)
{
	int fds[META_BUFFERS], i, r;
	char metric[64];
	long long before;

	snprintf(metric, sizeof(metric), "udmabuf_meta_kib_per_gib_%s", src);
	for (r = 0; r < reps; r++) {
		before = kernel_bytes();
		for (i = 0; i < META_BUFFERS; i++)
			fds[i] = make_buffer(memfd, size);
		bench_report(metric, (kernel_bytes() - before) / 1024.0 /
			     (META_BUFFERS * (double)size / GIB), "KiB/GiB",
			     NULL);
		for (i = 0; i < META_BUFFERS; i++)
			close(fds[i]);
	}
}

static void sg_entries(int memfd, uint64_t size, const char *src)
{
	struct dmabuf_probe probe = { .max_seg = 1u << 31, .length = 4096 };
	char metric[64];
	int dev;

	dev = open(PROBE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		bench_die(PROBE, errno);
	probe.fd = make_buffer(memfd, size);
	if (ioctl(dev, DMABUF_PROBE, &probe))
		bench_die("DMABUF_PROBE", errno);
	snprintf(metric, sizeof(metric), "udmabuf_sg_entries_per_gib_%s", src);
	bench_report(metric, probe.nents / ((double)size / GIB), "entries/GiB",
		     NULL);
	close(probe.fd);
	close(dev);
}

static void source(bool hugetlb, int reps)
{
	const char *src = hugetlb ? "hugetlb" : "shmem";
	int memfd;

	if (hugetlb)
		reserve_hugepages(4 * GIB / HPAGE);
	memfd = populated_memfd(GIB, hugetlb);
	create_close(memfd, GIB, src, reps);
	first_touch(memfd, GIB, src, reps);
	metadata(memfd, GIB, src, reps);
	sg_entries(memfd, GIB, src);
	close(memfd);

	memfd = populated_memfd(4 * GIB, hugetlb);
	create_close(memfd, 4 * GIB, src, reps);
	close(memfd);
	if (hugetlb)
		reserve_hugepages(0);
}

int main(int argc, char **argv)
{
	int reps = 3;

	if (argc == 3 && !strcmp(argv[1], "--reps"))
		reps = atoi(argv[2]);
	if (reps < 1 || (argc != 1 && argc != 3)) {
		fprintf(stderr, "usage: udmabuf-bench [--reps N]\n");
		return 2;
	}

	bench_udmabuf_limit("4096");
	bench_read_text(NR_HUGEPAGES, old_hugepages, sizeof(old_hugepages));
	atexit(restore);

	source(true, reps);
	source(false, reps);
	return 0;
}
