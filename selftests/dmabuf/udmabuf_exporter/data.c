// SPDX-License-Identifier: GPL-2.0-only
/*
 * Data through shmem and hugetlb ranges, both ways (and the pin check
 * proving itself first), and the mmap cases: whole, part, at an offset,
 * and what mmap must refuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include <devmem.h>
#include "../../lib/ktap.h"
#include "udmabuf_exporter.h"

/* ---- data through shmem and hugetlb ranges ---------------------------- */

/*
 * Build a buffer of @r (CLOEXEC), write each memfd and read the dma-buf's
 * mmap in list order, then write the mmap and read each memfd.
 */
static bool roundtrip(const struct range *r, unsigned int n, long folios)
{
	uint64_t total = 0, pos;
	unsigned char *map = NULL;
	unsigned int i;
	bool ok = false;
	int buf, fl;

	for (i = 0; i < n; i++)
		total += r[i].size;
	buf = make_buffer(r, n, UDMABUF_FLAGS_CLOEXEC);
	if (buf < 0)
		return ktap_check(false, "create: %s", strerror(-buf));

	fl = fcntl(buf, F_GETFD);
	if (!ktap_check(fl >= 0 && (fl & FD_CLOEXEC),
		   "UDMABUF_FLAGS_CLOEXEC: dma-buf fd flags 0x%x", fl))
		goto out;
	if (!buffer_size_is(buf, total) ||
	    !holding(1, folios, total / PG))
		goto out;
	map = map_buf(buf, total, 0);
	if (!map)
		goto out;

	/* After the pin, so the dma-buf shows the file's own pages. */
	for (i = 0; i < n; i++)
		if (!memfd_fill(r[i].memfd, r[i].huge, r[i].off, r[i].size,
				r[i].stream + r[i].off))
			goto out;
	for (i = 0, pos = 0; i < n; pos += r[i].size, i++)
		if (!map_check(buf, map + pos, r[i].size, pos,
			       r[i].stream + r[i].off)) {
			ktap_diag("(item %u: memfd offset %llu, %llu bytes)", i,
				  ull(r[i].off), ull(r[i].size));
			goto out;
		}

	if (!map_fill(buf, map, total, STREAM_BACK))
		goto out;
	for (i = 0, pos = 0; i < n; pos += r[i].size, i++)
		if (!memfd_check(r[i].memfd, r[i].off, r[i].size,
				 STREAM_BACK + pos)) {
			ktap_diag("(item %u at dma-buf offset %llu)", i, ull(pos));
			goto out;
		}
	ok = true;
out:
	if (map)
		munmap(map, total);
	close(buf);
	return ok;
}

/*
 * The pin check itself: while a dma-buf holds a memfd's pages, adding
 * F_SEAL_WRITE to the memfd fails with EBUSY; once the dma-buf is gone,
 * it succeeds. Shmem and hugetlb alike, or the per-case check proves
 * nothing.
 */
bool pin_check_sees_pins(void)
{
	bool ok = true;
	int huge;

	for (huge = 0; huge <= 1; huge++) {
		int memfd = new_memfd(2 * HPAGE, huge, F_SEAL_SHRINK);
		int buf, ret;

		if (memfd < 0)
			return false;
		buf = devmem_udmabuf_create(memfd, 0, 2 * HPAGE, 0);
		if (buf < 0) {
			close(memfd);
			return ktap_check(false, "UDMABUF_CREATE: %s", strerror(-buf));
		}
		ret = fcntl(memfd, F_ADD_SEALS, F_SEAL_WRITE);
		ok &= ktap_check(ret < 0 && errno == EBUSY,
			    "%s: F_SEAL_WRITE with a live dma-buf: %s, want EBUSY",
			    huge ? "hugetlb" : "shmem",
			    ret < 0 ? strerror(errno) : "succeeded");
		close(buf);
		ret = fcntl(memfd, F_ADD_SEALS, F_SEAL_WRITE);
		ok &= ktap_check(ret == 0, "%s: F_SEAL_WRITE after close: %s",
			    huge ? "hugetlb" : "shmem",
			    ret < 0 ? strerror(errno) : "ok");
		close(memfd);
	}
	return ok;
}

bool shmem_single(void)
{
	struct range r;
	bool ok;

	r = (struct range) {
		.memfd = new_memfd(2 * MiB, false, F_SEAL_SHRINK),
		.off = PG, .size = MiB, .stream = STREAM_SHMEM,
	};
	if (r.memfd < 0)
		return false;
	ok = roundtrip(&r, 1, -1);
	close(r.memfd);
	return ok;
}

bool hugetlb_single(void)
{
	struct range r;
	bool ok;

	r = (struct range) {
		.memfd = new_memfd(2 * HPAGE, true, F_SEAL_SHRINK),
		.huge = true, .off = 0, .size = 2 * HPAGE,
		.stream = STREAM_HUGE,
	};
	if (r.memfd < 0)
		return false;
	/*
	 * Absent until the exporter allocates them; then two huge folios:
	 * per-folio state, not 1024 pages of it.
	 */
	ok = roundtrip(&r, 1, 2);
	close(r.memfd);
	return ok;
}

bool mixed_list(void)
{
	struct mixed m;
	bool ok;

	if (!mixed_memfds(&m))
		return false;
	ok = roundtrip(m.r, 4, -1);
	mixed_close(&m);
	return ok;
}

/* ---- mmap ----------------------------------------------------------------- */

/* Map @pages pages at page @first and compare them with the memfd. */
static bool map_part(unsigned int first, unsigned int pages)
{
	unsigned char *map;
	int memfd, buf;
	bool ok;

	if (!small_buffer(&memfd, &buf))
		return false;
	map = map_buf(buf, pages * PG, first * PG);
	ok = map && map_check(buf, map, pages * PG, first * PG,
			      STREAM_SHMEM + first * PG);
	/* And back: a write through the window lands at its file offset. */
	if (ok)
		ok = map_fill(buf, map, pages * PG, STREAM_BACK) &&
		     memfd_check(memfd, first * PG, pages * PG, STREAM_BACK);
	if (map)
		munmap(map, pages * PG);
	close(buf);
	close(memfd);
	return ok;
}

bool mmap_whole(void)
{
	return map_part(0, MAP_PAGES);
}

bool mmap_first_half(void)
{
	return map_part(0, MAP_PAGES / 2);
}

bool mmap_offset(void)
{
	return map_part(3, 5);
}

static bool mmap_refused(int buf, uint64_t len, uint64_t off, int flags,
			 const char *what)
{
	void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, buf, off);

	if (map != MAP_FAILED) {
		munmap(map, len);
		return ktap_check(false, "%s: mmap succeeded, want EINVAL", what);
	}
	return ktap_check(errno == EINVAL, "%s: mmap failed with %s, want EINVAL",
		     what, errname(errno));
}

bool mmap_past_end(void)
{
	int memfd, buf;
	bool ok = true;

	if (!small_buffer(&memfd, &buf))
		return false;
	ok &= mmap_refused(buf, (MAP_PAGES + 1) * PG, 0, MAP_SHARED,
			   "one page longer than the buffer");
	ok &= mmap_refused(buf, 2 * PG, (MAP_PAGES - 1) * PG, MAP_SHARED,
			   "two pages from the last page");
	ok &= mmap_refused(buf, PG, MAP_PAGES * PG, MAP_SHARED,
			   "one page at the end");
	close(buf);
	close(memfd);
	return ok;
}

/* Private copies would be writes the device never sees. */
bool mmap_private(void)
{
	int memfd, buf;
	bool ok;

	if (!small_buffer(&memfd, &buf))
		return false;
	ok = mmap_refused(buf, MAP_PAGES * PG, 0, MAP_PRIVATE, "MAP_PRIVATE");
	close(buf);
	close(memfd);
	return ok;
}
