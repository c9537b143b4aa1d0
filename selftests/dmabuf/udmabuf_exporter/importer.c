// SPDX-License-Identifier: GPL-2.0-only
/*
 * What an importer sees, through the test importer (dmabuf_probe.h): the
 * data by DMA address and through vmap, sg merging and segment limits,
 * and device writes seen by the CPU and in the memfd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "../../../tools/lib/pattern.h"
#include <devmem.h>
#include "../../lib/ktap.h"
#include "udmabuf_exporter.h"

/* ---- what an importer sees ---------------------------------------------- */

/*
 * The mixed buffer with pattern STREAM_OLD written through its mmap, and
 * the hash of all of it as the CPU sees it.
 */
static bool mixed_buffer(struct mixed *m, int *buf, unsigned char **map,
			 uint64_t *hash)
{
	if (!mixed_memfds(m))
		return false;
	*buf = make_buffer(m->r, 4, 0);
	if (*buf < 0) {
		ktap_diag("create: %s", strerror(-*buf));
		mixed_close(m);
		return false;
	}
	*map = map_buf(*buf, m->size, 0);
	if (*map && map_fill(*buf, *map, m->size, STREAM_OLD) &&
	    map_hash(*buf, *map, m->size, hash))
		return true;
	if (*map)
		munmap(*map, m->size);
	close(*buf);
	mixed_close(m);
	return false;
}

static void mixed_buffer_free(struct mixed *m, int buf, unsigned char *map)
{
	munmap(map, m->size);
	close(buf);
	mixed_close(m);
}

static bool probe_dma_hash(bool vmap)
{
	struct dmabuf_probe p;
	unsigned char *map;
	struct mixed m;
	uint64_t hash;
	bool ok;
	int buf;

	if (!mixed_buffer(&m, &buf, &map, &hash))
		return false;
	/* max_seg 0: the importer's default of 64 KiB. */
	ok = probe(buf, vmap ? DMABUF_PROBE_VMAP : 0, 0, 0, 0, 0, &p);
	if (ok) {
		ok &= probe_sane(&p, m.size);
		ok &= ktap_check(p.max_len <= 65536,
			    "probe max_len: got %llu, want <= 65536 (default max_seg)",
			    ull(p.max_len));
		ok &= ktap_check(p.dma_hash == hash,
			    "hash through DMA addresses: got %016llx, mmap has %016llx",
			    ull(p.dma_hash), ull(hash));
		if (vmap)
			ok &= ktap_check(p.vmap_hash == hash,
				    "hash through vmap: got %016llx, mmap has %016llx",
				    ull(p.vmap_hash), ull(hash));
	}
	mixed_buffer_free(&m, buf, map);
	return ok;
}

bool probe_dma(void)
{
	return probe_dma_hash(false);
}

/* vmap must map every page of a huge folio, not its head alone. */
bool probe_vmap(void)
{
	return probe_dma_hash(true);
}

#define MERGE_SIZE	(64 * MiB)

/*
 * A 64 MiB hugetlb buffer probed with segment limit @max_seg, and the
 * hash of a window across the first huge page boundary compared with the
 * mmap's, so merged entries must still be in the right place.
 */
static bool probe_hugetlb(uint32_t max_seg, struct dmabuf_probe *p)
{
	const uint64_t woff = HPAGE - PG / 2, wlen = 2 * PG;
	unsigned char *map = NULL;
	int memfd, buf;
	uint64_t hash;
	bool ok = false;

	memfd = new_memfd(MERGE_SIZE, true, F_SEAL_SHRINK);
	if (memfd < 0)
		return false;
	if (!populate(memfd, 0, MERGE_SIZE)) {
		close(memfd);
		return false;
	}
	buf = devmem_udmabuf_create(memfd, 0, MERGE_SIZE, 0);
	if (buf < 0) {
		ktap_diag("create 64 MiB: %s", strerror(-buf));
		close(memfd);
		return false;
	}
	if (!holding(1, MERGE_SIZE / HPAGE, MERGE_SIZE / PG))
		goto out;
	map = map_buf(buf, MERGE_SIZE, 0);
	if (!map || !map_fill(buf, map + woff, wlen, STREAM_OLD) ||
	    !map_hash(buf, map + woff, wlen, &hash))
		goto out;
	if (!probe(buf, 0, max_seg, 0, woff, wlen, p))
		goto out;
	ok = probe_sane(p, MERGE_SIZE);
	ok &= ktap_check(p->dma_hash == hash,
		    "hash through DMA addresses: got %016llx, mmap has %016llx",
		    ull(p->dma_hash), ull(hash));
out:
	if (map)
		munmap(map, MERGE_SIZE);
	close(buf);
	close(memfd);
	return ok;
}

/* With room for anything, each 2 MiB folio is one entry at most. */
bool sg_merge_hugetlb(void)
{
	struct dmabuf_probe p;
	bool ok;

	if (!probe_hugetlb(1u << 31, &p))
		return false;
	ok = ktap_check(p.nents <= MERGE_SIZE / HPAGE,
		   "nents: got %u, want <= %llu (one per huge folio at most)",
		   p.nents, ull(MERGE_SIZE / HPAGE));
	ok &= ktap_check(p.max_len >= HPAGE, "max_len: got %llu, want >= %llu",
		    ull(p.max_len), ull(HPAGE));
	return ok;
}

bool sg_split_64k(void)
{
	struct dmabuf_probe p;
	bool ok;

	if (!probe_hugetlb(65536, &p))
		return false;
	ok = ktap_check(p.max_len <= 65536, "max_len: got %llu, want <= 65536",
		   ull(p.max_len));
	ok &= ktap_check(p.nents >= MERGE_SIZE / 65536, "nents: got %u, want >= %llu",
		    p.nents, ull(MERGE_SIZE / 65536));
	return ok;
}

struct window {
	uint64_t off;
	uint64_t len;
	uint32_t seed;
};

/* The window of @w[0..@n) that dma-buf offset @off is in, or -1. */
static int window_of(const struct window *w, int n, uint64_t off)
{
	int i;

	for (i = 0; i < n; i++)
		if (off >= w[i].off && off - w[i].off < w[i].len)
			return i;
	return -1;
}

/*
 * What the dma-buf must hold after the device wrote @w over pattern
 * STREAM_OLD.
 */
static uint8_t expected_byte(const struct window *w, int n, uint64_t off)
{
	int i = window_of(w, n, off);

	return i < 0 ? pattern_byte(STREAM_OLD + off) :
		       dmabuf_probe_byte(off, w[i].seed);
}

/*
 * The device writes two windows at byte offsets: the one the interface
 * was designed around, and one across the shmem/hugetlb item boundary
 * (64 KiB). The CPU then sees exactly those bytes changed, and so does
 * the memfd.
 */
bool device_write(void)
{
	const struct window w[2] = {
		{ 2 * PG, 3 * PG + 17, 0xa5 },
		{ 16 * PG - 100, 300, 0x3c },
	};
	struct dmabuf_probe p;
	unsigned char *map, file[3 * PG + 17];
	struct mixed m;
	uint64_t hash, want, off;
	unsigned int i;
	bool ok = true;
	int buf;

	if (!mixed_buffer(&m, &buf, &map, &hash))
		return false;
	for (i = 0; i < 2 && ok; i++) {
		ok = probe(buf, DMABUF_PROBE_WRITE, 0, w[i].seed, w[i].off,
			   w[i].len, &p) && probe_sane(&p, m.size);
		/* It hashes what it wrote, read back by DMA address. */
		want = DMABUF_PROBE_HASH_INIT;
		for (off = w[i].off; off < w[i].off + w[i].len; off++) {
			uint8_t b = dmabuf_probe_byte(off, w[i].seed);

			want = dmabuf_probe_hash(want, &b, 1);
		}
		if (ok)
			ok = ktap_check(p.dma_hash == want,
				   "window %u read back by DMA: hash %016llx, want %016llx",
				   i, ull(p.dma_hash), ull(want));
	}
	if (ok)
		ok = sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (off = 0; ok && off < m.size; off++)
		if (map[off] != expected_byte(w, 2, off)) {
			ktap_diag("dma-buf offset %llu: got 0x%02x, want 0x%02x (%s)",
				  ull(off), map[off], expected_byte(w, 2, off),
				  window_of(w, 2, off) < 0 ?
				  "old content, outside the windows" :
				  "written by the device");
			ok = false;
		}
	if (ok)
		ok = sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	/* Item 0 is memfd offset 0 on: the file has the device's bytes. */
	if (ok && pread(m.shm, file, w[0].len, w[0].off) != (ssize_t)w[0].len)
		ok = ktap_check(false, "pread memfd: %s", strerror(errno));
	for (off = 0; ok && off < w[0].len; off++)
		ok = ktap_check(file[off] == dmabuf_probe_byte(w[0].off + off, w[0].seed),
			   "memfd offset %llu: got 0x%02x, want 0x%02x",
			   ull(w[0].off + off), file[off],
			   dmabuf_probe_byte(w[0].off + off, w[0].seed));
	mixed_buffer_free(&m, buf, map);
	return ok;
}
