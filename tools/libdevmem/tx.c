// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devmem TX: bind-tx in the netdev family, sendmsg() of dma-buf ranges,
 * and MSG_ZEROCOPY completions. See devmem.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include <linux/errqueue.h>
#include <netlink/genl/genl.h>

#include "nl.h"

static int parse_tx_binding_id(struct nlattr **tb, void *arg)
{
	struct devmem_binding *b = arg;

	if (!tb[NETDEV_A_DMABUF_ID])
		return -EBADMSG;
	return devmem_nl_u32(tb[NETDEV_A_DMABUF_ID], &b->id);
}

/* NETDEV_CMD_BIND_TX: the device and the dma-buf, nothing else. */
static struct nl_msg *bind_tx_request(int family,
				      const struct devmem_nl_bind_req *req)
{
	struct nl_msg *msg;

	msg = devmem_nl_request(family, NETDEV_CMD_BIND_TX,
				NETDEV_FAMILY_VERSION, 0);
	if (!msg)
		return NULL;
	if (nla_put_u32(msg, NETDEV_A_DMABUF_IFINDEX, req->ifindex) < 0 ||
	    nla_put_u32(msg, NETDEV_A_DMABUF_FD, req->dmabuf_fd) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int devmem_bind_tx(int ifindex, int dmabuf_fd, struct devmem_binding **out,
		   struct devmem_err *err)
{
	const struct devmem_nl_bind_req req = {
		.ifindex = ifindex, .dmabuf_fd = dmabuf_fd,
	};

	return devmem_nl_bind(NETDEV_FAMILY_NAME, bind_tx_request,
			      parse_tx_binding_id, NETDEV_A_DMABUF_MAX, &req,
			      out, err);
}

ssize_t devmem_send(int fd, uint32_t binding_id,
		    const struct devmem_range *ranges, size_t n, int flags)
{
	char control[CMSG_SPACE(sizeof(uint32_t))] = { 0 };
	struct msghdr msg = {
		.msg_iovlen = n,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct iovec *iov;
	struct cmsghdr *cm;
	ssize_t ret;
	size_t i;

	if (n > IOV_MAX) {
		errno = EINVAL;
		return -1;
	}
	iov = calloc(n ? n : 1, sizeof(*iov));
	if (!iov)
		return -1;
	msg.msg_iov = iov;
	/* The kernel reads each iov_base as an offset into the dma-buf */
	for (i = 0; i < n; i++) {
		iov[i].iov_base = (void *)(uintptr_t)ranges[i].offset;
		iov[i].iov_len = ranges[i].len;
	}
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_DEVMEM_DMABUF;
	cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	memcpy(CMSG_DATA(cm), &binding_id, sizeof(binding_id));

	ret = sendmsg(fd, &msg, flags | MSG_ZEROCOPY);
	free(iov);
	return ret;
}

int devmem_completions(int fd, uint32_t *lo, uint32_t *hi)
{
	char control[CMSG_SPACE(sizeof(struct sock_extended_err)) + 64];
	struct msghdr msg = {
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm;

	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return errno == EAGAIN ? 0 : -1;

	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		struct sock_extended_err ee;

		if (cm->cmsg_len < CMSG_LEN(sizeof(ee)))
			continue;
		memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
		if (ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee.ee_errno)
			continue;
		*lo = ee.ee_info;
		*hi = ee.ee_data;
		return 1;
	}
	errno = EPROTO;		/* something other than a completion */
	return -1;
}
