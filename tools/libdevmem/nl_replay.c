// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replaying recorded kernel replies, for host tests (testing.h): while a
 * replay runs, the sockets libdevmem opens are never connected, their
 * requests go nowhere, and each read hands out the next recorded buffer,
 * as the kernel's recvmsg() once returned it. A replay takes the place of
 * the kernel connect (devmem_nl_connect, nl.h) and gives each socket libnl
 * send and receive overrides, so everything above them (libnl's message
 * loop, our status and attribute parsing, the API's callbacks) runs as it
 * does against a kernel. Linked into the static library only: the shared
 * one has no replay in it.
 */
#include <stdlib.h>
#include <string.h>

#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "nl.h"
#include "testing.h"

static struct devmem_nl_replay *replay;

/* The request's sequence number is what the replies must carry. */
static int replay_send(struct nl_sock *sk, struct nl_msg *msg)
{
	(void)sk;
	if (!replay)	/* a socket outliving its replay */
		return -NLE_BAD_SOCK;
	replay->seq = nlmsg_hdr(msg)->nlmsg_seq;
	return nlmsg_hdr(msg)->nlmsg_len;
}

/*
 * The next recorded buffer, renumbered to answer the request just sent
 * (the recording's sequence numbers and port ids were those of another
 * process). Nothing left reads as a socket with nothing to say.
 */
static int replay_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		       unsigned char **buf, struct ucred **creds)
{
	const struct devmem_nl_replay_buf *r;
	struct nlmsghdr *nlh;
	int left;

	if (!replay)
		return -NLE_BAD_SOCK;
	if (replay->next == replay->nbufs)
		return 0;
	r = &replay->bufs[replay->next++];
	*buf = malloc(r->len);	/* libnl frees it */
	if (!*buf)
		return -NLE_NOMEM;
	memcpy(*buf, r->data, r->len);
	left = r->len;
	for (nlh = (struct nlmsghdr *)*buf; nlmsg_ok(nlh, left); nlh = nlmsg_next(nlh, &left)) {
		nlh->nlmsg_seq = replay->seq;
		nlh->nlmsg_pid = nl_socket_get_local_port(sk);
	}
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	if (creds)
		*creds = NULL;
	return r->len;
}

/* devmem_nl_connect while a replay runs: @sk never reaches a kernel. */
static int replay_connect(struct nl_sock *sk, struct devmem_err *st)
{
	struct nl_cb *cb = nl_socket_get_cb(sk);	/* a reference of ours */

	(void)st;
	nl_cb_overwrite_send(cb, replay_send);
	nl_cb_overwrite_recv(cb, replay_recv);
	nl_cb_put(cb);
	return 0;
}

void devmem_nl_replay_start(struct devmem_nl_replay *r)
{
	static int (*kernel_connect)(struct nl_sock *sk, struct devmem_err *st);

	if (r && !replay) {
		kernel_connect = devmem_nl_connect;
		devmem_nl_connect = replay_connect;
	} else if (!r && replay) {
		devmem_nl_connect = kernel_connect;
	}
	replay = r;
	if (r)
		r->next = 0;
}
