/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmabuf-pp provider internals: the binding and the pieces that make it.
 *
 *   binding.c   a dma-buf attached and mapped for one netdev's DMA device;
 *               references and teardown
 *   freelist.c  the mapped table carved into net_iovs, and their allocator
 *   mp_ops.c    the page_pool memory provider callbacks
 *   queues.c    installing a binding on RX queues and taking it off
 *   netlink.c   binding over netlink: the shared core, bind-rx (upstream
 *               netdev family), socket lifetime
 *   family.c    our own generic netlink family (family-gen.[ch] generated
 *               from Documentation/netlink/specs/dmabuf-pp.yaml)
 *   stats.c     counters: debugfs, and for family.c
 *   tokens.c    buffers user space holds through a socket: the token table
 *   tx.c        devmem TX: sending from a TX binding's dma-buf
 *
 * Locking, outermost first:
 *   RTNL         binding->dev, binding->rxqs, rxq->mp_params, every
 *                socket's list of bindings
 *   free_lock    the free stack; taken with bottom halves off, from
 *                page_pool in softirq or process context
 * Bindings are found by id through an xarray (its own lock) and read
 * under RCU by stats.c; they are freed after a grace period.
 */
#ifndef _DMABUF_PP_PROVIDER_H
#define _DMABUF_PP_PROVIDER_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/dma-direction.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/dmabuf_pp.h>

struct dma_buf;
struct dma_buf_attachment;
struct device;
struct genl_info;
struct nlattr;
struct sk_buff;
struct memory_provider_ops;
struct net;
struct net_device;
struct netlink_ext_ack;
struct sg_table;

/* Largest buffer one net_iov may stand for (rx-buf-len of the queues). */
#define DMABUF_PP_MAX_BUF_SIZE	(64U << 10)

/**
 * struct dmabuf_pp_pcpu - a binding's counters, per CPU
 * @rx_bytes: payload bytes described to user space in SCM_DEVMEM_DMABUF
 * @user: tokens issued minus tokens given back; only the sum over all
 *	CPUs means anything
 * @tx_bytes: payload bytes sendmsg() queued out of a TX binding (tx.c)
 * @tx_frags: references skb frags took on a TX binding's buffers minus
 *	those they dropped: buffers in flight, as a sum over all CPUs
 */
struct dmabuf_pp_pcpu {
	u64 rx_bytes;
	long user;
	u64 tx_bytes;
	long tx_frags;
};

/**
 * struct dmabuf_pp_binding - a dma-buf bound to RX queues of one netdev
 * @id: what bind-rx returned; unique among live bindings
 * @netns_cookie: cookie of the netns of @dev at bind time (for dumps)
 * @size: bytes of the dma-buf (readable after the dma-buf reference went)
 * @token_limit: most tokens a socket receiving from it may hold
 * @installed: the bind succeeded and user space got the id, so its
 *	leaving the device is announced (RTNL)
 * @unbound: the user let go of it (dmabuf_pp_binding_unbind(); RTNL)
 * @dead: it has neither @dev nor a user any more: only buffers still out
 *	keep it, and dead.c sees that deferred frees do not (RTNL)
 * @ref: one for the user (the netlink socket that bound it), one per queue
 *	whose provider parameters point at it, and one per page_pool built on
 *	it. A net_iov needs no reference of its own: its
 *	page_pool outlives it (a pool is destroyed only once every buffer it
 *	handed out came back), and so the binding does too. A TX binding has
 *	no queues and no page_pools: one reference per skb frag that points
 *	into it, and one per sendmsg() using it.
 * @dmabuf: our reference to the dma-buf, until the binding leaves @dev
 * @attach: the attachment to @dma_dev, until the binding leaves @dev
 * @sgt: the mapped table, until the binding leaves @dev (then NULL); only
 *	DMA addresses and lengths are read
 * @dma_dev: the device the buffers are mapped for, referenced while mapped
 * @dir: DMA_FROM_DEVICE (an RX binding) or DMA_TO_DEVICE (TX, tx.c)
 * @dev: the netdev whose queues use the binding, or NULL once it left it
 *	(dmabuf_pp_binding_leave()). No reference is held, so that
 *	unregister never waits for user space; RTNL protects it.
 * @rxqs: bitmap of the queues of @dev the binding is installed on (RTNL)
 * @nr_rxqs: number of bits in @rxqs
 * @sock_link: entry in the binding socket's list (RTNL)
 * @tx_link: a TX binding's entry in tx.c's list, while it has @dev (RTNL)
 * @area: the net_iovs, carved from @sgt
 * @nr_niovs: number of net_iovs in @area
 * @free_lock: protects @free, @nr_free and @on_free
 * @nr_free: number of entries on @free
 * @free: stack of indexes into @area.niovs of buffers no page_pool holds
 * @on_free: bit i set while buffer i is on @free, which is how a second
 *	release of a buffer is caught
 * @pcpu: counters updated on the receive path, per CPU so that no cache
 *	line bounces between the CPUs that receive
 * @free_work: frees a TX binding whose last reference went in softirq
 * @rcu: frees the binding after stats.c's readers are done with it
 */
struct dmabuf_pp_binding {
	u32 id;
	refcount_t ref;
	u64 netns_cookie;
	size_t size;
	u32 token_limit;
	bool installed;
	bool unbound;
	bool dead;

	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	struct device *dma_dev;
	enum dma_data_direction dir;

	struct net_device *dev;
	unsigned long *rxqs;
	unsigned int nr_rxqs;
	struct list_head sock_link;
	struct list_head tx_link;

	struct dmabuf_pp_area area;
	u32 nr_niovs;

	spinlock_t free_lock;	/* the free stack: @nr_free, @free, @on_free */
	u32 nr_free;
	u32 *free;
	unsigned long *on_free;

	struct dmabuf_pp_pcpu __percpu *pcpu;
	struct work_struct free_work;
	struct rcu_head rcu;
};

/* binding.c */
struct dmabuf_pp_binding *
dmabuf_pp_binding_create(struct net_device *dev, struct device *dma_dev,
			 unsigned int fd, unsigned int buf_shift,
			 enum dma_data_direction dir,
			 struct netlink_ext_ack *extack);
void dmabuf_pp_binding_put(struct dmabuf_pp_binding *binding);
void dmabuf_pp_binding_leave(struct dmabuf_pp_binding *binding);
void dmabuf_pp_binding_unbind(struct dmabuf_pp_binding *binding);

static inline void dmabuf_pp_binding_get(struct dmabuf_pp_binding *binding)
{
	refcount_inc(&binding->ref);
}

/* Live bindings by id; stats.c walks it under RCU. */
extern struct xarray dmabuf_pp_bindings;

/* freelist.c */
int dmabuf_pp_carve(struct dmabuf_pp_binding *binding, unsigned int shift,
		    struct netlink_ext_ack *extack);
void dmabuf_pp_uncarve(struct dmabuf_pp_binding *binding);
struct net_iov *dmabuf_pp_niov_get(struct dmabuf_pp_binding *binding);
bool dmabuf_pp_niov_put(struct net_iov *niov);

/* tokens.c: a socket's token table (the socket side is in dmabuf_pp.h) */
struct dmabuf_token;
struct dmabuf_pp_tokens;
typedef void (*dmabuf_pp_put_fn)(const netmem_ref *netmems, unsigned int n);

/* Most tokens a socket may hold: one per this many bytes of a binding */
#define DMABUF_PP_TOKEN_BYTES	64
/* Most tokens a socket may hold at all */
#define DMABUF_PP_TOKENS_MAX	BIT(27)
/* Entries and tokens one SO_DEVMEM_DONTNEED takes (upstream: 128, 1024) */
#define DMABUF_PP_DONTNEED_MAX	1024

struct dmabuf_pp_tokens *dmabuf_pp_tokens_alloc(void);
void dmabuf_pp_tokens_free(struct dmabuf_pp_tokens *t);
void dmabuf_pp_tokens_raise_limit(struct dmabuf_pp_tokens *t, u32 limit);
int dmabuf_pp_tokens_reserve(struct dmabuf_pp_tokens *t, u32 *tokens,
			     unsigned int n);
void dmabuf_pp_tokens_commit(struct dmabuf_pp_tokens *t, const u32 *tokens,
			     const netmem_ref *netmems, unsigned int used,
			    unsigned int reserved);
int dmabuf_pp_tokens_return(struct dmabuf_pp_tokens *t,
			    const struct dmabuf_token *req, unsigned int n,
			   dmabuf_pp_put_fn put);
void dmabuf_pp_tokens_return_all(struct dmabuf_pp_tokens *t,
				 dmabuf_pp_put_fn put, bool may_sleep);

/* netlink.c: what a bind request asks for */
struct dmabuf_pp_bind_req {
	u32 ifindex;
	const struct nlattr *ifindex_attr;	/* for the extack */
	u32 fd;
	u32 *idx;		/* RX queue indexes */
	unsigned int n;		/* how many, at least one */
	u32 buf_size;		/* 0: whatever the queues post */
	bool tx;		/* bind-tx: no queues, the device reads */
};

u32 *dmabuf_pp_nl_queue_slots(struct genl_info *info, int type);
int dmabuf_pp_nl_bind_target(struct genl_info *info, int ifindex_type,
			     int fd_type, struct dmabuf_pp_bind_req *req);
int dmabuf_pp_nl_bind_reply(struct genl_info *info,
			    struct list_head *sock_bindings,
			    struct dmabuf_pp_bind_req *req,
			    int (*put_reply)(struct sk_buff *rsp,
					     const struct dmabuf_pp_binding *b));

/* tx.c */
struct device *dmabuf_pp_tx_check(struct net_device *dev,
				  struct netlink_ext_ack *extack);
int dmabuf_pp_tx_install(struct dmabuf_pp_binding *binding,
			 struct netlink_ext_ack *extack);
void dmabuf_pp_tx_leave(struct dmabuf_pp_binding *binding);
void dmabuf_pp_tx_uninstall(struct net_device *dev);
int dmabuf_pp_tx_change_netns(struct net_device *dev, struct net *net,
			      struct netlink_ext_ack *extack);

/* dead.c */
void dmabuf_pp_dead_add(struct dmabuf_pp_binding *binding);
void dmabuf_pp_dead_freed(void);

/* family.c */
void dmabuf_pp_nl_notify_unbind(struct dmabuf_pp_binding *binding);

/* stats.c */
struct dmabuf_pp_counts {
	u32 free;
	u64 user;
	u64 rx_bytes;
	u64 tx_bytes;
	u64 tx_frags;
};

void dmabuf_pp_binding_counts(struct dmabuf_pp_binding *binding,
			      struct dmabuf_pp_counts *c);

/* mp_ops.c */
extern const struct memory_provider_ops dmabuf_pp_mp_ops;

/* queues.c */
struct device *dmabuf_pp_queues_check(struct net_device *dev, const u32 *idx,
				      unsigned int n, unsigned int *buf_shift,
				      struct netlink_ext_ack *extack);
struct device *dmabuf_pp_dma_dev(struct net_device *dev,
				 struct netlink_ext_ack *extack);
int dmabuf_pp_queues_install(struct dmabuf_pp_binding *binding,
			     const u32 *idx, unsigned int n,
			     struct netlink_ext_ack *extack);
bool dmabuf_pp_queues_remove(struct dmabuf_pp_binding *binding);

#endif /* _DMABUF_PP_PROVIDER_H */
