/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdevmem's hooks for its own tests: not installed, not exported from
 * the shared library, no promise of stability. Programs link the objects
 * (or the static library) to reach them.
 */
#ifndef LIBDEVMEM_TESTING_H
#define LIBDEVMEM_TESTING_H

#include <linux/ethtool.h>

#include "devmem.h"

/*
 * devmem_bind_rx() without its own argument checks (an empty queue list), so
 * that tests can see what the kernel says about such a request.
 */
int devmem_bind_rx_unchecked(int ifindex, int dmabuf_fd,
			     const unsigned int *queues, size_t nqueues,
			     struct devmem_binding **out,
			     struct devmem_err *err);

/*
 * The part of devmem_rx_recv() after recvmsg(): @msg as recvmsg() filled
 * it, @received what it returned. Host tests feed it hand-made cmsgs.
 */
int devmem_rx_dispatch(struct devmem_rx *rx, const struct msghdr *msg,
		       size_t received,
		       int (*cb)(const struct devmem_frag *frag, void *arg),
		       void *arg);

/* The ETHTOOL_SRXCLSRLINS request devmem_steer_add() sends. */
int devmem_flow_rule(const struct devmem_flow *flow, unsigned int queue,
		     int loc, struct ethtool_rxnfc *nfc);

/*
 * Replay recorded kernel replies instead of talking to a kernel: from
 * devmem_nl_replay_start(@r) until devmem_nl_replay_start(NULL), every
 * netlink socket libdevmem opens stays unconnected, its requests are
 * dropped, and each read returns the next of @r's buffers (one recorded
 * recvmsg() each: selftests/host/nl-replies/). Not thread-safe.
 */
struct devmem_nl_replay_buf {
	const uint8_t *data;
	size_t len;
};

struct devmem_nl_replay {
	const struct devmem_nl_replay_buf *bufs;
	size_t nbufs;
	size_t next;		/* the buffer the next read returns */
	uint32_t seq;		/* of the request last sent */
};

void devmem_nl_replay_start(struct devmem_nl_replay *r);

#endif
