/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A buffered, exact-length reader over a devmem socket: iperf3's control
 * messages and stream cookies, whether they came through a bound queue
 * (dma-buf fragments, copied out of the mapping) or not.
 */
#ifndef DMABUF_PP_IPERF_CONN_H
#define DMABUF_PP_IPERF_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "devmem_rx.h"

struct conn {
	int fd;
	const struct dmabuf_view *v;
	struct devmem_rx *rx;
	uint8_t buf[4096];	/* received, not consumed yet: [head, tail) */
	size_t head;
	size_t tail;
};

/* Start reading @fd (which stays the caller's); 0 or -ENOMEM. */
int conn_open(struct conn *c, int fd, const struct dmabuf_view *v);
void conn_close(struct conn *c);

/*
 * Read exactly @n bytes into @dst, blocking (the socket's SO_RCVTIMEO
 * bounds the wait). Return: 0, -ECONNRESET when the peer closed first,
 * -EAGAIN on timeout, or another -errno (-EPROTO: a fragment that is not
 * ours).
 */
int conn_read(struct conn *c, void *dst, size_t n);

/* Bytes received and not read yet. */
size_t conn_pending(const struct conn *c);

#endif
