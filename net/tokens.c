// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tokens: the buffers a devmem TCP socket handed to user space with
 * SCM_DEVMEM_DMABUF and that user space has not given back with
 * SO_DEVMEM_DONTNEED. The socket keeps them in sk->sk_user_frags (token ->
 * netmem), each holding one page_pool reference to its buffer.
 */

#include <linux/sched.h>
#include <linux/skbuff_ref.h>
#include <linux/xarray.h>
#include <net/dmabuf_pp.h>
#include <net/netmem.h>
#include <net/sock.h>

/**
 * dmabuf_pp_sock_release_tokens() - the socket's descriptor is closed
 * @sk: a TCP socket, locked, in __tcp_close()
 *
 * Nobody can return a token once the descriptor is gone, so its buffers go
 * back now. Left to the socket's destruction, they would stay out for as
 * long as the orphaned socket lingers, which is minutes when its peer or
 * device is gone (FIN-WAIT retries), keeping the binding alive.
 *
 * Each entry is put as xa_erase_bh() hands it over, so even a racing
 * SO_DEVMEM_DONTNEED (which takes only the xarray lock) could not put the
 * same buffer twice.
 */
void dmabuf_pp_sock_release_tokens(struct sock *sk)
{
	unsigned long token;
	void *netmem;

	if (xa_empty(&sk->sk_user_frags))
		return;

	xa_for_each(&sk->sk_user_frags, token, netmem) {
		netmem = xa_erase_bh(&sk->sk_user_frags, token);
		if (netmem)
			WARN_ON_ONCE(!napi_pp_put_page((__force netmem_ref)netmem));
		cond_resched();
	}
}
