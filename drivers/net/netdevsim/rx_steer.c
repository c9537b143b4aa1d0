// SPDX-License-Identifier: GPL-2.0
/*
 * RX queue selection as a NIC does it: ntuple rules first (ethtool -N), then
 * RSS, a Toeplitz hash of the flow looked up in the indirection table
 * (ethtool -X). The peer's transmit path calls nsim_steer_rxq() to pick our
 * queue, so the sender's own queue index plays no part.
 *
 * Rules and the RSS table change under RTNL (ethtool) and are read under
 * RCU from the peer's transmit path.
 */

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <net/flow_dissector.h>

#include "netdevsim.h"

struct nsim_ntuple_rule {
	struct rcu_head rcu;
	struct ethtool_rx_flow_spec fs;
};

struct nsim_rss {
	struct rcu_head rcu;
	u8 key[NSIM_RSS_KEY_SIZE];
	u32 indir[NSIM_RSS_INDIR_SIZE];
};

/* Toeplitz hash of @len bytes of @data; @key must have len + 4 bytes. */
static u32 nsim_toeplitz(const u8 *key, const u8 *data, unsigned int len)
{
	u32 window = get_unaligned_be32(key), hash = 0;
	unsigned int i, bit;

	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			if (data[i] & (0x80 >> bit))
				hash ^= window;
			window = (window << 1) | !!(key[i + 4] & (0x80 >> bit));
		}
	}
	return hash;
}

/* RSS input as the Microsoft spec orders it: source address, destination
 * address, then source and destination port for TCP and UDP.
 */
static u32 nsim_rss_hash(const struct nsim_rss *rss,
			 const struct flow_keys *keys)
{
	u8 in[2 * sizeof(struct in6_addr) + 2 * sizeof(__be16)];
	unsigned int len;

	if (keys->control.addr_type == FLOW_DISSECTOR_KEY_IPV4_ADDRS) {
		memcpy(in, &keys->addrs.v4addrs, sizeof(keys->addrs.v4addrs));
		len = sizeof(keys->addrs.v4addrs);
	} else if (keys->control.addr_type == FLOW_DISSECTOR_KEY_IPV6_ADDRS) {
		memcpy(in, &keys->addrs.v6addrs, sizeof(keys->addrs.v6addrs));
		len = sizeof(keys->addrs.v6addrs);
	} else {
		return 0;
	}
	if (keys->basic.ip_proto == IPPROTO_TCP ||
	    keys->basic.ip_proto == IPPROTO_UDP) {
		memcpy(in + len, &keys->ports.ports, sizeof(keys->ports.ports));
		len += sizeof(keys->ports.ports);
	}
	return nsim_toeplitz(rss->key, in, len);
}

static bool nsim_masked_eq(const void *a, const void *b, const void *mask,
			   size_t len)
{
	const u8 *x = a, *y = b, *m = mask;
	size_t i;

	for (i = 0; i < len; i++)
		if ((x[i] ^ y[i]) & m[i])
			return false;
	return true;
}

static bool nsim_rule_match(const struct ethtool_rx_flow_spec *fs,
			    const struct flow_keys *keys)
{
	const struct ethtool_tcpip4_spec *v4 = &fs->h_u.tcp_ip4_spec;
	const struct ethtool_tcpip4_spec *m4 = &fs->m_u.tcp_ip4_spec;
	const struct ethtool_tcpip6_spec *v6 = &fs->h_u.tcp_ip6_spec;
	const struct ethtool_tcpip6_spec *m6 = &fs->m_u.tcp_ip6_spec;

	if (keys->basic.ip_proto != IPPROTO_TCP)
		return false;

	switch (fs->flow_type) {
	case TCP_V4_FLOW:
		return keys->control.addr_type ==
				FLOW_DISSECTOR_KEY_IPV4_ADDRS &&
		       nsim_masked_eq(&keys->addrs.v4addrs.src, &v4->ip4src,
				      &m4->ip4src, sizeof(v4->ip4src)) &&
		       nsim_masked_eq(&keys->addrs.v4addrs.dst, &v4->ip4dst,
				      &m4->ip4dst, sizeof(v4->ip4dst)) &&
		       nsim_masked_eq(&keys->ports.src, &v4->psrc,
				      &m4->psrc, sizeof(v4->psrc)) &&
		       nsim_masked_eq(&keys->ports.dst, &v4->pdst,
				      &m4->pdst, sizeof(v4->pdst));
	case TCP_V6_FLOW:
		return keys->control.addr_type ==
				FLOW_DISSECTOR_KEY_IPV6_ADDRS &&
		       nsim_masked_eq(&keys->addrs.v6addrs.src, v6->ip6src,
				      m6->ip6src, sizeof(v6->ip6src)) &&
		       nsim_masked_eq(&keys->addrs.v6addrs.dst, v6->ip6dst,
				      m6->ip6dst, sizeof(v6->ip6dst)) &&
		       nsim_masked_eq(&keys->ports.src, &v6->psrc,
				      &m6->psrc, sizeof(v6->psrc)) &&
		       nsim_masked_eq(&keys->ports.dst, &v6->pdst,
				      &m6->pdst, sizeof(v6->pdst));
	}
	return false;
}

/**
 * nsim_steer_rxq() - pick the RX queue of @ns that receives @skb
 * @ns: the receiving device
 * @skb: the frame, skb->data at the Ethernet header
 *
 * Context: the peer's transmit path, under rcu_read_lock().
 * Return: the queue index, or -1 when an ntuple rule drops the frame.
 */
int nsim_steer_rxq(struct netdevsim *ns, struct sk_buff *skb)
{
	unsigned int nq = READ_ONCE(ns->netdev->real_num_rx_queues);
	const struct nsim_ntuple_rule *rule;
	const struct nsim_rss *rss;
	struct flow_keys keys;
	unsigned int i;
	u32 q;

	/* What the dissector cannot parse goes to queue 0, a NIC's default
	 * queue; other non-IP frames (ARP) hash to indirection entry 0.
	 */
	if (!skb_flow_dissect_flow_keys(skb, &keys, 0))
		return 0;

	if ((READ_ONCE(ns->netdev->features) & NETIF_F_NTUPLE) &&
	    READ_ONCE(ns->steer.rule_cnt)) {
		for (i = 0; i < NSIM_NTUPLE_MAX; i++) {
			rule = rcu_dereference(ns->steer.rules[i]);
			if (!rule || !nsim_rule_match(&rule->fs, &keys))
				continue;
			if (rule->fs.ring_cookie == RX_CLS_FLOW_DISC) {
				atomic64_inc(&ns->steer.drops);
				return -1;
			}
			q = ethtool_get_flow_spec_ring(rule->fs.ring_cookie);
			goto in_range;
		}
	}

	rss = rcu_dereference(ns->steer.rss);
	q = rss->indir[nsim_rss_hash(rss, &keys) % NSIM_RSS_INDIR_SIZE];
in_range:
	/* ethtool keeps rules and the table within the channel count; this
	 * covers the window while the count shrinks.
	 */
	return q < nq ? q : q % nq;
}

static void nsim_rss_fill_default(struct nsim_rss *rss, unsigned int nq)
{
	unsigned int i;

	for (i = 0; i < NSIM_RSS_INDIR_SIZE; i++)
		rss->indir[i] = ethtool_rxfh_indir_default(i, nq);
}

int nsim_steer_init(struct netdevsim *ns)
{
	struct nsim_rss *rss;

	rss = kzalloc(sizeof(*rss), GFP_KERNEL);
	if (!rss)
		return -ENOMEM;

	netdev_rss_key_fill(rss->key, sizeof(rss->key));
	nsim_rss_fill_default(rss, ns->netdev->real_num_rx_queues);
	RCU_INIT_POINTER(ns->steer.rss, rss);
	atomic64_set(&ns->steer.drops, 0);
	return 0;
}

/* The device was unregistered (or never registered): no peer can reach
 * us any more, so nothing needs to wait for readers.
 */
void nsim_steer_uninit(struct netdevsim *ns)
{
	unsigned int i;

	for (i = 0; i < NSIM_NTUPLE_MAX; i++) {
		kfree(rtnl_dereference(ns->steer.rules[i]));
		RCU_INIT_POINTER(ns->steer.rules[i], NULL);
	}
	ns->steer.rule_cnt = 0;
	kfree(rtnl_dereference(ns->steer.rss));
	RCU_INIT_POINTER(ns->steer.rss, NULL);
}

/* RSS changes are copy, edit, publish: readers see the old or new whole. */
static struct nsim_rss *nsim_rss_copy(struct netdevsim *ns)
{
	return kmemdup(rtnl_dereference(ns->steer.rss), sizeof(struct nsim_rss),
		       GFP_KERNEL);
}

static void nsim_rss_publish(struct netdevsim *ns, struct nsim_rss *rss)
{
	struct nsim_rss *old = rtnl_dereference(ns->steer.rss);

	rcu_assign_pointer(ns->steer.rss, rss);
	kfree_rcu(old, rcu);
}

/* Channels changed: spread a table the user never set over the new count. */
void nsim_steer_channels_changed(struct netdevsim *ns)
{
	struct nsim_rss *rss;

	if (!ns->rq || netif_is_rxfh_configured(ns->netdev))
		return;
	/* On allocation failure the old table stays; lookups wrap around */
	rss = nsim_rss_copy(ns);
	if (!rss)
		return;
	nsim_rss_fill_default(rss, ns->netdev->real_num_rx_queues);
	nsim_rss_publish(ns, rss);
}

/* RSS and ntuple are the PF's: VFs have no RX queues of their own. */
static bool nsim_has_rxqs(struct net_device *dev)
{
	return !!((struct netdevsim *)netdev_priv(dev))->rq;
}

u32 nsim_get_rxfh_key_size(struct net_device *dev)
{
	return nsim_has_rxqs(dev) ? NSIM_RSS_KEY_SIZE : 0;
}

u32 nsim_get_rxfh_indir_size(struct net_device *dev)
{
	return nsim_has_rxqs(dev) ? NSIM_RSS_INDIR_SIZE : 0;
}

int nsim_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *rxfh)
{
	struct netdevsim *ns = netdev_priv(dev);
	const struct nsim_rss *rss = rtnl_dereference(ns->steer.rss);

	if (!rss)
		return -EOPNOTSUPP;
	rxfh->hfunc = ETH_RSS_HASH_TOP;
	if (rxfh->indir)
		memcpy(rxfh->indir, rss->indir, sizeof(rss->indir));
	if (rxfh->key)
		memcpy(rxfh->key, rss->key, sizeof(rss->key));
	return 0;
}

int nsim_set_rxfh(struct net_device *dev, struct ethtool_rxfh_param *rxfh,
		  struct netlink_ext_ack *extack)
{
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_rss *rss;

	if (!ns->rq)
		return -EOPNOTSUPP;
	if (rxfh->hfunc != ETH_RSS_HASH_NO_CHANGE &&
	    rxfh->hfunc != ETH_RSS_HASH_TOP) {
		NSIM_EA(extack, "only the Toeplitz hash is supported");
		return -EOPNOTSUPP;
	}
	if (!rxfh->indir && !rxfh->key)
		return 0;

	rss = nsim_rss_copy(ns);
	if (!rss)
		return -ENOMEM;
	if (rxfh->indir)
		memcpy(rss->indir, rxfh->indir, sizeof(rss->indir));
	if (rxfh->key)
		memcpy(rss->key, rxfh->key, sizeof(rss->key));
	nsim_rss_publish(ns, rss);
	return 0;
}

static int nsim_rule_check(struct net_device *dev,
			   const struct ethtool_rx_flow_spec *fs)
{
	u64 cookie = fs->ring_cookie;

	switch (fs->flow_type) {
	case TCP_V4_FLOW:
		if (fs->m_u.tcp_ip4_spec.tos)
			return -EOPNOTSUPP;
		break;
	case TCP_V6_FLOW:
		if (fs->m_u.tcp_ip6_spec.tclass)
			return -EOPNOTSUPP;
		break;
	default:	/* other flow types, FLOW_EXT, FLOW_MAC_EXT, FLOW_RSS */
		return -EOPNOTSUPP;
	}

	if (cookie == RX_CLS_FLOW_DISC)
		return 0;
	if (ethtool_get_flow_spec_ring_vf(cookie))
		return -EOPNOTSUPP;
	if (ethtool_get_flow_spec_ring(cookie) >= dev->real_num_rx_queues)
		return -EINVAL;
	return 0;
}

static int nsim_rule_insert(struct netdevsim *ns,
			    struct ethtool_rx_flow_spec *fs)
{
	struct nsim_ntuple_rule *rule, *old;
	u32 loc = fs->location;
	int err;

	if (!(ns->netdev->features & NETIF_F_NTUPLE))
		return -EOPNOTSUPP;
	err = nsim_rule_check(ns->netdev, fs);
	if (err)
		return err;

	if (loc == RX_CLS_LOC_ANY) {
		for (loc = 0; loc < NSIM_NTUPLE_MAX; loc++)
			if (!rtnl_dereference(ns->steer.rules[loc]))
				break;
		if (loc == NSIM_NTUPLE_MAX)
			return -ENOSPC;
	} else if (loc >= NSIM_NTUPLE_MAX) {
		return -EINVAL;
	}

	rule = kzalloc(sizeof(*rule), GFP_KERNEL);
	if (!rule)
		return -ENOMEM;
	fs->location = loc;	/* tells ethtool where RX_CLS_LOC_ANY went */
	rule->fs = *fs;

	old = rtnl_dereference(ns->steer.rules[loc]);
	rcu_assign_pointer(ns->steer.rules[loc], rule);
	if (old)
		kfree_rcu(old, rcu);
	else
		WRITE_ONCE(ns->steer.rule_cnt, ns->steer.rule_cnt + 1);
	return 0;
}

static int nsim_rule_delete(struct netdevsim *ns, u32 loc)
{
	struct nsim_ntuple_rule *rule;

	if (loc >= NSIM_NTUPLE_MAX)
		return -EINVAL;
	rule = rtnl_dereference(ns->steer.rules[loc]);
	if (!rule)
		return -ENOENT;
	RCU_INIT_POINTER(ns->steer.rules[loc], NULL);	/* then free it */
	WRITE_ONCE(ns->steer.rule_cnt, ns->steer.rule_cnt - 1);
	kfree_rcu(rule, rcu);
	return 0;
}

int nsim_set_rxnfc(struct net_device *dev, struct ethtool_rxnfc *cmd)
{
	struct netdevsim *ns = netdev_priv(dev);

	if (!ns->rq)
		return -EOPNOTSUPP;
	switch (cmd->cmd) {
	case ETHTOOL_SRXCLSRLINS:
		return nsim_rule_insert(ns, &cmd->fs);
	case ETHTOOL_SRXCLSRLDEL:
		return nsim_rule_delete(ns, cmd->fs.location);
	default:
		return -EOPNOTSUPP;
	}
}

int nsim_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *cmd,
		   u32 *rule_locs)
{
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_ntuple_rule *rule;
	u32 loc, n = 0;

	if (!ns->rq)
		return -EOPNOTSUPP;
	switch (cmd->cmd) {
	case ETHTOOL_GRXRINGS:
		cmd->data = dev->real_num_rx_queues;
		return 0;
	case ETHTOOL_GRXCLSRLCNT:
		cmd->rule_cnt = ns->steer.rule_cnt;
		cmd->data = NSIM_NTUPLE_MAX | RX_CLS_LOC_SPECIAL;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		loc = cmd->fs.location;
		if (loc >= NSIM_NTUPLE_MAX)
			return -EINVAL;
		rule = rtnl_dereference(ns->steer.rules[loc]);
		if (!rule)
			return -ENOENT;
		cmd->fs = rule->fs;
		return 0;
	case ETHTOOL_GRXCLSRLALL:
		cmd->data = NSIM_NTUPLE_MAX;
		for (loc = 0; loc < NSIM_NTUPLE_MAX; loc++) {
			if (!rtnl_dereference(ns->steer.rules[loc]))
				continue;
			if (n == cmd->rule_cnt)
				return -EMSGSIZE;
			rule_locs[n++] = loc;
		}
		cmd->rule_cnt = n;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
