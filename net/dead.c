// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dead bindings: no device and no user left, only buffers still out. Most
 * of those come back as their sockets are read or closed, but an skb freed
 * on another CPU than the one that allocated it waits in that CPU's
 * deferred-free list (skb_attempt_defer_free()) until the CPU next runs
 * its RX softirq, which on an idle machine may be minutes away; and with
 * the skb wait its buffers, their page_pool and the binding with its
 * net_iovs (the dma-buf itself went when the binding left its device).
 * While any binding is dead, this work asks each CPU with skbs deferred
 * to free them, once a second, with the core's own kick.
 */
#include <linux/atomic.h>
#include <linux/bottom_half.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>

#include "../core/dev.h"
#include "provider.h"

#define DMABUF_PP_DEAD_KICK_EVERY	HZ

static atomic_t dmabuf_pp_nr_dead = ATOMIC_INIT(0);

static void dmabuf_pp_dead_kick(struct work_struct *work);
static DECLARE_DELAYED_WORK(dmabuf_pp_dead_work, dmabuf_pp_dead_kick);

static void dmabuf_pp_dead_kick(struct work_struct *work)
{
	unsigned int cpu, this_cpu;

	/* No CPU goes away between the test and the kick (a kick of an
	 * offline CPU would leave its defer_ipi_scheduled set). Bottom halves
	 * off: we stay on this CPU, and its own softirq, raised below, runs
	 * when they come back on.
	 */
	cpus_read_lock();
	local_bh_disable();
	this_cpu = smp_processor_id();
	for_each_online_cpu(cpu) {
		struct softnet_data *sd = &per_cpu(softnet_data, cpu);

		if (!READ_ONCE(sd->defer_list))
			continue;
		if (cpu == this_cpu)
			raise_softirq(NET_RX_SOFTIRQ);
		else
			kick_defer_list_purge(sd, cpu);
	}
	local_bh_enable();
	cpus_read_unlock();

	if (atomic_read(&dmabuf_pp_nr_dead))
		schedule_delayed_work(&dmabuf_pp_dead_work,
				      DMABUF_PP_DEAD_KICK_EVERY);
}

/* @binding has no device and no user left: kick until it is freed. */
void dmabuf_pp_dead_add(struct dmabuf_pp_binding *binding)
{
	binding->dead = true;
	atomic_inc(&dmabuf_pp_nr_dead);
	mod_delayed_work(system_wq, &dmabuf_pp_dead_work, 0);
}

/* A dead binding is freed; the work stops after the last one. */
void dmabuf_pp_dead_freed(void)
{
	atomic_dec(&dmabuf_pp_nr_dead);
}
