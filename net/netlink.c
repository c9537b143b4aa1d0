// SPDX-License-Identifier: GPL-2.0-only
/*
 * Binding over netlink: the core both families share (dmabuf_pp_nl_bind()),
 * bind-rx of the upstream netdev family served by our provider, and the
 * lifetime rule that comes with both: a binding belongs to the netlink
 * socket that made it and is unbound when that socket closes (which
 * includes the process dying). Our own family's handlers are in family.c.
 *
 * bind-rx's request and reply are upstream's
 * (Documentation/netlink/specs/netdev.yaml): ifindex, dma-buf fd and a nest
 * per RX queue in; the binding id out.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "../core/netdev-genl-gen.h"
#include "provider.h"

/**
 * dmabuf_pp_nl_queue_slots() - room for the queues a bind request lists
 * @info: the request
 * @type: the attribute that lists one queue (either family's)
 *
 * Return: an array with one slot per @type attribute, at least one, for
 * kfree(); or an ERR_PTR(), with an extack message for an empty list.
 */
u32 *dmabuf_pp_nl_queue_slots(struct genl_info *info, int type)
{
	struct nlattr *attr;
	unsigned int max = 0;
	int rem;

	nla_for_each_attr_type(attr, type, genlmsg_data(info->genlhdr),
			       genlmsg_len(info->genlhdr), rem)
		max++;
	if (!max) {
		NL_SET_ERR_MSG(info->extack, "no RX queue given to bind");
		return ERR_PTR(-EINVAL);
	}
	return kmalloc_array(max, sizeof(u32), GFP_KERNEL) ?: ERR_PTR(-ENOMEM);
}

/*
 * One NETDEV_A_DMABUF_QUEUES entry: a nested queue id and type, of which
 * only RX queues can be bound. Return: the queue index, or a negative
 * errno with the extack saying which entry is wrong.
 */
static s64 dmabuf_pp_nl_rx_queue(const struct nlattr *nest,
				 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[ARRAY_SIZE(netdev_queue_id_nl_policy)];
	int err;

	err = nla_parse_nested(tb, ARRAY_SIZE(tb) - 1, nest,
			       netdev_queue_id_nl_policy, extack);
	if (err < 0)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, NETDEV_A_QUEUE_ID) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, NETDEV_A_QUEUE_TYPE))
		return -EINVAL;
	if (nla_get_u32(tb[NETDEV_A_QUEUE_TYPE]) != NETDEV_QUEUE_TYPE_RX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NETDEV_A_QUEUE_TYPE],
				    "only RX queues can be bound");
		return -EINVAL;
	}
	return nla_get_u32(tb[NETDEV_A_QUEUE_ID]);
}

/* Collect the RX queue indexes of the request; at least one. */
static u32 *dmabuf_pp_nl_queues(struct genl_info *info, unsigned int *count)
{
	unsigned int n = 0;
	struct nlattr *attr;
	u32 *idx;
	s64 q;
	int rem;

	idx = dmabuf_pp_nl_queue_slots(info, NETDEV_A_DMABUF_QUEUES);
	if (IS_ERR(idx))
		return idx;

	nla_for_each_attr_type(attr, NETDEV_A_DMABUF_QUEUES,
			       genlmsg_data(info->genlhdr),
			       genlmsg_len(info->genlhdr), rem) {
		q = dmabuf_pp_nl_rx_queue(attr, info->extack);
		if (q < 0) {
			kfree(idx);
			return ERR_PTR(q);
		}
		idx[n++] = q;
	}
	*count = n;
	return idx;
}

/**
 * dmabuf_pp_nl_bind_target() - the device and dma-buf of a bind request
 * @info: the request
 * @ifindex_type: the attribute naming the device, in the request's family
 * @fd_type: the attribute carrying the dma-buf fd
 * @req: filled in
 *
 * Return: 0, or -EINVAL with the missing attribute in the extack.
 */
int dmabuf_pp_nl_bind_target(struct genl_info *info, int ifindex_type,
			     int fd_type, struct dmabuf_pp_bind_req *req)
{
	if (GENL_REQ_ATTR_CHECK(info, ifindex_type) ||
	    GENL_REQ_ATTR_CHECK(info, fd_type))
		return -EINVAL;
	req->ifindex_attr = info->attrs[ifindex_type];
	req->ifindex = nla_get_u32(req->ifindex_attr);
	req->fd = nla_get_u32(info->attrs[fd_type]);
	return 0;
}

/**
 * dmabuf_pp_nl_bind() - bind a dma-buf for a netlink socket
 * @info: the request: its namespace and extack
 * @req: what to bind
 * @sock_bindings: the requesting socket's list, which the binding joins
 *
 * Permission: both
 * families ask for CAP_NET_ADMIN (GENL_ADMIN_PERM, in the initial user
 * namespace), and only devices of the socket's namespace are found.
 *
 * An RX binding is installed on the queues the request names; a TX
 * binding (@req->tx) is only mapped for the device to read.
 *
 * Return: the binding, installed on every queue, or an ERR_PTR() with an
 * extack message for every refusal.
 */
static struct dmabuf_pp_binding *
dmabuf_pp_nl_bind(struct genl_info *info, const struct dmabuf_pp_bind_req *req,
		  struct list_head *sock_bindings)
{
	struct dmabuf_pp_binding *binding;
	struct net_device *netdev;
	struct device *dma_dev;
	unsigned int buf_shift;
	int err;

	rtnl_lock();

	netdev = __dev_get_by_index(genl_info_net(info), req->ifindex);
	if (!netdev || !netif_device_present(netdev)) {
		NL_SET_BAD_ATTR(info->extack, req->ifindex_attr);
		NL_SET_ERR_MSG_FMT(info->extack, "no device with ifindex %u",
				   req->ifindex);
		err = -ENODEV;
		goto err_unlock;
	}

	if (req->tx) {
		dma_dev = dmabuf_pp_tx_check(netdev, info->extack);
		buf_shift = PAGE_SHIFT;
	} else {
		dma_dev = dmabuf_pp_queues_check(netdev, req->idx, req->n,
						 &buf_shift, info->extack);
	}
	if (IS_ERR(dma_dev)) {
		err = PTR_ERR(dma_dev);
		goto err_unlock;
	}
	if (req->buf_size && req->buf_size != 1U << buf_shift) {
		NL_SET_ERR_MSG_FMT(info->extack,
				   "RX buffers of %s are %u bytes (rx-buf-len), not %u",
				   netdev->name, 1U << buf_shift, req->buf_size);
		err = -EINVAL;
		goto err_unlock;
	}

	binding = dmabuf_pp_binding_create(netdev, dma_dev, req->fd, buf_shift,
					   req->tx ? DMA_TO_DEVICE :
						     DMA_FROM_DEVICE,
					   info->extack);
	if (IS_ERR(binding)) {
		err = PTR_ERR(binding);
		goto err_unlock;
	}

	if (req->tx)
		err = dmabuf_pp_tx_install(binding, info->extack);
	else
		err = dmabuf_pp_queues_install(binding, req->idx, req->n,
					       info->extack);
	if (err)
		goto err_unbind;

	/* Its id goes to user space now: its leaving will be announced. */
	WRITE_ONCE(binding->installed, true);
	list_add(&binding->sock_link, sock_bindings);
	rtnl_unlock();
	return binding;

err_unbind:
	dmabuf_pp_binding_unbind(binding);
err_unlock:
	rtnl_unlock();
	return ERR_PTR(err);
}

/**
 * dmabuf_pp_nl_bind_reply() - bind for a request and answer it
 * @info: the request (netdev bind-rx or our family's bind)
 * @sock_bindings: the requesting socket's bindings
 * @req: what the request asks for; @req->idx is freed here
 * @put_reply: adds the family's reply attributes for the new binding
 *
 * The core of both families' bind.
 *
 * Return: 0 or a negative errno, with an extack message for every refusal.
 */
int dmabuf_pp_nl_bind_reply(struct genl_info *info,
			    struct list_head *sock_bindings,
			    struct dmabuf_pp_bind_req *req,
			    int (*put_reply)(struct sk_buff *rsp,
					     const struct dmabuf_pp_binding *b))
{
	struct dmabuf_pp_binding *binding;
	struct sk_buff *rsp;
	void *hdr;
	int err;

	rsp = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!rsp) {
		err = -ENOMEM;
		goto err_free_idx;
	}
	hdr = genlmsg_iput(rsp, info);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free_rsp;
	}

	binding = dmabuf_pp_nl_bind(info, req, sock_bindings);
	if (IS_ERR(binding)) {
		err = PTR_ERR(binding);
		goto err_free_rsp;
	}
	kfree(req->idx);

	/* From here on the binding is the socket's: it goes when the socket
	 * closes, whether or not the reply reached user space.
	 */
	if (put_reply(rsp, binding)) {
		nlmsg_free(rsp);
		return -EMSGSIZE;
	}
	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);

err_free_rsp:
	nlmsg_free(rsp);
err_free_idx:
	kfree(req->idx);
	return err;
}

static int dmabuf_pp_nl_put_bind_id(struct sk_buff *rsp,
				    const struct dmabuf_pp_binding *binding)
{
	return nla_put_u32(rsp, NETDEV_A_DMABUF_ID, binding->id);
}

/* The netdev family's bind-rx and bind-tx: the same request but queues. */
static int dmabuf_pp_nl_netdev_bind(struct sk_buff *skb,
				    struct genl_info *info, bool tx)
{
	struct dmabuf_pp_bind_req req = { .tx = tx };
	struct list_head *sock_bindings;
	int err;

	err = dmabuf_pp_nl_bind_target(info, NETDEV_A_DMABUF_IFINDEX,
				       NETDEV_A_DMABUF_FD, &req);
	if (err)
		return err;

	sock_bindings = genl_sk_priv_get(&netdev_nl_family, NETLINK_CB(skb).sk);
	if (IS_ERR(sock_bindings))
		return PTR_ERR(sock_bindings);

	/* No queue at all gets its own message (dmabuf_pp_nl_queues()). */
	if (!tx) {
		req.idx = dmabuf_pp_nl_queues(info, &req.n);
		if (IS_ERR(req.idx))
			return PTR_ERR(req.idx);
	}
	return dmabuf_pp_nl_bind_reply(info, sock_bindings, &req,
				       dmabuf_pp_nl_put_bind_id);
}

/**
 * dmabuf_pp_nl_bind_rx() - NETDEV_CMD_BIND_RX
 * @skb: the request
 * @info: its attributes
 *
 * Return: 0 or a negative errno, with an extack message for every refusal
 * of the request itself.
 */
int dmabuf_pp_nl_bind_rx(struct sk_buff *skb, struct genl_info *info)
{
	return dmabuf_pp_nl_netdev_bind(skb, info, false);
}

/**
 * dmabuf_pp_nl_bind_tx() - NETDEV_CMD_BIND_TX
 * @skb: the request
 * @info: its attributes: the device and the dma-buf, as upstream's
 *
 * The reply carries the id a sender names in SCM_DEVMEM_DMABUF. The
 * binding belongs to the requesting socket, as an RX binding does.
 *
 * Return: 0 or a negative errno, with an extack message for every refusal.
 */
int dmabuf_pp_nl_bind_tx(struct sk_buff *skb, struct genl_info *info)
{
	return dmabuf_pp_nl_netdev_bind(skb, info, true);
}

/**
 * dmabuf_pp_nl_sock_priv_destroy() - the binding socket closed: unbind all
 * @bindings: the socket's bindings
 *
 * Each binding comes off its queues now; it is freed once the buffers the
 * stack and user space still hold have come back.
 */
void dmabuf_pp_nl_sock_priv_destroy(struct list_head *bindings)
{
	struct dmabuf_pp_binding *binding, *tmp;

	rtnl_lock();
	list_for_each_entry_safe(binding, tmp, bindings, sock_link) {
		list_del(&binding->sock_link);
		dmabuf_pp_binding_unbind(binding);
	}
	rtnl_unlock();
}
