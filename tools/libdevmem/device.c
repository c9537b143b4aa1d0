// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devices by name or index, and where their flows land: ntuple rules and
 * the RSS indirection table, through the ethtool ioctl (the 6.12 ethtool
 * netlink family has neither).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "devmem.h"
#include "err.h"
#include "testing.h"

int devmem_ifindex(const char *name_or_index)
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

/* SIOCETHTOOL with @cmd on @ifindex; fills @st on failure. */
static int ethtool_ioctl(int ifindex, void *cmd, const char *what,
			 struct devmem_err *st)
{
	struct ifreq ifr = { .ifr_data = cmd };
	int fd, ret = 0;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return devmem_err_set(st, ENODEV, "no device with ifindex %d", ifindex);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return devmem_err_set(st, errno, "socket for the ethtool ioctl");
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		ret = devmem_err_set(st, errno, "%s on %s", what, ifr.ifr_name);
	close(fd);
	return ret;
}

/* An address of struct devmem_flow that matches anything. */
static const uint8_t any_addr[16];

/* @len bytes of @addr into @value; matched exactly unless left at zero. */
static void put_addr(void *value, void *mask, const uint8_t *addr, size_t len)
{
	memcpy(value, addr, len);
	if (memcmp(addr, any_addr, len))
		memset(mask, 0xff, len);
}

/* @port into @value in network order; matched exactly unless zero. */
static void put_port(__be16 *value, __be16 *mask, uint16_t port)
{
	*value = htons(port);
	*mask = port ? 0xffff : 0;
}

int devmem_flow_rule(const struct devmem_flow *flow, unsigned int queue,
		     int loc, struct ethtool_rxnfc *nfc)
{
	struct ethtool_rx_flow_spec *fs = &nfc->fs;

	memset(nfc, 0, sizeof(*nfc));
	nfc->cmd = ETHTOOL_SRXCLSRLINS;
	fs->ring_cookie = queue;
	fs->location = loc < 0 ? RX_CLS_LOC_ANY : (uint32_t)loc;
	if (flow->family == AF_INET) {
		struct ethtool_tcpip4_spec *v = &fs->h_u.tcp_ip4_spec;
		struct ethtool_tcpip4_spec *m = &fs->m_u.tcp_ip4_spec;

		fs->flow_type = TCP_V4_FLOW;
		put_addr(&v->ip4src, &m->ip4src, flow->src, 4);
		put_addr(&v->ip4dst, &m->ip4dst, flow->dst, 4);
		put_port(&v->psrc, &m->psrc, flow->src_port);
		put_port(&v->pdst, &m->pdst, flow->dst_port);
	} else if (flow->family == AF_INET6) {
		struct ethtool_tcpip6_spec *v = &fs->h_u.tcp_ip6_spec;
		struct ethtool_tcpip6_spec *m = &fs->m_u.tcp_ip6_spec;

		fs->flow_type = TCP_V6_FLOW;
		put_addr(v->ip6src, m->ip6src, flow->src, 16);
		put_addr(v->ip6dst, m->ip6dst, flow->dst, 16);
		put_port(&v->psrc, &m->psrc, flow->src_port);
		put_port(&v->pdst, &m->pdst, flow->dst_port);
	} else {
		return -EAFNOSUPPORT;
	}
	/* a rule matching every TCP packet is almost surely a mistake */
	if (!flow->src_port && !flow->dst_port &&
	    !memcmp(flow->src, any_addr, 16) && !memcmp(flow->dst, any_addr, 16))
		return -EINVAL;
	return 0;
}

int devmem_steer_add(int ifindex, const struct devmem_flow *flow,
		     unsigned int queue, int loc, struct devmem_err *err)
{
	struct ethtool_rxnfc nfc;
	int ret;

	devmem_err_clear(err);
	ret = devmem_flow_rule(flow, queue, loc, &nfc);
	if (ret == -EAFNOSUPPORT)
		return devmem_err_set(err, EAFNOSUPPORT, "flow family %d is neither AF_INET nor AF_INET6",
				      flow->family);
	if (ret)
		return devmem_err_set(err, EINVAL, "flow matches every TCP packet: give an address or a port");
	ret = ethtool_ioctl(ifindex, &nfc, "adding an ntuple rule", err);
	return ret ? ret : (int)nfc.fs.location;
}

int devmem_steer_del(int ifindex, unsigned int loc, struct devmem_err *err)
{
	struct ethtool_rxnfc nfc = {
		.cmd = ETHTOOL_SRXCLSRLDEL, .fs.location = loc,
	};

	devmem_err_clear(err);
	return ethtool_ioctl(ifindex, &nfc, "deleting an ntuple rule", err);
}

int devmem_ntuple_set(int ifindex, bool on, struct devmem_err *err)
{
	struct ethtool_value flags = { .cmd = ETHTOOL_GFLAGS };
	int ret;

	devmem_err_clear(err);
	ret = ethtool_ioctl(ifindex, &flags, "reading flags", err);
	if (ret)
		return ret;
	flags.cmd = ETHTOOL_SFLAGS;
	flags.data = on ? flags.data | ETH_FLAG_NTUPLE :
			  flags.data & ~ETH_FLAG_NTUPLE;
	return ethtool_ioctl(ifindex, &flags, "setting ntuple", err);
}

int devmem_rss_exclude(int ifindex, const unsigned int *queues,
		       size_t nqueues, struct devmem_err *err)
{
	struct ethtool_rxnfc rings = { .cmd = ETHTOOL_GRXRINGS };
	struct ethtool_rxfh_indir size = { .cmd = ETHTOOL_GRXFHINDIR };
	struct ethtool_rxfh_indir *indir;
	unsigned int q, i, *spread, nspread = 0;
	size_t k;
	int ret;

	devmem_err_clear(err);
	if (!nqueues) {	/* size 0: the driver's default table */
		size.cmd = ETHTOOL_SRXFHINDIR;
		return ethtool_ioctl(ifindex, &size, "resetting RSS", err);
	}
	ret = ethtool_ioctl(ifindex, &rings, "reading RX rings", err);
	if (!ret)
		ret = ethtool_ioctl(ifindex, &size, "reading the RSS table size", err);
	if (ret)
		return ret;
	for (k = 0; k < nqueues; k++)
		if (queues[k] >= rings.data)
			return devmem_err_set(err, EINVAL, "queue %u out of range: the device has %llu RX rings",
					      queues[k], (unsigned long long)rings.data);
	if (!size.size)
		return devmem_err_set(err, EOPNOTSUPP, "device has no RSS indirection table");

	spread = calloc(rings.data, sizeof(*spread));
	indir = calloc(1, sizeof(*indir) + size.size * sizeof(indir->ring_index[0]));
	if (!spread || !indir) {
		ret = devmem_err_set(err, ENOMEM, NULL);
		goto out;
	}
	for (q = 0; q < rings.data; q++) {
		for (k = 0; k < nqueues && queues[k] != q; k++)
			;
		if (k == nqueues)
			spread[nspread++] = q;
	}
	if (!nspread) {
		ret = devmem_err_set(err, EINVAL, "excluding every RX queue leaves RSS nowhere to go");
		goto out;
	}
	indir->cmd = ETHTOOL_SRXFHINDIR;
	indir->size = size.size;
	for (i = 0; i < size.size; i++)
		indir->ring_index[i] = spread[i % nspread];
	ret = ethtool_ioctl(ifindex, indir, "setting the RSS table", err);
out:
	free(indir);
	free(spread);
	return ret;
}
