/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmabuf-pp: the dma-buf page_pool memory provider, as the networking core
 * sees it. In kernels built with CONFIG_DMABUF_PP_PROVIDER this replaces
 * net/core/devmem.c: net/core/devmem.h includes this header instead of
 * declaring upstream's binding, and the few core call sites that reach
 * into a binding (bind-rx, the queue and page-pool dumps, netdev
 * unregister, the TCP receive path and close) call the functions below.
 * A binding socket's list starts empty as upstream's does
 * (netdev_nl_sock_priv_init()); only its destruction is ours.
 *
 * The provider's own objects are in net/dmabuf_pp/provider.h; the design
 * is in Documentation/devmem-provider.md.
 */
#ifndef _NET_DMABUF_PP_H
#define _NET_DMABUF_PP_H

#include <linux/sockptr.h>
#include <linux/types.h>
#include <net/netmem.h>

struct dmabuf_pp_binding;
struct genl_info;
struct list_head;
struct net;
struct net_device;
struct netlink_ext_ack;
struct sk_buff;
struct sock;

/**
 * struct dmabuf_pp_area - the net_iovs carved from a binding's mapped table
 * @binding: the binding the buffers belong to
 * @binding_id: @binding's id, for the receive path to read inline
 * @offset: where the area starts in the dma-buf, in bytes
 * @niovs: the area's net_iovs, one per buffer, in dma-buf order
 * @buf_shift: log2 of the buffer size each net_iov stands for
 * @tx: the area of a TX binding: its net_iovs belong to no page_pool, and
 *	each reference an skb frag holds on one is a reference on @binding
 *
 * Every net_iov points at its area (net_iov::pp_area), which is how the
 * receive path turns a buffer back into a dma-buf offset without looking
 * at any page.
 */
struct dmabuf_pp_area {
	struct dmabuf_pp_binding *binding;
	u32 binding_id;
	unsigned long offset;
	struct net_iov *niovs;
	unsigned int buf_shift;
	bool tx;
};

/* Offset in the dma-buf of the first byte of @niov's buffer. */
static inline unsigned long net_iov_virtual_addr(const struct net_iov *niov)
{
	const struct dmabuf_pp_area *area = niov->pp_area;

	return area->offset +
	       ((unsigned long)(niov - area->niovs) << area->buf_shift);
}

/*
 * The binding id user space got from bind-rx, for SCM_DEVMEM_DMABUF: read
 * from the area, which the receive path has at hand for every fragment,
 * rather than through the binding, which is opaque here.
 */
static inline u32 net_iov_binding_id(const struct net_iov *niov)
{
	return niov->pp_area->binding_id;
}

/* Binding id of a queue's or page_pool's mp_priv, 0 when there is none. */
u32 dmabuf_pp_mp_binding_id(const void *mp_priv);

int dmabuf_pp_nl_bind_rx(struct sk_buff *skb, struct genl_info *info);
int dmabuf_pp_nl_bind_tx(struct sk_buff *skb, struct genl_info *info);
void dmabuf_pp_nl_sock_priv_destroy(struct list_head *bindings);

/*
 * Devmem TCP tokens (net/dmabuf_pp/tokens.c), in place of upstream's
 * sk_user_frags xarray: recvmsg() reserves tokens, writes them into cmsgs
 * and commits those that went out; SO_DEVMEM_DONTNEED gives them back.
 */
int dmabuf_pp_tokens_sk_reserve(struct sock *sk, u32 *tokens, unsigned int n);
void dmabuf_pp_tokens_sk_commit(struct sock *sk, const u32 *tokens,
				const netmem_ref *netmems, unsigned int used,
			     unsigned int reserved);
void dmabuf_pp_niov_delivered(const struct net_iov *niov, unsigned int bytes);
int dmabuf_pp_tokens_sk_dontneed(struct sock *sk, sockptr_t optval,
				 unsigned int optlen);
/* A devmem TCP socket's descriptor is closed: its tokens are given back. */
void dmabuf_pp_tokens_sk_release(struct sock *sk);
/* ... and when it is destroyed, its token table is freed. */
void dmabuf_pp_tokens_sk_destroy(struct sock *sk);

/*
 * Devmem TX (net/dmabuf_pp/tx.c): tcp_sendmsg() with SCM_DEVMEM_DMABUF
 * takes the TX binding for the call, appends its ranges to skbs as frags,
 * and lets go; the device's transmit path checks the frags are its own.
 */
struct msghdr;
struct ubuf_info;

struct dmabuf_pp_binding *dmabuf_pp_tx_get(struct sock *sk, u32 id,
					   int flags, struct msghdr *msg);
int dmabuf_pp_tx_append(struct sock *sk, struct sk_buff *skb,
			struct msghdr *msg, int len, struct ubuf_info *uarg,
			struct dmabuf_pp_binding *binding);
void dmabuf_pp_tx_put(struct dmabuf_pp_binding *binding);
bool dmabuf_pp_tx_skb_ok(const struct sk_buff *skb,
			 const struct net_device *dev);

/*
 * For devices that emulate DMA with the CPU (netdevsim): a real NIC reads
 * any bus address it is given, but an emulation reaches I/O memory (a PCI
 * BAR exported as a dma-buf) only through a mapping, which may sleep to
 * make while transmit may not. Such a device registers here and is told,
 * under RTNL, of every TX binding mapped for a netdev (it may refuse the
 * binding with an errno and an extack message) and of its unmapping, after
 * which no skb of the binding reaches the device any more.
 */
struct notifier_block;
struct sg_table;

enum dmabuf_pp_tx_event {
	DMABUF_PP_TX_MAPPED,
	DMABUF_PP_TX_UNMAPPING,
};

/**
 * struct dmabuf_pp_tx_mapping - what a TX event tells
 * @dev: the netdev the binding sends through
 * @dma_dev: the device its buffers are mapped for
 * @sgt: the mapped table: DMA addresses only, no pages
 * @binding: the binding, the same pointer in both events
 * @extack: where to say why the device refuses (MAPPED only)
 */
struct dmabuf_pp_tx_mapping {
	struct net_device *dev;
	struct device *dma_dev;
	const struct sg_table *sgt;
	const struct dmabuf_pp_binding *binding;
	struct netlink_ext_ack *extack;
};

int dmabuf_pp_tx_register_notifier(struct notifier_block *nb);
int dmabuf_pp_tx_unregister_notifier(struct notifier_block *nb);

/* netdev unregister: the device lets go of every binding on its queues. */
void dev_dmabuf_uninstall(struct net_device *dev);
/* A bound netdev stays in its namespace (patch 0012). */
int dev_dmabuf_change_netns(struct net_device *dev, struct net *net,
			    struct netlink_ext_ack *extack);

#endif /* _NET_DMABUF_PP_H */
