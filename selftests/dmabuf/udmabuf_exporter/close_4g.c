// SPDX-License-Identifier: GPL-2.0-only
/*
 * Close orders (the memfd first, the dma-buf while mapped) and the 4 GiB
 * buffer, with size_limit_mb raised for it and put back.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../../tools/lib/pattern.h"
#include <devmem.h>
#include "../../lib/ktap.h"
#include "udmabuf_exporter.h"

/*
 * The 4 GiB buffer is one 64 MiB hugetlb memfd listed 64 times: 2048 huge
 * folio pins, 2^20 buffer pages, yet only 32 huge pages of RAM. 2048
 * distinct huge pages would be all of a 4 GiB VM's memory, which it cannot
 * reserve beside the kernel. Set BIG_MEMFD to BIG_SIZE on a larger machine
 * for distinct pages (and raise HUGE_PAGES_NEEDED, in system.c, to
 * match).
 */
#define BIG_SIZE	(4 * GiB)
#define BIG_MEMFD	(64 * MiB)

/* ---- close orders --------------------------------------------------------- */

/* The pins, not the memfd, keep the pages: old and new mappings work. */
bool close_memfd_first(void)
{
	unsigned char *old_map, *new_map = NULL;
	int memfd, buf;
	bool ok = false;

	if (!small_buffer(&memfd, &buf))
		return false;
	old_map = map_buf(buf, MAP_PAGES * PG, 0);
	close(memfd);
	if (!old_map)
		goto out;
	if (!holding(1, -1, MAP_PAGES) ||
	    !map_check(buf, old_map, MAP_PAGES * PG, 0, STREAM_SHMEM))
		goto out;
	new_map = map_buf(buf, MAP_PAGES * PG, 0);
	if (!new_map ||
	    !map_check(buf, new_map, MAP_PAGES * PG, 0, STREAM_SHMEM))
		goto out;
	ok = true;
out:
	if (new_map)
		munmap(new_map, MAP_PAGES * PG);
	if (old_map)
		munmap(old_map, MAP_PAGES * PG);
	close(buf);
	return ok;
}

/*
 * A live mapping holds the dma-buf: with every fd closed the buffer and
 * its pins stay until munmap, and the mapping still reads the data (no
 * fd is left for a sync bracket; x86 is coherent).
 */
bool close_dmabuf_while_mapped(void)
{
	unsigned char *map;
	int memfd, buf;
	size_t bad;
	bool ok;

	if (!small_buffer(&memfd, &buf))
		return false;
	map = map_buf(buf, MAP_PAGES * PG, 0);
	close(buf);
	close(memfd);
	if (!map)
		return false;
	ok = holding(1, -1, MAP_PAGES);
	bad = pattern_check(map, MAP_PAGES * PG, STREAM_SHMEM);
	ok &= ktap_check(bad == MAP_PAGES * PG,
		    "mapping of a closed dma-buf differs at offset %zu", bad);
	munmap(map, MAP_PAGES * PG);
	/* Now the last reference is gone: the leak check sees it released. */
	return ok;
}

/* ---- 4 GiB ------------------------------------------------------------------ */

/*
 * size_limit_mb raised to 4096 for a 4 GiB buffer of hugetlb pages (see
 * BIG_MEMFD). Cheap by design: the exporter allocates the memfd's pages
 * for the first item (the kernel zeroes them), the other 63 find them
 * present, and only the last page is mapped, written and hashed.
 */
bool huge_4g(void)
{
	const unsigned int n = BIG_SIZE / BIG_MEMFD;
	unsigned char *map = NULL;
	struct dmabuf_probe p;
	long old_mb, now_mb;
	int memfd = -1, buf = -1;
	struct range *r = NULL;
	uint64_t hash;
	unsigned int i;
	bool ok = false;
	char val[32];

	if (!read_long(PARAMS "size_limit_mb", &old_mb))
		return false;
	snprintf(restore_size_limit, sizeof(restore_size_limit), "%ld", old_mb);
	snprintf(val, sizeof(val), "%llu", ull(BIG_SIZE / MiB));
	if (!write_text(PARAMS "size_limit_mb", val))
		goto out;

	memfd = new_memfd(BIG_MEMFD, true, F_SEAL_SHRINK);
	r = calloc(n, sizeof(*r));
	if (memfd < 0 || !r)
		goto out;
	for (i = 0; i < n; i++)
		r[i] = (struct range) { memfd, true, 0, BIG_MEMFD, STREAM_HUGE };
	buf = make_buffer(r, n, 0);
	if (buf < 0) {
		ktap_diag("create 4 GiB (%u items of %llu MiB): %s", n,
			  ull(BIG_MEMFD / MiB), strerror(-buf));
		goto out;
	}
	if (!buffer_size_is(buf, BIG_SIZE) ||
	    !holding(1, BIG_SIZE / HPAGE, BIG_SIZE / PG))
		goto out;

	/* The last page: a page offset past 2^20 - 1 pages, once mapped. */
	map = map_buf(buf, PG, BIG_SIZE - PG);
	if (!map || !map_fill(buf, map, PG, STREAM_BACK) ||
	    !map_hash(buf, map, PG, &hash))
		goto out;
	if (!probe(buf, 0, 1u << 31, 0, BIG_SIZE - PG, PG, &p))
		goto out;
	ok = probe_sane(&p, BIG_SIZE);
	ok &= ktap_check(p.nents <= BIG_SIZE / HPAGE,
		    "nents: got %u, want <= %llu (one per huge folio at most)",
		    p.nents, ull(BIG_SIZE / HPAGE));
	ok &= ktap_check(p.dma_hash == hash,
		    "last page through DMA addresses: got %016llx, mmap has %016llx",
		    ull(p.dma_hash), ull(hash));
	/* The last item is the whole memfd: its last page is the file's. */
	ok &= memfd_check(memfd, BIG_MEMFD - PG, PG, STREAM_BACK);
out:
	if (map)
		munmap(map, PG);
	if (buf >= 0)
		close(buf);
	if (memfd >= 0)
		close(memfd);
	free(r);
	if (!restore_size_limit_now())
		ok = false;
	else if (read_long(PARAMS "size_limit_mb", &now_mb))
		ok &= ktap_check(now_mb == old_mb, "size_limit_mb: %ld after restoring %ld",
			    now_mb, old_mb);
	return ok;
}
