// SPDX-License-Identifier: GPL-2.0-only
/*
 * Installing a binding on RX queues and taking it off again.
 *
 * A queue picks a binding up when it is restarted (queue management API)
 * with the binding in rxq->mp_params: the driver's new page_pool sees it
 * and asks our provider for buffers. Taking it off is the same restart with
 * the parameters cleared. Everything here runs under RTNL, which is also
 * what serialises us against netdev unregister (dev_dmabuf_uninstall()).
 */

#include <linux/bitmap.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/log2.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/netlink.h>

#include "provider.h"

/* The device's ring parameters as ethtool reports them: header split
 * (none is unknown) and RX buffer length (0 when the driver does not say).
 */
static void dmabuf_pp_ring(struct net_device *dev,
			   struct kernel_ethtool_ringparam *kring)
{
	const struct ethtool_ops *ops = dev->ethtool_ops;
	struct ethtool_ringparam ring = {};

	*kring = (struct kernel_ethtool_ringparam) {
		.tcp_data_split = ETHTOOL_TCP_DATA_SPLIT_UNKNOWN,
	};
	if (ops && ops->get_ringparam)
		ops->get_ringparam(dev, &ring, kring, NULL);
}

/*
 * log2 of the size of the buffers the device's RX queues post: a net_iov
 * must be exactly one buffer. A driver that does not report rx-buf-len
 * posts pages.
 */
static int dmabuf_pp_buf_shift(struct net_device *dev, u32 rx_buf_len,
			       struct netlink_ext_ack *extack)
{
	if (!rx_buf_len)
		return PAGE_SHIFT;
	if (!is_power_of_2(rx_buf_len) || rx_buf_len < PAGE_SIZE ||
	    rx_buf_len > DMABUF_PP_MAX_BUF_SIZE) {
		NL_SET_ERR_MSG_FMT(extack,
				   "rx-buf-len %u of %s is not a power of two from %lu to %u",
				   rx_buf_len, dev->name, PAGE_SIZE,
				   DMABUF_PP_MAX_BUF_SIZE);
		return -EOPNOTSUPP;
	}
	return ilog2(rx_buf_len);
}

static int dmabuf_pp_queue_check(struct net_device *dev, u32 idx,
				 struct netlink_ext_ack *extack)
{
	struct netdev_rx_queue *rxq;

	if (idx >= dev->real_num_rx_queues) {
		NL_SET_ERR_MSG_FMT(extack,
				   "RX queue %u is out of range: %s has %u",
				   idx, dev->name, dev->real_num_rx_queues);
		return -ERANGE;
	}
	rxq = __netif_get_rx_queue(dev, idx);
	if (rxq->mp_params.mp_priv) {
		NL_SET_ERR_MSG_FMT(extack,
				   "RX queue %u is already bound to dma-buf %u",
				   idx,
				   dmabuf_pp_mp_binding_id(rxq->mp_params.mp_priv));
		return -EEXIST;
	}
#ifdef CONFIG_XDP_SOCKETS
	if (rxq->pool) {
		NL_SET_ERR_MSG_FMT(extack, "RX queue %u is used by AF_XDP",
				   idx);
		return -EBUSY;
	}
#endif
	return 0;
}

/**
 * dmabuf_pp_queues_check() - can these queues of @dev take a binding?
 * @dev: the netdev; RTNL held
 * @idx: RX queue indexes
 * @n: how many, at least one
 * @buf_shift: set to log2 of the size of the buffers the queues post
 *	(ethtool rx-buf-len), which is what each net_iov must be
 * @extack: where to say why not
 *
 * Everything that can be checked before a queue is touched is checked
 * here, so that a refused bind changes nothing.
 *
 * Return: the DMA device all the queues share, or an ERR_PTR().
 */
struct device *dmabuf_pp_queues_check(struct net_device *dev, const u32 *idx,
				      unsigned int n, unsigned int *buf_shift,
				      struct netlink_ext_ack *extack)
{
	struct kernel_ethtool_ringparam kring;
	unsigned int i, j;
	int err, shift;

	ASSERT_RTNL();

	if (!dev->queue_mgmt_ops) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s has no queue management API to restart queues",
				   dev->name);
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (dev_xdp_prog_count(dev)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s has an XDP program; XDP cannot read device memory",
				   dev->name);
		return ERR_PTR(-EEXIST);
	}
	dmabuf_pp_ring(dev, &kring);
	/* Payload may only land in the dma-buf when headers go elsewhere. */
	if (kring.tcp_data_split != ETHTOOL_TCP_DATA_SPLIT_ENABLED) {
		NL_SET_ERR_MSG_FMT(extack,
				   "header split is off on %s; turn on tcp-data-split first",
				   dev->name);
		return ERR_PTR(-EINVAL);
	}
	shift = dmabuf_pp_buf_shift(dev, kring.rx_buf_len, extack);
	if (shift < 0)
		return ERR_PTR(shift);
	*buf_shift = shift;

	for (i = 0; i < n; i++) {
		err = dmabuf_pp_queue_check(dev, idx[i], extack);
		if (err)
			return ERR_PTR(err);
		for (j = 0; j < i; j++) {
			if (idx[j] == idx[i]) {
				/* EEXIST: what binding it twice would say */
				NL_SET_ERR_MSG_FMT(extack,
						   "RX queue %u is listed twice",
						   idx[i]);
				return ERR_PTR(-EEXIST);
			}
		}
	}

	return dmabuf_pp_dma_dev(dev, extack);
}

/**
 * dmabuf_pp_dma_dev() - the device that does a netdev's DMA
 * @dev: the netdev
 * @extack: where to say it has none
 *
 * 6.12 has no per-queue DMA device (6.18 has): RX and TX, every queue
 * shares the parent.
 *
 * Return: the device, or ERR_PTR(-EOPNOTSUPP).
 */
struct device *dmabuf_pp_dma_dev(struct net_device *dev,
				 struct netlink_ext_ack *extack)
{
	if (!dev->dev.parent) {
		NL_SET_ERR_MSG_FMT(extack, "%s has no DMA device", dev->name);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev->dev.parent;
}

/* The provider parameters a queue's next page_pool picks up; NULL: none. */
static void dmabuf_pp_rxq_params(struct netdev_rx_queue *rxq,
				 struct dmabuf_pp_binding *binding)
{
	rxq->mp_params.mp_priv = binding;
	rxq->mp_params.mp_ops = binding ? &dmabuf_pp_mp_ops : NULL;
}

/*
 * A queue's provider parameters hold a reference on the binding: the
 * binding cannot go while any queue (or its next page_pool) may use it.
 */
static void dmabuf_pp_queue_set(struct net_device *dev, u32 idx,
				struct dmabuf_pp_binding *binding)
{
	dmabuf_pp_binding_get(binding);
	dmabuf_pp_rxq_params(__netif_get_rx_queue(dev, idx), binding);
}

static void dmabuf_pp_queue_clear(struct net_device *dev, u32 idx)
{
	struct netdev_rx_queue *rxq = __netif_get_rx_queue(dev, idx);
	struct dmabuf_pp_binding *binding = rxq->mp_params.mp_priv;

	dmabuf_pp_rxq_params(rxq, NULL);
	dmabuf_pp_binding_put(binding);
}

/*
 * Take the binding off queue @idx and restart it with host memory. If the
 * restart fails the queue still runs on the binding's buffers, so it stays
 * bound (and counted as such by the core) until the
 * netdev's unregister.
 */
static int dmabuf_pp_queue_restore(struct dmabuf_pp_binding *binding,
				   u32 idx)
{
	struct net_device *dev = binding->dev;
	struct netdev_rx_queue *rxq = __netif_get_rx_queue(dev, idx);
	int err;

	dmabuf_pp_rxq_params(rxq, NULL);
	err = netdev_rx_queue_restart(dev, idx);
	if (err) {
		dmabuf_pp_rxq_params(rxq, binding);
		netdev_err(dev,
			   "RX queue %u failed to restart without dma-buf %u (%d): it stays bound\n",
			   idx, binding->id, err);
		return err;
	}
	__clear_bit(idx, binding->rxqs);
	dmabuf_pp_binding_put(binding);
	return 0;
}

/**
 * dmabuf_pp_queues_install() - put a binding on queues, all or none
 * @binding: a fresh binding for these queues' netdev
 * @idx: queue indexes dmabuf_pp_queues_check() accepted
 * @n: how many
 * @extack: where to say which queue failed
 *
 * Queues are restarted one by one. If one fails, those already restarted
 * are restarted again without the binding, so a failed bind leaves every
 * queue as it was.
 *
 * Return: 0 or a negative errno.
 */
int dmabuf_pp_queues_install(struct dmabuf_pp_binding *binding,
			     const u32 *idx, unsigned int n,
			     struct netlink_ext_ack *extack)
{
	struct net_device *dev = binding->dev;
	unsigned int i;
	int err;

	ASSERT_RTNL();

	for (i = 0; i < n; i++) {
		dmabuf_pp_queue_set(dev, idx[i], binding);
		err = netdev_rx_queue_restart(dev, idx[i]);
		if (err) {
			/* The failed restart left the old pool running. */
			dmabuf_pp_queue_clear(dev, idx[i]);
			NL_SET_ERR_MSG_FMT(extack,
					   "RX queue %u failed to restart (%d); no queue was bound",
					   idx[i], err);
			goto err_restore;
		}
		__set_bit(idx[i], binding->rxqs);
	}
	return 0;

err_restore:
	while (i--) {
		if (dmabuf_pp_queue_restore(binding, idx[i]))
			NL_SET_ERR_MSG_FMT(extack,
					   "RX queue %u could not be unbound (see dmesg)",
					   idx[i]);
	}
	return err;
}

/**
 * dmabuf_pp_queues_remove() - take a binding off all its queues
 * @binding: the binding, on its device; RTNL held
 *
 * Each queue is restarted on host memory. A queue that fails to restart
 * keeps the binding until the netdev unregisters: a later restart keeps
 * the queue's provider parameters, and with them the binding.
 *
 * Return: true when no queue uses the binding any more.
 */
bool dmabuf_pp_queues_remove(struct dmabuf_pp_binding *binding)
{
	unsigned int idx;

	ASSERT_RTNL();

	for_each_set_bit(idx, binding->rxqs, binding->nr_rxqs)
		dmabuf_pp_queue_restore(binding, idx);
	return bitmap_empty(binding->rxqs, binding->nr_rxqs);
}

/* The binding on RX queue @idx of @dev; NULL for none. */
static struct dmabuf_pp_binding *dmabuf_pp_queue_binding(struct net_device *dev,
							 unsigned int idx)
{
	struct netdev_rx_queue *rxq = __netif_get_rx_queue(dev, idx);

	if (rxq->mp_params.mp_ops != &dmabuf_pp_mp_ops)
		return NULL;
	return rxq->mp_params.mp_priv;
}

/**
 * dev_dmabuf_uninstall() - a netdev unregisters: forget its bindings
 * @dev: the netdev, closed; RTNL held
 *
 * The queues are not restarted, they are going away with the netdev. Each
 * binding leaves the device with its last queue here, which unmaps its
 * buffers for the device: a driver must not DMA into buffers its closed
 * queues had posted (netdevsim frees them at close, as drivers with the
 * queue management API do). The binding lives on while its socket is open
 * or its buffers are out.
 */
void dev_dmabuf_uninstall(struct net_device *dev)
{
	struct dmabuf_pp_binding *binding;
	unsigned int i;

	ASSERT_RTNL();

	for (i = 0; i < dev->num_rx_queues; i++) {
		binding = dmabuf_pp_queue_binding(dev, i);
		if (!binding)
			continue;
		__clear_bit(i, binding->rxqs);
		/* While this queue's reference still keeps the binding */
		if (bitmap_empty(binding->rxqs, binding->nr_rxqs))
			dmabuf_pp_binding_leave(binding);
		dmabuf_pp_queue_clear(dev, i);	/* may free the binding */
	}
	dmabuf_pp_tx_uninstall(dev);
}

/**
 * dev_dmabuf_change_netns() - may a netdev move to another namespace?
 * @dev: the netdev; RTNL held
 * @net: where it would go
 * @extack: where to say why not
 *
 * Not while a queue is bound: the binding, its socket, its get and dump
 * and its unbind notification all belong to the namespace it was made in.
 * A dying namespace's devices must go (the core cannot be refused there);
 * the only bindings left on them are ones whose socket is gone and whose
 * queue failed to restart, and they follow their device.
 *
 * Return: 0, or -EBUSY with a message.
 */
int dev_dmabuf_change_netns(struct net_device *dev, struct net *net,
			    struct netlink_ext_ack *extack)
{
	struct dmabuf_pp_binding *binding;
	unsigned int i;
	int err;

	ASSERT_RTNL();

	err = dmabuf_pp_tx_change_netns(dev, net, extack);
	if (err)
		return err;

	for (i = 0; i < dev->num_rx_queues; i++) {
		binding = dmabuf_pp_queue_binding(dev, i);
		if (!binding)
			continue;
		if (check_net(dev_net(dev))) {
			NL_SET_ERR_MSG_FMT(extack,
					   "RX queue %u of %s is bound to dma-buf %u; unbind it before moving the device",
					   i, dev->name, binding->id);
			return -EBUSY;
		}
		WRITE_ONCE(binding->netns_cookie, net->net_cookie);
	}
	return 0;
}
