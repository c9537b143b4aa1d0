// SPDX-License-Identifier: GPL-2.0-only
/*
 * A whole device-memory TCP receiver on libdevmem: header split on, TCP port
 * PORT steered to RX queue QUEUE (RSS kept off it), a udmabuf bound there, one
 * connection received into it and checked against our senders' pattern.
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
	uint64_t stream, dmabuf, linear, bad;
};

/* Stream byte @off of the pattern (tools/lib/pattern.h): word k = k * 0x9e3779b1. */
static uint8_t pattern_byte(uint64_t off)
{
	return (uint32_t)(off >> 2) * 0x9e3779b1u >> (off & 3) * 8;
}

static int on_frag(const struct devmem_frag *f, void *arg)
{
	struct totals *t = arg;
	const uint8_t *p = f->data ? f->data : t->map + f->offset;

	for (uint32_t i = 0; i < f->size; i++)
		t->bad += p[i] != pattern_byte(t->stream + i);
	t->stream += f->size;
	*(f->kind == DEVMEM_FRAG_DMABUF ? &t->dmabuf : &t->linear) += f->size;
	return 0;
}

static int fail(const char *what, int ret, const struct devmem_err *e)
{
	fprintf(stderr, "%s: %s%s%s\n", what, strerror(-ret), e && *e->msg ? ": " : "", e ? e->msg : "");
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct devmem_flow flow = { .family = AF_INET };
	struct totals t = { 0 };
	struct devmem_binding *b;
	struct devmem_rx *rx;
	struct devmem_err e;
	int ifindex, dmabuf, lfd, fd, loc, ret;
	unsigned int queue;

	if (argc != 4)
		return fprintf(stderr, "usage: devmem-receiver IFNAME QUEUE PORT\n"), 2;
	queue = atoi(argv[2]);
	sin.sin_port = htons(flow.dst_port = atoi(argv[3]));
	if ((ifindex = devmem_ifindex(argv[1])) < 0)
		return fail(argv[1], ifindex, NULL);
	if ((ret = devmem_hds_set(ifindex, DEVMEM_HDS_ON, &e)) ||
	    (ret = devmem_ntuple_set(ifindex, true, &e)) ||
	    (ret = devmem_rss_exclude(ifindex, &queue, 1, &e)))
		return fail("device setup", ret, &e);
	if ((loc = devmem_steer_add(ifindex, &flow, queue, -1, &e)) < 0)
		return fail("steering", loc, &e);
	dmabuf = devmem_udmabuf_create_anon("receiver", 0, DMABUF_SIZE, false, 0);
	if (dmabuf < 0 || (ret = devmem_dmabuf_map(dmabuf, DMABUF_SIZE, (const void **)&t.map)))
		return fail("udmabuf", dmabuf < 0 ? dmabuf : ret, NULL);
	if ((ret = devmem_bind_rx(ifindex, dmabuf, &queue, 1, &b, &e)))
		return fail("bind", ret, &e);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(lfd, (void *)&sin, sizeof(sin)) || listen(lfd, 1) ||
	    (fd = accept(lfd, NULL, NULL)) < 0 || devmem_rx_open(fd, 0, &rx))
		return fail("listen", -errno, NULL);
	do {	/* CPU reads of the dma-buf go between SYNC_START and SYNC_END */
		devmem_dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		ret = devmem_rx_recv(rx, 0, on_frag, &t);	/* bytes, 0 at EOF or -errno */
		devmem_dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	} while (ret > 0);
	printf("received %" PRIu64 " bytes: %" PRIu64 " in the dma-buf, %" PRIu64 " linear, %"
	       PRIu64 " bad\n", t.stream, t.dmabuf, t.linear, t.bad);
	devmem_rx_close(rx);
	close(fd);
	close(lfd);
	devmem_unbind(b);	/* queues go back to host memory */
	munmap((void *)t.map, DMABUF_SIZE);
	close(dmabuf);
	devmem_steer_del(ifindex, loc, NULL);
	devmem_rss_exclude(ifindex, NULL, 0, NULL);	/* the default table */
	return ret < 0 ? fail("receive", ret, NULL) : t.bad != 0;
}
