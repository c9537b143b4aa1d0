// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page_pool memory provider: a page_pool built on an RX queue that
 * carries a binding (rxq->mp_params) asks us, not the page allocator, for
 * buffers. What it gets are net_iovs: a DMA address and nothing else, so
 * the stack can never read or write the payload they receive.
 *
 * page_pool refuses providers that live outside core kernel rodata, which
 * is why the provider is built in.
 */

#include <net/netdev_rx_queue.h>
#include <net/netmem.h>
#include <net/page_pool/memory_provider.h>
#include <net/page_pool/types.h>
#include <trace/events/page_pool.h>

#include "../core/page_pool_priv.h"
#include "provider.h"

static int dmabuf_pp_mp_init(struct page_pool *pool)
{
	struct dmabuf_pp_binding *binding = pool->mp_priv;

	/* One net_iov is one buffer of the binding's size. */
	if (PAGE_SIZE << pool->p.order != 1UL << binding->area.buf_shift)
		return -E2BIG;
	/* The addresses were mapped for one device; a pool that would hand
	 * them to another would have it DMA to the wrong place.
	 */
	if (pool->p.dev != binding->dma_dev)
		return -EXDEV;

	/* The exporter mapped the buffers and owns their coherency: the
	 * device writes, nobody on the CPU side reads through the pool, so
	 * there is nothing for the pool to sync.
	 */
	pool->dma_sync = false;
	pool->dma_sync_for_cpu = false;

	dmabuf_pp_binding_get(binding);
	return 0;
}

static void dmabuf_pp_mp_destroy(struct page_pool *pool)
{
	dmabuf_pp_binding_put(pool->mp_priv);
}

/*
 * A buffer leaves the free stack for @pool: it becomes the pool's (pp info)
 * and counts as held until dmabuf_pp_mp_release(), which is how page_pool
 * knows when every buffer it handed out has come back.
 */
static netmem_ref dmabuf_pp_mp_alloc(struct page_pool *pool, gfp_t gfp)
{
	struct net_iov *niov = dmabuf_pp_niov_get(pool->mp_priv);

	if (!niov)
		return 0;	/* all out: the driver sees an empty pool */
	page_pool_set_pp_info(pool, net_iov_to_netmem(niov));
	trace_page_pool_state_hold(pool, net_iov_to_netmem(niov),
				   ++pool->pages_state_hold_cnt);
	return net_iov_to_netmem(niov);
}

/* The last reference to a buffer is gone: it goes back on the free stack.
 * Returning false tells page_pool not to put_page() it.
 */
static bool dmabuf_pp_mp_release(struct page_pool *pool, netmem_ref netmem)
{
	struct net_iov *niov;

	if (WARN_ON_ONCE(!netmem_is_net_iov(netmem)))
		return false;

	niov = netmem_to_net_iov(netmem);
	page_pool_clear_pp_info(netmem);
	WARN_ONCE(!dmabuf_pp_niov_put(niov),
		  "dmabuf-pp: buffer %td of binding %u released twice\n",
		  niov - niov->pp_area->niovs, niov->pp_area->binding->id);
	return false;
}

const struct memory_provider_ops dmabuf_pp_mp_ops = {
	.init		= dmabuf_pp_mp_init,
	.destroy	= dmabuf_pp_mp_destroy,
	.alloc_netmems	= dmabuf_pp_mp_alloc,
	.release_netmem	= dmabuf_pp_mp_release,
};

/**
 * dmabuf_pp_mp_binding_id() - the binding id behind a queue or page_pool
 * @mp_priv: rxq->mp_params.mp_priv or page_pool::mp_priv
 *
 * In kernels with this provider it is the only one, so any mp_priv is a
 * binding.
 *
 * Return: the id, or 0 for no binding.
 */
u32 dmabuf_pp_mp_binding_id(const void *mp_priv)
{
	const struct dmabuf_pp_binding *binding = mp_priv;

	return binding ? binding->id : 0;
}
