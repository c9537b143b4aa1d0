// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading fragments out of the bound dma-buf: every fragment is checked
 * against the binding and the dma-buf's size before its bytes are touched,
 * and CPU reads sit inside a DMA_BUF_IOCTL_SYNC bracket.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/dma-buf.h>

#include "devmem_rx.h"

int view_check(const struct dmabuf_view *v, const struct devmem_frag *f)
{
	if (!v) {
		fprintf(stderr, "devmem-rx: a dma-buf fragment, and no dma-buf is bound\n");
		return -EPROTO;
	}
	if (f->dmabuf_id != v->binding_id) {
		fprintf(stderr, "devmem-rx: frag of dma-buf binding %u, ours is %u\n",
			f->dmabuf_id, v->binding_id);
		return -EPROTO;
	}
	if (f->offset > v->size || f->size > v->size - f->offset) {
		fprintf(stderr, "devmem-rx: frag [%llu, +%u) outside the %llu-byte dma-buf\n",
			(unsigned long long)f->offset, f->size,
			(unsigned long long)v->size);
		return -EPROTO;
	}
	return 0;
}

int view_copy(const struct dmabuf_view *v, const struct devmem_frag *f, void *dst)
{
	int ret = view_check(v, f);

	if (ret)
		return ret;
	if (!v->map) {
		fprintf(stderr, "devmem-rx: the dma-buf is not mapped\n");
		return -EPROTO;
	}
	ret = devmem_dmabuf_sync(v->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	if (ret) {
		fprintf(stderr, "devmem-rx: DMA_BUF_IOCTL_SYNC: %s\n", strerror(-ret));
		return ret;
	}
	memcpy(dst, v->map + f->offset, f->size);
	return devmem_dmabuf_sync(v->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
}
