// SPDX-License-Identifier: GPL-2.0-only
/*
 * The netdev family: bind a dma-buf to RX queues (bind-rx, the uAPI every
 * 6.12 kernel has), and read page pools and per-queue counters.
 */
#include <errno.h>
#include <stdlib.h>

#include <netlink/genl/genl.h>

#include "nl.h"
#include "testing.h"

static int parse_binding_id(struct nlattr **tb, void *arg)
{
	struct devmem_binding *b = arg;

	if (!tb[NETDEV_A_DMABUF_ID])
		return -EBADMSG;
	return devmem_nl_u32(tb[NETDEV_A_DMABUF_ID], &b->id);
}

/* NETDEV_CMD_BIND_RX with one NETDEV_A_DMABUF_QUEUES nest per queue. */
static struct nl_msg *bind_request(int family, const struct devmem_nl_bind_req *req)
{
	struct nl_msg *msg;
	struct nlattr *q;
	size_t i;

	msg = devmem_nl_request(family, NETDEV_CMD_BIND_RX, NETDEV_FAMILY_VERSION, 0);
	if (!msg)
		return NULL;
	if (nla_put_u32(msg, NETDEV_A_DMABUF_IFINDEX, req->ifindex) < 0 ||
	    nla_put_u32(msg, NETDEV_A_DMABUF_FD, req->dmabuf_fd) < 0)
		goto err_free;
	for (i = 0; i < req->nqueues; i++) {
		q = nla_nest_start(msg, NETDEV_A_DMABUF_QUEUES | NLA_F_NESTED);
		if (!q ||
		    nla_put_u32(msg, NETDEV_A_QUEUE_ID, req->queues[i]) < 0 ||
		    nla_put_u32(msg, NETDEV_A_QUEUE_TYPE, NETDEV_QUEUE_TYPE_RX) < 0)
			goto err_free;
		nla_nest_end(msg, q);
	}
	return msg;

err_free:
	nlmsg_free(msg);
	return NULL;
}

int devmem_bind_rx(int ifindex, int dmabuf_fd, const unsigned int *queues,
		   size_t nqueues, struct devmem_binding **out, struct devmem_err *err)
{
	if (!nqueues)
		return devmem_err_set(err, EINVAL, "no RX queue to bind");
	return devmem_bind_rx_unchecked(ifindex, dmabuf_fd, queues, nqueues, out,
					err);
}

int devmem_bind_rx_unchecked(int ifindex, int dmabuf_fd,
			     const unsigned int *queues, size_t nqueues,
			     struct devmem_binding **out, struct devmem_err *err)
{
	const struct devmem_nl_bind_req req = {
		.ifindex = ifindex, .dmabuf_fd = dmabuf_fd,
		.queues = queues, .nqueues = nqueues,
	};

	return devmem_nl_bind(NETDEV_FAMILY_NAME, bind_request,
			      parse_binding_id, NETDEV_A_DMABUF_MAX, &req,
			      out, err);
}

uint32_t devmem_binding_id(const struct devmem_binding *b)
{
	return b->id;
}

void devmem_unbind(struct devmem_binding *b)
{
	if (!b)
		return;
	nl_socket_free(b->sk);
	free(b);
}

struct pool_walk {
	int ifindex;
	int (*cb)(const struct devmem_page_pool *pp, void *arg);
	void *arg;
	int cb_ret;
};

static int parse_pool(struct nlattr **tb, void *arg)
{
	struct pool_walk *w = arg;
	struct devmem_page_pool pp = { 0 };
	uint64_t id, napi_id = 0;

	if (!tb[NETDEV_A_PAGE_POOL_ID] || devmem_nl_uint(tb[NETDEV_A_PAGE_POOL_ID], &id) ||
	    devmem_nl_opt_u32(tb[NETDEV_A_PAGE_POOL_IFINDEX], &pp.ifindex) ||
	    devmem_nl_opt_uint(tb[NETDEV_A_PAGE_POOL_NAPI_ID], &napi_id) ||
	    devmem_nl_opt_u32(tb[NETDEV_A_PAGE_POOL_DMABUF], &pp.dmabuf) ||
	    devmem_nl_opt_uint(tb[NETDEV_A_PAGE_POOL_INFLIGHT], &pp.inflight) ||
	    devmem_nl_opt_uint(tb[NETDEV_A_PAGE_POOL_INFLIGHT_MEM], &pp.inflight_mem) ||
	    devmem_nl_opt_uint(tb[NETDEV_A_PAGE_POOL_DETACH_TIME], &pp.detach_time))
		return -EBADMSG;
	pp.id = id;
	pp.napi_id = napi_id;

	if (w->ifindex && pp.ifindex != (uint32_t)w->ifindex)
		return 0;
	w->cb_ret = w->cb(&pp, w->arg);
	return w->cb_ret ? 1 : 0;	/* > 0: the caller has seen enough */
}

/* Run one netdev-family dump, @fill adding the request's attributes. */
static int netdev_dump(uint8_t cmd, int maxattr,
		       int (*fill)(struct nl_msg *msg, int ifindex), int ifindex,
		       int (*parse)(struct nlattr **tb, void *arg), void *arg,
		       struct devmem_err *st)
{
	struct devmem_nl_call ex = {
		.parse = parse, .arg = arg, .maxattr = maxattr, .st = st,
	};
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	ret = devmem_nl_open(NETDEV_FAMILY_NAME, &sk, &family, st);
	if (ret)
		return ret;
	msg = devmem_nl_request(family, cmd, NETDEV_FAMILY_VERSION, NLM_F_DUMP);
	if (!msg || (fill && fill(msg, ifindex) < 0)) {
		nlmsg_free(msg);
		ret = devmem_err_set(st, ENOMEM, NULL);
	} else {
		ret = devmem_nl_exchange(sk, msg, &ex);
	}
	nl_socket_free(sk);
	return ret;
}

int devmem_page_pools(int ifindex,
		      int (*cb)(const struct devmem_page_pool *pp, void *arg),
		      void *arg, struct devmem_err *err)
{
	struct pool_walk w = { .ifindex = ifindex, .cb = cb, .arg = arg };
	int ret;

	if (ifindex < 0)
		return devmem_err_set(err, EINVAL, "ifindex %d", ifindex);
	/* the 6.12 page-pool dump has no filter: parse_pool() does it */
	ret = netdev_dump(NETDEV_CMD_PAGE_POOL_GET, NETDEV_A_PAGE_POOL_MAX,
			  NULL, 0, parse_pool, &w, err);
	return ret ? ret : w.cb_ret;
}

struct qstats_walk {
	int (*cb)(const struct devmem_rx_qstats *qs, void *arg);
	void *arg;
	int cb_ret;
};

static int parse_qstats(struct nlattr **tb, void *arg)
{
	struct qstats_walk *w = arg;
	struct devmem_rx_qstats qs = { 0 };
	uint64_t v;

	if (!tb[NETDEV_A_QSTATS_QUEUE_TYPE] || !tb[NETDEV_A_QSTATS_QUEUE_ID] ||
	    devmem_nl_uint(tb[NETDEV_A_QSTATS_QUEUE_TYPE], &v))
		return -EBADMSG;
	if (v != NETDEV_QUEUE_TYPE_RX)
		return 0;
	if (devmem_nl_u32(tb[NETDEV_A_QSTATS_QUEUE_ID], &qs.queue) ||
	    devmem_nl_opt_u32(tb[NETDEV_A_QSTATS_IFINDEX], &qs.ifindex) ||
	    devmem_nl_opt_uint(tb[NETDEV_A_QSTATS_RX_PACKETS], &qs.packets) ||
	    devmem_nl_opt_uint(tb[NETDEV_A_QSTATS_RX_BYTES], &qs.bytes) ||
	    devmem_nl_opt_uint(tb[NETDEV_A_QSTATS_RX_ALLOC_FAIL], &qs.alloc_fail))
		return -EBADMSG;
	w->cb_ret = w->cb(&qs, w->arg);
	return w->cb_ret ? 1 : 0;	/* > 0: the caller has seen enough */
}

static int fill_qstats(struct nl_msg *msg, int ifindex)
{
	if (nla_put_u32(msg, NETDEV_A_QSTATS_IFINDEX, ifindex) < 0 ||
	    nla_put_u32(msg, NETDEV_A_QSTATS_SCOPE, NETDEV_QSTATS_SCOPE_QUEUE) < 0)
		return -1;
	return 0;
}

int devmem_rx_qstats(int ifindex,
		     int (*cb)(const struct devmem_rx_qstats *qs, void *arg),
		     void *arg, struct devmem_err *err)
{
	struct qstats_walk w = { .cb = cb, .arg = arg };
	int ret;

	if (ifindex <= 0)
		return devmem_err_set(err, EINVAL, "ifindex %d", ifindex);
	ret = netdev_dump(NETDEV_CMD_QSTATS_GET, NETDEV_A_QSTATS_MAX,
			  fill_qstats, ifindex, parse_qstats, &w, err);
	return ret ? ret : w.cb_ret;
}

