// SPDX-License-Identifier: GPL-2.0-only
/*
 * udmabuf basics: a dma-buf made from a sealed memfd shows the memfd's data
 * through its mmap and the other way round, and the two most common mistakes
 * (no F_SEAL_SHRINK, unaligned size) are refused with EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#include "../../tools/lib/pattern.h"
#include <devmem.h>
#include "../lib/ktap.h"

#define SIZE (4u << 20)

static struct ktap t;

/*
 * @ret is what UDMABUF_CREATE returned; @memfd < 0 means the test could not
 * even make its memfd, which must not pass as the expected error.
 */
static bool check_errno(const char *name, int memfd, int ret, int want)
{
	if (memfd < 0) {
		ktap_diag("%s: memfd: %s", name, strerror(-memfd));
		return ktap_result(&t, false, name);
	}
	if (ret >= 0) {
		close(ret);
		ktap_diag("%s: succeeded, want %s", name, strerror(want));
		return ktap_result(&t, false, name);
	}
	if (ret != -want)
		ktap_diag("%s: got %s, want %s", name, strerror(-ret), strerror(want));
	return ktap_result(&t, ret == -want, name);
}

/* Pattern written through the memfd is what the dma-buf mmap reads. */
static bool memfd_to_dmabuf(int memfd, int buf, const unsigned char *map)
{
	static unsigned char data[SIZE];
	size_t bad;

	pattern_fill(data, SIZE, 0);
	if (pwrite(memfd, data, SIZE, 0) != SIZE) {
		ktap_diag("pwrite to memfd: %s", strerror(errno));
		return false;
	}
	if (devmem_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		return false;
	bad = pattern_check(map, SIZE, 0);
	if (devmem_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		return false;
	if (bad != SIZE)
		ktap_diag("dma-buf mmap differs from memfd at offset %zu", bad);
	return bad == SIZE;
}

/* Pattern written through the dma-buf mmap is what the memfd reads. */
static bool dmabuf_to_memfd(int memfd, int buf, unsigned char *map)
{
	static unsigned char data[SIZE];
	const uint64_t shift = 12345;	/* a different stream than before */
	size_t bad;

	if (devmem_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
		return false;
	pattern_fill(map, SIZE, shift);
	if (devmem_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE))
		return false;
	if (pread(memfd, data, SIZE, 0) != SIZE) {
		ktap_diag("pread from memfd: %s", strerror(errno));
		return false;
	}
	bad = pattern_check(data, SIZE, shift);
	if (bad != SIZE)
		ktap_diag("memfd differs from dma-buf mmap at offset %zu", bad);
	return bad == SIZE;
}

int main(void)
{
	unsigned char *map = MAP_FAILED;
	int memfd, buf = -1, fd;
	bool ok;

	ktap_start(&t, 5);

	memfd = devmem_memfd_create("udmabuf_basic", SIZE, false, F_SEAL_SHRINK);
	if (memfd >= 0)
		buf = devmem_udmabuf_create(memfd, 0, SIZE, UDMABUF_FLAGS_CLOEXEC);
	if (buf < 0)
		ktap_diag("create: %s", strerror(memfd < 0 ? -memfd : -buf));
	ok = ktap_result(&t, buf >= 0, "create_from_sealed_memfd");

	if (ok) {
		map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
		if (map == MAP_FAILED)
			ktap_diag("mmap dma-buf: %s", strerror(errno));
	}
	if (map != MAP_FAILED) {
		ktap_result(&t, memfd_to_dmabuf(memfd, buf, map), "memfd_write_dmabuf_read");
		ktap_result(&t, dmabuf_to_memfd(memfd, buf, map), "dmabuf_write_memfd_read");
		munmap(map, SIZE);
	} else {
		ktap_result(&t, false, "memfd_write_dmabuf_read");
		ktap_result(&t, false, "dmabuf_write_memfd_read");
	}
	if (buf >= 0)
		close(buf);
	if (memfd >= 0)
		close(memfd);

	/* udmabuf needs F_SEAL_SHRINK so the pages cannot go away under it. */
	memfd = devmem_memfd_create("unsealed", SIZE, false, 0);
	fd = memfd < 0 ? memfd : devmem_udmabuf_create(memfd, 0, SIZE, 0);
	check_errno("reject_memfd_without_seal_shrink", memfd, fd, EINVAL);
	if (memfd >= 0)
		close(memfd);

	memfd = devmem_memfd_create("unaligned", SIZE, false, F_SEAL_SHRINK);
	fd = memfd < 0 ? memfd : devmem_udmabuf_create(memfd, 0, SIZE - 100, 0);
	check_errno("reject_unaligned_size", memfd, fd, EINVAL);
	if (memfd >= 0)
		close(memfd);

	ktap_exit(&t);
}
