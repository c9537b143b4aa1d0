// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exact-length reads on a socket whose bytes may sit in the dma-buf. When
 * a flow rule steers the server's port to the bound queue, iperf3's
 * control connection and the cookies that open its streams arrive there
 * too, as dma-buf fragments: they are read with MSG_SOCK_DEVMEM and copied
 * out of the mapping, and their tokens go back like any others.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iperf_conn.h"

int conn_open(struct conn *c, int fd, const struct dmabuf_view *v)
{
	c->fd = fd;
	c->v = v;
	c->head = c->tail = 0;
	return devmem_rx_open(fd, sizeof(c->buf), &c->rx);
}

void conn_close(struct conn *c)
{
	devmem_rx_close(c->rx);
	c->rx = NULL;
}

/* Append one fragment of a receive to the buffer. */
static int conn_on_frag(const struct devmem_frag *f, void *arg)
{
	struct conn *c = arg;
	int ret = 0;

	/*
	 * One recvmsg() returns at most sizeof(buf) bytes, and we read
	 * only into an empty buffer: this cannot overflow.
	 */
	if (f->size > sizeof(c->buf) - c->tail)
		return -EOVERFLOW;
	if (f->kind == DEVMEM_FRAG_LINEAR)
		memcpy(c->buf + c->tail, f->data, f->size);
	else
		ret = view_copy(c->v, f, c->buf + c->tail);
	if (!ret)
		c->tail += f->size;
	return ret;
}

int conn_read(struct conn *c, void *dst, size_t n)
{
	uint8_t *p = dst;

	while (n) {
		size_t k = c->tail - c->head;
		ssize_t r;

		if (k) {
			k = k < n ? k : n;
			memcpy(p, c->buf + c->head, k);
			c->head += k;
			p += k;
			n -= k;
			continue;
		}
		c->head = c->tail = 0;
		do
			r = devmem_rx_recv(c->rx, 0, conn_on_frag, c);
		while (r == -EINTR);
		if (r == 0)
			return -ECONNRESET;	/* the peer closed */
		if (r < 0)
			return r;
	}
	return 0;
}

size_t conn_pending(const struct conn *c)
{
	return c->tail - c->head;
}
