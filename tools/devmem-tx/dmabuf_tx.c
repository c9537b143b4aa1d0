// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem-tx --dmabuf: the pattern sent out of a dma-buf (devmem TX).
 *
 * The dma-buf stands for an accelerator's memory: the producer writes the
 * pattern into it through its mapping, and the kernel sends it without
 * copying. Each flow owns an equal share of the dma-buf, cut into slots of
 * SLOT bytes; the stream goes through the slots in turn, and a slot is
 * written again only after the completions of every send that used it
 * arrived, which is when the device has read it.
 *
 * The same slots and completions serve MSG_ZEROCOPY from host memory
 * (devmem-tx --zerocopy, dmabuf_tx_open_host()), the comparison devmem TX
 * is measured against: there the ranges are addresses, not offsets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/tcp.h>
#include <netinet/in.h>

#include "../lib/pattern.h"
#include "../lib/tcp_client.h"
#include "../libdevmem/devmem.h"
#include "devmem_tx.h"

#define SLOT		(64u << 10)
/* Send calls in flight per flow, at most: slots times a few partial sends */
#define CALL_RING	65536u

struct flow_tx {
	int fd;
	uint32_t binding_id;
	uint8_t *map;		/* the flow's share of the dma-buf */
	uint64_t base;		/* its offset in the dma-buf */
	unsigned int nslots;
	unsigned int *pending;	/* send calls per slot not yet completed */
	unsigned int *slot_of;	/* slot of call id % CALL_RING */
	bool *done;		/* call id % CALL_RING has completed */
	uint32_t next_call;	/* id of the next send call */
	uint32_t done_calls;	/* calls completed */
	uint64_t completions;	/* completion messages read */
	int dmabuf_fd;		/* -1 when sending from host memory */
	uint8_t *host;		/* then: where offsets start */
	int timeout_s;
};

/* Read the completions queued now; wait up to the timeout for one if @wait. */
static int reap(struct flow_tx *f, bool wait)
{
	struct pollfd pfd = { .fd = f->fd, .events = 0 };
	uint32_t lo, hi, id;
	int got = 0, ret;

	for (;;) {
		ret = devmem_completions(f->fd, &lo, &hi);
		if (ret < 0) {
			perror("devmem-tx: reading completions");
			return -1;
		}
		if (!ret) {
			if (got || !wait)
				return 0;
			ret = poll(&pfd, 1, f->timeout_s * 1000);
			if (ret < 0 && errno == EINTR)
				continue;
			if (ret <= 0) {
				fprintf(stderr, "devmem-tx: no completion within %d s\n",
					f->timeout_s);
				return -1;
			}
			continue;
		}
		/* Each call completes exactly once, and only calls made */
		for (id = lo; id != hi + 1; id++) {
			if (id - f->done_calls >= f->next_call - f->done_calls ||
			    f->done[id % CALL_RING]) {
				fprintf(stderr, "devmem-tx: completion of call %u, %s\n",
					id, f->done[id % CALL_RING] ?
					"a second time" : "which is not in flight");
				return -1;
			}
			f->done[id % CALL_RING] = true;
			f->pending[f->slot_of[id % CALL_RING]]--;
		}
		/* Calls complete in order on TCP: move past the done ones */
		while (f->done_calls != f->next_call &&
		       f->done[f->done_calls % CALL_RING])
			f->done[f->done_calls++ % CALL_RING] = false;
		f->completions++;
		got = 1;
	}
}

/* send_range() and stream(): the binding was unbound under the flow */
#define UNBOUND		(-2)

/* Send @len bytes at @offset of the dma-buf as one or more calls. */
static int send_range(struct flow_tx *f, unsigned int slot, uint64_t offset,
		      uint64_t len)
{
	while (len) {
		struct devmem_range r = { .offset = offset, .len = len };
		ssize_t n;

		if (f->next_call - f->done_calls >= CALL_RING - 1) {
			fprintf(stderr, "devmem-tx: too many sends in flight\n");
			return -1;
		}
		if (f->host) {
			struct iovec iov = { f->host + offset, len };
			struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

			n = sendmsg(f->fd, &msg, MSG_ZEROCOPY | MSG_NOSIGNAL);
		} else {
			n = devmem_send(f->fd, f->binding_id, &r, 1,
					MSG_NOSIGNAL);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && !f->host)	/* no binding now */
			return UNBOUND;
		if (n < 0) {
			fprintf(stderr, "devmem-tx: sendmsg from the dma-buf: %s\n",
				errno == EAGAIN ? "no progress within the timeout" :
				strerror(errno));
			return -1;
		}
		/* Every call that queued bytes gets a completion id */
		f->done[f->next_call % CALL_RING] = false;
		f->slot_of[f->next_call++ % CALL_RING] = slot;
		f->pending[slot]++;
		offset += n;
		len -= n;
	}
	return 0;
}

/* Bracket CPU writes to the dma-buf (host memory needs none) */
static int sync_write(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags | DMA_BUF_SYNC_WRITE };

	return fd < 0 ? 0 : ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* Every send made completes, unbound or not: wait for them all */
static int reap_all(struct flow_tx *f)
{
	while (f->done_calls != f->next_call)
		if (reap(f, true))
			return -1;
	return 0;
}

/* Return: 0, -1 on failure, UNBOUND when the binding went mid-stream. */
static int stream(struct flow_tx *f, uint64_t bytes, bool close_pending)
{
	uint64_t sent = 0;
	int ret;

	while (sent < bytes) {
		unsigned int slot = (sent / SLOT) % f->nslots;
		uint64_t len = bytes - sent < SLOT ? bytes - sent : SLOT;
		uint8_t *p = f->map + (uint64_t)slot * SLOT;

		while (f->pending[slot])
			if (reap(f, true))
				return -1;
		if (sync_write(f->dmabuf_fd, DMA_BUF_SYNC_START))
			return -1;
		pattern_fill(p, len, sent);
		if (sync_write(f->dmabuf_fd, DMA_BUF_SYNC_END))
			return -1;
		ret = send_range(f, slot, f->base + (uint64_t)slot * SLOT, len);
		if (ret == UNBOUND) {
			fprintf(stderr, "devmem-tx: the binding was unbound after %llu bytes; waiting for the %u sends in flight\n",
				(unsigned long long)sent,
				f->next_call - f->done_calls);
			if (reap_all(f))
				return -1;
			fprintf(stderr, "devmem-tx: every send made before the unbind completed (%u sends)\n",
				f->next_call);
			return UNBOUND;
		}
		if (ret || reap(f, false))
			return -1;
		sent += len;
	}
	/* Done only when the device has read it all (unless told not to) */
	return close_pending ? 0 : reap_all(f);
}

/* What TCP sent again on @fd: once every send completed, all is acked */
static int bytes_retransmitted(int fd, uint64_t *bytes)
{
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
		perror("devmem-tx: TCP_INFO");
		return -1;
	}
	if (len < offsetof(struct tcp_info, tcpi_bytes_retrans) +
		  sizeof(ti.tcpi_bytes_retrans)) {
		fputs("devmem-tx: TCP_INFO has no tcpi_bytes_retrans\n", stderr);
		return -1;
	}
	*bytes = ti.tcpi_bytes_retrans;
	return 0;
}

uint64_t dmabuf_tx_retransmitted(const struct dmabuf_tx *tx)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < tx->flows; i++)
		sum += tx->bytes_retrans[i];
	return sum;
}

int dmabuf_tx_flow(const struct dmabuf_tx *tx, int flow, const char *addr,
		   const char *port, uint64_t bytes, int timeout_s)
{
	uint64_t share = tx->size / tx->flows / SLOT * SLOT;
	struct flow_tx f = {
		.binding_id = tx->binding_id,
		.dmabuf_fd = tx->dmabuf_fd,
		.host = tx->host ? tx->map : NULL,
		.base = (uint64_t)flow * share,
		.nslots = share / SLOT,
		.timeout_s = timeout_s,
	};
	int one = 1, ret = 1;

	f.map = tx->map + f.base;
	f.pending = calloc(f.nslots, sizeof(*f.pending));
	f.slot_of = calloc(CALL_RING, sizeof(*f.slot_of));
	f.done = calloc(CALL_RING, sizeof(*f.done));
	if (!f.pending || !f.slot_of || !f.done) {
		fputs("devmem-tx: out of memory\n", stderr);
		goto out_free;
	}
	f.fd = tcp_connect("devmem-tx", addr, port, timeout_s);
	if (f.fd < 0)
		goto out_free;
	if (setsockopt(f.fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		perror("devmem-tx: SO_ZEROCOPY");
		goto out_close;
	}
	ret = stream(&f, bytes, tx->close_pending);
	if (ret && ret != UNBOUND) {
		/* Abort (RST): what the kernel still holds of a failed flow,
		 * and with it the dma-buf's binding, goes at close
		 */
		struct linger abort_now = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(f.fd, SOL_SOCKET, SO_LINGER, &abort_now,
			   sizeof(abort_now));
	}
	/* Unbound: what was sent completed, and the connection closes as
	 * usual; the flow still failed to send its bytes
	 */
	ret = ret ? 1 : 0;
	if (!ret && tx->close_pending) {
		if (tx->verbose)
			printf("devmem-tx: flow %d: %llu bytes in %u sends, closed with %u of them not completed\n",
			       flow, (unsigned long long)bytes, f.next_call,
			       f.next_call - f.done_calls);
		goto out_close;
	}
	if (!ret && bytes_retransmitted(f.fd, &tx->bytes_retrans[flow]))
		ret = 1;
	if (!ret && tx->verbose)
		printf("devmem-tx: flow %d: %llu bytes in %u sends, each completed once (%llu completion messages), %llu bytes sent again\n",
		       flow, (unsigned long long)bytes, f.next_call,
		       (unsigned long long)f.completions,
		       (unsigned long long)tx->bytes_retrans[flow]);
out_close:
	if (close(f.fd) && !ret) {
		perror("devmem-tx: close");
		ret = 1;
	}
out_free:
	free(f.done);
	free(f.slot_of);
	free(f.pending);
	return ret;
}

int dmabuf_tx_open(struct dmabuf_tx *tx, const char *source, const char *dev,
		   uint64_t size, int flows)
{
	struct devmem_err err;
	int ifindex, ret;

	*tx = (struct dmabuf_tx){ .dmabuf_fd = -1, .size = size, .flows = flows };
	if (size / flows < SLOT) {
		fprintf(stderr, "devmem-tx: a %llu-byte dma-buf leaves less than %u bytes per flow\n",
			(unsigned long long)size, SLOT);
		return -1;
	}
	ifindex = devmem_ifindex(dev);
	if (ifindex <= 0) {
		fprintf(stderr, "devmem-tx: no device '%s'\n", dev);
		return -1;
	}
	if (!strcmp(source, "udmabuf"))
		tx->dmabuf_fd = devmem_udmabuf_create_anon("devmem-tx", 0, size,
							   false, 0);
	else
		tx->dmabuf_fd = devmem_dma_heap_alloc(source, size);
	if (tx->dmabuf_fd < 0) {
		fprintf(stderr, "devmem-tx: cannot allocate %llu bytes from %s: %s\n",
			(unsigned long long)size, source, strerror(-tx->dmabuf_fd));
		return -1;
	}
	tx->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       tx->dmabuf_fd, 0);
	if (tx->map == MAP_FAILED) {
		perror("devmem-tx: mmap of the dma-buf");
		goto err_close;
	}
	ret = devmem_bind_tx(ifindex, tx->dmabuf_fd, &tx->binding, &err);
	if (ret) {
		fprintf(stderr, "devmem-tx: bind-tx on %s: %s%s%s\n", dev,
			strerror(-ret), err.msg[0] ? ": " : "", err.msg);
		goto err_unmap;
	}
	tx->binding_id = devmem_binding_id(tx->binding);
	/* Written by the flows' children, read by the parent */
	tx->bytes_retrans = mmap(NULL, flows * sizeof(*tx->bytes_retrans),
				 PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tx->bytes_retrans == MAP_FAILED) {
		perror("devmem-tx: mmap of the flows' report");
		goto err_unbind;
	}
	return 0;

err_unbind:
	devmem_unbind(tx->binding);
err_unmap:
	munmap(tx->map, size);
err_close:
	close(tx->dmabuf_fd);
	return -1;
}

int dmabuf_tx_open_host(struct dmabuf_tx *tx, uint64_t size, int flows)
{
	*tx = (struct dmabuf_tx){ .dmabuf_fd = -1, .size = size, .flows = flows,
				  .host = true };
	if (size / flows < SLOT) {
		fprintf(stderr, "devmem-tx: %llu bytes leave less than %u bytes per flow\n",
			(unsigned long long)size, SLOT);
		return -1;
	}
	tx->map = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tx->map == MAP_FAILED) {
		perror("devmem-tx: mmap");
		return -1;
	}
	tx->bytes_retrans = mmap(NULL, flows * sizeof(*tx->bytes_retrans),
				 PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tx->bytes_retrans == MAP_FAILED) {
		perror("devmem-tx: mmap of the flows' report");
		munmap(tx->map, size);
		return -1;
	}
	return 0;
}

static int copy_stats(const struct devmem_binding_info *b, void *arg)
{
	struct devmem_binding_info *out = arg;

	*out = *b;
	return 0;
}

int dmabuf_tx_stats(const struct dmabuf_tx *tx, uint64_t *sent,
		    uint64_t *in_flight)
{
	static struct devmem_binding_info b;	/* large: its queue list */
	struct devmem_err err;
	int ret;

	b.id = 0;
	ret = devmem_pp_bindings(tx->binding_id, copy_stats, &b, &err);
	if (ret < 0 || b.id != tx->binding_id)
		return -1;
	*sent = b.tx_bytes;
	*in_flight = b.tx_frags;
	return 0;
}

void dmabuf_tx_unbind(struct dmabuf_tx *tx)
{
	devmem_unbind(tx->binding);
	tx->binding = NULL;
}

void dmabuf_tx_in_child(struct dmabuf_tx *tx)
{
	/* Closes this process's copy of the binding's netlink socket */
	dmabuf_tx_unbind(tx);
}

void dmabuf_tx_close(struct dmabuf_tx *tx)
{
	munmap(tx->bytes_retrans, tx->flows * sizeof(*tx->bytes_retrans));
	devmem_unbind(tx->binding);
	munmap(tx->map, tx->size);
	if (tx->dmabuf_fd >= 0)
		close(tx->dmabuf_fd);
}
