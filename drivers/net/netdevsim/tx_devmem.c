// SPDX-License-Identifier: GPL-2.0-only
/*
 * netdevsim transmits from device memory (devmem TX).
 *
 * An skb sent from a dma-buf carries its payload as net_iov frags: no
 * page, only the DMA address its TX binding mapped for this device
 * (net_iov::dma_addr, the address the provider wrote when it carved the
 * binding). A NIC reads such a frag by DMA; so does this, never through a
 * struct page of the frag: host RAM through nsim_dma_ram_map() (rx_hds.c),
 * device memory without struct pages (a PCI BAR) through the windows
 * mapped when the binding was made (tx_io.c). The peer gets an ordinary
 * frame with the same headers and payload, and the sent skb is freed at
 * once, which is the sender's completion.
 *
 * Loss on the wire, for tests of retransmission: with debugfs
 * tx_devmem_lose set to N, every Nth packet sent from device memory is
 * read (and counted) as usual, then lost (tx_devmem_lost, tx_dropped).
 * TCP sends it again, from the dma-buf again.
 */

#include <linux/dma-direct.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/netmem.h>
#include <net/page_pool/helpers.h>

#include "netdevsim.h"

/**
 * nsim_tx_devmem_init() - the TX side's devmem state, before registering
 * @ns: a PF's netdevsim; RTNL held
 *
 * Return: 0 or -ENOMEM.
 */
int nsim_tx_devmem_init(struct netdevsim *ns)
{
	int err;

	ns->txq_devmem = kcalloc(ns->netdev->num_tx_queues,
				 sizeof(*ns->txq_devmem), GFP_KERNEL);
	if (!ns->txq_devmem)
		return -ENOMEM;
	err = nsim_tx_io_init(ns);
	if (err) {
		kfree(ns->txq_devmem);
		ns->txq_devmem = NULL;
		return err;
	}
	/* Only a PF sends from device memory: a VF could not reach a BAR */
	ns->netdev->netmem_tx = true;
	return 0;
}

/* After the netdev unregistered; RTNL held */
void nsim_tx_devmem_uninit(struct netdevsim *ns)
{
	nsim_tx_io_uninit(ns);
	kfree(ns->txq_devmem);
	ns->txq_devmem = NULL;
}

/*
 * Read @len bytes at bus address @addr of @dma_dev into @to; add them to
 * @io_bytes when they were I/O memory.
 */
static int nsim_tx_dma_read(struct netdevsim *ns, struct device *dma_dev,
			    dma_addr_t addr, void *to, unsigned int len,
			    unsigned int *io_bytes)
{
	phys_addr_t phys = dma_to_phys(dma_dev, addr);
	int err;

	if (!pfn_valid(PHYS_PFN(phys))) {
		err = nsim_tx_io_read(ns, phys, to, len);
		if (!err)
			*io_bytes += len;
		return err;
	}

	while (len) {
		unsigned int chunk;
		void *va = nsim_dma_ram_map(dma_dev, addr, len, &chunk);

		if (!va)
			return -EFAULT;
		memcpy(to, va, chunk);
		kunmap_local(va);

		addr += chunk;
		to += chunk;
		len -= chunk;
	}
	return 0;
}

/* A frag in host memory (headers, or a send that mixed both kinds). */
static void nsim_tx_page_read(const skb_frag_t *frag, void *to)
{
	u32 p_off, p_len, copied;
	struct page *p;

	skb_frag_foreach_page(frag, skb_frag_off(frag),
			      skb_frag_size(frag), p, p_off, p_len, copied) {
		memcpy_from_page(to + copied, p, p_off, p_len);
	}
}

/**
 * nsim_tx_devmem() - turn an skb sent from device memory into a plain one
 * @ns: the sending device
 * @skb: an unreadable skb the core let through (dmabuf_pp_tx_skb_ok())
 *
 * Return: a copy with all payload in host memory, @skb consumed; or NULL,
 * @skb freed, when a frag cannot be read or the packet is lost on purpose.
 */
struct sk_buff *nsim_tx_devmem(struct netdevsim *ns, struct sk_buff *skb)
{
	struct device *dma_dev = ns->netdev->dev.parent;
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int headroom = skb_headroom(skb);
	unsigned int off = skb_headlen(skb);
	unsigned int devmem_bytes = 0, io_bytes = 0;
	struct nsim_txq_devmem *q;
	struct sk_buff *nskb;
	unsigned int i, lose;
	s64 packets;

	/* Same headroom, so the header offsets copied below stay valid */
	nskb = alloc_skb(headroom + skb->len, GFP_ATOMIC);
	if (!nskb)
		goto err_free;
	skb_reserve(nskb, headroom);
	skb_put(nskb, skb->len);
	memcpy(nskb->head, skb->head, headroom + off);

	for (i = 0; i < shinfo->nr_frags; i++) {
		const skb_frag_t *frag = &shinfo->frags[i];
		netmem_ref netmem = skb_frag_netmem(frag);
		unsigned int len = skb_frag_size(frag);

		if (netmem_is_net_iov(netmem)) {
			dma_addr_t addr = page_pool_get_dma_addr_netmem(netmem) +
					  skb_frag_off(frag);

			if (nsim_tx_dma_read(ns, dma_dev, addr,
					     nskb->data + off, len, &io_bytes))
				goto err_free_nskb;
			devmem_bytes += len;
		} else {
			nsim_tx_page_read(frag, nskb->data + off);
		}
		off += len;
	}
	skb_copy_header(nskb, skb);
	/* The header copy carries the flag over; this copy is all host memory */
	nskb->unreadable = 0;

	lose = READ_ONCE(ns->tx_devmem_lose);
	packets = atomic64_inc_return(&ns->tx_devmem_packets);
	atomic64_add(devmem_bytes, &ns->tx_devmem_bytes);
	atomic64_add(io_bytes, &ns->tx_devmem_io_bytes);
	q = &ns->txq_devmem[skb_get_queue_mapping(skb)];
	atomic64_inc(&q->packets);
	atomic64_add(devmem_bytes, &q->bytes);
	/* The copy has no socket: the sender's software TX stamp is taken
	 * here, from the skb it sent
	 */
	skb_tx_timestamp(skb);
	consume_skb(skb);
	if (lose && !(packets % lose)) {
		atomic64_inc(&ns->tx_devmem_lost);
		kfree_skb(nskb);
		return NULL;
	}
	return nskb;

err_free_nskb:
	kfree_skb(nskb);
err_free:
	kfree_skb(skb);
	return NULL;
}
