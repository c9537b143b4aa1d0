/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdevmem: the pieces a device-memory TCP receiver is built from.
 *
 *  - devices: name or index, TCP header/data split (ethtool netlink), flow
 *    steering and RSS (ethtool ioctls);
 *  - bindings: a dma-buf bound to RX queues through the netdev family's
 *    bind-rx, or through the dmabuf-pp family (ours, with a buffer size and
 *    statistics; absent from stock kernels: those calls fail with
 *    EOPNOTSUPP and say so), and the page pools and queue counters;
 *  - buffers: sealed memfds (shmem or hugetlb) turned into dma-bufs by
 *    /dev/udmabuf, dma-bufs from dma-heaps (device memory among them), and
 *    CPU access to them;
 *  - receive: recvmsg(MSG_SOCK_DEVMEM) control messages as fragments, and
 *    their tokens given back in batches.
 *
 * No libnl type appears here: callers need not know libnl or link it
 * directly (pkg-config --libs libdevmem says what a static link needs).
 *
 * Conventions: every function returns 0 (or a non-negative value where
 * documented) on success and -errno on failure. When @err is not NULL it is
 * always filled: code 0 and an empty msg on success; otherwise code is the
 * positive errno and msg the kernel's extended ack text (for example "queue
 * 1 already bound"), or a short note from the library when the library
 * itself found the problem, or "" when nobody said more than the errno.
 * Each netlink call opens and closes its own socket, except a binding,
 * which keeps its socket open for as long as it exists. Nothing here keeps
 * global state: separate handles may be used from separate threads.
 */
#ifndef LIBDEVMEM_DEVMEM_H
#define LIBDEVMEM_DEVMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * SO_DEVMEM_* and SCM_DEVMEM_* come with the 6.12 uAPI headers (glibc pulls
 * <asm/socket.h> in only for _DEFAULT_SOURCE). With older headers, as
 * Debian 12's, these are the asm-generic numbers; alpha, mips, parisc and
 * sparc number them differently and need 6.12 headers.
 */
#include <asm/socket.h>
#ifndef SO_DEVMEM_DONTNEED
#define SO_DEVMEM_LINEAR 78
#define SCM_DEVMEM_LINEAR SO_DEVMEM_LINEAR
#define SO_DEVMEM_DMABUF 79
#define SCM_DEVMEM_DMABUF SO_DEVMEM_DMABUF
#define SO_DEVMEM_DONTNEED 80
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The version of this header. The library's own, at run time, is
 * devmem_version(); the soname changes with DEVMEM_VERSION_MAJOR.
 */
#define DEVMEM_VERSION_MAJOR 0
#define DEVMEM_VERSION_MINOR 4
#define DEVMEM_VERSION_PATCH 0
#define DEVMEM_VERSION_STRING "0.4.0"
/* For comparisons: DEVMEM_VERSION >= DEVMEM_VERSION_CODE(0, 1, 0). */
#define DEVMEM_VERSION_CODE(major, minor, patch) \
	(((major) << 16) | ((minor) << 8) | (patch))
#define DEVMEM_VERSION DEVMEM_VERSION_CODE(DEVMEM_VERSION_MAJOR, \
	DEVMEM_VERSION_MINOR, DEVMEM_VERSION_PATCH)

/* What the shared library exports: exactly the functions declared here. */
#define DEVMEM_API __attribute__((visibility("default")))

/* "MAJOR.MINOR.PATCH" of the library linked in. */
DEVMEM_API const char *devmem_version(void);

/* Why a call failed: errno plus what the kernel (or library) said. */
struct devmem_err {
	int code;		/* positive errno, 0 when the call succeeded */
	char msg[256];		/* extack text, NUL-terminated, "" if none */
};

/**
 * devmem_ifindex() - resolve a device given by name or by decimal index
 * @name_or_index: "eth1" or "3"
 *
 * Return: the ifindex (> 0) of an existing device in the caller's network
 * namespace, or -ENODEV.
 */
DEVMEM_API int devmem_ifindex(const char *name_or_index);

/* TCP header/data split, as ethtool's tcp-data-split values. */
enum devmem_hds {
	DEVMEM_HDS_AUTO = 0,	/* ETHTOOL_TCP_DATA_SPLIT_UNKNOWN: driver decides */
	DEVMEM_HDS_OFF = 1,		/* ETHTOOL_TCP_DATA_SPLIT_DISABLED */
	DEVMEM_HDS_ON = 2,		/* ETHTOOL_TCP_DATA_SPLIT_ENABLED */
};

/**
 * devmem_hds_set() - set a device's TCP header/data split mode
 * @ifindex: the device
 * @mode: DEVMEM_HDS_ON, DEVMEM_HDS_OFF or DEVMEM_HDS_AUTO
 * @err: filled with the outcome, may be NULL
 *
 * Sends ETHTOOL_MSG_RINGS_SET with only ETHTOOL_A_RINGS_TCP_DATA_SPLIT, so no
 * other ring parameter changes. Drivers that cannot split fail with
 * -EOPNOTSUPP.
 *
 * Return: 0 or -errno.
 */
DEVMEM_API int devmem_hds_set(int ifindex, enum devmem_hds mode, struct devmem_err *err);

/**
 * devmem_hds_get() - read a device's TCP header/data split mode
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
DEVMEM_API int devmem_hds_get(int ifindex, enum devmem_hds *mode, struct devmem_err *err);

/* A TCP flow an ntuple rule matches; zero fields match anything. */
struct devmem_flow {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t src[16];	/* address, network order: 4 bytes for AF_INET */
	uint8_t dst[16];
	uint16_t src_port;	/* host order */
	uint16_t dst_port;
};

/**
 * devmem_steer_add() - steer a TCP flow to an RX queue (an ntuple rule)
 * @ifindex: the device
 * @flow: what to match; at least one field besides family must be set
 * @queue: the RX queue the flow's packets go to
 * @loc: the rule's slot, or -1 to let the driver pick one
 * @err: filled with the outcome, may be NULL
 *
 * ETHTOOL_SRXCLSRLINS, as "ethtool -N DEV flow-type tcp4 ... action Q".
 * The device must have ntuple filters on (devmem_ntuple_set()).
 *
 * Return: the rule's location (>= 0), for devmem_steer_del(), or -errno.
 */
DEVMEM_API int devmem_steer_add(int ifindex, const struct devmem_flow *flow,
				unsigned int queue, int loc,
				struct devmem_err *err);

/* Delete the ntuple rule at @loc (ETHTOOL_SRXCLSRLDEL). */
DEVMEM_API int devmem_steer_del(int ifindex, unsigned int loc,
				struct devmem_err *err);

/* Turn the device's ntuple filters on or off (the "ntuple" feature). */
DEVMEM_API int devmem_ntuple_set(int ifindex, bool on, struct devmem_err *err);

/**
 * devmem_rss_exclude() - keep RSS off some RX queues
 * @ifindex: the device
 * @queues: the queues no RSS-hashed flow may land on (the bound ones)
 * @nqueues: entries in @queues; 0 spreads RSS over every queue again
 * @err: filled with the outcome, may be NULL
 *
 * Rewrites the RSS indirection table (ETHTOOL_SRXFHINDIR) to spread over
 * the device's other RX queues, so that only steered flows reach the
 * excluded ones. Fails with EINVAL when no queue would be left.
 *
 * Return: 0 or -errno.
 */
DEVMEM_API int devmem_rss_exclude(int ifindex, const unsigned int *queues,
				  size_t nqueues, struct devmem_err *err);

/* A dma-buf bound to RX queues; it stays bound until devmem_unbind(). */
struct devmem_binding;

/**
 * devmem_bind_rx() - bind a dma-buf to RX queues of a device
 * @ifindex: the device
 * @dmabuf_fd: the dma-buf; the kernel takes its own reference
 * @queues: RX queue ids, at least one
 * @nqueues: number of entries in @queues
 * @out: the new binding on success
 * @err: filled with the outcome, may be NULL
 *
 * Sends NETDEV_CMD_BIND_RX. The kernel ties the binding to the netlink
 * socket that asked for it and tears it down when that socket closes, so
 * the binding owns its socket: it lives until devmem_unbind() or process exit,
 * whichever comes first.
 *
 * Return: 0 or -errno.
 */
DEVMEM_API int devmem_bind_rx(int ifindex, int dmabuf_fd, const unsigned int *queues,
			      size_t nqueues, struct devmem_binding **out, struct devmem_err *err);

/**
 * devmem_binding_id() - the binding's id
 * @b: a binding from devmem_bind_rx()
 *
 * Return: the id the kernel reports in every SCM_DEVMEM_DMABUF cmsg
 * (dmabuf_id) and in the page pools of the bound queues (dmabuf).
 */
DEVMEM_API uint32_t devmem_binding_id(const struct devmem_binding *b);

/**
 * devmem_unbind() - release a binding
 * @b: a binding from devmem_bind_rx(), or NULL
 *
 * Closes the binding's netlink socket, which makes the kernel unbind the
 * dma-buf and restart the queues with ordinary memory, and frees @b.
 * Buffers still held by sockets (tokens not yet returned) keep the dma-buf
 * alive until they are returned or their socket closes.
 */
DEVMEM_API void devmem_unbind(struct devmem_binding *b);

/* One page pool, as NETDEV_CMD_PAGE_POOL_GET reports it; absent is 0. */
struct devmem_page_pool {
	uint32_t id;
	uint32_t ifindex;
	uint32_t napi_id;
	uint32_t dmabuf;	/* binding id when the pool serves a dma-buf */
	uint64_t inflight;	/* buffers handed out and not yet returned */
	uint64_t inflight_mem;	/* bytes of those buffers */
	uint64_t detach_time;	/* boottime s its device let go; 0 = attached */
};

/**
 * devmem_page_pools() - call @cb for every page pool of a device
 * @ifindex: the device, or 0 for the pools of every device
 * @cb: called once per pool; a non-zero return stops the walk and becomes
 *      the return value of devmem_page_pools()
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
DEVMEM_API int devmem_page_pools(int ifindex,
				 int (*cb)(const struct devmem_page_pool *pp, void *arg),
				 void *arg, struct devmem_err *err);

/* One RX queue's counters, as NETDEV_CMD_QSTATS_GET reports them; absent is 0. */
struct devmem_rx_qstats {
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
DEVMEM_API int devmem_rx_qstats(int ifindex,
				int (*cb)(const struct devmem_rx_qstats *qs, void *arg),
				void *arg, struct devmem_err *err);

/*
 * The dmabuf-pp generic netlink family (ours; stock kernels do not have it:
 * every call below then fails with EOPNOTSUPP and says so).
 */
/* Most queues a binding reported by get or dump may list here (0.3: 256) */
#define DEVMEM_PP_MAX_QUEUES 4096

/* A binding as the family's get and dump report it. */
struct devmem_binding_info {
	uint32_t id;
	uint32_t ifindex;	/* 0: off its device, buffers still out */
	uint64_t netns_cookie;	/* SO_NETNS_COOKIE of its device's netns */
	uint32_t buf_size;	/* bytes per buffer */
	uint64_t dmabuf_size;
	uint64_t buffers;	/* net_iovs in all */
	uint64_t buffers_free;	/* on the provider's free stack */
	uint64_t buffers_user;	/* held by user space through tokens */
	uint64_t rx_bytes;	/* payload described in SCM_DEVMEM_DMABUF */
	bool tx;		/* a TX binding (devmem_bind_tx()), no queues */
	uint64_t tx_bytes;	/* TX: payload sendmsg() queued out of it */
	uint64_t tx_frags;	/* TX: buffers in flight (skb frag references) */
	uint32_t nqueues;
	uint32_t queues[DEVMEM_PP_MAX_QUEUES];
};

/*
 * Bind through the dmabuf-pp family, which also takes a buffer size:
 * @buf_size 0 takes the queues' (ethtool rx-buf-len), anything else must
 * equal it. Unbind as for devmem_bind_rx(): devmem_unbind().
 */
DEVMEM_API int devmem_pp_bind(int ifindex, int dmabuf_fd, const unsigned int *queues,
			      size_t nqueues, uint32_t buf_size, struct devmem_binding **out,
			      struct devmem_err *err);

/* The buffer size of a devmem_pp_bind() binding (0 for devmem_bind_rx() ones). */
DEVMEM_API uint32_t devmem_binding_buf_size(const struct devmem_binding *b);

/*
 * Binding @id, or with @id 0 every binding of our network namespace: @cb
 * for each; a non-zero return from @cb stops the walk and is returned.
 */
DEVMEM_API int devmem_pp_bindings(uint32_t id,
				  int (*cb)(const struct devmem_binding_info *b, void *arg),
				  void *arg, struct devmem_err *err);

/* Notifications of bindings leaving their device ("mgmt" group). */
struct devmem_pp_watch;

DEVMEM_API int devmem_pp_watch_open(struct devmem_pp_watch **out, struct devmem_err *err);
/* The next one, within @timeout_ms (ETIMEDOUT otherwise; -1 waits). */
DEVMEM_API int devmem_pp_watch_next(struct devmem_pp_watch *w, int timeout_ms,
				    struct devmem_binding_info *b, struct devmem_err *err);
DEVMEM_API void devmem_pp_watch_close(struct devmem_pp_watch *w);

/* --- buffers: memfds and udmabufs --------------------------------------- */

/* The page size of hugetlb memfds (the default huge page size on x86). */
#define DEVMEM_HUGE_PAGE (2ull << 20)

/**
 * devmem_memfd_create() - a memfd to build dma-bufs from
 * @name: its name (shows in /proc/PID/fd)
 * @size: bytes; a multiple of DEVMEM_HUGE_PAGE when @hugetlb
 * @hugetlb: back it with huge pages instead of shmem
 * @seals: F_SEAL_* to add; udmabuf requires F_SEAL_SHRINK
 *
 * Return: the memfd (close-on-exec), or -errno.
 */
DEVMEM_API int devmem_memfd_create(const char *name, size_t size, bool hugetlb,
				   unsigned int seals);

/* UDMABUF_CREATE over [@offset, @offset + @size) of @memfd. Returns the fd. */
DEVMEM_API int devmem_udmabuf_create(int memfd, uint64_t offset, uint64_t size,
				     unsigned int flags);

/*
 * A @size-byte dma-buf over [@offset, @offset + @size) of a new memfd of
 * its own (shmem, or 2 MiB hugetlb pages; sealed against shrinking, as
 * udmabuf requires), for users that never touch the memory from the CPU
 * side: the memfd is not kept. Returns the dma-buf fd or a negative errno.
 */
DEVMEM_API int devmem_udmabuf_create_anon(const char *name, uint64_t offset,
					  uint64_t size, bool hugetlb,
					  unsigned int flags);

struct udmabuf_create_item;
/*
 * UDMABUF_CREATE_LIST over @count items, in buffer order. @count is passed
 * as given, 0 included, so tests can ask for what the kernel must refuse.
 * Returns the fd.
 */
DEVMEM_API int devmem_udmabuf_create_list(const struct udmabuf_create_item *items,
					  unsigned int count,
					  unsigned int flags);

/**
 * devmem_dma_heap_alloc() - a dma-buf from a dma-heap
 * @heap: the heap's name under /dev/dma_heap: "system" (host RAM the
 *	importer never sees pages of) or "bar-PCI_NAME" (device memory, no
 *	struct pages; dmabuf-pp's BAR heap)
 * @size: bytes; the heap may round it up (the BAR heap to 64 KiB)
 *
 * Return: the dma-buf fd (read-write, close-on-exec), or -errno: -EINVAL
 * for an empty name or one with a '/', -ENOENT for no such heap, and what
 * DMA_HEAP_IOCTL_ALLOC answers (-ENOMEM when the heap has no room,
 * -ENODEV when its device is gone).
 */
DEVMEM_API int devmem_dma_heap_alloc(const char *heap, uint64_t size);

/* DMA_BUF_IOCTL_SYNC with @flags (DMA_BUF_SYNC_START/END | READ/WRITE). */
DEVMEM_API int devmem_dmabuf_sync(int dmabuf_fd, uint64_t flags);

/**
 * devmem_dmabuf_map() - map a dma-buf for CPU reads
 * @dmabuf_fd: the dma-buf
 * @size: its size (or less)
 * @addr: where the mapping starts, on success
 *
 * A shared read-only mapping; unmap with munmap(@addr, @size). Reads of
 * bytes the device wrote belong between devmem_dmabuf_sync() calls with
 * DMA_BUF_SYNC_START and DMA_BUF_SYNC_END (| DMA_BUF_SYNC_READ).
 *
 * Return: 0 or -errno.
 */
DEVMEM_API int devmem_dmabuf_map(int dmabuf_fd, size_t size,
				 const void **addr);

/* --- receive: devmem control messages and tokens ------------------------ */

#ifndef MSG_SOCK_DEVMEM
#define MSG_SOCK_DEVMEM 0x2000000	/* include/linux/socket.h, not uAPI */
#endif

enum devmem_frag_kind {
	DEVMEM_FRAG_LINEAR,	/* bytes copied into the iov */
	DEVMEM_FRAG_DMABUF,	/* bytes left in the dma-buf */
};

/* One stretch of the stream, as one devmem cmsg describes it. */
struct devmem_frag {
	enum devmem_frag_kind kind;
	uint32_t size;
	uint64_t offset;	/* DMABUF: where in the dma-buf */
	uint32_t token;		/* DMABUF: give back with SO_DEVMEM_DONTNEED */
	uint32_t dmabuf_id;	/* DMABUF: the binding the bytes belong to */
	const void *data;	/* LINEAR, from devmem_rx_recv(): the bytes */
};

/**
 * devmem_cmsg_frags() - call @cb for each devmem fragment of a received message
 * @msg: the msghdr recvmsg() filled (msg_control, msg_controllen, msg_flags)
 * @cb: called in stream order; a non-zero return stops the walk
 * @arg: passed to @cb
 *
 * Control messages of other levels or types are skipped. frag->data is
 * NULL: this walk does not know where linear bytes went (devmem_rx_recv()
 * does).
 *
 * Return: 0; the first non-zero value @cb returned; -EMSGSIZE when the
 * kernel set MSG_CTRUNC (fragments, and the tokens that pin them, were
 * lost); -EBADMSG for a devmem cmsg too short to hold struct dmabuf_cmsg.
 */
DEVMEM_API int devmem_cmsg_frags(const struct msghdr *msg,
				 int (*cb)(const struct devmem_frag *frag,
				 void *arg),
				 void *arg);

/*
 * Limits of one SO_DEVMEM_DONTNEED call in 6.12 (net/core/sock.c): at most
 * 128 struct dmabuf_token entries, and at most 1024 tokens counted over all
 * their token_count; the kernel silently stops at the latter.
 */
#define DEVMEM_DONTNEED_MAX_ENTRIES 128
#define DEVMEM_DONTNEED_MAX_TOKENS 1024

/*
 * One SO_DEVMEM_DONTNEED entry: struct dmabuf_token of <linux/uio.h>, the
 * same layout under our name, so that this header needs no 6.12 headers.
 */
struct devmem_token_range {
	uint32_t token_start;
	uint32_t token_count;
};

/* Tokens waiting to be returned, runs of consecutive ones coalesced. */
struct devmem_token_batch {
	struct devmem_token_range entry[DEVMEM_DONTNEED_MAX_ENTRIES];
	unsigned int entries;
	unsigned int tokens;	/* sum of entry[].token_count */
};

/**
 * devmem_token_batch_add() - queue @token for return
 * @b: the batch (zero-initialized to start)
 * @token: a frag_token from an SCM_DEVMEM_DMABUF cmsg
 *
 * Return: true when queued; false when @b is full, in which case the
 * caller flushes it and adds again.
 */
DEVMEM_API bool devmem_token_batch_add(struct devmem_token_batch *b,
				       uint32_t token);

/**
 * devmem_token_batch_flush() - return the queued tokens to the kernel
 * @b: the batch, empty afterwards whatever the outcome
 * @sockfd: the TCP socket the tokens came from
 *
 * Return: the number of tokens returned (all of them), -errno when
 * setsockopt(SO_DEVMEM_DONTNEED) failed, or -EPROTO when the kernel freed
 * fewer tokens than we passed (unknown or already returned tokens).
 */
DEVMEM_API int devmem_token_batch_flush(struct devmem_token_batch *b,
					int sockfd);

/* One socket's devmem receive state: iov and control buffers, token batch. */
struct devmem_rx;

/**
 * devmem_rx_open() - get ready to receive with devmem on @sockfd
 * @sockfd: a connected TCP socket (it stays the caller's to close)
 * @iov_bytes: bytes asked of each recvmsg(); linear bytes land here, so
 *             anything from 4 KiB up; 0 takes 64 KiB
 * @out: the new receive state
 *
 * Return: 0 or -ENOMEM.
 */
DEVMEM_API int devmem_rx_open(int sockfd, size_t iov_bytes,
			      struct devmem_rx **out);

/**
 * devmem_rx_recv() - one recvmsg(MSG_SOCK_DEVMEM), fragment by fragment
 * @rx: from devmem_rx_open()
 * @flags: more recvmsg() flags (MSG_DONTWAIT, ...)
 * @cb: called for each fragment in stream order. Linear fragments carry
 *      their bytes in frag->data (valid during the call only); dma-buf
 *      fragments are at frag->offset in the dma-buf, readable there until
 *      @cb returns. Returns 0 to go on, or a negative errno to stop.
 * @arg: passed to @cb
 *
 * Bytes of a flow that did not come through a bound queue arrive without
 * devmem cmsgs: they are handed to @cb as one linear fragment. The tokens
 * of every dma-buf fragment of the message, seen by @cb or not, are given
 * back before this returns, in as few SO_DEVMEM_DONTNEED calls as the
 * limits allow.
 *
 * Return: bytes received (0 at end of stream), or -errno: what @cb
 * returned, what recvmsg() failed with, -EMSGSIZE when the control buffer
 * overflowed, -EBADMSG when the cmsgs do not add up to the bytes received,
 * -EPROTO when the kernel refused tokens it had handed out.
 */
DEVMEM_API ssize_t devmem_rx_recv(struct devmem_rx *rx, int flags,
				  int (*cb)(const struct devmem_frag *frag,
				  void *arg),
				  void *arg);

/* Free @rx (NULL is fine). The socket is left open. */
DEVMEM_API void devmem_rx_close(struct devmem_rx *rx);

/* --- send: devmem TX (upstream's uAPI since 6.16) ------------------------ */

/**
 * devmem_bind_tx() - map a dma-buf for a device to send from
 * @ifindex: the device; its route must carry the sockets that send
 * @dmabuf_fd: the dma-buf; the binding keeps its own reference
 * @out: the binding, to name in devmem_send() (devmem_binding_id()) and
 *	to let go of with devmem_unbind()
 * @err: why it failed
 *
 * Sends NETDEV_CMD_BIND_TX. A device that cannot send from device memory
 * answers EOPNOTSUPP, as does a kernel without devmem TX.
 *
 * Return: 0 or a negative errno.
 */
DEVMEM_API int devmem_bind_tx(int ifindex, int dmabuf_fd,
			      struct devmem_binding **out,
			      struct devmem_err *err);

/* A range of a TX binding's dma-buf to send. */
struct devmem_range {
	uint64_t offset;
	uint64_t len;
};

/**
 * devmem_send() - send ranges of a dma-buf on a TCP socket
 * @fd: a connected TCP socket with SO_ZEROCOPY set
 * @binding_id: a TX binding of the device the socket's route leaves by
 * @ranges: what to send, in order
 * @n: how many (at most IOV_MAX)
 * @flags: more sendmsg() flags (MSG_ZEROCOPY is always added)
 *
 * One sendmsg() with an SCM_DEVMEM_DMABUF cmsg and one iov per range. The
 * call is one MSG_ZEROCOPY send: its completion (devmem_completions())
 * says when the ranges may be written again.
 *
 * Return: bytes queued (fewer than asked when interrupted or
 * non-blocking), or -1 with errno: EINVAL (no SO_ZEROCOPY, no such TX
 * binding), ENODEV (the route leaves by another device), EFAULT (a range
 * past the dma-buf's end), or what sendmsg() fails with.
 */
DEVMEM_API ssize_t devmem_send(int fd, uint32_t binding_id,
			       const struct devmem_range *ranges, size_t n,
			       int flags);

/**
 * devmem_completions() - read one MSG_ZEROCOPY completion
 * @fd: the sending socket
 * @lo: first send call completed (calls count from 0 per socket)
 * @hi: last one, inclusive
 *
 * Reads the socket's error queue without blocking.
 *
 * Return: 1 with [@lo, @hi] set, 0 when none is queued, -1 with errno.
 */
DEVMEM_API int devmem_completions(int fd, uint32_t *lo, uint32_t *hi);

#ifdef __cplusplus
}
#endif

#endif
