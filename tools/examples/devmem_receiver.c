// SPDX-License-Identifier: GPL-2.0-only
/*
 * A whole device-memory TCP receiver on libdevmem: header split on, TCP port
 * PORT steered to RX queue QUEUE (RSS kept off it), a udmabuf bound there, one
 * connection received into it and checked against our senders' pattern.
 * On the way out, whatever failed, header split, RSS and steering are put
 * back as they were found.
 *
 * usage: devmem-receiver IFNAME QUEUE PORT
 * build: cc devmem_receiver.c $(pkg-config --cflags --libs libdevmem)
 */
#include <devmem.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/dma-buf.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DMABUF_SIZE (64u << 20)

struct totals {
	const uint8_t *map;	/* the dma-buf, mapped for reading */
	uint64_t stream;	/* bytes received so far */
	uint64_t dmabuf;	/* of them, in the dma-buf */
	uint64_t linear;	/* of them, copied into our buffer */
	uint64_t bad;		/* of them, not the pattern */
};

/* Stream byte @off of the pattern (tools/lib/pattern.h): word k = k * 0x9e3779b1. */
static uint8_t pattern_byte(uint64_t off)
{
	uint32_t word = (uint32_t)(off >> 2) * 0x9e3779b1u;

	return word >> (off & 3) * 8;
}

/* Called for each piece of the stream: in the dma-buf, or copied (linear). */
static int on_frag(const struct devmem_frag *f, void *arg)
{
	struct totals *t = arg;
	const uint8_t *p;

	if (f->kind == DEVMEM_FRAG_DMABUF) {
		p = t->map + f->offset;
		t->dmabuf += f->size;
	} else {
		p = f->data;
		t->linear += f->size;
	}
	for (uint32_t i = 0; i < f->size; i++) {
		if (p[i] != pattern_byte(t->stream + i))
			t->bad++;
	}
	t->stream += f->size;
	return 0;
}

static void report(const char *what, int ret, const struct devmem_err *e)
{
	if (e && e->msg[0])
		fprintf(stderr, "%s: %s: %s\n", what, strerror(-ret), e->msg);
	else
		fprintf(stderr, "%s: %s\n", what, strerror(-ret));
}

/* Accept one connection on PORT and receive it whole into the dma-buf. */
static int receive(int dmabuf, uint16_t port, struct totals *t)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	struct devmem_rx *rx;
	int lfd, fd, ret;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return -errno;
	if (bind(lfd, (void *)&sin, sizeof(sin)) || listen(lfd, 1)) {
		ret = -errno;
		goto out_close_listener;
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		ret = -errno;
		goto out_close_listener;
	}
	ret = devmem_rx_open(fd, 0, &rx);
	if (ret)
		goto out_close_conn;

	do {
		/* CPU reads of the dma-buf go between SYNC_START and SYNC_END */
		devmem_dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		ret = devmem_rx_recv(rx, 0, on_frag, t);	/* bytes, 0 at EOF, or -errno */
		devmem_dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	} while (ret > 0);

	devmem_rx_close(rx);
out_close_conn:
	close(fd);
out_close_listener:
	close(lfd);
	return ret;
}

int main(int argc, char **argv)
{
	struct devmem_flow flow = { .family = AF_INET };
	struct totals t = { 0 };
	struct devmem_binding *b;
	enum devmem_hds hds_was;
	struct devmem_err e;
	unsigned int queue;
	int ifindex, dmabuf, loc, ret;
	int status = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: devmem-receiver IFNAME QUEUE PORT\n");
		return 2;
	}
	queue = atoi(argv[2]);
	flow.dst_port = atoi(argv[3]);
	ifindex = devmem_ifindex(argv[1]);
	if (ifindex < 0) {
		report(argv[1], ifindex, NULL);
		return 1;
	}

	/* The device: payload apart from headers, our port on our queue only */
	ret = devmem_hds_get(ifindex, &hds_was, &e);
	if (ret) {
		report("header split", ret, &e);
		return 1;
	}
	ret = devmem_hds_set(ifindex, DEVMEM_HDS_ON, &e);
	if (ret) {
		report("header split", ret, &e);
		return 1;
	}
	ret = devmem_ntuple_set(ifindex, true, &e);
	if (ret) {
		report("ntuple filters", ret, &e);
		goto out_hds;
	}
	ret = devmem_rss_exclude(ifindex, &queue, 1, &e);
	if (ret) {
		report("RSS", ret, &e);
		goto out_hds;
	}
	loc = devmem_steer_add(ifindex, &flow, queue, -1, &e);
	if (loc < 0) {
		report("steering", loc, &e);
		goto out_rss;
	}

	/* The memory: a udmabuf, mapped to check what lands in it, then bound */
	dmabuf = devmem_udmabuf_create_anon("receiver", 0, DMABUF_SIZE, false, 0);
	if (dmabuf < 0) {
		report("udmabuf", dmabuf, NULL);
		goto out_steer;
	}
	ret = devmem_dmabuf_map(dmabuf, DMABUF_SIZE, (const void **)&t.map);
	if (ret) {
		report("mmap", ret, NULL);
		goto out_close_dmabuf;
	}
	ret = devmem_bind_rx(ifindex, dmabuf, &queue, 1, &b, &e);
	if (ret) {
		report("bind", ret, &e);
		goto out_unmap;
	}

	ret = receive(dmabuf, flow.dst_port, &t);
	if (ret < 0) {
		report("receive", ret, NULL);
	} else {
		printf("received %" PRIu64 " bytes: %" PRIu64 " in the dma-buf, %"
		       PRIu64 " linear, %" PRIu64 " bad\n",
		       t.stream, t.dmabuf, t.linear, t.bad);
		status = t.bad != 0;
	}

	devmem_unbind(b);	/* the queue goes back to host memory */
out_unmap:
	munmap((void *)t.map, DMABUF_SIZE);
out_close_dmabuf:
	close(dmabuf);
out_steer:
	devmem_steer_del(ifindex, loc, NULL);
out_rss:
	devmem_rss_exclude(ifindex, NULL, 0, NULL);	/* the default table */
out_hds:
	devmem_hds_set(ifindex, hds_was, NULL);
	return status;
}
