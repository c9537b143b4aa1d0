// SPDX-License-Identifier: GPL-2.0-only
/*
 * The receive loop helper: one recvmsg(MSG_SOCK_DEVMEM) at a time, its
 * cmsgs turned into fragments for the caller, its tokens given back before
 * the next one. See devmem.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devmem.h"
#include "../lib/uio_devmem.h"
#include "testing.h"

#define DEFAULT_IOV_BYTES (64 * 1024)
/*
 * Control room for 1024 devmem cmsgs: when it fills, the kernel stops and
 * returns what it has described so far, so this bounds the fragments per
 * call, not what can be received.
 */
#define CMSGS_PER_CALL 1024

struct devmem_rx {
	int fd;
	uint8_t *iov;
	size_t iov_bytes;
	void *ctrl;
	size_t ctrl_bytes;
	struct devmem_token_batch batch;
};

int devmem_rx_open(int sockfd, size_t iov_bytes, struct devmem_rx **out)
{
	struct devmem_rx *rx;

	rx = calloc(1, sizeof(*rx));
	if (!rx)
		return -ENOMEM;
	rx->fd = sockfd;
	rx->iov_bytes = iov_bytes ? iov_bytes : DEFAULT_IOV_BYTES;
	rx->ctrl_bytes = CMSGS_PER_CALL * CMSG_SPACE(sizeof(struct dmabuf_cmsg));
	rx->iov = malloc(rx->iov_bytes);
	rx->ctrl = malloc(rx->ctrl_bytes);
	if (!rx->iov || !rx->ctrl) {
		devmem_rx_close(rx);
		return -ENOMEM;
	}
	*out = rx;
	return 0;
}

void devmem_rx_close(struct devmem_rx *rx)
{
	if (!rx)
		return;
	free(rx->ctrl);
	free(rx->iov);
	free(rx);
}

/* One message's walk: where its linear bytes are, what the caller said. */
struct rx_walk {
	struct devmem_rx *rx;
	const uint8_t *iov;
	size_t received;	/* what recvmsg() returned */
	size_t described;	/* bytes the cmsgs accounted for so far */
	size_t iov_pos;		/* linear bytes handed out so far */
	int (*cb)(const struct devmem_frag *frag, void *arg);
	void *arg;
	int cb_ret;		/* once non-zero, @cb is not called again */
	int bad;		/* -EBADMSG once the cmsgs stop making sense */
	int token_ret;		/* first failure to give tokens back */
};

static void rx_return_token(struct rx_walk *w, uint32_t token)
{
	struct devmem_token_batch *b = &w->rx->batch;
	int ret;

	if (devmem_token_batch_add(b, token))
		return;
	ret = devmem_token_batch_flush(b, w->rx->fd);
	if (ret < 0 && !w->token_ret)
		w->token_ret = ret;
	devmem_token_batch_add(b, token);	/* the batch is empty now */
}

static int rx_on_frag(const struct devmem_frag *f, void *arg)
{
	struct rx_walk *w = arg;
	struct devmem_frag frag = *f;

	w->described += f->size;
	if (f->kind == DEVMEM_FRAG_LINEAR) {
		/* linear bytes are packed at the start of the iov, in order */
		if (f->size > w->received - w->iov_pos)
			w->bad = -EBADMSG;
		frag.data = w->iov + w->iov_pos;
		if (!w->bad)
			w->iov_pos += f->size;
	}
	if (!w->cb_ret && !w->bad)
		w->cb_ret = w->cb(&frag, w->arg);
	/* after the callback: the bytes stay pinned while it looks at them */
	if (f->kind == DEVMEM_FRAG_DMABUF)
		rx_return_token(w, f->token);
	return 0;	/* every token must be seen, whatever @cb said */
}

int devmem_rx_dispatch(struct devmem_rx *rx, const struct msghdr *msg,
		       size_t received,
		       int (*cb)(const struct devmem_frag *frag, void *arg),
		       void *arg)
{
	struct rx_walk w = {
		.rx = rx, .iov = msg->msg_iov[0].iov_base, .received = received,
		.cb = cb, .arg = arg,
	};
	int ret, flushed;

	ret = devmem_cmsg_frags(msg, rx_on_frag, &w);
	if (!ret && !w.described && received) {
		/* no devmem cmsg: a flow that came through an ordinary queue */
		struct devmem_frag frag = {
			.kind = DEVMEM_FRAG_LINEAR, .size = received,
			.data = w.iov,
		};

		w.described = received;
		w.cb_ret = cb(&frag, arg);
	}
	if (!ret && (w.bad || w.described != received))
		ret = -EBADMSG;
	flushed = devmem_token_batch_flush(&rx->batch, rx->fd);
	if (flushed < 0 && !w.token_ret)
		w.token_ret = flushed;
	if (ret)
		return ret;
	if (w.cb_ret)
		return w.cb_ret < 0 ? w.cb_ret : -EINVAL;
	return w.token_ret;
}

ssize_t devmem_rx_recv(struct devmem_rx *rx, int flags,
		       int (*cb)(const struct devmem_frag *frag, void *arg),
		       void *arg)
{
	struct iovec iov = { .iov_base = rx->iov, .iov_len = rx->iov_bytes };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = rx->ctrl, .msg_controllen = rx->ctrl_bytes,
	};
	ssize_t n;
	int ret;

	n = recvmsg(rx->fd, &msg, MSG_SOCK_DEVMEM | flags);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	ret = devmem_rx_dispatch(rx, &msg, n, cb, arg);
	return ret ? ret : n;
}
