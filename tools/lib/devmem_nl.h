/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devmem_nl: the netlink side of device-memory TCP receive, in a few calls.
 *
 * It speaks two generic netlink families: "ethtool", to turn a device's TCP
 * header/data split on or off (devmem needs payload and headers in separate
 * buffers), and "netdev", to bind a dma-buf to RX queues and to list page
 * pools. It is the seed of libdevmem, so the API hides libnl completely: no
 * libnl type appears here and callers need not link against it directly.
 *
 * Conventions: every function returns 0 (or a non-negative value where
 * documented) on success and -errno on failure. When @err is not NULL it is
 * always filled: code 0 and an empty msg on success; otherwise code is the
 * positive errno and msg the kernel's extended ack text (for example "queue
 * 1 already bound"), or a short note from the library when the library
 * itself found the problem, or "" when nobody said more than the errno.
 * Each call opens and closes its own netlink socket, except a binding,
 * which keeps its socket open for as long as it exists.
 */
#ifndef DMABUF_PP_DEVMEM_NL_H
#define DMABUF_PP_DEVMEM_NL_H

#include <stddef.h>
#include <stdint.h>

/* Why a call failed: errno plus what the kernel (or library) said. */
struct dm_err {
	int code;		/* positive errno, 0 when the call succeeded */
	char msg[256];		/* extack text, NUL-terminated, "" if none */
};

/**
 * dm_ifindex() - resolve a device given by name or by decimal index
 * @name_or_index: "eth1" or "3"
 *
 * Return: the ifindex (> 0) of an existing device in the caller's network
 * namespace, or -ENODEV.
 */
int dm_ifindex(const char *name_or_index);

/* TCP header/data split, as ethtool's tcp-data-split values. */
enum dm_hds {
	DM_HDS_AUTO = 0,	/* ETHTOOL_TCP_DATA_SPLIT_UNKNOWN: driver decides */
	DM_HDS_OFF = 1,		/* ETHTOOL_TCP_DATA_SPLIT_DISABLED */
	DM_HDS_ON = 2,		/* ETHTOOL_TCP_DATA_SPLIT_ENABLED */
};

/**
 * dm_hds_set() - set a device's TCP header/data split mode
 * @ifindex: the device
 * @mode: DM_HDS_ON, DM_HDS_OFF or DM_HDS_AUTO
 * @err: filled with the outcome, may be NULL
 *
 * Sends ETHTOOL_MSG_RINGS_SET with only ETHTOOL_A_RINGS_TCP_DATA_SPLIT, so no
 * other ring parameter changes. Drivers that cannot split fail with
 * -EOPNOTSUPP.
 *
 * Return: 0 or -errno.
 */
int dm_hds_set(int ifindex, enum dm_hds mode, struct dm_err *err);

/**
 * dm_hds_get() - read a device's TCP header/data split mode
 * @ifindex: the device
 * @mode: where to store the mode
 * @err: filled with the outcome, may be NULL
 *
 * The kernel leaves ETHTOOL_A_RINGS_TCP_DATA_SPLIT out of its reply when the
 * driver reports no mode, which is what drivers without the feature do;
 * that is reported as -EOPNOTSUPP and @mode is left untouched.
 *
 * Return: 0 or -errno.
 */
int dm_hds_get(int ifindex, enum dm_hds *mode, struct dm_err *err);

/* A dma-buf bound to RX queues; it stays bound until dm_unbind(). */
struct dm_binding;

/**
 * dm_bind_rx() - bind a dma-buf to RX queues of a device
 * @ifindex: the device
 * @dmabuf_fd: the dma-buf; the kernel takes its own reference
 * @queues: RX queue ids, at least one
 * @nqueues: number of entries in @queues
 * @out: the new binding on success
 * @err: filled with the outcome, may be NULL
 *
 * Sends NETDEV_CMD_BIND_RX. The kernel ties the binding to the netlink
 * socket that asked for it and tears it down when that socket closes, so
 * the binding owns its socket: it lives until dm_unbind() or process exit,
 * whichever comes first.
 *
 * Return: 0 or -errno.
 */
int dm_bind_rx(int ifindex, int dmabuf_fd, const unsigned int *queues,
	       size_t nqueues, struct dm_binding **out, struct dm_err *err);

/*
 * dm_bind_rx() without its own argument checks (an empty queue list), so
 * that tests can see what the kernel says about such a request.
 */
int dm_bind_rx_unchecked(int ifindex, int dmabuf_fd,
			 const unsigned int *queues, size_t nqueues,
			 struct dm_binding **out, struct dm_err *err);

/**
 * dm_binding_id() - the binding's id
 * @b: a binding from dm_bind_rx()
 *
 * Return: the id the kernel reports in every SCM_DEVMEM_DMABUF cmsg
 * (dmabuf_id) and in the page pools of the bound queues (dmabuf).
 */
uint32_t dm_binding_id(const struct dm_binding *b);

/**
 * dm_unbind() - release a binding
 * @b: a binding from dm_bind_rx(), or NULL
 *
 * Closes the binding's netlink socket, which makes the kernel unbind the
 * dma-buf and restart the queues with ordinary memory, and frees @b.
 * Buffers still held by sockets (tokens not yet returned) keep the dma-buf
 * alive until they are returned or their socket closes.
 */
void dm_unbind(struct dm_binding *b);

/* One page pool, as NETDEV_CMD_PAGE_POOL_GET reports it; absent is 0. */
struct dm_page_pool {
	uint32_t id;
	uint32_t ifindex;
	uint32_t napi_id;
	uint32_t dmabuf;	/* binding id when the pool serves a dma-buf */
	uint64_t inflight;	/* buffers handed out and not yet returned */
	uint64_t inflight_mem;	/* bytes of those buffers */
	uint64_t detach_time;	/* boottime s its device let go; 0 = attached */
};

/**
 * dm_page_pools() - call @cb for every page pool of a device
 * @ifindex: the device, or 0 for the pools of every device
 * @cb: called once per pool; a non-zero return stops the walk and becomes
 *      the return value of dm_page_pools()
 * @arg: passed to @cb
 * @err: filled with the outcome, may be NULL (code stays 0 when @cb stops)
 *
 * Dumps NETDEV_CMD_PAGE_POOL_GET and filters by @ifindex here, since the
 * 6.12 kernel takes no filter for the dump. A pool whose device went away
 * while buffers were still out is reported without an ifindex, so it has
 * ifindex 0 and only shows up when @ifindex is 0.
 *
 * Return: 0, -errno, or the non-zero value @cb returned.
 */
int dm_page_pools(int ifindex,
		  int (*cb)(const struct dm_page_pool *pp, void *arg),
		  void *arg, struct dm_err *err);

/* One RX queue's counters, as NETDEV_CMD_QSTATS_GET reports them; absent is 0. */
struct dm_rx_qstats {
	uint32_t ifindex;
	uint32_t queue;
	uint64_t packets;
	uint64_t bytes;
	uint64_t alloc_fail;	/* buffer allocation failures (drops) */
};

/*
 * Call @cb for every RX queue of @ifindex with its qstats (queue scope).
 * @cb returning non-zero stops the walk; that value is returned.
 */
int dm_rx_qstats(int ifindex,
		 int (*cb)(const struct dm_rx_qstats *qs, void *arg),
		 void *arg, struct dm_err *err);

/*
 * The dmabuf-pp generic netlink family (ours; stock kernels do not have it:
 * every call below then fails with EOPNOTSUPP and says so).
 */
#define DM_PP_MAX_QUEUES 256

/* A binding as the family's get and dump report it. */
struct dm_pp_binding {
	uint32_t id;
	uint32_t ifindex;	/* 0: off its device, buffers still out */
	uint64_t netns_cookie;	/* SO_NETNS_COOKIE of its device's netns */
	uint32_t buf_size;	/* bytes per buffer */
	uint64_t dmabuf_size;
	uint64_t buffers;	/* net_iovs in all */
	uint64_t buffers_free;	/* on the provider's free stack */
	uint64_t buffers_user;	/* held by user space through tokens */
	uint64_t rx_bytes;	/* payload described in SCM_DEVMEM_DMABUF */
	uint32_t nqueues;
	uint32_t queues[DM_PP_MAX_QUEUES];
};

/*
 * Bind through the dmabuf-pp family, which also takes a buffer size:
 * @buf_size 0 takes the queues' (ethtool rx-buf-len), anything else must
 * equal it. Unbind as for dm_bind_rx(): dm_unbind().
 */
int dm_pp_bind(int ifindex, int dmabuf_fd, const unsigned int *queues,
	       size_t nqueues, uint32_t buf_size, struct dm_binding **out,
	       struct dm_err *err);

/* The buffer size of a dm_pp_bind() binding (0 for dm_bind_rx() ones). */
uint32_t dm_binding_buf_size(const struct dm_binding *b);

/*
 * Binding @id, or with @id 0 every binding of our network namespace: @cb
 * for each; a non-zero return from @cb stops the walk and is returned.
 */
int dm_pp_bindings(uint32_t id,
		   int (*cb)(const struct dm_pp_binding *b, void *arg),
		   void *arg, struct dm_err *err);

/* Notifications of bindings leaving their device ("mgmt" group). */
struct dm_pp_watch;

int dm_pp_watch_open(struct dm_pp_watch **out, struct dm_err *err);
/* The next one, within @timeout_ms (ETIMEDOUT otherwise; -1 waits). */
int dm_pp_watch_next(struct dm_pp_watch *w, int timeout_ms,
		     struct dm_pp_binding *b, struct dm_err *err);
void dm_pp_watch_close(struct dm_pp_watch *w);

#endif
