/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The receive side of device-memory TCP without the socket: turning the
 * control messages of a recvmsg(MSG_SOCK_DEVMEM) into fragments, and
 * batching the tokens those fragments carry for SO_DEVMEM_DONTNEED.
 *
 * A devmem recvmsg() describes its bytes in stream order with one cmsg
 * each: SCM_DEVMEM_LINEAR for bytes the kernel copied into the iov (packet
 * heads, in order, packed at the start of the iov) and SCM_DEVMEM_DMABUF
 * for bytes that stay in the dma-buf, with a token that pins them until it
 * is returned. A recvmsg() that returns data with no devmem cmsg at all read
 * ordinary host-memory packets (a flow not steered to a bound queue): all
 * of it is in the iov.
 */
#ifndef DMABUF_PP_DEVMEM_CMSG_H
#define DMABUF_PP_DEVMEM_CMSG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* SO_DEVMEM_*, SCM_DEVMEM_*: glibc pulls these in only for _DEFAULT_SOURCE. */
#include <asm/socket.h>

/*
 * struct dmabuf_cmsg and struct dmabuf_token live in <linux/uio.h>, which
 * also defines a struct iovec that clashes with the C library's. Include it
 * with its iovec renamed, so the order of includes does not matter.
 */
#define iovec linux_uio_iovec
#include <linux/uio.h>
#undef iovec

#ifndef MSG_SOCK_DEVMEM
#define MSG_SOCK_DEVMEM 0x2000000	/* include/linux/socket.h, not uAPI */
#endif

enum dm_frag_kind {
	DM_FRAG_LINEAR,		/* bytes copied into the iov */
	DM_FRAG_DMABUF,		/* bytes left in the dma-buf */
};

/* One stretch of the stream, as one devmem cmsg describes it. */
struct dm_frag {
	enum dm_frag_kind kind;
	uint32_t size;
	uint64_t offset;	/* DMABUF: where in the dma-buf */
	uint32_t token;		/* DMABUF: give back with SO_DEVMEM_DONTNEED */
	uint32_t dmabuf_id;	/* DMABUF: the binding the bytes belong to */
};

/**
 * dm_cmsg_frags() - call @cb for each devmem fragment of a received message
 * @msg: the msghdr recvmsg() filled (msg_control, msg_controllen, msg_flags)
 * @cb: called in stream order; a non-zero return stops the walk
 * @arg: passed to @cb
 *
 * Control messages of other levels or types are skipped.
 *
 * Return: 0; the first non-zero value @cb returned; -EMSGSIZE when the
 * kernel set MSG_CTRUNC (fragments, and the tokens that pin them, were
 * lost); -EBADMSG for a devmem cmsg too short to hold struct dmabuf_cmsg.
 */
int dm_cmsg_frags(const struct msghdr *msg,
		  int (*cb)(const struct dm_frag *frag, void *arg), void *arg);

/*
 * Limits of one SO_DEVMEM_DONTNEED call in 6.12 (net/core/sock.c): at most
 * 128 struct dmabuf_token entries, and at most 1024 tokens counted over all
 * their token_count; the kernel silently stops at the latter.
 */
#define DM_DONTNEED_MAX_ENTRIES 128
#define DM_DONTNEED_MAX_TOKENS 1024

/* Tokens waiting to be returned, runs of consecutive ones coalesced. */
struct dm_token_batch {
	struct dmabuf_token entry[DM_DONTNEED_MAX_ENTRIES];
	unsigned int entries;
	unsigned int tokens;	/* sum of entry[].token_count */
};

/**
 * dm_token_batch_add() - queue @token for return
 * @b: the batch (zero-initialized to start)
 * @token: a frag_token from an SCM_DEVMEM_DMABUF cmsg
 *
 * Return: true when queued; false when @b is full, in which case the
 * caller flushes it and adds again.
 */
bool dm_token_batch_add(struct dm_token_batch *b, uint32_t token);

/**
 * dm_token_batch_flush() - return the queued tokens to the kernel
 * @b: the batch, empty afterwards whatever the outcome
 * @sockfd: the TCP socket the tokens came from
 *
 * Return: the number of tokens returned (all of them), -errno when
 * setsockopt(SO_DEVMEM_DONTNEED) failed, or -EPROTO when the kernel freed
 * fewer tokens than we passed (unknown or already returned tokens).
 */
int dm_token_batch_flush(struct dm_token_batch *b, int sockfd);

#endif
