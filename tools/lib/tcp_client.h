/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sending end our TCP tools share: connect with a time limit, and send
 * a stretch of the shared pattern. Errors are printed prefixed with the
 * program's name, so callers only decide the exit status.
 */
#ifndef DMABUF_PP_TCP_CLIENT_H
#define DMABUF_PP_TCP_CLIENT_H

#include <stdint.h>

/*
 * Connect to @port of @addr (a name or a literal). Sends and receives on
 * the returned socket give up after @timeout_s without progress. Returns
 * the socket, or -1.
 */
int tcp_connect(const char *prog, const char *addr, const char *port, int timeout_s);

/* Send @bytes of the pattern, from stream offset 0, on @fd. 0 or -1. */
int tcp_send_pattern(const char *prog, int fd, uint64_t bytes);

#endif
