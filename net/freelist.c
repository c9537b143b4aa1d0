// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mapped table carved into buffers, and the buffers' allocator.
 *
 * Each mapped entry is cut into buffers of the size the queues post
 * (4 KiB to 64 KiB, a power of two), one net_iov each, in
 * dma-buf order: the net_iov at index i covers bytes [i << shift, (i + 1)
 * << shift) of the dma-buf, because every entry's length is a whole number
 * of buffers. The DMA address of every buffer is written into its net_iov
 * once, here; the page_pool and the driver read it from there. Only
 * sg_dma_address() and sg_dma_len() are used: the pages behind an imported
 * table are the exporter's business (and with CONFIG_DMABUF_DEBUG their
 * pointers are scrambled on purpose).
 *
 * Buffers no page_pool holds sit on a stack of indexes: O(1) to take and
 * to give back.
 */

#include <linux/bitmap.h>
#include <linux/dma-buf.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <net/netdev_rx_queue.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "../core/page_pool_priv.h"
#include "provider.h"

/* Count the buffers in the mapped table, refusing what cannot be cut. */
static int dmabuf_pp_count(struct dmabuf_pp_binding *binding,
			   unsigned int shift, struct netlink_ext_ack *extack)
{
	unsigned long size = 0, mask = (1UL << shift) - 1;
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(binding->sgt, sg, i) {
		unsigned int len = sg_dma_len(sg);

		/* Say where in the dma-buf, not the (physical) address. */
		if (!len || (sg_dma_address(sg) & mask) || (len & mask)) {
			NL_SET_ERR_MSG_FMT(extack,
					   "mapped range at offset %lu is not %lu-byte aligned",
					   size, mask + 1);
			return -EINVAL;
		}
		size += len;
	}
	if (!size) {
		NL_SET_ERR_MSG(extack, "the dma-buf mapped to nothing");
		return -EINVAL;
	}
	/* The net_iov array is one kvcalloc(), which must stay below INT_MAX. */
	if ((size >> shift) > INT_MAX / sizeof(struct net_iov)) {
		NL_SET_ERR_MSG(extack, "the dma-buf has too many buffers");
		return -E2BIG;
	}
	return size >> shift;
}

/**
 * dmabuf_pp_carve() - cut the mapped table into net_iovs, all free
 * @binding: a mapped binding
 * @shift: log2 of the buffer size; every mapped range must be aligned to
 *	it in address and length
 * @extack: where to say why the table cannot be used
 *
 * Return: 0 or a negative errno.
 */
int dmabuf_pp_carve(struct dmabuf_pp_binding *binding, unsigned int shift,
		    struct netlink_ext_ack *extack)
{
	struct dmabuf_pp_area *area = &binding->area;
	struct scatterlist *sg;
	unsigned int i;
	u32 n = 0;
	int count;

	count = dmabuf_pp_count(binding, shift, extack);
	if (count < 0)
		return count;

	area->binding = binding;
	area->offset = 0;
	area->buf_shift = shift;
	area->niovs = kvcalloc(count, sizeof(*area->niovs), GFP_KERNEL);
	if (!area->niovs)
		return -ENOMEM;
	binding->free = kvmalloc_array(count, sizeof(*binding->free),
				       GFP_KERNEL);
	if (!binding->free)
		goto err_free_niovs;
	binding->on_free = bitmap_zalloc(count, GFP_KERNEL);
	if (!binding->on_free)
		goto err_free_stack;

	for_each_sgtable_dma_sg(binding->sgt, sg, i) {
		unsigned int off;

		/* By offset: an entry may end where a 32-bit address wraps. */
		for (off = 0; off < sg_dma_len(sg); off += 1U << shift, n++) {
			struct net_iov *niov = &area->niovs[n];

			niov->pp_area = area;
			/* Cannot fail: the address is buffer aligned. */
			page_pool_set_dma_addr_netmem(net_iov_to_netmem(niov),
						      sg_dma_address(sg) + off);
			/* Pushed in reverse, so buffers go out in order. */
			binding->free[count - 1 - n] = n;
		}
	}
	bitmap_fill(binding->on_free, count);
	binding->nr_niovs = count;
	binding->nr_free = count;
	return 0;

err_free_stack:
	kvfree(binding->free);
err_free_niovs:
	kvfree(area->niovs);
	return -ENOMEM;
}

/**
 * dmabuf_pp_uncarve() - free the net_iovs of a binding nobody uses
 * @binding: a binding whose page_pools are all gone
 */
void dmabuf_pp_uncarve(struct dmabuf_pp_binding *binding)
{
	/* A buffer still out would be freed under its user: leak instead. */
	if (WARN_ON_ONCE(binding->nr_free != binding->nr_niovs))
		return;
	bitmap_free(binding->on_free);
	kvfree(binding->free);
	kvfree(binding->area.niovs);
}

/**
 * dmabuf_pp_niov_get() - take a free buffer
 * @binding: the binding to take it from
 *
 * Called by page_pool in softirq (NAPI) or process context, never with
 * interrupts off (page_pool's own rings take their locks _bh too).
 *
 * Return: a net_iov, or NULL when every buffer is out.
 */
struct net_iov *dmabuf_pp_niov_get(struct dmabuf_pp_binding *binding)
{
	struct net_iov *niov = NULL;

	spin_lock_bh(&binding->free_lock);
	if (binding->nr_free) {
		u32 idx = binding->free[binding->nr_free - 1];

		WRITE_ONCE(binding->nr_free, binding->nr_free - 1);
		__clear_bit(idx, binding->on_free);
		niov = &binding->area.niovs[idx];
	}
	spin_unlock_bh(&binding->free_lock);
	return niov;
}

/**
 * dmabuf_pp_niov_put() - give a buffer back
 * @niov: a net_iov dmabuf_pp_niov_get() returned
 *
 * Called as dmabuf_pp_niov_get() is, and when user space gives a token back.
 * A buffer given back twice is refused: pushed twice, it would go out to
 * two RX descriptors at once, and one flow's payload would land under a
 * token another flow holds. The buffer stays where it is. The check is
 * best effort: a second release after the buffer went out again looks
 * like a first one.
 *
 * Return: true if it went back on the free stack, false if it was there.
 */
bool dmabuf_pp_niov_put(struct net_iov *niov)
{
	struct dmabuf_pp_area *area = niov->pp_area;
	struct dmabuf_pp_binding *binding = area->binding;
	u32 idx = niov - area->niovs;
	bool put = false;

	spin_lock_bh(&binding->free_lock);
	if (!__test_and_set_bit(idx, binding->on_free)) {
		binding->free[binding->nr_free] = idx;
		WRITE_ONCE(binding->nr_free, binding->nr_free + 1);
		put = true;
	}
	spin_unlock_bh(&binding->free_lock);
	return put;
}
