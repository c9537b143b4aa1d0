/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdevmem internals: the generic netlink plumbing (nl.c) that ethtool.c,
 * netdev.c and family.c build their requests on. Not part of the API:
 * nothing here is installed, and no symbol is exported from the shared
 * library (see DEVMEM_API in devmem.h).
 */
#ifndef LIBDEVMEM_NL_H
#define LIBDEVMEM_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include <linux/dmabuf_pp.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netdev.h>

#include "devmem.h"
#include "err.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * Large enough for the attribute table of every reply we parse (qstats has
 * 34 attributes in 6.12); on_valid() refuses a larger maxattr at run time.
 */
#define TB_MAX 64
_Static_assert(CTRL_ATTR_MAX <= TB_MAX, "TB_MAX too small");
_Static_assert(ETHTOOL_A_RINGS_MAX <= TB_MAX, "TB_MAX too small");
_Static_assert(NETDEV_A_DMABUF_MAX <= TB_MAX, "TB_MAX too small");
_Static_assert(NETDEV_A_PAGE_POOL_MAX <= TB_MAX, "TB_MAX too small");
_Static_assert(NETDEV_A_QSTATS_MAX <= TB_MAX, "TB_MAX too small");
_Static_assert(DMABUF_PP_A_BINDING_MAX <= TB_MAX, "TB_MAX too small");

struct devmem_binding {
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
struct devmem_nl_call {
	int (*parse)(struct nlattr **tb, void *arg);
	struct nlmsghdr *nlh;	/* the message @parse is looking at */
	void *arg;
	int maxattr;
	int parse_ret;
	bool done;
	unsigned int seen;	/* messages read, to notice a silent socket */
	struct devmem_err *st;
};

/* libnl's own failures (no kernel status involved) as the nearest errno. */
int devmem_nl_errno(int nle);

/* Attribute readers: 0, or -EBADMSG when the attribute is too short. */
int devmem_nl_u8(const struct nlattr *a, uint8_t *v);
int devmem_nl_u16(const struct nlattr *a, uint16_t *v);
int devmem_nl_u32(const struct nlattr *a, uint32_t *v);
int devmem_nl_uint(const struct nlattr *a, uint64_t *v);
/* The same for attributes a reply may leave out: absent (@a NULL) is 0. */
int devmem_nl_opt_u32(const struct nlattr *a, uint32_t *v);
int devmem_nl_opt_uint(const struct nlattr *a, uint64_t *v);

/* The callbacks devmem_nl_exchange() reads @sk with, for readers of their own. */
struct nl_cb *devmem_nl_exchange_cb(struct nl_sock *sk, struct devmem_nl_call *ex);
/*
 * Send @msg (consumed) and read until the kernel's ACK, error or end of
 * dump. Returns 0 or -errno with ex->st filled.
 */
int devmem_nl_exchange(struct nl_sock *sk, struct nl_msg *msg,
		       struct devmem_nl_call *ex);
/* A request message for @family; NULL when out of memory. */
struct nl_msg *devmem_nl_request(int family, uint8_t cmd, uint8_t version,
				 int flags);
/* A socket for family @name with extended acks on, and the family's id. */
int devmem_nl_open(const char *name, struct nl_sock **out, int *family,
		   struct devmem_err *st);

/*
 * How devmem_nl_open() connects a new socket: to the kernel, unless a host
 * test's replay (nl_replay.c, testing.h) has put itself here. The one seam
 * between libdevmem and a replay: everything else reads through the
 * socket's own callbacks, whichever routines they were given.
 */
extern int (*devmem_nl_connect)(struct nl_sock *sk, struct devmem_err *st);

/* What a bind request carries, in either family. */
struct devmem_nl_bind_req {
	int ifindex;
	int dmabuf_fd;
	const unsigned int *queues;
	size_t nqueues;
	uint32_t buf_size;	/* dmabuf-pp family only; 0 leaves it out */
};

/*
 * Bind over a socket of @family_name that becomes the binding's handle:
 * @build makes the request, @parse reads the reply into the handle.
 */
int devmem_nl_bind(const char *family_name,
		   struct nl_msg *(*build)(int family,
		   const struct devmem_nl_bind_req *req),
		   int (*parse)(struct nlattr **tb, void *arg), int maxattr,
		   const struct devmem_nl_bind_req *req,
		   struct devmem_binding **out, struct devmem_err *err);

#endif
