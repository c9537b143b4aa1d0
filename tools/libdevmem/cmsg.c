// SPDX-License-Identifier: GPL-2.0-only
/* devmem cmsg parsing and token batching: see devmem.h. */
#include <errno.h>
#include <string.h>

#include "devmem.h"
#include "../lib/uio_devmem.h"

/* our copy of struct dmabuf_token must be the kernel's */
_Static_assert(sizeof(struct devmem_token_range) == sizeof(struct dmabuf_token),
	       "struct devmem_token_range differs from struct dmabuf_token");

int devmem_cmsg_frags(const struct msghdr *msg,
		      int (*cb)(const struct devmem_frag *frag, void *arg), void *arg)
{
	struct cmsghdr *cm;

	if (msg->msg_flags & MSG_CTRUNC)
		return -EMSGSIZE;
	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR((struct msghdr *)msg, cm)) {
		struct dmabuf_cmsg dc;
		struct devmem_frag frag = { 0 };
		int ret;

		if (cm->cmsg_level != SOL_SOCKET ||
		    (cm->cmsg_type != SCM_DEVMEM_LINEAR &&
		     cm->cmsg_type != SCM_DEVMEM_DMABUF))
			continue;
		if (cm->cmsg_len < CMSG_LEN(sizeof(dc)))
			return -EBADMSG;
		memcpy(&dc, CMSG_DATA(cm), sizeof(dc));

		frag.size = dc.frag_size;
		if (cm->cmsg_type == SCM_DEVMEM_LINEAR) {
			frag.kind = DEVMEM_FRAG_LINEAR;
		} else {
			frag.kind = DEVMEM_FRAG_DMABUF;
			frag.offset = dc.frag_offset;
			frag.token = dc.frag_token;
			frag.dmabuf_id = dc.dmabuf_id;
		}
		ret = cb(&frag, arg);
		if (ret)
			return ret;
	}
	return 0;
}

bool devmem_token_batch_add(struct devmem_token_batch *b, uint32_t token)
{
	struct devmem_token_range *last = b->entries ? &b->entry[b->entries - 1] : NULL;

	if (b->tokens == DEVMEM_DONTNEED_MAX_TOKENS)
		return false;
	/* The kernel hands out tokens from an allocator: runs are common. */
	if (last && last->token_start + last->token_count == token) {
		last->token_count++;
		b->tokens++;
		return true;
	}
	if (b->entries == DEVMEM_DONTNEED_MAX_ENTRIES)
		return false;
	b->entry[b->entries].token_start = token;
	b->entry[b->entries].token_count = 1;
	b->entries++;
	b->tokens++;
	return true;
}

int devmem_token_batch_flush(struct devmem_token_batch *b, int sockfd)
{
	unsigned int want = b->tokens;
	int ret;

	if (!b->entries)
		return 0;
	ret = setsockopt(sockfd, SOL_SOCKET, SO_DEVMEM_DONTNEED, b->entry,
			 b->entries * sizeof(b->entry[0]));
	b->entries = 0;
	b->tokens = 0;
	if (ret < 0)
		return -errno;
	return (unsigned int)ret == want ? ret : -EPROTO;
}
