// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ethtool family: TCP header/data split, which Debian's ethtool 6.1
 * cannot set (ETHTOOL_A_RINGS_TCP_DATA_SPLIT came with ethtool 6.3).
 */
#include <errno.h>

#include <netlink/genl/genl.h>

#include "nl.h"

/* An ethtool request naming the device by index; NULL when out of memory. */
static struct nl_msg *ethtool_request(int family, uint8_t cmd, int ifindex)
{
	struct nl_msg *msg = devmem_nl_request(family, cmd, ETHTOOL_GENL_VERSION, 0);
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

int devmem_hds_set(int ifindex, enum devmem_hds mode, struct devmem_err *err)
{
	struct devmem_nl_call ex = { .st = err };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	if (mode != DEVMEM_HDS_AUTO && mode != DEVMEM_HDS_OFF && mode != DEVMEM_HDS_ON)
		return devmem_err_set(err, EINVAL, "tcp-data-split mode %d unknown", mode);
	ret = devmem_nl_open(ETHTOOL_GENL_NAME, &sk, &family, err);
	if (ret)
		return ret;
	msg = ethtool_request(family, ETHTOOL_MSG_RINGS_SET, ifindex);
	if (!msg || nla_put_u8(msg, ETHTOOL_A_RINGS_TCP_DATA_SPLIT, mode) < 0) {
		nlmsg_free(msg);
		ret = devmem_err_set(err, ENOMEM, NULL);
		goto out;
	}
	ret = devmem_nl_exchange(sk, msg, &ex);
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
	if (devmem_nl_u8(a, &v) || v > DEVMEM_HDS_ON)
		return -EBADMSG;
	*(enum devmem_hds *)arg = v;
	return 0;
}

int devmem_hds_get(int ifindex, enum devmem_hds *mode, struct devmem_err *err)
{
	enum devmem_hds got = DEVMEM_HDS_AUTO;
	struct devmem_nl_call ex = {
		.parse = parse_hds, .arg = &got,
		.maxattr = ETHTOOL_A_RINGS_MAX, .st = err,
	};
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	ret = devmem_nl_open(ETHTOOL_GENL_NAME, &sk, &family, err);
	if (ret)
		return ret;
	msg = ethtool_request(family, ETHTOOL_MSG_RINGS_GET, ifindex);
	if (!msg) {
		ret = devmem_err_set(err, ENOMEM, NULL);
		goto out;
	}
	ret = devmem_nl_exchange(sk, msg, &ex);
	if (ret == -EOPNOTSUPP && (!err || !err->msg[0]))
		devmem_err_set(err, EOPNOTSUPP, "device reports no tcp-data-split mode");
	else if (!ret)
		*mode = got;
out:
	nl_socket_free(sk);
	return ret;
}

