// SPDX-License-Identifier: GPL-2.0-only
/*
 * A binding's counters, for our netlink family (family.c) and for
 * /sys/kernel/debug/dmabuf_pp/bindings: every live binding, one line each,
 * then a total line. Tests read them to prove that after each case nothing
 * is left: no binding, no buffer out of any free stack.
 *
 *   binding ID ifindex N queues Q buffers B free F user U
 *   total bindings N buffers B out O
 *
 * ifindex is 0 (and queues 0) once the binding was taken off its netdev,
 * while it waits for its buffers to come back.
 */

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "provider.h"

/**
 * dmabuf_pp_binding_counts() - a binding's counters, summed
 * @binding: a live binding (or one under RCU)
 * @c: where to put them
 */
void dmabuf_pp_binding_counts(struct dmabuf_pp_binding *binding,
			      struct dmabuf_pp_counts *c)
{
	long user = 0, tx_frags = 0;
	int cpu;

	c->free = READ_ONCE(binding->nr_free);
	c->rx_bytes = 0;
	c->tx_bytes = 0;
	for_each_possible_cpu(cpu) {
		const struct dmabuf_pp_pcpu *p = per_cpu_ptr(binding->pcpu, cpu);

		c->rx_bytes += READ_ONCE(p->rx_bytes);
		user += READ_ONCE(p->user);
		c->tx_bytes += READ_ONCE(p->tx_bytes);
		tx_frags += READ_ONCE(p->tx_frags);
	}
	/* A token given back (a frag freed) on another CPU than it was taken
	 * on may be seen before it was taken.
	 */
	c->user = max(user, 0L);
	c->tx_frags = max(tx_frags, 0L);
}

static int dmabuf_pp_bindings_show(struct seq_file *m, void *unused)
{
	unsigned long nr = 0, buffers = 0, out = 0;
	struct dmabuf_pp_binding *binding;
	unsigned long id;

	/* RTNL makes ifindex and the queue bitmap stable; RCU keeps every
	 * binding we find allocated even if its last reference goes.
	 */
	rtnl_lock();
	rcu_read_lock();
	xa_for_each(&dmabuf_pp_bindings, id, binding) {
		struct net_device *dev = binding->dev;
		struct dmabuf_pp_counts c;

		dmabuf_pp_binding_counts(binding, &c);
		seq_printf(m, "binding %u ifindex %d queues %u buffers %u free %u user %llu\n",
			   binding->id, dev ? dev->ifindex : 0,
			   dev ? bitmap_weight(binding->rxqs, binding->nr_rxqs) : 0,
			   binding->nr_niovs, c.free, c.user);
		nr++;
		buffers += binding->nr_niovs;
		out += binding->nr_niovs - c.free;
	}
	rcu_read_unlock();
	rtnl_unlock();

	seq_printf(m, "total bindings %lu buffers %lu out %lu\n",
		   nr, buffers, out);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dmabuf_pp_bindings);

static int __init dmabuf_pp_stats_init(void)
{
	struct dentry *dir = debugfs_create_dir("dmabuf_pp", NULL);

	debugfs_create_file("bindings", 0444, dir, NULL,
			    &dmabuf_pp_bindings_fops);
	return 0;
}
late_initcall(dmabuf_pp_stats_init);
