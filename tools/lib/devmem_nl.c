// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem_nl: generic netlink requests for device-memory TCP, on libnl-genl-3.
 * See devmem_nl.h for the API.
 *
 * Every request goes through exchange(): send one message, then read until
 * the kernel's ACK, error or end of dump, handing each reply to a parser.
 * libnl reports errors as its own NLE_* codes and drops the extended ack,
 * so we install our own error and end-of-dump handlers, decode the status
 * with dm_nl_status() and keep the kernel's errno and message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/dmabuf_pp.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netdev.h>
#include <linux/netlink.h>

#include "devmem_nl.h"
#include "devmem_nl_ack.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Large enough for the attribute table of every reply we parse. */
#define TB_MAX 32
_Static_assert(CTRL_ATTR_MAX <= TB_MAX, "TB_MAX too small");
_Static_assert(ETHTOOL_A_RINGS_MAX <= TB_MAX, "TB_MAX too small");
_Static_assert(NETDEV_A_DMABUF_MAX <= TB_MAX, "TB_MAX too small");
_Static_assert(NETDEV_A_PAGE_POOL_MAX <= TB_MAX, "TB_MAX too small");
_Static_assert(DMABUF_PP_A_BINDING_MAX <= TB_MAX, "TB_MAX too small");

struct dm_binding {
	struct nl_sock *sk;	/* the binding lives as long as this socket */
	uint32_t id;
	uint32_t buf_size;	/* dmabuf-pp family binds only, else 0 */
};

/*
 * One request in flight. @parse sees the attributes of each reply message
 * and returns 0 to go on, > 0 to ignore the rest, < 0 (-errno) when the
 * reply is unusable; either way we keep reading to the end of the
 * exchange so the socket is left clean.
 */
struct exchange {
	int (*parse)(struct nlattr **tb, void *arg);
	struct nlmsghdr *nlh;	/* the message @parse is looking at */
	void *arg;
	int maxattr;
	int parse_ret;
	bool done;
	unsigned int seen;	/* messages read, to notice a silent socket */
	struct dm_err *st;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct dm_err *st, int code, const char *fmt, ...)
{
	va_list ap;

	st->code = code;
	st->msg[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

static void clear(struct dm_err *st)
{
	st->code = 0;
	st->msg[0] = '\0';
}

/* libnl's own failures (no kernel status involved) as the nearest errno. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_INTR:		return EINTR;
	case NLE_BAD_SOCK:	return EBADF;
	case NLE_AGAIN:		return EAGAIN;
	case NLE_NOMEM:		return ENOMEM;
	case NLE_EXIST:		return EEXIST;
	case NLE_INVAL:		return EINVAL;
	case NLE_RANGE:		return ERANGE;
	case NLE_MSGSIZE:	return EMSGSIZE;
	case NLE_OPNOTSUPP:	return EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return ENOENT;
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:	return EBADMSG;
	case NLE_SEQ_MISMATCH:	return EPROTO;
	case NLE_MSG_OVERFLOW:	return ENOBUFS;
	case NLE_BUSY:		return EBUSY;
	case NLE_NOACCESS:	return EACCES;
	case NLE_PERM:		return EPERM;
	case NLE_NODEV:		return ENODEV;
	case NLE_DUMP_INTR:	return EAGAIN;
	default:		return EIO;
	}
}

/* Attribute readers: with no libnl policy, lengths are checked here. */
static int attr_u8(const struct nlattr *a, uint8_t *v)
{
	if (nla_len(a) < (int)sizeof(*v))
		return -EBADMSG;
	*v = nla_get_u8((struct nlattr *)a);
	return 0;
}

static int attr_u16(const struct nlattr *a, uint16_t *v)
{
	if (nla_len(a) < (int)sizeof(*v))
		return -EBADMSG;
	*v = nla_get_u16((struct nlattr *)a);
	return 0;
}

static int attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (nla_len(a) < (int)sizeof(*v))
		return -EBADMSG;
	*v = nla_get_u32((struct nlattr *)a);
	return 0;
}

/* "uint" attributes are sent as 4 bytes when the value fits, else 8. */
static int attr_uint(const struct nlattr *a, uint64_t *v)
{
	uint32_t v32;

	if (nla_len(a) == sizeof(uint64_t)) {
		*v = nla_get_u64((struct nlattr *)a);
		return 0;
	}
	if (attr_u32(a, &v32))
		return -EBADMSG;
	*v = v32;
	return 0;
}

static int on_msg_in(struct nl_msg *msg, void *arg)
{
	struct exchange *ex = arg;

	(void)msg;
	ex->seen++;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exchange *ex = arg;
	struct nlattr *tb[TB_MAX + 1];

	if (!ex->parse || ex->parse_ret)
		return NL_OK;
	ex->nlh = nlmsg_hdr(msg);
	if (genlmsg_parse(ex->nlh, 0, tb, ex->maxattr, NULL) < 0)
		ex->parse_ret = -EBADMSG;
	else
		ex->parse_ret = ex->parse(tb, ex->arg);
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exchange *ex = arg;

	(void)msg;
	ex->done = true;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump and carries the dump's own errno and extack. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct exchange *ex = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	dm_nl_status(nlh, nlh->nlmsg_len, ex->st);
	ex->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct exchange *ex = arg;
	/*
	 * libnl hands us nlmsg_data() of the received NLMSG_ERROR, whose
	 * length it has already checked against what was read: step back
	 * to the header to reach the extack TLVs behind struct nlmsgerr.
	 */
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);

	(void)nla;
	dm_nl_status(nlh, nlh->nlmsg_len, ex->st);
	if (!ex->st->code)	/* cannot happen: libnl calls us for error != 0 */
		fail(ex->st, EPROTO, "netlink error without an errno");
	ex->done = true;
	return NL_STOP;
}

static struct nl_cb *exchange_cb(struct exchange *ex)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, ex);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, ex);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, ex);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, ex);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, ex);
	return cb;
}

/*
 * Send @msg (consumed) and read until the kernel's ACK, error or end of
 * dump. Returns 0 or -errno with ex->st filled; a parser's -errno counts as
 * a failure, its > 0 "ignore the rest" does not.
 */
static int exchange(struct nl_sock *sk, struct nl_msg *msg, struct exchange *ex)
{
	struct nl_cb *cb;
	int ret;

	clear(ex->st);
	cb = exchange_cb(ex);
	if (!cb) {
		nlmsg_free(msg);
		return fail(ex->st, ENOMEM, NULL);
	}
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		fail(ex->st, nle_errno(ret), "sending netlink request: %s",
		     nl_geterror(ret));
		goto out;
	}
	while (!ex->done) {
		unsigned int seen = ex->seen;

		ret = nl_recvmsgs(sk, cb);
		if (ex->done)
			break;
		if (ret < 0) {
			fail(ex->st, nle_errno(ret), "reading netlink reply: %s",
			     nl_geterror(ret));
			break;
		}
		if (ex->seen == seen) {
			fail(ex->st, EIO, "netlink socket returned no reply");
			break;
		}
	}
out:
	nl_cb_put(cb);
	if (ex->st->code)
		return -ex->st->code;
	if (ex->parse_ret < 0)
		return fail(ex->st, -ex->parse_ret, ex->parse_ret == -EBADMSG ?
			    "malformed netlink reply" : NULL);
	return 0;
}

/*
 * A request message for @family; NULL when out of memory. Nests we add carry
 * NLA_F_NESTED by hand: ethtool and netdev validate strictly and reject a
 * nest without it, and only newer libnl sets it in nla_nest_start().
 */
static struct nl_msg *request(int family, uint8_t cmd, uint8_t version,
			      int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				flags, cmd, version)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int parse_family_id(struct nlattr **tb, void *arg)
{
	uint16_t id;

	if (!tb[CTRL_ATTR_FAMILY_ID] || attr_u16(tb[CTRL_ATTR_FAMILY_ID], &id))
		return -EBADMSG;
	*(int *)arg = id;
	return 0;
}

/* Look @name up with the generic netlink controller, on @sk. */
static int resolve_family(struct nl_sock *sk, const char *name, int *family,
			  struct dm_err *st)
{
	struct exchange ex = {
		.parse = parse_family_id, .arg = family,
		.maxattr = CTRL_ATTR_MAX, .st = st,
	};
	struct nl_msg *msg;
	int ret;

	msg = request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	if (!msg)
		return fail(st, ENOMEM, NULL);
	if (nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name) < 0) {
		nlmsg_free(msg);
		return fail(st, EMSGSIZE, NULL);
	}
	ret = exchange(sk, msg, &ex);
	/* A missing family means a kernel built without the feature. */
	if (ret == -ENOENT)
		return fail(st, EOPNOTSUPP,
			    "kernel has no \"%s\" generic netlink family", name);
	return ret;
}

/*
 * A connected generic netlink socket with extended acks on, and the id of
 * @name. Extended and capped acks are best effort: without them we still
 * get the errno, only the text (or some bytes) is lost.
 */
static int nl_open(const char *name, struct nl_sock **out, int *family,
		   struct dm_err *st)
{
	struct nl_sock *sk;
	int one = 1, fd, ret;

	sk = nl_socket_alloc();
	if (!sk)
		return fail(st, ENOMEM, NULL);
	ret = nl_connect(sk, NETLINK_GENERIC);
	if (ret < 0) {
		ret = fail(st, nle_errno(ret), "netlink socket: %s",
			   nl_geterror(ret));
		goto err_free;
	}
	fd = nl_socket_get_fd(sk);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Size each read to the message instead of a fixed page. */
	nl_socket_enable_msg_peek(sk);

	ret = resolve_family(sk, name, family, st);
	if (ret)
		goto err_free;
	*out = sk;
	return 0;

err_free:
	nl_socket_free(sk);	/* closes the socket too */
	return ret;
}

int dm_ifindex(const char *name_or_index)
{
	char name[IF_NAMESIZE];
	unsigned long idx;
	char *end;

	if (*name_or_index >= '0' && *name_or_index <= '9') {
		errno = 0;
		idx = strtoul(name_or_index, &end, 10);
		if (errno || *end || !idx || idx > 0x7fffffff ||
		    !if_indextoname(idx, name))
			return -ENODEV;
		return (int)idx;
	}
	idx = if_nametoindex(name_or_index);
	return idx ? (int)idx : -ENODEV;
}

/* An ethtool request naming the device by index; NULL when out of memory. */
static struct nl_msg *ethtool_request(int family, uint8_t cmd, int ifindex)
{
	struct nl_msg *msg = request(family, cmd, ETHTOOL_GENL_VERSION, 0);
	struct nlattr *hdr;

	if (!msg)
		return NULL;
	hdr = nla_nest_start(msg, ETHTOOL_A_RINGS_HEADER | NLA_F_NESTED);
	if (!hdr || nla_put_u32(msg, ETHTOOL_A_HEADER_DEV_INDEX, ifindex) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	nla_nest_end(msg, hdr);
	return msg;
}

int dm_hds_set(int ifindex, enum dm_hds mode, struct dm_err *err)
{
	struct dm_err scratch, *st = err ? err : &scratch;
	struct exchange ex = { .st = st };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	if (mode != DM_HDS_AUTO && mode != DM_HDS_OFF && mode != DM_HDS_ON)
		return fail(st, EINVAL, "tcp-data-split mode %d unknown", mode);
	ret = nl_open(ETHTOOL_GENL_NAME, &sk, &family, st);
	if (ret)
		return ret;
	msg = ethtool_request(family, ETHTOOL_MSG_RINGS_SET, ifindex);
	if (!msg || nla_put_u8(msg, ETHTOOL_A_RINGS_TCP_DATA_SPLIT, mode) < 0) {
		nlmsg_free(msg);
		ret = fail(st, ENOMEM, NULL);
		goto out;
	}
	ret = exchange(sk, msg, &ex);
out:
	nl_socket_free(sk);
	return ret;
}

static int parse_hds(struct nlattr **tb, void *arg)
{
	struct nlattr *a = tb[ETHTOOL_A_RINGS_TCP_DATA_SPLIT];
	uint8_t v;

	if (!a)
		return -EOPNOTSUPP;
	if (attr_u8(a, &v) || v > DM_HDS_ON)
		return -EBADMSG;
	*(enum dm_hds *)arg = v;
	return 0;
}

int dm_hds_get(int ifindex, enum dm_hds *mode, struct dm_err *err)
{
	struct dm_err scratch, *st = err ? err : &scratch;
	enum dm_hds got = DM_HDS_AUTO;
	struct exchange ex = {
		.parse = parse_hds, .arg = &got,
		.maxattr = ETHTOOL_A_RINGS_MAX, .st = st,
	};
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	ret = nl_open(ETHTOOL_GENL_NAME, &sk, &family, st);
	if (ret)
		return ret;
	msg = ethtool_request(family, ETHTOOL_MSG_RINGS_GET, ifindex);
	if (!msg) {
		ret = fail(st, ENOMEM, NULL);
		goto out;
	}
	ret = exchange(sk, msg, &ex);
	if (ret == -EOPNOTSUPP && !st->msg[0])
		fail(st, EOPNOTSUPP, "device reports no tcp-data-split mode");
	else if (!ret)
		*mode = got;
out:
	nl_socket_free(sk);
	return ret;
}

static int parse_binding_id(struct nlattr **tb, void *arg)
{
	struct dm_binding *b = arg;

	if (!tb[NETDEV_A_DMABUF_ID])
		return -EBADMSG;
	return attr_u32(tb[NETDEV_A_DMABUF_ID], &b->id);
}

/* What a bind request carries, in either family. */
struct bind_req {
	int ifindex;
	int dmabuf_fd;
	const unsigned int *queues;
	size_t nqueues;
	uint32_t buf_size;	/* dmabuf-pp family only; 0 leaves it out */
};

/* NETDEV_CMD_BIND_RX with one NETDEV_A_DMABUF_QUEUES nest per queue. */
static struct nl_msg *bind_request(int family, const struct bind_req *req)
{
	struct nl_msg *msg;
	struct nlattr *q;
	size_t i;

	msg = request(family, NETDEV_CMD_BIND_RX, NETDEV_FAMILY_VERSION, 0);
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

int dm_bind_rx(int ifindex, int dmabuf_fd, const unsigned int *queues,
	       size_t nqueues, struct dm_binding **out, struct dm_err *err)
{
	if (!nqueues) {
		struct dm_err scratch;

		return fail(err ? err : &scratch, EINVAL, "no RX queue to bind");
	}
	return dm_bind_rx_unchecked(ifindex, dmabuf_fd, queues, nqueues, out,
				    err);
}

/*
 * Bind over a socket of @family_name that becomes the binding's handle:
 * @build makes the request, @parse reads the reply into the handle.
 */
static int bind_on_new_socket(const char *family_name,
			      struct nl_msg *(*build)(int family,
						      const struct bind_req *req),
			      int (*parse)(struct nlattr **tb, void *arg),
			      int maxattr, const struct bind_req *req,
			      struct dm_binding **out, struct dm_err *err)
{
	struct dm_err scratch, *st = err ? err : &scratch;
	struct exchange ex = { .parse = parse, .maxattr = maxattr, .st = st };
	struct dm_binding *b;
	struct nl_msg *msg;
	int family, ret;

	b = calloc(1, sizeof(*b));
	if (!b)
		return fail(st, ENOMEM, NULL);
	ret = nl_open(family_name, &b->sk, &family, st);
	if (ret)
		goto err_free;
	msg = build(family, req);
	if (!msg) {
		ret = fail(st, EMSGSIZE, "too many queues for one request");
		goto err_close;
	}
	ex.arg = b;
	ret = exchange(b->sk, msg, &ex);
	if (ret)
		goto err_close;
	*out = b;
	return 0;

err_close:
	nl_socket_free(b->sk);
err_free:
	free(b);
	return ret;
}

int dm_bind_rx_unchecked(int ifindex, int dmabuf_fd,
			 const unsigned int *queues, size_t nqueues,
			 struct dm_binding **out, struct dm_err *err)
{
	const struct bind_req req = {
		.ifindex = ifindex, .dmabuf_fd = dmabuf_fd,
		.queues = queues, .nqueues = nqueues,
	};

	return bind_on_new_socket(NETDEV_FAMILY_NAME, bind_request,
				  parse_binding_id, NETDEV_A_DMABUF_MAX, &req,
				  out, err);
}

uint32_t dm_binding_id(const struct dm_binding *b)
{
	return b->id;
}

void dm_unbind(struct dm_binding *b)
{
	if (!b)
		return;
	nl_socket_free(b->sk);
	free(b);
}

struct pool_walk {
	int ifindex;
	int (*cb)(const struct dm_page_pool *pp, void *arg);
	void *arg;
	int cb_ret;
};

static int parse_pool(struct nlattr **tb, void *arg)
{
	struct pool_walk *w = arg;
	struct dm_page_pool pp = { 0 };
	uint64_t v;

	if (!tb[NETDEV_A_PAGE_POOL_ID] ||
	    attr_uint(tb[NETDEV_A_PAGE_POOL_ID], &v))
		return -EBADMSG;
	pp.id = v;
	if (tb[NETDEV_A_PAGE_POOL_IFINDEX] &&
	    attr_u32(tb[NETDEV_A_PAGE_POOL_IFINDEX], &pp.ifindex))
		return -EBADMSG;
	if (tb[NETDEV_A_PAGE_POOL_NAPI_ID]) {
		if (attr_uint(tb[NETDEV_A_PAGE_POOL_NAPI_ID], &v))
			return -EBADMSG;
		pp.napi_id = v;
	}
	if (tb[NETDEV_A_PAGE_POOL_DMABUF] &&
	    attr_u32(tb[NETDEV_A_PAGE_POOL_DMABUF], &pp.dmabuf))
		return -EBADMSG;
	if ((tb[NETDEV_A_PAGE_POOL_INFLIGHT] &&
	     attr_uint(tb[NETDEV_A_PAGE_POOL_INFLIGHT], &pp.inflight)) ||
	    (tb[NETDEV_A_PAGE_POOL_INFLIGHT_MEM] &&
	     attr_uint(tb[NETDEV_A_PAGE_POOL_INFLIGHT_MEM], &pp.inflight_mem)) ||
	    (tb[NETDEV_A_PAGE_POOL_DETACH_TIME] &&
	     attr_uint(tb[NETDEV_A_PAGE_POOL_DETACH_TIME], &pp.detach_time)))
		return -EBADMSG;

	if (w->ifindex && pp.ifindex != (uint32_t)w->ifindex)
		return 0;
	w->cb_ret = w->cb(&pp, w->arg);
	return w->cb_ret ? 1 : 0;	/* > 0: the caller has seen enough */
}

/* Run one netdev-family dump, @fill adding the request's attributes. */
static int netdev_dump(uint8_t cmd, int maxattr,
		       int (*fill)(struct nl_msg *msg, int ifindex), int ifindex,
		       int (*parse)(struct nlattr **tb, void *arg), void *arg,
		       struct dm_err *st)
{
	struct exchange ex = {
		.parse = parse, .arg = arg, .maxattr = maxattr, .st = st,
	};
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	ret = nl_open(NETDEV_FAMILY_NAME, &sk, &family, st);
	if (ret)
		return ret;
	msg = request(family, cmd, NETDEV_FAMILY_VERSION, NLM_F_DUMP);
	if (!msg || (fill && fill(msg, ifindex) < 0)) {
		nlmsg_free(msg);
		ret = fail(st, ENOMEM, NULL);
	} else {
		ret = exchange(sk, msg, &ex);
	}
	nl_socket_free(sk);
	return ret;
}

int dm_page_pools(int ifindex,
		  int (*cb)(const struct dm_page_pool *pp, void *arg),
		  void *arg, struct dm_err *err)
{
	struct dm_err scratch, *st = err ? err : &scratch;
	struct pool_walk w = { .ifindex = ifindex, .cb = cb, .arg = arg };
	int ret;

	if (ifindex < 0)
		return fail(st, EINVAL, "ifindex %d", ifindex);
	/* the 6.12 page-pool dump has no filter: parse_pool() does it */
	ret = netdev_dump(NETDEV_CMD_PAGE_POOL_GET, NETDEV_A_PAGE_POOL_MAX,
			  NULL, 0, parse_pool, &w, st);
	return ret ? ret : w.cb_ret;
}

struct qstats_walk {
	int (*cb)(const struct dm_rx_qstats *qs, void *arg);
	void *arg;
	int cb_ret;
};

static int parse_qstats(struct nlattr **tb, void *arg)
{
	struct qstats_walk *w = arg;
	struct dm_rx_qstats qs = { 0 };
	uint64_t v;

	if (!tb[NETDEV_A_QSTATS_QUEUE_TYPE] || !tb[NETDEV_A_QSTATS_QUEUE_ID] ||
	    attr_uint(tb[NETDEV_A_QSTATS_QUEUE_TYPE], &v))
		return -EBADMSG;
	if (v != NETDEV_QUEUE_TYPE_RX)
		return 0;
	if (attr_u32(tb[NETDEV_A_QSTATS_QUEUE_ID], &qs.queue) ||
	    (tb[NETDEV_A_QSTATS_IFINDEX] &&
	     attr_u32(tb[NETDEV_A_QSTATS_IFINDEX], &qs.ifindex)) ||
	    (tb[NETDEV_A_QSTATS_RX_PACKETS] &&
	     attr_uint(tb[NETDEV_A_QSTATS_RX_PACKETS], &qs.packets)) ||
	    (tb[NETDEV_A_QSTATS_RX_BYTES] &&
	     attr_uint(tb[NETDEV_A_QSTATS_RX_BYTES], &qs.bytes)) ||
	    (tb[NETDEV_A_QSTATS_RX_ALLOC_FAIL] &&
	     attr_uint(tb[NETDEV_A_QSTATS_RX_ALLOC_FAIL], &qs.alloc_fail)))
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

int dm_rx_qstats(int ifindex,
		 int (*cb)(const struct dm_rx_qstats *qs, void *arg),
		 void *arg, struct dm_err *err)
{
	struct dm_err scratch, *st = err ? err : &scratch;
	struct qstats_walk w = { .cb = cb, .arg = arg };
	int ret;

	if (ifindex <= 0)
		return fail(st, EINVAL, "ifindex %d", ifindex);
	ret = netdev_dump(NETDEV_CMD_QSTATS_GET, NETDEV_A_QSTATS_MAX,
			  fill_qstats, ifindex, parse_qstats, &w, st);
	return ret ? ret : w.cb_ret;
}

/* --- the dmabuf-pp family (ours; absent from stock kernels) ---------------- */

struct pp_walk {
	struct exchange *ex;	/* for the multi-attr queues of each message */
	int (*cb)(const struct dm_pp_binding *b, void *arg);
	void *arg;
	int cb_ret;
};

static int parse_pp_binding(struct nlattr **tb, void *arg)
{
	struct pp_walk *w = arg;
	struct dm_pp_binding b = { 0 };
	struct nlattr *a;
	int rem;

	if (!tb[DMABUF_PP_A_BINDING_ID] ||
	    attr_u32(tb[DMABUF_PP_A_BINDING_ID], &b.id))
		return -EBADMSG;
	if ((tb[DMABUF_PP_A_BINDING_IFINDEX] &&
	     attr_u32(tb[DMABUF_PP_A_BINDING_IFINDEX], &b.ifindex)) ||
	    (tb[DMABUF_PP_A_BINDING_BUF_SIZE] &&
	     attr_u32(tb[DMABUF_PP_A_BINDING_BUF_SIZE], &b.buf_size)) ||
	    (tb[DMABUF_PP_A_BINDING_NETNS_COOKIE] &&
	     attr_uint(tb[DMABUF_PP_A_BINDING_NETNS_COOKIE], &b.netns_cookie)) ||
	    (tb[DMABUF_PP_A_BINDING_DMABUF_SIZE] &&
	     attr_uint(tb[DMABUF_PP_A_BINDING_DMABUF_SIZE], &b.dmabuf_size)) ||
	    (tb[DMABUF_PP_A_BINDING_BUFFERS] &&
	     attr_uint(tb[DMABUF_PP_A_BINDING_BUFFERS], &b.buffers)) ||
	    (tb[DMABUF_PP_A_BINDING_BUFFERS_FREE] &&
	     attr_uint(tb[DMABUF_PP_A_BINDING_BUFFERS_FREE], &b.buffers_free)) ||
	    (tb[DMABUF_PP_A_BINDING_BUFFERS_USER] &&
	     attr_uint(tb[DMABUF_PP_A_BINDING_BUFFERS_USER], &b.buffers_user)) ||
	    (tb[DMABUF_PP_A_BINDING_RX_BYTES] &&
	     attr_uint(tb[DMABUF_PP_A_BINDING_RX_BYTES], &b.rx_bytes)))
		return -EBADMSG;
	/* queues repeat: walk the message, not the parsed table */
	nlmsg_for_each_attr(a, w->ex->nlh, GENL_HDRLEN, rem) {
		if (nla_type(a) != DMABUF_PP_A_BINDING_QUEUES)
			continue;
		if (b.nqueues == DM_PP_MAX_QUEUES ||
		    attr_u32(a, &b.queues[b.nqueues]))
			return -EBADMSG;
		b.nqueues++;
	}
	w->cb_ret = w->cb(&b, w->arg);
	return w->cb_ret ? 1 : 0;
}

static int parse_pp_bind_reply(struct nlattr **tb, void *arg)
{
	struct dm_binding *b = arg;

	if (!tb[DMABUF_PP_A_BINDING_ID] || !tb[DMABUF_PP_A_BINDING_BUF_SIZE] ||
	    attr_u32(tb[DMABUF_PP_A_BINDING_ID], &b->id) ||
	    attr_u32(tb[DMABUF_PP_A_BINDING_BUF_SIZE], &b->buf_size))
		return -EBADMSG;
	return 0;
}

/* DMABUF_PP_CMD_BIND: queues are plain u32 attributes, one each. */
static struct nl_msg *pp_bind_request(int family, const struct bind_req *req)
{
	struct nl_msg *msg;
	size_t i;

	msg = request(family, DMABUF_PP_CMD_BIND, DMABUF_PP_FAMILY_VERSION, 0);
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

int dm_pp_bind(int ifindex, int dmabuf_fd, const unsigned int *queues,
	       size_t nqueues, uint32_t buf_size, struct dm_binding **out,
	       struct dm_err *err)
{
	const struct bind_req req = {
		.ifindex = ifindex, .dmabuf_fd = dmabuf_fd,
		.queues = queues, .nqueues = nqueues, .buf_size = buf_size,
	};

	return bind_on_new_socket(DMABUF_PP_FAMILY_NAME, pp_bind_request,
				  parse_pp_bind_reply, DMABUF_PP_A_BINDING_MAX,
				  &req, out, err);
}

uint32_t dm_binding_buf_size(const struct dm_binding *b)
{
	return b->buf_size;
}

int dm_pp_bindings(uint32_t id,
		   int (*cb)(const struct dm_pp_binding *b, void *arg),
		   void *arg, struct dm_err *err)
{
	struct dm_err scratch, *st = err ? err : &scratch;
	struct exchange ex = { .maxattr = DMABUF_PP_A_BINDING_MAX, .st = st };
	struct pp_walk w = { .ex = &ex, .cb = cb, .arg = arg };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	ret = nl_open(DMABUF_PP_FAMILY_NAME, &sk, &family, st);
	if (ret)
		return ret;
	msg = request(family, DMABUF_PP_CMD_GET, DMABUF_PP_FAMILY_VERSION,
		      id ? 0 : NLM_F_DUMP);
	if (!msg || (id && nla_put_u32(msg, DMABUF_PP_A_BINDING_ID, id) < 0)) {
		nlmsg_free(msg);
		ret = fail(st, ENOMEM, NULL);
	} else {
		ex.parse = parse_pp_binding;
		ex.arg = &w;
		ret = exchange(sk, msg, &ex);
	}
	nl_socket_free(sk);
	return ret ? ret : w.cb_ret;
}

struct dm_pp_watch {
	struct nl_sock *sk;
	struct exchange ex;
	struct pp_walk w;
	struct dm_pp_binding last;
	bool got;
};

static int watch_take(const struct dm_pp_binding *b, void *arg)
{
	struct dm_pp_watch *wt = arg;

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

int dm_pp_watch_open(struct dm_pp_watch **out, struct dm_err *err)
{
	struct dm_err scratch, *st = err ? err : &scratch;
	struct dm_pp_watch *wt;
	int family, grp, ret;

	wt = calloc(1, sizeof(*wt));
	if (!wt)
		return fail(st, ENOMEM, NULL);
	ret = nl_open(DMABUF_PP_FAMILY_NAME, &wt->sk, &family, st);
	if (ret)
		goto err_free;
	grp = genl_ctrl_resolve_grp(wt->sk, DMABUF_PP_FAMILY_NAME,
				    DMABUF_PP_MCGRP_MGMT);
	if (grp < 0 || nl_socket_add_membership(wt->sk, grp) < 0) {
		ret = fail(st, grp < 0 ? nle_errno(grp) : EPROTO,
			   "joining the \"%s\" group", DMABUF_PP_MCGRP_MGMT);
		goto err_close;
	}
	wt->w = (struct pp_walk){ .ex = &wt->ex, .cb = watch_take, .arg = wt };
	wt->ex = (struct exchange){
		.parse = parse_pp_binding, .arg = &wt->w,
		.maxattr = DMABUF_PP_A_BINDING_MAX, .st = st,
	};
	*out = wt;
	return 0;

err_close:
	nl_socket_free(wt->sk);
err_free:
	free(wt);
	return ret;
}

int dm_pp_watch_next(struct dm_pp_watch *wt, int timeout_ms,
		     struct dm_pp_binding *b, struct dm_err *err)
{
	struct dm_err scratch, *st = err ? err : &scratch;
	struct pollfd pfd = { .fd = nl_socket_get_fd(wt->sk), .events = POLLIN };
	struct nl_cb *cb;
	int ret;

	clear(st);
	wt->ex.st = st;
	wt->ex.parse_ret = 0;
	wt->got = false;
	while (!wt->got) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0)
			return fail(st, errno, "poll");
		if (!ret)
			return fail(st, ETIMEDOUT, "no notification");
		cb = exchange_cb(&wt->ex);
		if (!cb)
			return fail(st, ENOMEM, NULL);
		/* notifications carry sequence number 0 */
		nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
		ret = nl_recvmsgs(wt->sk, cb);
		nl_cb_put(cb);
		if (ret < 0)
			return fail(st, nle_errno(ret), "reading notification: %s",
				    nl_geterror(ret));
		if (wt->ex.parse_ret < 0)
			return fail(st, EBADMSG, "malformed notification");
	}
	*b = wt->last;
	return 0;
}

void dm_pp_watch_close(struct dm_pp_watch *wt)
{
	if (!wt)
		return;
	nl_socket_free(wt->sk);
	free(wt);
}
