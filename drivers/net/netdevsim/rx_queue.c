// SPDX-License-Identifier: GPL-2.0
/*
 * netdevsim RX queues as a memory provider sees them: every queue owns a
 * page_pool tied to its netdev, queue index and NAPI, and the queue
 * management API lets the core restart one queue at a time, which is how a
 * provider installed on a queue (a dma-buf binding) gets picked up.
 *
 * Also the per-queue statistics, for ethtool -S and the qstats netlink.
 */

#include <linux/ethtool.h>
#include <linux/log2.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/types.h>

#include "netdevsim.h"

/* As many buffers as the queue's backlog holds frames (NSIM_RING_SIZE) */
#define NSIM_RQ_POOL_SIZE	256
/* Largest ethtool rx-buf-len: what devmem NICs post at most */
#define NSIM_RX_BUF_MAX		(64U << 10)

static struct page_pool *nsim_rq_page_pool_create(struct netdevsim *ns,
						  unsigned int idx)
{
	struct netdev_rx_queue *rxq = __netif_get_rx_queue(ns->netdev, idx);
	struct page_pool_params pp = {
		/* DMA mapping and syncing are what a provider requires: the
		 * pool then hands out buffers that carry a DMA address,
		 * which is all the "device" uses (rx_hds.c).
		 */
		.flags		= PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV |
				  PP_FLAG_ALLOW_UNREADABLE_NETMEM,
		.order		= ilog2(ns->rx_buf_len >> PAGE_SHIFT),
		.max_len	= ns->rx_buf_len,
		.offset		= 0,
		.pool_size	= NSIM_RQ_POOL_SIZE,
		.nid		= NUMA_NO_NODE,
		.dev		= ns->netdev->dev.parent,
		.netdev		= ns->netdev,
		.queue_idx	= idx,
		.dma_dir	= DMA_FROM_DEVICE,
	};

	/* A provider's pool is not tied to the NAPI: its buffers come back
	 * through user space's tokens, not the NAPI's direct cache, and a
	 * pool whose buffers turn out unreachable (nsim_rq_mem_create()) is
	 * destroyed while the NAPI still runs the queue's old pool, which
	 * page_pool allows only for pools no NAPI uses.
	 */
	if (!rxq->mp_params.mp_ops)
		pp.napi = &ns->rq[idx].napi;
	return page_pool_create(&pp);
}

/*
 * A queue's memory: its page_pool and, when a provider's buffers are device
 * memory, the window the "device" writes them through (rx_io.c). A queue
 * whose buffers it cannot reach gets no memory: the bind fails.
 */
static int nsim_rq_mem_create(struct netdevsim *ns, unsigned int idx,
			      struct page_pool **pool, struct nsim_io_window **io)
{
	struct page_pool *pp;

	*pool = NULL;
	*io = NULL;
	pp = nsim_rq_page_pool_create(ns, idx);
	if (IS_ERR(pp))
		return PTR_ERR(pp);
	if (!pp->mp_ops) {
		*pool = pp;
		return 0;
	}

	*io = nsim_io_window_create(pp, ns->netdev->dev.parent);
	if (IS_ERR(*io)) {
		int err = PTR_ERR(*io);

		netdev_err(ns->netdev, "RX queue %u cannot reach its buffers (%d)\n",
			   idx, err);
		*io = NULL;
		page_pool_destroy(pp);
		return err;
	}
	*pool = pp;
	return 0;
}

/**
 * nsim_rq_pool_create() - give RX queue @idx its page_pool
 * @ns: the device, up or coming up, RTNL held
 * @idx: RX queue index
 *
 * The pool picks up whatever memory provider is installed on the queue.
 *
 * Return: 0 or a negative errno.
 */
int nsim_rq_pool_create(struct netdevsim *ns, unsigned int idx)
{
	struct nsim_rq *rq = &ns->rq[idx];

	ASSERT_RTNL();
	return nsim_rq_mem_create(ns, idx, &rq->page_pool, &rq->io_window);
}

/**
 * nsim_rq_pool_destroy() - free what nsim_rq_pool_create() made
 * @rq: the queue, its NAPI disabled
 */
void nsim_rq_pool_destroy(struct nsim_rq *rq)
{
	page_pool_destroy(rq->page_pool);
	rq->page_pool = NULL;
	nsim_io_window_destroy(rq->io_window);
	rq->io_window = NULL;
}

/* True when the queue's buffers come from a memory provider (a dma-buf):
 * then payload may only go there, never into host memory.
 */
bool nsim_rq_is_devmem(const struct nsim_rq *rq)
{
	return rq->page_pool && rq->page_pool->mp_ops;
}

/* Is any RX queue from @first on bound to a memory provider? RTNL held. */
bool nsim_rq_bound_from(struct net_device *dev, unsigned int first)
{
	unsigned int i;

	ASSERT_RTNL();
	for (i = first; i < dev->real_num_rx_queues; i++)
		if (__netif_get_rx_queue(dev, i)->mp_params.mp_ops)
			return true;
	return false;
}

/**
 * nsim_rq_set_buf_len() - ethtool -G rx-buf-len
 * @ns: the device; RTNL held
 * @len: bytes per RX buffer, a power of two from PAGE_SIZE to 64 KiB; 0
 *	or the current length change nothing
 * @extack: where to say why not
 *
 * A running device gets new pools, one queue restart at a time; if one
 * fails, the queues already restarted go back to the old length. A memory
 * provider's buffers were cut for the length its queues had when it was
 * bound, so no queue may be bound while the length changes.
 *
 * Return: 0 or a negative errno.
 */
int nsim_rq_set_buf_len(struct netdevsim *ns, u32 len,
			struct netlink_ext_ack *extack)
{
	struct net_device *dev = ns->netdev;
	u32 old = ns->rx_buf_len;
	unsigned int i;
	int err;

	if (!len || len == old)
		return 0;
	if (!is_power_of_2(len) || len < PAGE_SIZE || len > NSIM_RX_BUF_MAX) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "rx-buf-len must be a power of two from %lu to %u",
				       PAGE_SIZE, NSIM_RX_BUF_MAX);
		return -EINVAL;
	}
	if (nsim_rq_bound_from(dev, 0)) {
		NSIM_EA(extack, "a queue is bound to a memory provider");
		return -EBUSY;
	}

	ns->rx_buf_len = len;
	if (!netif_running(dev))
		return 0;	/* nsim_open() builds the pools */
	for (i = 0; i < dev->real_num_rx_queues; i++) {
		err = netdev_rx_queue_restart(dev, i);
		if (err)
			goto err_restore;
	}
	return 0;

err_restore:
	NL_SET_ERR_MSG_FMT_MOD(extack, "restarting RX queue %u failed (%d)",
			       i, err);
	ns->rx_buf_len = old;
	while (i--)
		if (netdev_rx_queue_restart(dev, i))
			netdev_err(dev, "RX queue %u kept rx-buf-len %u\n",
				   i, len);
	return err;
}

/*
 * Queue management API. The per-queue memory is just the queue's page_pool:
 * NAPI and the queue's backlog of not yet received frames stay in place
 * across a restart, so nothing in flight is lost.
 *
 * Pools exist only while the device is up (nsim_open() creates them). On a
 * down device a restart has nothing to do, except that a provider cannot
 * be installed, as there is no pool to take it: we refuse with -ENETDOWN.
 */
struct nsim_rq_mem {
	struct page_pool *pool;
	struct nsim_io_window *io_window;
};

static int nsim_rq_mem_alloc(struct net_device *dev, void *per_queue_mem,
			     int idx)
{
	struct nsim_rq_mem *qmem = per_queue_mem;
	struct netdevsim *ns = netdev_priv(dev);

	/* A failure the test asked for (debugfs rxq_restart_fail), once. */
	if (READ_ONCE(ns->rxq_restart_fail) == idx) {
		WRITE_ONCE(ns->rxq_restart_fail, U32_MAX);
		return -ENOMEM;
	}

	if (!netif_running(dev))
		return __netif_get_rx_queue(dev, idx)->mp_params.mp_ops ?
			-ENETDOWN : 0;

	return nsim_rq_mem_create(ns, idx, &qmem->pool, &qmem->io_window);
}

static void nsim_rq_mem_free(struct net_device *dev, void *per_queue_mem)
{
	struct nsim_rq_mem *qmem = per_queue_mem;

	/* Both NULL when the device was down */
	page_pool_destroy(qmem->pool);
	nsim_io_window_destroy(qmem->io_window);
}

static int nsim_rq_stop(struct net_device *dev, void *per_queue_mem, int idx)
{
	struct nsim_rq_mem *qmem = per_queue_mem;
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_rq *rq = &ns->rq[idx];

	if (!netif_running(dev))
		return 0;

	napi_disable(&rq->napi);
	/* The old pool is destroyed after the queue restarted, with NAPI
	 * enabled again; unlink the two now, while NAPI cannot run.
	 */
	page_pool_disable_direct_recycling(rq->page_pool);
	qmem->pool = rq->page_pool;
	rq->page_pool = NULL;
	qmem->io_window = rq->io_window;
	rq->io_window = NULL;
	return 0;
}

static int nsim_rq_start(struct net_device *dev, void *per_queue_mem, int idx)
{
	struct nsim_rq_mem *qmem = per_queue_mem;
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_rq *rq = &ns->rq[idx];

	if (!netif_running(dev))
		return 0;

	rq->page_pool = qmem->pool;
	rq->io_window = qmem->io_window;
	napi_enable(&rq->napi);
	/* Frames the peer queued while we were stopped found NAPI disabled
	 * and nobody will schedule it for them.
	 */
	local_bh_disable();
	napi_schedule(&rq->napi);
	local_bh_enable();
	return 0;
}

const struct netdev_queue_mgmt_ops nsim_rq_mgmt_ops = {
	.ndo_queue_mem_size	= sizeof(struct nsim_rq_mem),
	.ndo_queue_mem_alloc	= nsim_rq_mem_alloc,
	.ndo_queue_mem_free	= nsim_rq_mem_free,
	.ndo_queue_start	= nsim_rq_start,
	.ndo_queue_stop		= nsim_rq_stop,
};

void nsim_rq_stats_read(struct nsim_rq *rq, struct nsim_rq_counts *c)
{
	const struct nsim_rq_stats *s = &rq->stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&rq->syncp);
		c->packets = u64_stats_read(&s->packets);
		c->bytes = u64_stats_read(&s->bytes);
		c->devmem_packets = u64_stats_read(&s->devmem_packets);
		c->devmem_bytes = u64_stats_read(&s->devmem_bytes);
		c->no_buf_drops = u64_stats_read(&s->no_buf_drops);
	} while (u64_stats_fetch_retry(&rq->syncp, start));
}

/* ethtool -S: five counters per active RX queue, two per active TX queue
 * (what it sent from device memory, tx_devmem.c), then the device's own:
 * steering drops, and what it sent from device memory in all, of which
 * from I/O memory, and lost on purpose.
 */
static const char * const nsim_rq_stat_names[] = {
	"packets", "bytes", "devmem_packets", "devmem_bytes", "no_buf_drops",
};

static const char * const nsim_txq_stat_names[] = {
	"devmem_packets", "devmem_bytes",
};

int nsim_rq_get_sset_count(struct net_device *dev, int sset)
{
	struct netdevsim *ns = netdev_priv(dev);

	if (sset != ETH_SS_STATS || !ns->rq)	/* VFs have no queues */
		return -EOPNOTSUPP;

	return dev->real_num_rx_queues * ARRAY_SIZE(nsim_rq_stat_names) +
	       dev->real_num_tx_queues * ARRAY_SIZE(nsim_txq_stat_names) + 5;
}

void nsim_rq_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i, j;

	if (sset != ETH_SS_STATS)
		return;

	for (i = 0; i < dev->real_num_rx_queues; i++)
		for (j = 0; j < ARRAY_SIZE(nsim_rq_stat_names); j++)
			ethtool_sprintf(&data, "rx%u_%s", i,
					nsim_rq_stat_names[j]);
	for (i = 0; i < dev->real_num_tx_queues; i++)
		for (j = 0; j < ARRAY_SIZE(nsim_txq_stat_names); j++)
			ethtool_sprintf(&data, "tx%u_%s", i,
					nsim_txq_stat_names[j]);
	ethtool_puts(&data, "rx_steer_drops");
	ethtool_puts(&data, "tx_devmem_packets");
	ethtool_puts(&data, "tx_devmem_bytes");
	ethtool_puts(&data, "tx_devmem_io_bytes");
	ethtool_puts(&data, "tx_devmem_lost");
}

void nsim_rq_get_ethtool_stats(struct net_device *dev,
			       struct ethtool_stats *estats, u64 *data)
{
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_rq_counts s;
	unsigned int i;

	for (i = 0; i < dev->real_num_rx_queues; i++) {
		nsim_rq_stats_read(&ns->rq[i], &s);
		*data++ = s.packets;
		*data++ = s.bytes;
		*data++ = s.devmem_packets;
		*data++ = s.devmem_bytes;
		*data++ = s.no_buf_drops;
	}
	for (i = 0; i < dev->real_num_tx_queues; i++) {
		*data++ = atomic64_read(&ns->txq_devmem[i].packets);
		*data++ = atomic64_read(&ns->txq_devmem[i].bytes);
	}
	*data++ = atomic64_read(&ns->steer.drops);
	*data++ = atomic64_read(&ns->tx_devmem_packets);
	*data++ = atomic64_read(&ns->tx_devmem_bytes);
	*data++ = atomic64_read(&ns->tx_devmem_io_bytes);
	*data++ = atomic64_read(&ns->tx_devmem_lost);
}
