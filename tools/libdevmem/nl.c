// SPDX-License-Identifier: GPL-2.0-only
/*
 * libdevmem's generic netlink plumbing, on libnl-genl-3, shared by
 * ethtool.c, netdev.c and family.c (see nl.h).
 *
 * Every request goes through devmem_nl_exchange(): send one message, then read until
 * the kernel's ACK, error or end of dump, handing each reply to a parser.
 * libnl reports errors as its own NLE_* codes and drops the extended ack,
 * so we install our own error and end-of-dump handlers, decode the status
 * with devmem_nl_status() and keep the kernel's errno and message.
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

#include "nl.h"
#include "nl_status.h"

/* libnl's own failures (no kernel status involved) as the nearest errno. */
int devmem_nl_errno(int nle)
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
int devmem_nl_u8(const struct nlattr *a, uint8_t *v)
{
	if (nla_len(a) < (int)sizeof(*v))
		return -EBADMSG;
	*v = nla_get_u8((struct nlattr *)a);
	return 0;
}

int devmem_nl_u16(const struct nlattr *a, uint16_t *v)
{
	if (nla_len(a) < (int)sizeof(*v))
		return -EBADMSG;
	*v = nla_get_u16((struct nlattr *)a);
	return 0;
}

int devmem_nl_u32(const struct nlattr *a, uint32_t *v)
{
	if (nla_len(a) < (int)sizeof(*v))
		return -EBADMSG;
	*v = nla_get_u32((struct nlattr *)a);
	return 0;
}

/* "uint" attributes are sent as 4 bytes when the value fits, else 8. */
int devmem_nl_uint(const struct nlattr *a, uint64_t *v)
{
	uint32_t v32;

	if (nla_len(a) == sizeof(uint64_t)) {
		*v = nla_get_u64((struct nlattr *)a);
		return 0;
	}
	if (devmem_nl_u32(a, &v32))
		return -EBADMSG;
	*v = v32;
	return 0;
}

int devmem_nl_opt_u32(const struct nlattr *a, uint32_t *v)
{
	return a ? devmem_nl_u32(a, v) : 0;
}

int devmem_nl_opt_uint(const struct nlattr *a, uint64_t *v)
{
	return a ? devmem_nl_uint(a, v) : 0;
}

static int on_msg_in(struct nl_msg *msg, void *arg)
{
	struct devmem_nl_call *ex = arg;

	(void)msg;
	ex->seen++;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct devmem_nl_call *ex = arg;
	struct nlattr *tb[TB_MAX + 1];

	if (!ex->parse || ex->parse_ret)
		return NL_OK;
	ex->nlh = nlmsg_hdr(msg);
	if (ex->maxattr > TB_MAX)	/* a bug of ours: say so, do not overflow */
		ex->parse_ret = -EOVERFLOW;
	else if (genlmsg_parse(ex->nlh, 0, tb, ex->maxattr, NULL) < 0)
		ex->parse_ret = -EBADMSG;
	else
		ex->parse_ret = ex->parse(tb, ex->arg);
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct devmem_nl_call *ex = arg;

	(void)msg;
	ex->done = true;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump and carries the dump's own errno and extack. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct devmem_nl_call *ex = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	devmem_nl_status(nlh, nlh->nlmsg_len, ex->st);
	ex->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct devmem_nl_call *ex = arg;
	/*
	 * libnl hands us nlmsg_data() of the received NLMSG_ERROR, whose
	 * length it has already checked against what was read: step back
	 * to the header to reach the extack TLVs behind struct nlmsgerr.
	 */
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);

	(void)nla;
	devmem_nl_status(nlh, nlh->nlmsg_len, ex->st);
	if (!ex->st->code)	/* cannot happen: libnl calls us for error != 0 */
		devmem_err_set(ex->st, EPROTO, "netlink error without an errno");
	ex->done = true;
	return NL_STOP;
}

/*
 * Cloned from @sk's own callbacks, so that a socket connected to something
 * other than the kernel (devmem_nl_connect) keeps its way of reading.
 */
struct nl_cb *devmem_nl_exchange_cb(struct nl_sock *sk, struct devmem_nl_call *ex)
{
	struct nl_cb *sk_cb = nl_socket_get_cb(sk);	/* a reference of ours */
	struct nl_cb *cb = nl_cb_clone(sk_cb);

	nl_cb_put(sk_cb);
	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, ex);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, ex);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, ex);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, ex);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, ex);
	return cb;
}

/* devmem_nl_exchange() with a status to write to, as the callbacks need. */
static int nl_exchange(struct nl_sock *sk, struct nl_msg *msg,
		       struct devmem_nl_call *ex)
{
	struct nl_cb *cb;
	int ret;

	devmem_err_clear(ex->st);
	cb = devmem_nl_exchange_cb(sk, ex);
	if (!cb) {
		nlmsg_free(msg);
		return devmem_err_set(ex->st, ENOMEM, NULL);
	}
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		devmem_err_set(ex->st, devmem_nl_errno(ret), "sending netlink request: %s",
			       nl_geterror(ret));
		goto out;
	}
	while (!ex->done) {
		unsigned int seen = ex->seen;

		ret = nl_recvmsgs(sk, cb);
		if (ex->done)
			break;
		if (ret < 0) {
			devmem_err_set(ex->st, devmem_nl_errno(ret), "reading netlink reply: %s",
				       nl_geterror(ret));
			break;
		}
		if (ex->seen == seen) {
			devmem_err_set(ex->st, EIO, "netlink socket returned no reply");
			break;
		}
	}
out:
	nl_cb_put(cb);
	if (ex->st->code)
		return -ex->st->code;
	if (ex->parse_ret < 0)
		return devmem_err_set(ex->st, -ex->parse_ret, ex->parse_ret == -EBADMSG ?
				      "malformed netlink reply" : NULL);
	return 0;
}

/*
 * Send @msg (consumed) and read until the kernel's ACK, error or end of
 * dump. Returns 0 or -errno with ex->st filled, when the caller gave one; a
 * parser's -errno counts as a failure, its > 0 "ignore the rest" does not.
 */
int devmem_nl_exchange(struct nl_sock *sk, struct nl_msg *msg, struct devmem_nl_call *ex)
{
	struct devmem_err scratch;
	int ret;

	/* The callbacks and the result read the status back: one is needed */
	if (!ex->st)
		ex->st = &scratch;
	ret = nl_exchange(sk, msg, ex);
	if (ex->st == &scratch)
		ex->st = NULL;
	return ret;
}

/* Room for the largest request: bind-rx with DEVMEM_PP_MAX_QUEUES queues */
#define DEVMEM_NL_REQUEST_SIZE (128 * 1024)

/*
 * A request message for @family; NULL when out of memory. Nests we add carry
 * NLA_F_NESTED by hand: ethtool and netdev validate strictly and reject a
 * nest without it, and only newer libnl sets it in nla_nest_start().
 */
struct nl_msg *devmem_nl_request(int family, uint8_t cmd, uint8_t version,
				 int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(DEVMEM_NL_REQUEST_SIZE);

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

	if (!tb[CTRL_ATTR_FAMILY_ID] || devmem_nl_u16(tb[CTRL_ATTR_FAMILY_ID], &id))
		return -EBADMSG;
	*(int *)arg = id;
	return 0;
}

/* Look @name up with the generic netlink controller, on @sk. */
static int resolve_family(struct nl_sock *sk, const char *name, int *family,
			  struct devmem_err *st)
{
	struct devmem_nl_call ex = {
		.parse = parse_family_id, .arg = family,
		.maxattr = CTRL_ATTR_MAX, .st = st,
	};
	struct nl_msg *msg;
	int ret;

	msg = devmem_nl_request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	if (!msg)
		return devmem_err_set(st, ENOMEM, NULL);
	if (nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name) < 0) {
		nlmsg_free(msg);
		return devmem_err_set(st, EMSGSIZE, NULL);
	}
	ret = devmem_nl_exchange(sk, msg, &ex);
	/* A missing family means a kernel built without the feature. */
	if (ret == -ENOENT)
		return devmem_err_set(st, EOPNOTSUPP,
				      "kernel has no \"%s\" generic netlink family", name);
	return ret;
}

/*
 * Connect @sk to the kernel's generic netlink. Extended and capped acks are
 * best effort: without them we still get the errno, only the text (or some
 * bytes) is lost.
 */
static int connect_kernel(struct nl_sock *sk, struct devmem_err *st)
{
	int one = 1, fd, ret;

	ret = nl_connect(sk, NETLINK_GENERIC);
	if (ret < 0)
		return devmem_err_set(st, devmem_nl_errno(ret), "netlink socket: %s",
				      nl_geterror(ret));
	fd = nl_socket_get_fd(sk);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Size each read to the message instead of a fixed page. */
	nl_socket_enable_msg_peek(sk);
	return 0;
}

int (*devmem_nl_connect)(struct nl_sock *sk, struct devmem_err *st) = connect_kernel;

/* A connected generic netlink socket, and the id of family @name. */
int devmem_nl_open(const char *name, struct nl_sock **out, int *family,
		   struct devmem_err *st)
{
	struct nl_sock *sk;
	int ret;

	sk = nl_socket_alloc();
	if (!sk)
		return devmem_err_set(st, ENOMEM, NULL);
	ret = devmem_nl_connect(sk, st);
	if (ret)
		goto err_free;
	ret = resolve_family(sk, name, family, st);
	if (ret)
		goto err_free;
	*out = sk;
	return 0;

err_free:
	nl_socket_free(sk);	/* closes the socket too */
	return ret;
}

/*
 * Bind over a socket of @family_name that becomes the binding's handle:
 * @build makes the request, @parse reads the reply into the handle.
 */
int devmem_nl_bind(const char *family_name,
		   struct nl_msg *(*build)(int family,
		   const struct devmem_nl_bind_req *req),
		   int (*parse)(struct nlattr **tb, void *arg),
		   int maxattr, const struct devmem_nl_bind_req *req,
		   struct devmem_binding **out, struct devmem_err *err)
{
	struct devmem_nl_call ex = { .parse = parse, .maxattr = maxattr, .st = err };
	struct devmem_binding *b;
	struct nl_msg *msg;
	int family, ret;

	b = calloc(1, sizeof(*b));
	if (!b)
		return devmem_err_set(err, ENOMEM, NULL);
	ret = devmem_nl_open(family_name, &b->sk, &family, err);
	if (ret)
		goto err_free;
	msg = build(family, req);
	if (!msg) {
		ret = devmem_err_set(err, EMSGSIZE, "too many queues for one request");
		goto err_close;
	}
	ex.arg = b;
	ret = devmem_nl_exchange(b->sk, msg, &ex);
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
