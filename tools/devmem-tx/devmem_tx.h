/* SPDX-License-Identifier: GPL-2.0-only */
/* devmem-tx: the pieces its main program uses (see devmem_tx.c). */
#ifndef DEVMEM_TX_H
#define DEVMEM_TX_H

#include <stdbool.h>
#include <stdint.h>

struct devmem_binding;

/* The dma-buf the flows send from, mapped and bound for TX (dmabuf_tx.c) */
struct dmabuf_tx {
	int dmabuf_fd;
	uint8_t *map;
	uint64_t size;
	int flows;		/* the dma-buf is shared equally among them */
	struct devmem_binding *binding;
	uint32_t binding_id;
	bool verbose;		/* a line per flow when it is done */
	bool close_pending;	/* close without waiting for completions */
	bool host;		/* host memory sent with MSG_ZEROCOPY, no dma-buf */
	/* Per flow, shared with the children that run them: bytes TCP sent
	 * again (tcp_info), read once every send has completed, so final
	 */
	uint64_t *bytes_retrans;
};

/*
 * Allocate @size bytes from @source ("udmabuf" or a dma-heap name), map
 * them and bind them for TX on @dev. Prints why it failed.
 */
int dmabuf_tx_open(struct dmabuf_tx *tx, const char *source, const char *dev,
		   uint64_t size, int flows);
void dmabuf_tx_close(struct dmabuf_tx *tx);

/* The same flows out of @size bytes of host memory, with MSG_ZEROCOPY */
int dmabuf_tx_open_host(struct dmabuf_tx *tx, uint64_t size, int flows);

/*
 * Unbind now, sends in flight or not: the flows' next sends fail, and what
 * they sent before completes. Only the process that opened @tx holds the
 * binding; a flow's child lets go of its copy first (dmabuf_tx_in_child()).
 */
void dmabuf_tx_unbind(struct dmabuf_tx *tx);
void dmabuf_tx_in_child(struct dmabuf_tx *tx);

/*
 * The binding's counters as the dmabuf-pp family reports them: payload
 * bytes sent out of it, and buffers skbs still hold. Fails on kernels
 * without the family.
 */
int dmabuf_tx_stats(const struct dmabuf_tx *tx, uint64_t *sent,
		    uint64_t *in_flight);

/* Bytes retransmitted by all flows, from the device memory as the rest. */
uint64_t dmabuf_tx_retransmitted(const struct dmabuf_tx *tx);

/* Connection @flow: send @bytes of the pattern out of its share. */
int dmabuf_tx_flow(const struct dmabuf_tx *tx, int flow, const char *addr,
		   const char *port, uint64_t bytes, int timeout_s);

#endif
