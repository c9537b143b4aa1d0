// SPDX-License-Identifier: GPL-2.0-only
/*
 * with_dmabuf SIZE CMD [ARG...]: run CMD with a SIZE-byte udmabuf open,
 * every "@FD@" in its arguments replaced by the dma-buf's fd number. For
 * tests of tools that take a dma-buf fd but cannot make one, such as
 * upstream's ynl CLI binding through a netlink family.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <devmem.h>
#include "../../tools/lib/cli_parse.h"

#define FD_MARK "@FD@"

/* @arg with every FD_MARK in it replaced by @fd_text (never freed: we exec). */
static char *with_fd(const char *arg, const char *fd_text)
{
	size_t mark_len = strlen(FD_MARK), fd_len = strlen(fd_text);
	const char *p, *mark;
	char *out, *o;

	out = malloc(strlen(arg) * (fd_len + 1) + 1);	/* room for any count */
	if (!out)
		return NULL;
	o = out;
	p = arg;
	mark = strstr(p, FD_MARK);
	while (mark) {
		memcpy(o, p, mark - p);
		o += mark - p;
		memcpy(o, fd_text, fd_len);
		o += fd_len;
		p = mark + mark_len;
		mark = strstr(p, FD_MARK);
	}
	memcpy(o, p, strlen(p) + 1);
	return out;
}

int main(int argc, char **argv)
{
	char fd_text[16];
	uint64_t size;
	int fd, i;

	if (argc < 3 || cli_parse_size(argv[1], &size) || !size ||
	    size % getpagesize()) {
		fprintf(stderr, "usage: with_dmabuf SIZE CMD [ARG...] (SIZE in whole pages; "
			"\"%s\" in an ARG becomes the dma-buf's fd)\n", FD_MARK);
		return 2;
	}
	/* Without UDMABUF_FLAGS_CLOEXEC: CMD inherits it. */
	fd = devmem_udmabuf_create_anon("with_dmabuf", 0, size, false, 0);
	if (fd < 0) {
		fprintf(stderr, "with_dmabuf: udmabuf of %s bytes: %s\n", argv[1],
			strerror(-fd));
		return 1;
	}
	snprintf(fd_text, sizeof(fd_text), "%d", fd);
	for (i = 2; i < argc; i++) {
		argv[i] = with_fd(argv[i], fd_text);
		if (!argv[i]) {
			fputs("with_dmabuf: out of memory\n", stderr);
			return 1;
		}
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "with_dmabuf: %s: %s\n", argv[2], strerror(errno));
	return 1;
}
