// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dmabuf-pp family (ours; stock kernels do not have it): bind with a
 * buffer size, get and dump bindings with their counters, and watch the
 * unbind notifications.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>

#include "nl.h"

struct pp_walk {
	struct devmem_nl_call *ex;	/* for the multi-attr queues of each message */
	int (*cb)(const struct devmem_binding_info *b, void *arg);
	void *arg;
	int cb_ret;
};

static int parse_pp_binding(struct nlattr **tb, void *arg)
{
	struct pp_walk *w = arg;
	struct devmem_binding_info b = { 0 };
	struct nlattr *a;
	int rem;

	if (!tb[DMABUF_PP_A_BINDING_ID] ||
	    devmem_nl_u32(tb[DMABUF_PP_A_BINDING_ID], &b.id))
		return -EBADMSG;
	if (devmem_nl_opt_u32(tb[DMABUF_PP_A_BINDING_IFINDEX], &b.ifindex) ||
	    devmem_nl_opt_u32(tb[DMABUF_PP_A_BINDING_BUF_SIZE], &b.buf_size) ||
	    devmem_nl_opt_uint(tb[DMABUF_PP_A_BINDING_NETNS_COOKIE], &b.netns_cookie) ||
	    devmem_nl_opt_uint(tb[DMABUF_PP_A_BINDING_DMABUF_SIZE], &b.dmabuf_size) ||
	    devmem_nl_opt_uint(tb[DMABUF_PP_A_BINDING_BUFFERS], &b.buffers) ||
	    devmem_nl_opt_uint(tb[DMABUF_PP_A_BINDING_BUFFERS_FREE], &b.buffers_free) ||
	    devmem_nl_opt_uint(tb[DMABUF_PP_A_BINDING_BUFFERS_USER], &b.buffers_user) ||
	    devmem_nl_opt_uint(tb[DMABUF_PP_A_BINDING_RX_BYTES], &b.rx_bytes) ||
	    devmem_nl_opt_uint(tb[DMABUF_PP_A_BINDING_TX_BYTES], &b.tx_bytes) ||
	    devmem_nl_opt_uint(tb[DMABUF_PP_A_BINDING_TX_FRAGS], &b.tx_frags))
		return -EBADMSG;
	b.tx = tb[DMABUF_PP_A_BINDING_TX] != NULL;
	/* queues repeat: walk the message, not the parsed table */
	nlmsg_for_each_attr(a, w->ex->nlh, GENL_HDRLEN, rem) {
		if (nla_type(a) != DMABUF_PP_A_BINDING_QUEUES)
			continue;
		if (b.nqueues == DEVMEM_PP_MAX_QUEUES ||
		    devmem_nl_u32(a, &b.queues[b.nqueues]))
			return -EBADMSG;
		b.nqueues++;
	}
	w->cb_ret = w->cb(&b, w->arg);
	return w->cb_ret ? 1 : 0;
}

static int parse_pp_bind_reply(struct nlattr **tb, void *arg)
{
	struct devmem_binding *b = arg;

	if (!tb[DMABUF_PP_A_BINDING_ID] || !tb[DMABUF_PP_A_BINDING_BUF_SIZE] ||
	    devmem_nl_u32(tb[DMABUF_PP_A_BINDING_ID], &b->id) ||
	    devmem_nl_u32(tb[DMABUF_PP_A_BINDING_BUF_SIZE], &b->buf_size))
		return -EBADMSG;
	return 0;
}

/* DMABUF_PP_CMD_BIND: queues are plain u32 attributes, one each. */
static struct nl_msg *pp_bind_request(int family, const struct devmem_nl_bind_req *req)
{
	struct nl_msg *msg;
	size_t i;

	msg = devmem_nl_request(family, DMABUF_PP_CMD_BIND, DMABUF_PP_FAMILY_VERSION, 0);
	if (!msg)
		return NULL;
	if (nla_put_u32(msg, DMABUF_PP_A_BINDING_IFINDEX, req->ifindex) < 0 ||
	    nla_put_u32(msg, DMABUF_PP_A_BINDING_FD, req->dmabuf_fd) < 0 ||
	    (req->buf_size &&
	     nla_put_u32(msg, DMABUF_PP_A_BINDING_BUF_SIZE, req->buf_size) < 0))
		goto err_free;
	for (i = 0; i < req->nqueues; i++)
		if (nla_put_u32(msg, DMABUF_PP_A_BINDING_QUEUES,
				req->queues[i]) < 0)
			goto err_free;
	return msg;

err_free:
	nlmsg_free(msg);
	return NULL;
}

int devmem_pp_bind(int ifindex, int dmabuf_fd, const unsigned int *queues,
		   size_t nqueues, uint32_t buf_size, struct devmem_binding **out,
		   struct devmem_err *err)
{
	const struct devmem_nl_bind_req req = {
		.ifindex = ifindex, .dmabuf_fd = dmabuf_fd,
		.queues = queues, .nqueues = nqueues, .buf_size = buf_size,
	};

	return devmem_nl_bind(DMABUF_PP_FAMILY_NAME, pp_bind_request,
			      parse_pp_bind_reply, DMABUF_PP_A_BINDING_MAX,
			      &req, out, err);
}

uint32_t devmem_binding_buf_size(const struct devmem_binding *b)
{
	return b->buf_size;
}

int devmem_pp_bindings(uint32_t id,
		       int (*cb)(const struct devmem_binding_info *b, void *arg),
		       void *arg, struct devmem_err *err)
{
	struct devmem_nl_call ex = { .maxattr = DMABUF_PP_A_BINDING_MAX, .st = err };
	struct pp_walk w = { .ex = &ex, .cb = cb, .arg = arg };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	ret = devmem_nl_open(DMABUF_PP_FAMILY_NAME, &sk, &family, err);
	if (ret)
		return ret;
	msg = devmem_nl_request(family, DMABUF_PP_CMD_GET, DMABUF_PP_FAMILY_VERSION,
				id ? 0 : NLM_F_DUMP);
	if (!msg || (id && nla_put_u32(msg, DMABUF_PP_A_BINDING_ID, id) < 0)) {
		nlmsg_free(msg);
		ret = devmem_err_set(err, ENOMEM, NULL);
	} else {
		ex.parse = parse_pp_binding;
		ex.arg = &w;
		ret = devmem_nl_exchange(sk, msg, &ex);
	}
	nl_socket_free(sk);
	return ret ? ret : w.cb_ret;
}

struct devmem_pp_watch {
	struct nl_sock *sk;
	struct devmem_nl_call ex;
	struct pp_walk w;
	struct devmem_binding_info last;
	bool got;
};

static int watch_take(const struct devmem_binding_info *b, void *arg)
{
	struct devmem_pp_watch *wt = arg;

	wt->last = *b;
	wt->got = true;
	return 0;
}

static int any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int devmem_pp_watch_open(struct devmem_pp_watch **out, struct devmem_err *err)
{
	struct devmem_pp_watch *wt;
	int family, grp, ret;

	wt = calloc(1, sizeof(*wt));
	if (!wt)
		return devmem_err_set(err, ENOMEM, NULL);
	ret = devmem_nl_open(DMABUF_PP_FAMILY_NAME, &wt->sk, &family, err);
	if (ret)
		goto err_free;
	grp = genl_ctrl_resolve_grp(wt->sk, DMABUF_PP_FAMILY_NAME,
				    DMABUF_PP_MCGRP_MGMT);
	if (grp < 0 || nl_socket_add_membership(wt->sk, grp) < 0) {
		ret = devmem_err_set(err, grp < 0 ? devmem_nl_errno(grp) : EPROTO,
				     "joining the \"%s\" group", DMABUF_PP_MCGRP_MGMT);
		goto err_close;
	}
	wt->w = (struct pp_walk){ .ex = &wt->ex, .cb = watch_take, .arg = wt };
	wt->ex = (struct devmem_nl_call){
		.parse = parse_pp_binding, .arg = &wt->w,
		.maxattr = DMABUF_PP_A_BINDING_MAX, .st = err,
	};
	*out = wt;
	return 0;

err_close:
	nl_socket_free(wt->sk);
err_free:
	free(wt);
	return ret;
}

int devmem_pp_watch_next(struct devmem_pp_watch *wt, int timeout_ms,
			 struct devmem_binding_info *b, struct devmem_err *err)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(wt->sk), .events = POLLIN };
	struct nl_cb *cb;
	int ret;

	devmem_err_clear(err);
	wt->ex.st = err;
	wt->ex.parse_ret = 0;
	wt->got = false;
	while (!wt->got) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0)
			return devmem_err_set(err, errno, "poll");
		if (!ret)
			return devmem_err_set(err, ETIMEDOUT, "no notification");
		cb = devmem_nl_exchange_cb(wt->sk, &wt->ex);
		if (!cb)
			return devmem_err_set(err, ENOMEM, NULL);
		/* notifications carry sequence number 0 */
		nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
		ret = nl_recvmsgs(wt->sk, cb);
		nl_cb_put(cb);
		if (ret < 0)
			return devmem_err_set(err, devmem_nl_errno(ret), "reading notification: %s",
					      nl_geterror(ret));
		if (wt->ex.parse_ret < 0)
			return devmem_err_set(err, EBADMSG, "malformed notification");
	}
	*b = wt->last;
	return 0;
}

void devmem_pp_watch_close(struct devmem_pp_watch *wt)
{
	if (!wt)
		return;
	nl_socket_free(wt->sk);
	free(wt);
}

