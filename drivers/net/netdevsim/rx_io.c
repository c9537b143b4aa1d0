// SPDX-License-Identifier: GPL-2.0
/*
 * A queue's window onto device memory: RX buffers that are I/O memory (a
 * PCI BAR exported as a dma-buf, no struct pages) are written through a
 * mapping made once, when the queue gets its memory, and torn down with it.
 * (TX bindings in I/O memory get windows of the same kind: tx_io.c.)
 *
 * A NIC writes to a bus address and the fabric routes the write, to host
 * RAM or to another device's BAR alike. We emulate that with a CPU write:
 * host RAM through its page frame (rx_hds.c), I/O memory through this
 * window. Mapping I/O memory can sleep, and the receive path runs in
 * softirq, so the window must exist before the first packet: when a queue
 * gets a provider's pool, we take one buffer from it, as a driver posting
 * its first RX descriptor would, and if its bus address is not RAM we map
 * the whole I/O memory region its owner claimed (the exporter's
 * pci_request_region() of the BAR). One window per queue: a dma-buf whose
 * buffers lie in several regions gets the others' payload dropped and
 * counted as DMA errors.
 *
 * Still by DMA address only: the window is found from a buffer's DMA
 * address (dma_to_phys(): the netdevsim bus has no IOMMU) and the
 * resource tree, never from a page.
 */

#include <linux/dma-direct.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/page_pool/helpers.h>

#include "netdevsim.h"

struct nsim_io_window {
	phys_addr_t start;
	resource_size_t size;
	void __iomem *va;	/* write-combined, like the exporter's mmap */
};

struct nsim_io_lookup {
	phys_addr_t phys;
	struct resource found;
};

static int nsim_io_region_match(struct resource *res, void *arg)
{
	struct nsim_io_lookup *l = arg;

	if (res->start <= l->phys && l->phys <= res->end) {
		l->found = *res;
		return 1;
	}
	return 0;
}

/**
 * nsim_io_window_map() - map the claimed I/O memory region holding @phys
 * @phys: a physical address that is not RAM
 *
 * Context: process.
 * Return: the window, or an ERR_PTR(): -EFAULT when no driver claimed a
 * region holding @phys, -ENOMEM when mapping it failed.
 */
struct nsim_io_window *nsim_io_window_map(phys_addr_t phys)
{
	struct nsim_io_lookup l = { .phys = phys };
	struct nsim_io_window *w;
	int found;

	/* Busy regions: the ones a driver claimed, never a whole bus window. */
	found = walk_iomem_res_desc(IORES_DESC_NONE,
				    IORESOURCE_MEM | IORESOURCE_BUSY, 0,
				    U64_MAX, &l, nsim_io_region_match);
	if (found != 1)
		return ERR_PTR(-EFAULT);

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return ERR_PTR(-ENOMEM);
	w->start = l.found.start;
	w->size = resource_size(&l.found);
	w->va = ioremap_wc(w->start, w->size);
	if (!w->va) {
		kfree(w);
		return ERR_PTR(-ENOMEM);
	}
	return w;
}

/**
 * nsim_io_window_create() - map the I/O memory @pool's buffers lie in
 * @pool: a new queue's pool with a memory provider, not yet used by NAPI
 * @dma_dev: the device the buffers were mapped for
 *
 * Context: process, RTNL held.
 * Return: the window; NULL when the buffers are host RAM (no window is
 * needed); an ERR_PTR() when the provider gave no buffer to tell (-ENOMEM),
 * their memory lies in no region a driver claimed (-EFAULT), or mapping
 * it failed.
 */
struct nsim_io_window *nsim_io_window_create(struct page_pool *pool,
					     struct device *dma_dev)
{
	netmem_ref netmem;
	phys_addr_t phys;

	netmem = page_pool_alloc_netmems(pool, GFP_KERNEL);
	if (!netmem)
		return ERR_PTR(-ENOMEM);
	phys = dma_to_phys(dma_dev, page_pool_get_dma_addr_netmem(netmem));
	page_pool_put_full_netmem(pool, netmem, false);
	if (pfn_valid(PHYS_PFN(phys)))
		return NULL;
	return nsim_io_window_map(phys);
}

/* Does @w (or NULL) hold the @len bytes at @phys? */
bool nsim_io_window_holds(const struct nsim_io_window *w, phys_addr_t phys,
			  unsigned int len)
{
	return w && phys >= w->start && len <= w->size &&
	       phys - w->start <= w->size - len;
}

/* After the queue's NAPI stopped: nothing writes through @w any more. */
void nsim_io_window_destroy(struct nsim_io_window *w)
{
	if (!w)
		return;
	iounmap(w->va);
	kfree(w);
}

/**
 * nsim_io_window_write() - the device writes payload through a window
 * @w: the queue's window, or NULL
 * @phys: where the bytes go: a physical address
 * @skb: the frame they come from
 * @off: offset of the first byte in @skb
 * @len: how many bytes
 *
 * Context: the queue's NAPI poll.
 * Return: 0; -ERANGE when @w does not cover the range (the caller tries
 * host RAM); another negative errno when @skb is shorter than asked.
 */
int nsim_io_window_write(const struct nsim_io_window *w, phys_addr_t phys,
			 struct sk_buff *skb, unsigned int off,
			 unsigned int len)
{
	struct skb_seq_state st;
	unsigned int done = 0;
	void __iomem *dst;
	int ret = 0;

	if (!nsim_io_window_holds(w, phys, len))
		return -ERANGE;

	dst = w->va + (phys - w->start);
	skb_prepare_seq_read(skb, off, off + len, &st);
	while (done < len) {
		const u8 *data;
		unsigned int n;

		n = skb_seq_read(done, &data, &st);
		if (!n) {
			ret = -EFAULT;
			break;
		}
		n = min(n, len - done);
		memcpy_toio(dst + done, data, n);
		done += n;
	}
	skb_abort_seq_read(&st);
	return ret;
}

/**
 * nsim_io_window_read() - the device reads bytes through a window
 * @w: a window, or NULL
 * @phys: where the bytes are: a physical address
 * @to: where they go
 * @len: how many bytes
 *
 * Return: 0, or -ERANGE when @w does not hold the range.
 */
int nsim_io_window_read(const struct nsim_io_window *w, phys_addr_t phys,
			void *to, unsigned int len)
{
	if (!nsim_io_window_holds(w, phys, len))
		return -ERANGE;
	memcpy_fromio(to, w->va + (phys - w->start), len);
	return 0;
}
