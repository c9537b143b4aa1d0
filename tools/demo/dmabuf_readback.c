// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabuf-readback: make a dma-buf from a sealed memfd through /dev/udmabuf,
 * write the pattern through the memfd and read it back through the
 * dma-buf's mmap. The demo uses it to show the exporter side working.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "../lib/pattern.h"
#include "../lib/udmabuf_util.h"

int main(int argc, char **argv)
{
	size_t size = 64u << 20, bad;
	unsigned char *map, *chunk;
	int memfd, buf;

	if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
		fputs("usage: dmabuf-readback [MiB]   (default 64)\n", argc > 2 ? stderr : stdout);
		return argc > 2 ? 2 : 0;
	}
	if (argc == 2) {
		char *end;
		unsigned long mib = strtoul(argv[1], &end, 10);

		if (argv[1][0] < '0' || argv[1][0] > '9' || *end || !mib || mib > (1ul << 20)) {
			fprintf(stderr, "dmabuf-readback: size '%s' is not 1..1048576 MiB\n", argv[1]);
			return 2;
		}
		size = mib << 20;
	}

	memfd = memfd_make("dmabuf-readback", size, false, F_SEAL_SHRINK);
	if (memfd < 0) {
		fprintf(stderr, "dmabuf-readback: memfd: %s\n", strerror(-memfd));
		return 1;
	}
	buf = udmabuf_make(memfd, 0, size, 0);
	if (buf < 0) {
		fprintf(stderr, "dmabuf-readback: UDMABUF_CREATE: %s\n", strerror(-buf));
		return 1;
	}

	chunk = malloc(1 << 20);
	if (!chunk)
		return 1;
	for (size_t off = 0; off < size; off += 1 << 20) {
		pattern_fill(chunk, 1 << 20, off);
		if (pwrite(memfd, chunk, 1 << 20, off) != 1 << 20) {
			fprintf(stderr, "dmabuf-readback: pwrite: %s\n", strerror(errno));
			return 1;
		}
	}
	free(chunk);

	map = mmap(NULL, size, PROT_READ, MAP_SHARED, buf, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "dmabuf-readback: mmap: %s\n", strerror(errno));
		return 1;
	}
	if (dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)) {
		fputs("dmabuf-readback: DMA_BUF_IOCTL_SYNC start failed\n", stderr);
		return 1;
	}
	bad = pattern_check(map, size, 0);
	dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(map, size);
	close(buf);
	close(memfd);

	if (bad != size) {
		printf("udmabuf: %zu MiB dma-buf: MISMATCH at offset %zu\n", size >> 20, bad);
		return 1;
	}
	printf("udmabuf: %zu MiB dma-buf from a sealed memfd: pattern written through "
	       "the memfd, all %zu bytes read back through the dma-buf mmap\n",
	       size >> 20, size);
	return 0;
}
