// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memfds, buffers and mappings: making and tracking memfds, buffers from
 * ranges of them, mmap and sync brackets, the pattern written and checked
 * through either side, the test importer's probe, and the mixed list and
 * small buffer that cases in several files start from.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#include "../../../tools/lib/pattern.h"
#include <devmem.h>
#include "../../lib/ktap.h"
#include "udmabuf_exporter.h"

#define PROBE		"/sys/kernel/debug/dmabuf_pp_importer/probe"

/* ---- memfds, buffers, mappings ------------------------------------------ */

/*
 * A memfd of @size bytes with @seals, with no page allocated: hugetlb
 * pages a buffer needs are the exporter's to allocate (pin_item()), unless
 * a case populates them first with populate().
 */
int new_memfd(uint64_t size, bool huge, unsigned int seals)
{
	int fd;

	if (huge && !huge_ready) {
		ktap_diag("no huge pages for this case: %s", huge_why);
		return SETUP_FAILED;
	}
	fd = devmem_memfd_create(huge ? "udmabuf_exporter.huge" : "udmabuf_exporter",
				 size, huge, seals);
	if (fd < 0) {
		ktap_diag("memfd_create (%s, %llu bytes): %s",
			  huge ? "hugetlb" : "shmem", ull(size), strerror(-fd));
		return SETUP_FAILED;
	}
	if (!track_memfd(fd)) {
		close(fd);
		return SETUP_FAILED;
	}
	return fd;
}

/*
 * Allocate [@off, @off + @len) of a memfd the way an application would
 * before handing it over, without touching it from userspace.
 */
bool populate(int memfd, uint64_t off, uint64_t len)
{
	if (fallocate(memfd, 0, off, len) == 0)
		return true;
	ktap_diag("fallocate %llu bytes at %llu: %s", ull(len), ull(off),
		  strerror(errno));
	return false;
}

/* UDMABUF_CREATE for one range, UDMABUF_CREATE_LIST for several. */
int make_buffer(const struct range *r, unsigned int n,
		       unsigned int flags)
{
	struct udmabuf_create_item *items;
	unsigned int i;
	int fd;

	if (n == 1)
		return devmem_udmabuf_create(r->memfd, r->off, r->size, flags);
	items = calloc(n, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		items[i].memfd = r[i].memfd;
		items[i].offset = r[i].off;
		items[i].size = r[i].size;
	}
	fd = devmem_udmabuf_create_list(items, n, flags);
	free(items);
	return fd;
}

unsigned char *map_buf(int fd, uint64_t len, uint64_t off)
{
	unsigned char *map;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (map == MAP_FAILED) {
		ktap_diag("mmap dma-buf (%llu bytes at %llu): %s", ull(len),
			  ull(off), strerror(errno));
		return NULL;
	}
	return map;
}

bool sync_buf(int buf, uint64_t flags)
{
	int ret = devmem_dmabuf_sync(buf, flags);

	return ktap_check(!ret, "DMA_BUF_IOCTL_SYNC 0x%llx: %s", ull(flags),
		     strerror(-ret));
}

/*
 * Pattern bytes @first.. into [@off, @off + @len) of @memfd: pwrite() for
 * shmem, a shared mapping for hugetlbfs, which has no write().
 */
bool memfd_fill(int memfd, bool huge, uint64_t off, uint64_t len,
		       uint64_t first)
{
	uint64_t start, end, done = 0;
	unsigned char *p;
	ssize_t n;

	if (huge) {
		start = off & ~(HPAGE - 1);
		end = (off + len + HPAGE - 1) & ~(HPAGE - 1);
		p = mmap(NULL, end - start, PROT_READ | PROT_WRITE, MAP_SHARED,
			 memfd, start);
		if (p == MAP_FAILED) {
			ktap_diag("mmap hugetlb memfd at %llu: %s", ull(start),
				  strerror(errno));
			return false;
		}
		pattern_fill(p + (off - start), len, first);
		munmap(p, end - start);
		return true;
	}

	p = malloc(len);
	if (!p)
		return ktap_check(false, "out of memory");
	pattern_fill(p, len, first);
	while (done < len) {
		n = pwrite(memfd, p + done, len - done, off + done);
		if (n <= 0) {
			ktap_diag("pwrite memfd at %llu: %s", ull(off + done),
				  n < 0 ? strerror(errno) : "wrote nothing");
			break;
		}
		done += n;
	}
	free(p);
	return done == len;
}

/* [@off, @off + @len) of @memfd, read with pread(), is pattern @first.. */
bool memfd_check(int memfd, uint64_t off, uint64_t len, uint64_t first)
{
	uint64_t done = 0;
	unsigned char *p;
	size_t bad;
	ssize_t n;

	p = malloc(len);
	if (!p)
		return ktap_check(false, "out of memory");
	while (done < len) {
		n = pread(memfd, p + done, len - done, off + done);
		if (n <= 0) {
			ktap_diag("pread memfd at %llu: %s", ull(off + done),
				  n < 0 ? strerror(errno) : "end of file");
			free(p);
			return false;
		}
		done += n;
	}
	bad = pattern_check(p, len, first);
	free(p);
	return ktap_check(bad == len,
		     "memfd at offset %llu differs from what went through the dma-buf",
		     ull(off + bad));
}

/* @map (@len bytes, dma-buf offset @at) holds pattern @first..: READ sync. */
bool map_check(int buf, const unsigned char *map, uint64_t len,
		      uint64_t at, uint64_t first)
{
	size_t bad;

	if (!sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		return false;
	bad = pattern_check(map, len, first);
	if (!sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		return false;
	return ktap_check(bad == len, "dma-buf mmap differs at dma-buf offset %llu",
		     ull(at + bad));
}

/* Pattern @first.. into @map through a WRITE sync bracket. */
bool map_fill(int buf, unsigned char *map, uint64_t len, uint64_t first)
{
	if (!sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
		return false;
	pattern_fill(map, len, first);
	return sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

bool map_hash(int buf, const unsigned char *map, uint64_t len,
		     uint64_t *hash)
{
	if (!sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		return false;
	*hash = dmabuf_probe_hash(DMABUF_PROBE_HASH_INIT, map, len);
	return sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
}

bool buffer_size_is(int buf, uint64_t want)
{
	off_t end = lseek(buf, 0, SEEK_END);

	if (end < 0)
		return ktap_check(false, "lseek(SEEK_END) on the dma-buf: %s",
			     strerror(errno));
	return ktap_check((uint64_t)end == want, "dma-buf size: got %llu, want %llu",
		     ull(end), ull(want));
}

/* DMABUF_PROBE on @buf; the test importer is in both flavors' kernels. */
bool probe(int buf, uint32_t flags, uint32_t max_seg, uint32_t seed,
		  uint64_t off, uint64_t len, struct dmabuf_probe *p)
{
	int fd, ret, err;

	fd = open(PROBE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ktap_diag("open %s: %s (the test importer)", PROBE,
			  strerror(errno));
		return false;
	}
	*p = (struct dmabuf_probe) {
		.fd = buf,
		.flags = flags,
		.max_seg = max_seg,
		.seed = seed,
		.offset = off,
		.length = len,
	};
	ret = ioctl(fd, DMABUF_PROBE, p);
	err = errno;
	close(fd);
	return ktap_check(ret == 0,
		     "DMABUF_PROBE (flags 0x%x, max_seg %u, window %llu+%llu): %s",
		     flags, max_seg, ull(off), ull(len), strerror(err));
}

/* What every probe must report, whatever the device's limits. */
bool probe_sane(const struct dmabuf_probe *p, uint64_t size)
{
	bool ok = true;

	ok &= ktap_check(p->size == size, "probe size: got %llu, want %llu",
		    ull(p->size), ull(size));
	ok &= ktap_check(p->mapped == size, "probe mapped: got %llu, want %llu",
		    ull(p->mapped), ull(size));
	ok &= ktap_check(p->bad_ents == 0,
		    "probe bad_ents: got %u, want 0 (of %u entries, longest %llu)",
		    p->bad_ents, p->nents, ull(p->max_len));
	ok &= ktap_check(p->nents > 0, "probe nents: got 0");
	return ok;
}

/* ---- buffers the cases of several files build -------------------- */

/* The mixed list (struct mixed): its two memfds and four ranges. */
bool mixed_memfds(struct mixed *m)
{
	unsigned int i;

	m->shm = new_memfd(MiB, false, F_SEAL_SHRINK);
	if (m->shm < 0)
		return false;
	m->huge = new_memfd(3 * HPAGE, true, F_SEAL_SHRINK);
	if (m->huge >= 0 && !populate(m->huge, 0, HPAGE)) {
		close(m->huge);
		m->huge = -1;
	}
	if (m->huge < 0) {
		close(m->shm);
		return false;
	}
	m->r[0] = (struct range) { m->shm, false, 0, 16 * PG, STREAM_SHMEM };
	m->r[1] = (struct range) { m->huge, true, PG, 12 * PG, STREAM_HUGE };
	m->r[2] = (struct range) { m->shm, false, 32 * PG, 5 * PG, STREAM_SHMEM };
	m->r[3] = (struct range) {
		m->huge, true, HPAGE + HPAGE / 2, HPAGE, STREAM_HUGE,
	};
	m->size = 0;
	for (i = 0; i < 4; i++)
		m->size += m->r[i].size;
	return true;
}

void mixed_close(struct mixed *m)
{
	close(m->huge);
	close(m->shm);
}

/* A 16-page shmem buffer whose memfd holds pattern STREAM_SHMEM. */
bool small_buffer(int *memfd, int *buf)
{
	*memfd = new_memfd(MAP_PAGES * PG, false, F_SEAL_SHRINK);
	if (*memfd < 0)
		return false;
	*buf = devmem_udmabuf_create(*memfd, 0, MAP_PAGES * PG, 0);
	if (*buf < 0) {
		ktap_diag("create: %s", strerror(-*buf));
		close(*memfd);
		return false;
	}
	if (!memfd_fill(*memfd, false, 0, MAP_PAGES * PG, STREAM_SHMEM)) {
		close(*buf);
		close(*memfd);
		return false;
	}
	return true;
}
