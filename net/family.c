// SPDX-License-Identifier: GPL-2.0-only
/*
 * Our own generic netlink family, "dmabuf-pp"
 * (Documentation/netlink/specs/dmabuf-pp.yaml; the policies and the ops
 * table in family-gen.[ch] are generated from it by tools/build/ynl-gen):
 *
 *   bind        as netdev bind-rx, with queues as plain u32 attributes and
 *               an optional buffer size, which must be what the queues post
 *   get         one binding or a dump of those of the caller's namespace,
 *               with the counters of stats.c
 *   unbind-ntf  (group "mgmt") a binding left its device
 *
 * Bindings made here and through bind-rx are the same objects; each
 * belongs to the socket that made it, in either family.
 */

#include <linux/bitmap.h>
#include <linux/init.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "family-gen.h"
#include "provider.h"

void dmabuf_pp_nl_sock_priv_init(struct list_head *priv)
{
	INIT_LIST_HEAD(priv);
}

/* One binding's attributes; RTNL held (its device and queues), and RCU or
 * a reference keeps the binding.
 */
static int dmabuf_pp_nl_put_binding(struct sk_buff *skb,
				    struct dmabuf_pp_binding *binding)
{
	struct net_device *dev = binding->dev;
	struct dmabuf_pp_counts c;
	unsigned int q;

	dmabuf_pp_binding_counts(binding, &c);
	if (nla_put_u32(skb, DMABUF_PP_A_BINDING_ID, binding->id) ||
	    nla_put_u32(skb, DMABUF_PP_A_BINDING_IFINDEX,
			dev ? dev->ifindex : 0) ||
	    nla_put_u64_64bit(skb, DMABUF_PP_A_BINDING_NETNS_COOKIE,
			      READ_ONCE(binding->netns_cookie), 0) ||
	    nla_put_u32(skb, DMABUF_PP_A_BINDING_BUF_SIZE,
			1U << binding->area.buf_shift) ||
	    nla_put_uint(skb, DMABUF_PP_A_BINDING_DMABUF_SIZE, binding->size) ||
	    nla_put_uint(skb, DMABUF_PP_A_BINDING_BUFFERS, binding->nr_niovs) ||
	    nla_put_uint(skb, DMABUF_PP_A_BINDING_BUFFERS_FREE, c.free) ||
	    nla_put_uint(skb, DMABUF_PP_A_BINDING_BUFFERS_USER, c.user) ||
	    nla_put_uint(skb, DMABUF_PP_A_BINDING_RX_BYTES, c.rx_bytes))
		return -EMSGSIZE;
	if (binding->area.tx &&
	    (nla_put_flag(skb, DMABUF_PP_A_BINDING_TX) ||
	     nla_put_uint(skb, DMABUF_PP_A_BINDING_TX_BYTES, c.tx_bytes) ||
	     nla_put_uint(skb, DMABUF_PP_A_BINDING_TX_FRAGS, c.tx_frags)))
		return -EMSGSIZE;
	/* a binding off its device has no queues left */
	for_each_set_bit(q, binding->rxqs, dev ? binding->nr_rxqs : 0)
		if (nla_put_u32(skb, DMABUF_PP_A_BINDING_QUEUES, q))
			return -EMSGSIZE;
	return 0;
}

/* One binding's message, whole or not at all: get, dump and unbind-ntf. */
static int dmabuf_pp_nl_fill(struct sk_buff *skb,
			     struct dmabuf_pp_binding *binding, u32 portid,
			     u32 seq, int flags, u8 cmd)
{
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, portid, seq, &dmabuf_pp_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	err = dmabuf_pp_nl_put_binding(skb, binding);
	if (err)
		genlmsg_cancel(skb, hdr);
	else
		genlmsg_end(skb, hdr);
	return err;
}

/* Collect the queues of a bind request; at least one. */
static u32 *dmabuf_pp_nl_bind_queues(struct genl_info *info,
				     unsigned int *count)
{
	struct nlattr *attr;
	unsigned int n = 0;
	u32 *idx;
	int rem;

	idx = dmabuf_pp_nl_queue_slots(info, DMABUF_PP_A_BINDING_QUEUES);
	if (IS_ERR(idx))
		return idx;
	nla_for_each_attr_type(attr, DMABUF_PP_A_BINDING_QUEUES,
			       genlmsg_data(info->genlhdr),
			       genlmsg_len(info->genlhdr), rem)
		idx[n++] = nla_get_u32(attr);
	*count = n;
	return idx;
}

static int dmabuf_pp_nl_put_bind(struct sk_buff *rsp,
				 const struct dmabuf_pp_binding *binding)
{
	if (nla_put_u32(rsp, DMABUF_PP_A_BINDING_ID, binding->id))
		return -EMSGSIZE;
	return nla_put_u32(rsp, DMABUF_PP_A_BINDING_BUF_SIZE,
			   1U << binding->area.buf_shift);
}

int dmabuf_pp_nl_bind_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct list_head *sock_bindings;
	struct dmabuf_pp_bind_req req = {};

	int err;

	err = dmabuf_pp_nl_bind_target(info, DMABUF_PP_A_BINDING_IFINDEX,
				       DMABUF_PP_A_BINDING_FD, &req);
	if (err)
		return err;
	if (info->attrs[DMABUF_PP_A_BINDING_BUF_SIZE])
		req.buf_size =
			nla_get_u32(info->attrs[DMABUF_PP_A_BINDING_BUF_SIZE]);

	sock_bindings = genl_sk_priv_get(&dmabuf_pp_nl_family,
					 NETLINK_CB(skb).sk);
	if (IS_ERR(sock_bindings))
		return PTR_ERR(sock_bindings);

	req.idx = dmabuf_pp_nl_bind_queues(info, &req.n);
	if (IS_ERR(req.idx))
		return PTR_ERR(req.idx);
	return dmabuf_pp_nl_bind_reply(info, sock_bindings, &req,
				       dmabuf_pp_nl_put_bind);
}

/* Bindings are listed to the namespace of the device they were bound on. */
static bool dmabuf_pp_nl_visible(const struct dmabuf_pp_binding *binding,
				 const struct net *net)
{
	/* A binding never given to user space (a bind in progress or rolled
	 * back) is nobody's to see.
	 */
	return READ_ONCE(binding->installed) &&
	       READ_ONCE(binding->netns_cookie) == net->net_cookie;
}

/*
 * Room for one binding's message: get, a dump's part and unbind-ntf are
 * sized from the binding, as a binding may list thousands of queues.
 * RTNL held (the queues).
 */
static size_t dmabuf_pp_nl_binding_size(const struct dmabuf_pp_binding *binding)
{
	unsigned int queues = 0;

	ASSERT_RTNL();
	if (binding->dev)
		queues = bitmap_weight(binding->rxqs, binding->nr_rxqs);
	return genlmsg_total_size(3 * nla_total_size(sizeof(u32)) +	/* id, ifindex, buf-size */
				  nla_total_size_64bit(sizeof(u64)) +	/* netns-cookie */
				  7 * nla_total_size(sizeof(u64)) +	/* the counts */
				  nla_total_size(0) +			/* tx */
				  queues * nla_total_size(sizeof(u32)));
}

/*
 * One binding's message in an skb of its own size, for get and unbind-ntf.
 * RTNL held. Return: the message, or NULL when out of memory.
 */
static struct sk_buff *dmabuf_pp_nl_binding_msg(struct dmabuf_pp_binding *binding,
						u32 portid, u32 seq, u8 cmd)
{
	struct sk_buff *msg;

	msg = nlmsg_new(dmabuf_pp_nl_binding_size(binding), GFP_KERNEL);
	/* Sized above: a fill that does not fit is our bug */
	if (msg && WARN_ON_ONCE(dmabuf_pp_nl_fill(msg, binding, portid, seq,
						  0, cmd))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* A get takes a reference: the binding's size must be read under RTNL. */
static struct dmabuf_pp_binding *
dmabuf_pp_nl_binding_get(const struct net *net, unsigned long id)
{
	struct dmabuf_pp_binding *binding;

	rcu_read_lock();
	binding = xa_load(&dmabuf_pp_bindings, id);
	if (binding && (!dmabuf_pp_nl_visible(binding, net) ||
			!refcount_inc_not_zero(&binding->ref)))
		binding = NULL;
	rcu_read_unlock();
	return binding;
}

int dmabuf_pp_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dmabuf_pp_binding *binding;
	struct sk_buff *rsp;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, DMABUF_PP_A_BINDING_ID))
		return -EINVAL;
	id = nla_get_u32(info->attrs[DMABUF_PP_A_BINDING_ID]);

	binding = dmabuf_pp_nl_binding_get(genl_info_net(info), id);
	if (!binding) {
		NL_SET_BAD_ATTR(info->extack,
				info->attrs[DMABUF_PP_A_BINDING_ID]);
		NL_SET_ERR_MSG_FMT(info->extack, "no binding with id %u", id);
		return -ENOENT;
	}

	rtnl_lock();
	rsp = dmabuf_pp_nl_binding_msg(binding, info->snd_portid,
				       info->snd_seq, DMABUF_PP_CMD_GET);
	rtnl_unlock();
	dmabuf_pp_binding_put(binding);
	return rsp ? genlmsg_reply(rsp, info) : -ENOMEM;
}

/*
 * A dump's parts must each take at least the largest binding's message.
 * A binding made after this ends the dump with EMSGSIZE if it is larger.
 */
int dmabuf_pp_nl_get_dump_start(struct netlink_callback *cb)
{
	const struct net *net = sock_net(cb->skb->sk);
	struct dmabuf_pp_binding *binding;
	size_t size = 0;
	unsigned long id;

	rtnl_lock();
	rcu_read_lock();
	xa_for_each(&dmabuf_pp_bindings, id, binding)
		if (dmabuf_pp_nl_visible(binding, net))
			size = max(size, dmabuf_pp_nl_binding_size(binding));
	rcu_read_unlock();
	rtnl_unlock();
	cb->min_dump_alloc = nlmsg_total_size(size);
	return 0;
}

/*
 * cb->args[0]: the id to go on from. RTNL keeps each binding's device and
 * queues still while it is written, RCU the binding itself.
 */
int dmabuf_pp_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct net *net = sock_net(skb->sk);
	struct dmabuf_pp_binding *binding;
	unsigned long id;
	int err = 0;

	rtnl_lock();
	rcu_read_lock();
	xa_for_each_start(&dmabuf_pp_bindings, id, binding, cb->args[0]) {
		if (!dmabuf_pp_nl_visible(binding, net))
			continue;
		err = dmabuf_pp_nl_fill(skb, binding,
					NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI,
					DMABUF_PP_CMD_GET);
		if (err)
			break;
		cb->args[0] = id + 1;
	}
	rcu_read_unlock();
	rtnl_unlock();
	/* A full skb ends this part of the dump; the next one goes on. */
	return err == -EMSGSIZE && skb->len ? skb->len : err;
}

/**
 * dmabuf_pp_nl_notify_unbind() - tell "mgmt" that a binding leaves its device
 * @binding: the binding, still on its device; RTNL held
 */
void dmabuf_pp_nl_notify_unbind(struct dmabuf_pp_binding *binding)
{
	struct net *net = dev_net(binding->dev);
	struct sk_buff *ntf;

	ASSERT_RTNL();

	if (!genl_has_listeners(&dmabuf_pp_nl_family, net,
				DMABUF_PP_NLGRP_MGMT))
		return;
	ntf = dmabuf_pp_nl_binding_msg(binding, 0, 0, DMABUF_PP_CMD_UNBIND_NTF);
	if (ntf)
		genlmsg_multicast_netns(&dmabuf_pp_nl_family, net, ntf, 0,
					DMABUF_PP_NLGRP_MGMT, GFP_KERNEL);
}

static int __init dmabuf_pp_nl_init(void)
{
	return genl_register_family(&dmabuf_pp_nl_family);
}
subsys_initcall(dmabuf_pp_nl_init);
