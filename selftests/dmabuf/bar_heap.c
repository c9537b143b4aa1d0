// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BAR heap (dmabuf/bar_heap.c): dma-bufs of device memory, which has no
 * struct pages. Needs the VM's device memory (tools/vm/run --devmem SIZE,
 * which names the PCI device in $DEVMEM_PCI); skips without it.
 *
 * Allocation errors and limits as dma-heaps answer them, sizes rounded to
 * 64 KiB, first fit with freed space reused; mmap whole, partial, at an
 * offset, past the end and private; DMA_BUF_IOCTL_SYNC; the test importer
 * sees DMA addresses of I/O memory only, its writes reach the CPU's
 * mapping and the CPU's writes reach it, vmap reads the same bytes, and a
 * smaller segment limit gives smaller entries;
 * afterwards the heap is whole again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "../kernel/dmabuf_probe.h"
#include "../lib/ktap.h"

#define PROBE "/sys/kernel/debug/dmabuf_pp_importer/probe"
#define ALIGN_64K (64u << 10)

static char heap_path[128], info_path[160], buffers_path[160];
static struct ktap t;

/* DMA_HEAP_IOCTL_ALLOC; the dma-buf fd, or -errno. */
static int heap_alloc_flags(uint64_t len, uint32_t fd_flags, uint64_t heap_flags,
			    uint32_t fd_in)
{
	struct dma_heap_allocation_data data = {
		.len = len, .fd = fd_in, .fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};
	int heap, ret;

	heap = open(heap_path, O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return -errno;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) ? -errno : (int)data.fd;
	close(heap);
	return ret;
}

static int heap_alloc(uint64_t len)
{
	return heap_alloc_flags(len, O_RDWR | O_CLOEXEC, 0, 0);
}

/* A number from debugfs "info": the line "@key N". */
static bool info_value(const char *key, uint64_t *v)
{
	char line[128], fmt[64];
	bool found = false;
	FILE *f;

	f = fopen(info_path, "r");
	if (!f)
		return ktap_check(false, "%s: %s", info_path, strerror(errno));
	snprintf(fmt, sizeof(fmt), "%s %%" SCNu64, key);
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, fmt, v) == 1;
	fclose(f);
	return ktap_check(found, "%s has no '%s' line", info_path, key);
}

/* The BAR offset and size debugfs "buffers" gives the dma-buf @fd. */
static bool buffer_place(int fd, uint64_t *off, uint64_t *size)
{
	unsigned long long ino, o, s;
	struct stat st;
	bool found = false;
	FILE *f;

	if (fstat(fd, &st))
		return ktap_check(false, "fstat: %s", strerror(errno));
	f = fopen(buffers_path, "r");
	if (!f)
		return ktap_check(false, "%s: %s", buffers_path, strerror(errno));
	while (!found && fscanf(f, "%llu %llu %llu", &ino, &o, &s) == 3)
		found = ino == (unsigned long long)st.st_ino;
	fclose(f);
	*off = o;
	*size = s;
	return ktap_check(found, "inode %llu not in %s",
		     (unsigned long long)st.st_ino, buffers_path);
}

static bool heap_is_whole(uint64_t heap_size)
{
	uint64_t free_bytes, nbuf;

	return info_value("free", &free_bytes) && info_value("buffers", &nbuf) &&
	       ktap_check(free_bytes == heap_size && nbuf == 0,
		     "heap: %" PRIu64 " of %" PRIu64 " bytes free, %" PRIu64 " buffers",
		     free_bytes, heap_size, nbuf);
}

static void case_alloc_errors(uint64_t heap_size)
{
	bool ok = true;
	int fd;

	ok &= ktap_check(heap_alloc(0) == -EINVAL, "length 0: want EINVAL");
	ok &= ktap_check(heap_alloc(UINT64_MAX) == -EINVAL, "length 2^64-1: want EINVAL");
	ok &= ktap_check(heap_alloc_flags(4096, O_RDWR | O_APPEND, 0, 0) == -EINVAL,
		    "fd flag O_APPEND: want EINVAL");
	ok &= ktap_check(heap_alloc_flags(4096, O_RDWR, 1, 0) == -EINVAL,
		    "heap flag 1: want EINVAL");
	ok &= ktap_check(heap_alloc_flags(4096, O_RDWR, 0, 3) == -EINVAL,
		    "fd field not zero: want EINVAL");
	fd = heap_alloc(heap_size + 4096);
	ok &= ktap_check(fd == -ENOMEM, "larger than the BAR: got %d, want ENOMEM", fd);
	if (fd >= 0)
		close(fd);
	ktap_result(&t, ok, "alloc_errors");
}

static void case_size_rounds_up(void)
{
	uint64_t off = 1, size = 0;
	bool ok = false;
	off_t end;
	int fd;

	fd = heap_alloc(4096);
	if (ktap_check(fd >= 0, "alloc 4 KiB: %s", strerror(-fd))) {
		end = lseek(fd, 0, SEEK_END);
		ok = ktap_check(end == ALIGN_64K, "dma-buf size %lld, want 64 KiB",
			   (long long)end) &&
		     buffer_place(fd, &off, &size) &&
		     ktap_check(size == ALIGN_64K && off % ALIGN_64K == 0,
			   "debugfs: offset %" PRIu64 " size %" PRIu64, off, size);
		close(fd);
	}
	ktap_result(&t, ok, "size_rounds_up_to_64k");
}

/* Two halves fill the BAR, nothing more fits, a freed half is reused. */
static void case_first_fit_reuse(uint64_t heap_size)
{
	uint64_t half = heap_size / 2, off_a, off_b, off_c, sz;
	int a, b, c, d;
	bool ok = false;

	a = heap_alloc(half);
	b = heap_alloc(half);
	d = heap_alloc(ALIGN_64K);
	if (ktap_check(a >= 0 && b >= 0, "two halves: %d %d", a, b) &&
	    ktap_check(d == -ENOMEM, "a full heap gave %d, want ENOMEM", d) &&
	    buffer_place(a, &off_a, &sz) && buffer_place(b, &off_b, &sz) &&
	    ktap_check(off_a == 0 && off_b == half, "first fit: offsets %" PRIu64
		  " and %" PRIu64, off_a, off_b)) {
		close(a);
		a = -1;
		c = heap_alloc(half);
		ok = ktap_check(c >= 0, "after a free: %s", strerror(-c)) &&
		     buffer_place(c, &off_c, &sz) &&
		     ktap_check(off_c == 0, "freed half at offset %" PRIu64, off_c);
		if (c >= 0)
			close(c);
	}
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (d >= 0)
		close(d);
	ktap_result(&t, ok && heap_is_whole(heap_size), "first_fit_and_freed_space_reused");
}

/* Whole, partial and offset maps see the same bytes; bad maps refused. */
static void case_mmap(int fd, size_t size)
{
	uint8_t *whole, *part, *mid;
	bool ok = true;
	void *bad;
	size_t i;

	whole = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!ktap_check(whole != MAP_FAILED, "mmap whole: %s", strerror(errno))) {
		ktap_result(&t, false, "mmap_whole_partial_offset");
		ktap_result(&t, false, "mmap_private_and_past_end_refused");
		return;
	}
	for (i = 0; i < size; i++)
		whole[i] = (uint8_t)(i * 31 + (i >> 16));
	part = mmap(NULL, ALIGN_64K, PROT_READ, MAP_SHARED, fd, 0);
	mid = mmap(NULL, 2 * ALIGN_64K, PROT_READ, MAP_SHARED, fd, size / 2);
	ok &= ktap_check(part != MAP_FAILED && mid != MAP_FAILED,
		    "partial or offset mmap: %s", strerror(errno));
	if (ok) {
		ok &= ktap_check(!memcmp(part, whole, ALIGN_64K), "partial map differs");
		ok &= ktap_check(!memcmp(mid, whole + size / 2, 2 * ALIGN_64K),
			    "map at offset %zu differs", size / 2);
	}
	if (part != MAP_FAILED)
		munmap(part, ALIGN_64K);
	if (mid != MAP_FAILED)
		munmap(mid, 2 * ALIGN_64K);
	munmap(whole, size);
	ktap_result(&t, ok, "mmap_whole_partial_offset");

	ok = true;
	bad = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ok &= ktap_check(bad == MAP_FAILED && errno == EINVAL,
		    "MAP_PRIVATE: want EINVAL, got %s",
		    bad == MAP_FAILED ? strerror(errno) : "a mapping");
	if (bad != MAP_FAILED)
		munmap(bad, 4096);
	bad = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, fd, size - 4096);
	ok &= ktap_check(bad == MAP_FAILED && errno == EINVAL,
		    "map past the end: want EINVAL, got %s",
		    bad == MAP_FAILED ? strerror(errno) : "a mapping");
	if (bad != MAP_FAILED)
		munmap(bad, 2 * 4096);
	ktap_result(&t, ok, "mmap_private_and_past_end_refused");
}

static int buf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

static bool probe_seg(int buf, uint32_t flags, uint32_t seed, uint32_t max_seg,
		      struct dmabuf_probe *p)
{
	int fd, ret, err;

	fd = open(PROBE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return ktap_check(false, "open %s: %s", PROBE, strerror(errno));
	*p = (struct dmabuf_probe) {
		.fd = buf, .flags = flags, .seed = seed, .max_seg = max_seg,
	};
	ret = ioctl(fd, DMABUF_PROBE, p);
	err = errno;
	close(fd);
	return ktap_check(ret == 0, "DMABUF_PROBE flags 0x%x: %s", flags, strerror(err));
}

/* The test importer with its default 64 KiB segment limit. */
static bool probe(int buf, uint32_t flags, uint32_t seed, struct dmabuf_probe *p)
{
	return probe_seg(buf, flags, seed, 0, p);
}

/* A device whose segments hold three pages: entries of three pages at most. */
static void case_segment_limit(int fd, size_t size)
{
	uint32_t seg = 3 * 4096;
	struct dmabuf_probe p;
	bool ok;

	ok = probe_seg(fd, 0, 0, seg, &p) &&
	     ktap_check(p.mapped == size && p.bad_ents == 0 && p.max_len == seg &&
			p.nents == (size + seg - 1) / seg,
			"max_seg %u: %u entries (%u bad, longest %llu), %llu bytes mapped",
			seg, p.nents, p.bad_ents, (unsigned long long)p.max_len,
			(unsigned long long)p.mapped);
	ktap_result(&t, ok, "entries_respect_segment_limit");
}

/*
 * The importer: one entry per 64 KiB (its segment limit), every one I/O
 * memory; what it reads by DMA address is what the CPU wrote, what it
 * writes the CPU reads, and vmap agrees.
 */
static void case_importer(int fd, size_t size)
{
	struct dmabuf_probe p;
	uint64_t hash;
	uint8_t *map;
	bool ok;
	size_t i;

	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!ktap_check(map != MAP_FAILED, "mmap: %s", strerror(errno))) {
		ktap_result(&t, false, "importer_sees_io_memory_no_pages");
		ktap_result(&t, false, "device_writes_reach_cpu_map");
		ktap_result(&t, false, "vmap_reads_the_same_bytes");
		return;
	}

	ok = ktap_check(!buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), "SYNC_START");
	for (i = 0; i < size; i++)
		map[i] = (uint8_t)(i ^ (i >> 12));
	ok &= ktap_check(!buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), "SYNC_END");
	hash = dmabuf_probe_hash(DMABUF_PROBE_HASH_INIT, map, size);
	ok = ok && probe(fd, 0, 0, &p) &&
	     ktap_check(p.size == size && p.mapped == size, "size %llu mapped %llu",
		   (unsigned long long)p.size, (unsigned long long)p.mapped) &&
	     ktap_check(p.nents == size / ALIGN_64K && p.bad_ents == 0,
		   "%u entries (%u bad), want %zu", p.nents, p.bad_ents,
		   size / ALIGN_64K) &&
	     ktap_check(p.io_ents == p.nents, "%u of %u entries are I/O memory",
		   p.io_ents, p.nents) &&
	     ktap_check(p.dma_hash == hash, "the device read other bytes than the CPU wrote");
	ktap_result(&t, ok, "importer_sees_io_memory_no_pages");

	ok = probe(fd, DMABUF_PROBE_WRITE, 7, &p) &&
	     ktap_check(!buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), "SYNC_START");
	for (i = 0; ok && i < size; i++)
		ok = ktap_check(map[i] == dmabuf_probe_byte(i, 7),
			   "byte %zu: CPU reads 0x%02x, device wrote 0x%02x", i,
			   map[i], dmabuf_probe_byte(i, 7));
	ok &= ktap_check(!buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), "SYNC_END");
	ktap_result(&t, ok, "device_writes_reach_cpu_map");

	hash = dmabuf_probe_hash(DMABUF_PROBE_HASH_INIT, map, size);
	ok = probe(fd, DMABUF_PROBE_VMAP, 0, &p) &&
	     ktap_check(p.vmap_hash == hash && p.dma_hash == hash,
		   "vmap, DMA and mmap hashes differ");
	ktap_result(&t, ok, "vmap_reads_the_same_bytes");
	munmap(map, size);
}

static void case_sync_flags(int fd)
{
	bool ok = ktap_check(buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) == 0,
			"SYNC_START|RW") &&
		  ktap_check(buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) == 0,
			"SYNC_END|RW") &&
		  ktap_check(buf_sync(fd, 0x100) == -EINVAL, "unknown sync flag: want EINVAL");

	ktap_result(&t, ok, "dma_buf_sync");
}

int main(void)
{
	const char *pci = getenv("DEVMEM_PCI");
	size_t bufsize = 1u << 20;
	uint64_t heap_size;
	int fd;

	ktap_start(&t, 12);
	if (!pci || !*pci) {
		for (int i = 0; i < 12; i++)
			ktap_skip(&t, "bar_heap", "no device memory: run the VM with tools/vm/run --devmem SIZE");
		ktap_exit(&t);
	}
	snprintf(heap_path, sizeof(heap_path), "/dev/dma_heap/bar-%s", pci);
	snprintf(info_path, sizeof(info_path), "/sys/kernel/debug/dmabuf_pp_bar/bar-%s/info", pci);
	snprintf(buffers_path, sizeof(buffers_path), "/sys/kernel/debug/dmabuf_pp_bar/bar-%s/buffers", pci);

	if (!ktap_result(&t, access(heap_path, R_OK) == 0 &&
			 info_value("size", &heap_size) &&
			 ktap_check(heap_size >= 4 * bufsize, "heap of %" PRIu64 " bytes: too small",
			       heap_size) &&
			 heap_is_whole(heap_size), "heap_registered_and_empty")) {
		ktap_diag("%s: %s", heap_path,
			  access(heap_path, R_OK) ? strerror(errno) : "present");
		ktap_exit(&t);
	}

	case_alloc_errors(heap_size);
	case_size_rounds_up();
	case_first_fit_reuse(heap_size);

	fd = heap_alloc(bufsize);
	if (fd < 0) {
		ktap_diag("alloc %zu: %s", bufsize, strerror(-fd));
		ktap_exit(&t);
	}
	case_mmap(fd, bufsize);
	case_sync_flags(fd);
	case_importer(fd, bufsize);
	case_segment_limit(fd, bufsize);
	close(fd);

	ktap_result(&t, heap_is_whole(heap_size), "heap_whole_again");
	ktap_exit(&t);
}
