/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devmem-rx's parts: main.c sets up (dma-buf, binding, listening socket)
 * and tears down; pattern_rx.c receives connections of the pattern and
 * checks them; iperf.c serves one iperf3 test, iperf_json.c reads its
 * client's JSON; view.c reads fragments out of the bound dma-buf; progress.c draws the live progress line; report.c
 * prints what the binding's statistics say.
 */
#ifndef DMABUF_PP_DEVMEM_RX_H
#define DMABUF_PP_DEVMEM_RX_H

#include <stdbool.h>
#include <stdint.h>

#include <devmem.h>

#define MAX_QUEUES 256
#define MAX_FLOWS 64

struct opts {
	const char *dev;
	unsigned int queues[MAX_QUEUES];
	int nqueues;
	const char *port;
	uint64_t size;
	uint64_t bytes;
	bool iperf;
	bool verify;
	bool json;
	bool hds;
	const char *heap;	/* dma-heap name; NULL: udmabuf */
	const char *frag_log;	/* --frag-log FILE */
	bool hugetlb;
	bool hold_tokens;
	bool progress;
	int flows;
	int ready_fd;
	int timeout_s;
};

/*
 * The bound dma-buf as the receive code sees it. A NULL view (the iperf
 * host test) means no dma-buf at all: any dma-buf fragment is an error.
 */
struct dmabuf_view {
	int fd;			/* the dma-buf, for DMA_BUF_IOCTL_SYNC */
	const uint8_t *map;	/* read-only mapping, NULL when not needed */
	uint64_t size;
	uint32_t binding_id;
	uint64_t inode;		/* the dma-buf's, as exporters' debugfs name it */
};

/*
 * view_check() - is dma-buf fragment @f ours and inside the dma-buf?
 * Prints why not, prefixed "devmem-rx: ". Return: 0 or -EPROTO.
 */
int view_check(const struct dmabuf_view *v, const struct devmem_frag *f);

/* Copy the bytes of dma-buf fragment @f to @dst, inside a CPU-access bracket. */
int view_copy(const struct dmabuf_view *v, const struct devmem_frag *f, void *dst);

/* What a receive saw, in every mode. */
struct rx_counts {
	uint64_t total;
	uint64_t dmabuf_bytes;
	uint64_t linear_bytes;	/* SCM_DEVMEM_LINEAR: heads copied to the iov */
	uint64_t plain_bytes;	/* no devmem cmsg at all: not our queue */
	uint64_t frags;
	uint32_t max_frag;	/* largest frag: shows the RX buffer size */
	uint64_t tokens;	/* returned with SO_DEVMEM_DONTNEED */
};

/* The live progress line on stderr, redrawn at most once a second. */
struct progress {
	bool on;
	double t0;
	double last;
	uint64_t last_total;
};

void progress_start(struct progress *p, bool on);
void progress_update(struct progress *p, const struct rx_counts *c);
void progress_end(struct progress *p);

/*
 * Pattern mode: accept --flows connections on @lfd, read --bytes from each
 * and check them. Returns the exit status; reports as it goes.
 */
int pattern_serve(const struct opts *o, const struct dmabuf_view *v, int lfd);

/*
 * iperf3 mode: serve one test of an iperf3 client on @lfd. @v NULL: no
 * dma-buf (every byte must arrive in the iov). Returns the exit status.
 */
int iperf_serve(const struct opts *o, const struct dmabuf_view *v, int lfd);

/*
 * binding_stats() - the binding's statistics from the dmabuf-pp family
 * Return: true with @out filled; false, with a note on stderr, when they
 * cannot be had (stock kernels have no such family).
 */
bool binding_stats(uint32_t binding_id, struct devmem_binding_info *out);

/*
 * One line on stdout; with @json a member ", \"binding\": {...}" (or null
 * for @b NULL) to put inside the caller's object.
 */
void print_binding(const struct devmem_binding_info *b, bool json);

#endif
