// SPDX-License-Identifier: GPL-2.0-only
/*
 * Windows onto the device memory of TX bindings: a dma-buf of I/O memory
 * (a PCI BAR, no struct pages) that netdevsim is asked to send from.
 *
 * A NIC reads any bus address by DMA. We emulate the read with the CPU:
 * host RAM through its page frame (tx_devmem.c), I/O memory through a
 * mapping (rx_io.c's windows), which may sleep to make while transmit may
 * not. So netdevsim asks the provider to be told of every TX binding
 * mapped for it (<net/dmabuf_pp.h>), maps then, under RTNL, each claimed
 * region the binding's DMA addresses fall in, and unmaps when the
 * binding is unmapped, once no skb of it can reach transmit any more.
 * Transmit looks the windows up under RCU.
 *
 * Still by DMA address only: the regions are found from the table's DMA
 * addresses (dma_to_phys(): the netdevsim bus has no IOMMU), never from a
 * page.
 */

#include <linux/dma-direct.h>
#include <linux/err.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "netdevsim.h"

/* One region of one binding, on its netdevsim's tx_io list */
struct nsim_tx_io {
	struct list_head link;		/* readers may still walk it when off */
	struct list_head gone_link;	/* unmapping, after the grace period */
	const struct dmabuf_pp_binding *binding;
	struct nsim_io_window *w;
};

/**
 * nsim_tx_io_read() - read device memory a TX binding lies in
 * @ns: the sending device
 * @phys: the physical address of the first byte, not RAM
 * @to: where the bytes go
 * @len: how many
 *
 * Context: transmit, under rcu_read_lock().
 * Return: 0, or -EFAULT when no window of @ns holds the range.
 */
int nsim_tx_io_read(struct netdevsim *ns, phys_addr_t phys, void *to,
		    unsigned int len)
{
	struct nsim_tx_io *io;

	list_for_each_entry_rcu(io, &ns->tx_io, link)
		if (!nsim_io_window_read(io->w, phys, to, len))
			return 0;
	return -EFAULT;
}

#if IS_ENABLED(CONFIG_DMABUF_PP_PROVIDER)
#include <net/dmabuf_pp.h>

/* Has @binding a window holding @phys already? (RTNL) */
static bool nsim_tx_io_mapped(struct netdevsim *ns,
			      const struct dmabuf_pp_binding *binding,
			      phys_addr_t phys)
{
	struct nsim_tx_io *io;

	list_for_each_entry(io, &ns->tx_io, link)
		if (io->binding == binding &&
		    nsim_io_window_holds(io->w, phys, 1))
			return true;
	return false;
}

/* The binding is unmapped: its windows go once transmit cannot see them */
static void nsim_tx_io_unmap(struct netdevsim *ns,
			     const struct dmabuf_pp_binding *binding)
{
	struct nsim_tx_io *io, *tmp;
	LIST_HEAD(gone);

	list_for_each_entry_safe(io, tmp, &ns->tx_io, link)
		if (io->binding == binding) {
			list_del_rcu(&io->link);
			list_add(&io->gone_link, &gone);
		}
	if (list_empty(&gone))
		return;
	synchronize_net();	/* expedited under RTNL */
	list_for_each_entry_safe(io, tmp, &gone, gone_link) {
		nsim_io_window_destroy(io->w);
		kfree(io);
	}
}

/*
 * A binding is mapped for us: a window for each region of I/O memory its
 * entries start in. An exporter of I/O memory (the BAR heap) keeps each
 * entry inside its BAR; bytes of an entry beyond its region would be
 * found in no window and the packet dropped, as a DMA error.
 */
static int nsim_tx_io_map(struct netdevsim *ns,
			  const struct dmabuf_pp_tx_mapping *m)
{
	struct nsim_io_window *w;
	struct scatterlist *sg;
	struct nsim_tx_io *io;
	unsigned int i;
	int err;

	for_each_sgtable_dma_sg(m->sgt, sg, i) {
		phys_addr_t phys = dma_to_phys(m->dma_dev, sg_dma_address(sg));

		if (pfn_valid(PHYS_PFN(phys)) ||
		    nsim_tx_io_mapped(ns, m->binding, phys))
			continue;
		w = nsim_io_window_map(phys);
		if (IS_ERR(w)) {
			err = PTR_ERR(w);
			NL_SET_ERR_MSG_FMT(m->extack,
					   "%s cannot reach device memory at %pa (%pe)",
					   ns->netdev->name, &phys, w);
			goto err_unmap;
		}
		io = kzalloc(sizeof(*io), GFP_KERNEL);
		if (!io) {
			err = -ENOMEM;
			goto err_destroy;
		}
		io->binding = m->binding;
		io->w = w;
		list_add_tail_rcu(&io->link, &ns->tx_io);
	}
	return 0;

err_destroy:
	nsim_io_window_destroy(w);
err_unmap:
	nsim_tx_io_unmap(ns, m->binding);
	return err;
}

static int nsim_tx_io_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct netdevsim *ns = container_of(nb, struct netdevsim, tx_io_nb);
	const struct dmabuf_pp_tx_mapping *m = ptr;

	if (m->dev != ns->netdev)
		return NOTIFY_DONE;

	switch (event) {
	case DMABUF_PP_TX_MAPPED:
		return notifier_from_errno(nsim_tx_io_map(ns, m));
	case DMABUF_PP_TX_UNMAPPING:
		nsim_tx_io_unmap(ns, m->binding);
		return NOTIFY_OK;
	}
	return NOTIFY_DONE;
}

/* Before the netdev registers; RTNL held */
int nsim_tx_io_init(struct netdevsim *ns)
{
	INIT_LIST_HEAD(&ns->tx_io);
	ns->tx_io_nb.notifier_call = nsim_tx_io_event;
	return dmabuf_pp_tx_register_notifier(&ns->tx_io_nb);
}

/* After the netdev unregistered, which unmapped its bindings; RTNL held */
void nsim_tx_io_uninit(struct netdevsim *ns)
{
	dmabuf_pp_tx_unregister_notifier(&ns->tx_io_nb);
	WARN_ON_ONCE(!list_empty(&ns->tx_io));
}

#else /* !CONFIG_DMABUF_PP_PROVIDER: no devmem TX to emulate */

int nsim_tx_io_init(struct netdevsim *ns)
{
	INIT_LIST_HEAD(&ns->tx_io);
	return 0;
}

void nsim_tx_io_uninit(struct netdevsim *ns)
{
}

#endif
