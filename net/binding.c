// SPDX-License-Identifier: GPL-2.0-only
/*
 * A binding: a dma-buf attached to and mapped for the DMA device behind a
 * netdev's RX queues, carved into net_iovs (freelist.c). Creating one does
 * not touch any queue; queues.c installs it. A TX binding (tx.c) is the
 * same object mapped the other way, for the device to read.
 *
 * The attachment is an ordinary (pinned, non-dynamic) one: the exporter
 * must keep the mapping valid until we unmap it, which is what a NIC that
 * may DMA into any posted buffer at any time needs.
 */

#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/netlink.h>

#include "provider.h"

DEFINE_XARRAY_FLAGS(dmabuf_pp_bindings, XA_FLAGS_ALLOC1);
static u32 dmabuf_pp_next_id;

static void dmabuf_pp_binding_free_work(struct work_struct *work);

static int dmabuf_pp_map(struct dmabuf_pp_binding *binding, unsigned int fd,
			 struct netlink_ext_ack *extack)
{
	int err;

	binding->dmabuf = dma_buf_get(fd);
	if (IS_ERR(binding->dmabuf)) {
		err = PTR_ERR(binding->dmabuf);
		NL_SET_ERR_MSG_FMT(extack, "fd %u is not a dma-buf", fd);
		goto err_out;
	}

	binding->attach = dma_buf_attach(binding->dmabuf, binding->dma_dev);
	if (IS_ERR(binding->attach)) {
		err = PTR_ERR(binding->attach);
		NL_SET_ERR_MSG_FMT(extack,
				   "the dma-buf cannot be attached to the device (%d)",
				   err);
		goto err_put_dmabuf;
	}

	binding->sgt = dma_buf_map_attachment_unlocked(binding->attach,
						       binding->dir);
	if (IS_ERR(binding->sgt)) {
		err = PTR_ERR(binding->sgt);
		NL_SET_ERR_MSG_FMT(extack,
				   "the dma-buf cannot be mapped for the device (%d)",
				   err);
		goto err_detach;
	}
	return 0;

err_detach:
	dma_buf_detach(binding->dmabuf, binding->attach);
err_put_dmabuf:
	dma_buf_put(binding->dmabuf);
err_out:
	return err;
}

static void dmabuf_pp_unmap(struct dmabuf_pp_binding *binding)
{
	dma_buf_unmap_attachment_unlocked(binding->attach, binding->sgt,
					  binding->dir);
	dma_buf_detach(binding->dmabuf, binding->attach);
	dma_buf_put(binding->dmabuf);
	binding->sgt = NULL;
}

/**
 * dmabuf_pp_binding_create() - attach and map a dma-buf for a netdev
 * @dev: the netdev whose queues will use it; RTNL held
 * @dma_dev: the DMA device behind those queues (dmabuf_pp_queues_check())
 * @fd: the user's dma-buf fd
 * @buf_shift: log2 of the buffer size of one net_iov
 * @dir: DMA_FROM_DEVICE for RX, DMA_TO_DEVICE for TX
 * @extack: where to say why it failed
 *
 * The binding starts with the user's reference, bound to no queue.
 *
 * Return: the binding or an ERR_PTR().
 */
struct dmabuf_pp_binding *
dmabuf_pp_binding_create(struct net_device *dev, struct device *dma_dev,
			 unsigned int fd, unsigned int buf_shift,
			 enum dma_data_direction dir,
			 struct netlink_ext_ack *extack)
{
	struct dmabuf_pp_binding *binding;
	int err;

	ASSERT_RTNL();

	binding = kzalloc(sizeof(*binding), GFP_KERNEL);
	if (!binding)
		return ERR_PTR(-ENOMEM);

	refcount_set(&binding->ref, 1);
	binding->dir = dir;
	binding->area.tx = dir == DMA_TO_DEVICE;
	INIT_WORK(&binding->free_work, dmabuf_pp_binding_free_work);
	INIT_LIST_HEAD(&binding->sock_link);
	INIT_LIST_HEAD(&binding->tx_link);
	spin_lock_init(&binding->free_lock);
	binding->dev = dev;
	binding->netns_cookie = dev_net(dev)->net_cookie;
	binding->nr_rxqs = dev->num_rx_queues;
	binding->rxqs = bitmap_zalloc(binding->nr_rxqs, GFP_KERNEL);
	if (!binding->rxqs) {
		err = -ENOMEM;
		goto err_free_binding;
	}
	binding->pcpu = alloc_percpu(struct dmabuf_pp_pcpu);
	if (!binding->pcpu) {
		err = -ENOMEM;
		goto err_free_rxqs;
	}

	/* Held until the binding leaves the device and unmaps */
	binding->dma_dev = get_device(dma_dev);

	err = dmabuf_pp_map(binding, fd, extack);
	if (err)
		goto err_put_dma_dev;
	binding->size = binding->dmabuf->size;
	binding->token_limit = min_t(size_t, binding->size / DMABUF_PP_TOKEN_BYTES,
				     DMABUF_PP_TOKENS_MAX);

	err = dmabuf_pp_carve(binding, buf_shift, extack);
	if (err)
		goto err_unmap;

	/* Published last: ids are looked up by stats.c only, and a binding
	 * must be complete before anyone can find it. The area's copy of the
	 * id, written next, is read by the receive path only, which sees no
	 * buffer before the binding is installed on a queue.
	 */
	err = xa_alloc_cyclic(&dmabuf_pp_bindings, &binding->id, binding,
			      xa_limit_32b, &dmabuf_pp_next_id, GFP_KERNEL);
	if (err < 0)
		goto err_uncarve;
	binding->area.binding_id = binding->id;

	return binding;

err_uncarve:
	dmabuf_pp_uncarve(binding);
err_unmap:
	dmabuf_pp_unmap(binding);
err_put_dma_dev:
	put_device(binding->dma_dev);
	free_percpu(binding->pcpu);
err_free_rxqs:
	bitmap_free(binding->rxqs);
err_free_binding:
	kfree(binding);
	return ERR_PTR(err);
}

static void dmabuf_pp_binding_free_rcu(struct rcu_head *rcu)
{
	struct dmabuf_pp_binding *binding =
		container_of(rcu, struct dmabuf_pp_binding, rcu);

	free_percpu(binding->pcpu);
	bitmap_free(binding->rxqs);
	kfree(binding);
}

/* The last reference is gone and the binding is off its device. */
static void dmabuf_pp_binding_free(struct dmabuf_pp_binding *binding)
{
	if (WARN_ON_ONCE(binding->dev || binding->sgt))
		return;	/* leak rather than free what a device may use */
	if (binding->dead)
		dmabuf_pp_dead_freed();
	xa_erase(&dmabuf_pp_bindings, binding->id);
	dmabuf_pp_uncarve(binding);
	call_rcu(&binding->rcu, dmabuf_pp_binding_free_rcu);
}

/*
 * A TX binding's last reference may go from an skb freed in softirq, with
 * the binding still mapped for its device: leaving the device takes RTNL
 * and the exporter's lock, so that is done here.
 */
static void dmabuf_pp_binding_free_work(struct work_struct *work)
{
	struct dmabuf_pp_binding *binding =
		container_of(work, struct dmabuf_pp_binding, free_work);

	rtnl_lock();
	if (binding->dev)
		dmabuf_pp_binding_leave(binding);
	rtnl_unlock();
	dmabuf_pp_binding_free(binding);
}

/**
 * dmabuf_pp_binding_put() - drop a reference; the last one frees
 * @binding: an RX binding off its device (dmabuf_pp_binding_leave()), or
 *	a TX binding
 *
 * An RX binding's last reference goes with the user's unbind, the netdev's
 * unregister or the destruction of the last page_pool, all in process
 * context; it is freed at once. A TX binding's may go in any context
 * (dmabuf_pp_tx_put()), and is freed from a work item.
 */
void dmabuf_pp_binding_put(struct dmabuf_pp_binding *binding)
{
	if (!refcount_dec_and_test(&binding->ref))
		return;

	if (binding->area.tx) {
		queue_work(system_wq, &binding->free_work);
		return;
	}
	/* Nothing can reach the queues any more: every page_pool is gone,
	 * and the binding left its device before the queues dropped their
	 * references, which unmapped it.
	 */
	might_sleep();
	dmabuf_pp_binding_free(binding);
}

/**
 * dmabuf_pp_binding_leave() - the binding is off its device for good
 * @binding: a binding no queue of its device uses any more; RTNL held
 *
 * No queue can DMA into its buffers now, so the attachment is unmapped and
 * detached at once, while the device's driver is surely still there:
 * buffers user space still holds stay returnable (their net_iovs live on
 * until the last page_pool is gone), and user space keeps reading them
 * through its own mapping of the dma-buf. A binding that was given to user
 * space says so, once, on the "mgmt" group.
 */
void dmabuf_pp_binding_leave(struct dmabuf_pp_binding *binding)
{
	ASSERT_RTNL();

	if (binding->installed)
		dmabuf_pp_nl_notify_unbind(binding);
	if (binding->area.tx)
		dmabuf_pp_tx_leave(binding);
	WRITE_ONCE(binding->dev, NULL);
	dmabuf_pp_unmap(binding);
	put_device(binding->dma_dev);
	binding->dma_dev = NULL;
	if (binding->unbound)
		dmabuf_pp_dead_add(binding);
}

/**
 * dmabuf_pp_binding_unbind() - the user lets go of a binding
 * @binding: the binding; RTNL held
 *
 * The one way a binding comes down, for both netlink families (unbind,
 * socket close, a bind that failed half way): its queues are restarted on
 * host memory, it leaves its device, and the user's reference goes. The
 * binding itself lives on until the buffers the stack and user space hold
 * have come back. A queue that fails to restart keeps the binding on its
 * device until the netdev unregisters (dev_dmabuf_uninstall()).
 */
void dmabuf_pp_binding_unbind(struct dmabuf_pp_binding *binding)
{
	ASSERT_RTNL();

	WRITE_ONCE(binding->unbound, true);
	if (binding->area.tx) {
		/* No send can find it now (dmabuf_pp_tx_get()); skbs that
		 * still hold it keep it mapped for its device.
		 */
		if (refcount_dec_and_test(&binding->ref)) {
			if (binding->dev)
				dmabuf_pp_binding_leave(binding);
			dmabuf_pp_binding_free(binding);
		}
		return;
	}
	if (!binding->dev)
		dmabuf_pp_dead_add(binding);
	else if (dmabuf_pp_queues_remove(binding))
		dmabuf_pp_binding_leave(binding);
	dmabuf_pp_binding_put(binding);
}
