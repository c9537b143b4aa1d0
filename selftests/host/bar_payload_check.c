// SPDX-License-Identifier: GPL-2.0-only
/*
 * The proof from outside: after the VM stopped, find the payload devmem-rx
 * received into device memory in the file behind the VM's ivshmem BAR.
 *
 * usage: bar_payload_check DEVMEM_FILE BAR_OFFSET DMABUF_SIZE FRAG_LOG
 *
 * FRAG_LOG is devmem-rx --frag-log's record, in arrival order, of where
 * each fragment of the pattern stream landed in the dma-buf
 * ("DMABUF_OFFSET STREAM_OFFSET SIZE"); the dma-buf starts BAR_OFFSET bytes
 * into the BAR, which is DEVMEM_FILE. Buffers are reused, so a byte of the
 * dma-buf holds what the last fragment written there carried: walk the log
 * backwards and check each byte against the fragment that wrote it last.
 *
 * Exit status: 0 every such byte matches the pattern, 1 a mismatch or bad
 * input, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tools/lib/pattern.h"

struct frag {
	uint64_t dmabuf_off;
	uint64_t stream_off;
	uint32_t size;
};

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

/* The log, whole; NULL (said why) on a bad line or a fragment outside. */
static struct frag *read_log(const char *path, uint64_t dmabuf_size, size_t *n)
{
	unsigned long long d, s;
	struct frag *v = NULL;
	size_t cap = 0;
	unsigned int len;
	char line[128];
	FILE *f;

	*n = 0;
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bar_payload_check: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llu %llu %u", &d, &s, &len) != 3 || !len ||
		    d > dmabuf_size || len > dmabuf_size - d) {
			fprintf(stderr, "bar_payload_check: %s:%zu: bad fragment '%s'\n",
				path, *n + 1, strtok(line, "\n"));
			goto fail;
		}
		if (*n == cap) {
			struct frag *nv;

			cap = cap ? 2 * cap : 4096;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto fail;
			v = nv;
		}
		v[(*n)++] = (struct frag){ d, s, len };
	}
	fclose(f);
	if (!*n)
		fprintf(stderr, "bar_payload_check: %s: no fragments\n", path);
	return v;
fail:
	fclose(f);
	free(v);
	*n = 0;
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t bar_off, dmabuf_size, checked = 0, frags_seen = 0;
	const uint8_t *bar;
	uint8_t *claimed;
	struct frag *log;
	struct stat st;
	size_t n, i;
	int fd, ret = 1;

	if (argc != 5 || parse_u64(argv[2], &bar_off) ||
	    parse_u64(argv[3], &dmabuf_size) || !dmabuf_size) {
		fprintf(stderr, "usage: bar_payload_check DEVMEM_FILE BAR_OFFSET DMABUF_SIZE FRAG_LOG\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "bar_payload_check: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bar_off > (uint64_t)st.st_size || dmabuf_size > (uint64_t)st.st_size - bar_off) {
		fprintf(stderr, "bar_payload_check: dma-buf [%" PRIu64 ", +%" PRIu64
			") outside the %lld-byte BAR\n", bar_off, dmabuf_size,
			(long long)st.st_size);
		close(fd);
		return 1;
	}
	bar = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (bar == MAP_FAILED) {
		perror("bar_payload_check: mmap");
		return 1;
	}
	log = read_log(argv[4], dmabuf_size, &n);
	claimed = calloc(dmabuf_size, 1);
	if (!log || !n || !claimed)
		goto out;

	for (i = n; i-- > 0;) {
		const struct frag *f = &log[i];
		const uint8_t *p = bar + bar_off + f->dmabuf_off;
		uint64_t k, mine = 0;

		for (k = 0; k < f->size; k++) {
			if (claimed[f->dmabuf_off + k])
				continue;	/* a later fragment overwrote it */
			claimed[f->dmabuf_off + k] = 1;
			mine++;
			if (p[k] != pattern_byte(f->stream_off + k)) {
				fprintf(stderr, "bar_payload_check: fragment %zu (stream %"
					PRIu64 " at dma-buf %" PRIu64 "): byte %" PRIu64
					" is 0x%02x in the file, the sender sent 0x%02x\n",
					i + 1, f->stream_off, f->dmabuf_off, k, p[k],
					pattern_byte(f->stream_off + k));
				goto out;
			}
		}
		checked += mine;
		frags_seen += mine > 0;
	}
	printf("bar_payload_check: found in %s at BAR offset %" PRIu64
	       ": the payload last written to each of %" PRIu64 " places (%" PRIu64
	       " bytes; %zu fragments received)\n",
	       argv[1], bar_off, frags_seen, checked, n);
	ret = 0;
out:
	free(claimed);
	free(log);
	munmap((void *)bar, st.st_size);
	return ret;
}
