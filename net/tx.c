// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devmem TX: TCP payload sent straight out of a dma-buf, with upstream's
 * uAPI (6.16): bind-tx maps a dma-buf for a device to read (netlink.c);
 * a TCP socket with SO_ZEROCOPY then calls sendmsg(MSG_ZEROCOPY) with an
 * SCM_DEVMEM_DMABUF cmsg naming that binding, and each iov's iov_base is
 * an offset into the dma-buf, iov_len a length. Completions come on the
 * error queue as for any MSG_ZEROCOPY send, once every skb holding the
 * range is freed: after the device read it.
 *
 * A TX binding is carved into page-sized net_iovs that no page_pool owns
 * (area->tx). An skb frag pointing at one holds a reference on the
 * binding (dmabuf_pp_frag_ref(), called for every net_iov frag by the
 * core's frag helpers), so the binding and its mapping outlive the last
 * skb the device could read from, whoever unbinds first. The mapping goes
 * earlier only when the device unregisters: a closed device reads
 * nothing, and dmabuf_pp_tx_skb_ok() then refuses those skbs everywhere.
 *
 * The CPU never reads such a payload: the skbs are unreadable (the core's
 * copy and checksum helpers refuse them), and only the bound device may
 * transmit them.
 */

#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/skbuff_ref.h>
#include <linux/uio.h>
#include <net/dst.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "provider.h"

/**
 * dmabuf_pp_tx_check() - may a device send from device memory?
 * @dev: the netdev of a bind-tx request; RTNL held
 * @extack: where to say why not
 *
 * Return: the device to map the dma-buf for, or ERR_PTR(-EOPNOTSUPP).
 */
struct device *dmabuf_pp_tx_check(struct net_device *dev,
				  struct netlink_ext_ack *extack)
{
	if (!dev->netmem_tx) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s cannot send from device memory",
				   dev->name);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dmabuf_pp_dma_dev(dev, extack);
}

/*
 * Every range the caller gives must lie inside the dma-buf: checked for the
 * whole call before anything is queued, so that a bad range fails the call
 * rather than cutting it short at that range.
 */
static int dmabuf_pp_tx_ranges_ok(const struct iov_iter *iter, size_t size)
{
	const struct iovec *iov;
	unsigned long i;

	if (iter_is_ubuf(iter)) {
		unsigned long start = (unsigned long)iter->ubuf +
				      iter->iov_offset;

		return start < size && iter->count <= size - start;
	}
	if (!iter_is_iovec(iter))
		return false;

	iov = iter_iov(iter);
	for (i = 0; i < iter->nr_segs; i++) {
		unsigned long start = (unsigned long)iov[i].iov_base;
		size_t len = iov[i].iov_len;

		if (!i) {
			start += iter->iov_offset;
			len -= iter->iov_offset;
		}
		if (len && (start >= size || len > size - start))
			return false;
	}
	return true;
}

/**
 * dmabuf_pp_tx_get() - the TX binding a sendmsg() names
 * @sk: the sending TCP socket, locked
 * @id: the id from SCM_DEVMEM_DMABUF
 * @flags: the call's flags
 * @msg: the call: its iovs are dma-buf ranges
 *
 * Refusals, with upstream's errnos: EINVAL without MSG_ZEROCOPY or
 * SO_ZEROCOPY, or when @id is no live TX binding (unknown, unbound, or an
 * RX binding); ENODEV when the socket's route does not leave through the
 * binding's device (whose DMA addresses these are); EFAULT for a range past
 * the dma-buf's end.
 *
 * Return: the binding, referenced for the call (dmabuf_pp_tx_put()), or an
 * ERR_PTR().
 */
struct dmabuf_pp_binding *dmabuf_pp_tx_get(struct sock *sk, u32 id,
					   int flags, struct msghdr *msg)
{
	struct dmabuf_pp_binding *binding;
	struct dst_entry *dst;
	int err;

	if (!(flags & MSG_ZEROCOPY) || !sock_flag(sk, SOCK_ZEROCOPY))
		return ERR_PTR(-EINVAL);

	rcu_read_lock();
	binding = xa_load(&dmabuf_pp_bindings, id);
	if (binding && (!binding->area.tx || READ_ONCE(binding->unbound) ||
			!refcount_inc_not_zero(&binding->ref)))
		binding = NULL;
	rcu_read_unlock();
	if (!binding)
		return ERR_PTR(-EINVAL);

	/* binding->dev is cleared under RTNL before its netdev can go, and
	 * only compared here.
	 */
	dst = __sk_dst_get(sk);
	if (!dst || !dst->dev || dst->dev != READ_ONCE(binding->dev)) {
		err = -ENODEV;
		goto err_put;
	}
	if (!dmabuf_pp_tx_ranges_ok(&msg->msg_iter, binding->size)) {
		err = -EFAULT;
		goto err_put;
	}
	return binding;

err_put:
	dmabuf_pp_tx_put(binding);
	return ERR_PTR(err);
}

/**
 * dmabuf_pp_tx_put() - let go of a TX binding, in any context
 * @binding: a TX binding
 */
void dmabuf_pp_tx_put(struct dmabuf_pp_binding *binding)
{
	dmabuf_pp_binding_put(binding);
}

/* Append up to @length bytes of the caller's ranges to @skb as frags. */
static int dmabuf_pp_tx_fill(struct sk_buff *skb, struct iov_iter *from,
			     int length, struct dmabuf_pp_binding *binding)
{
	const struct dmabuf_pp_area *area = &binding->area;
	unsigned long mask = (1UL << area->buf_shift) - 1;
	int i = skb_shinfo(skb)->nr_frags;

	while (length && iov_iter_count(from)) {
		unsigned long offset = (unsigned long)iter_iov_addr(from);
		struct net_iov *niov;
		size_t size, seg;

		/* A single iov comes as ITER_UBUF, whose count is its length */
		seg = iter_is_ubuf(from) ? iov_iter_count(from) :
					   iter_iov_len(from);
		if (!seg) {
			/* An empty iov names nothing: step past it */
			iov_iter_advance(from, 0);
			continue;
		}
		if (i == MAX_SKB_FRAGS)
			return -EMSGSIZE;
		/* Checked for the call in dmabuf_pp_tx_ranges_ok() */
		if (offset >= binding->size)
			return -EFAULT;

		size = min3(mask + 1 - (offset & mask), (size_t)length, seg);
		niov = &area->niovs[offset >> area->buf_shift];
		refcount_inc(&binding->ref);
		this_cpu_inc(binding->pcpu->tx_frags);
		/* truesize: the bytes referenced; no host memory backs them */
		skb_add_rx_frag_netmem(skb, i, net_iov_to_netmem(niov),
				       offset & mask, size, size);
		iov_iter_advance(from, size);
		length -= size;
		i++;
	}
	return 0;
}

/**
 * dmabuf_pp_tx_append() - skb_zerocopy_iter_stream() for dma-buf ranges
 * @sk: the sending socket, locked
 * @skb: the skb at the tail of its write queue
 * @msg: the call; its iterator is advanced past what was appended
 * @len: most bytes to append
 * @uarg: the call's MSG_ZEROCOPY completion
 * @binding: the TX binding the ranges are in
 *
 * Return: bytes appended; -EEXIST when @skb completes another call's
 * ranges and -EMSGSIZE when it has no frag left (the caller starts a new
 * skb), or -EFAULT.
 */
int dmabuf_pp_tx_append(struct sock *sk, struct sk_buff *skb,
			struct msghdr *msg, int len, struct ubuf_info *uarg,
			struct dmabuf_pp_binding *binding)
{
	struct ubuf_info *orig_uarg = skb_zcopy(skb);
	unsigned int orig_truesize = skb->truesize;
	int err, orig_len = skb->len;
	unsigned int truesize;

	/* An skb points at one completion only */
	if (orig_uarg && uarg != orig_uarg)
		return -EEXIST;

	err = dmabuf_pp_tx_fill(skb, &msg->msg_iter, len, binding);

	truesize = skb->truesize - orig_truesize;
	sk_wmem_queued_add(sk, truesize);
	if (!skb_zcopy_pure(skb))
		sk_mem_charge(sk, truesize);

	if (err == -EFAULT || (err == -EMSGSIZE && skb->len == orig_len)) {
		struct sock *save_sk = skb->sk;

		/* Streams do not free the skb on error: undo what was added */
		iov_iter_revert(&msg->msg_iter, skb->len - orig_len);
		skb->sk = sk;
		___pskb_trim(skb, orig_len);
		skb->sk = save_sk;
		return err;
	}

	skb_zcopy_set(skb, uarg, NULL);
	this_cpu_add(binding->pcpu->tx_bytes, skb->len - orig_len);
	return skb->len - orig_len;
}

/**
 * dmabuf_pp_tx_skb_ok() - may @dev transmit this unreadable skb?
 * @skb: an skb whose frags are not all readable
 * @dev: the device about to transmit it
 *
 * Only when @dev declares devmem TX and every net_iov frag is a buffer of
 * a TX binding mapped for @dev: device memory is reachable by its own
 * device's DMA addresses only, and an RX buffer is never sent.
 */
bool dmabuf_pp_tx_skb_ok(const struct sk_buff *skb,
			 const struct net_device *dev)
{
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int i;

	if (!dev->netmem_tx || skb_has_frag_list(skb))
		return false;

	for (i = 0; i < shinfo->nr_frags; i++) {
		netmem_ref netmem = skb_frag_netmem(&shinfo->frags[i]);
		const struct dmabuf_pp_area *area;

		if (!netmem_is_net_iov(netmem))
			continue;
		area = netmem_to_net_iov(netmem)->pp_area;
		if (!area->tx || READ_ONCE(area->binding->dev) != dev)
			return false;
	}
	return true;
}

/*
 * The core's frag helpers (skbuff_ref.h) call these for every frag that is
 * a net_iov and not recycled by a page_pool: only TX buffers are. An RX
 * buffer here would be a bug in the core, and is refused loudly rather
 * than freed under its page_pool.
 */
void dmabuf_pp_frag_ref(netmem_ref netmem)
{
	const struct dmabuf_pp_area *area = netmem_to_net_iov(netmem)->pp_area;

	if (WARN_ON_ONCE(!area->tx))
		return;
	refcount_inc(&area->binding->ref);
	this_cpu_inc(area->binding->pcpu->tx_frags);
}

void dmabuf_pp_frag_unref(netmem_ref netmem)
{
	const struct dmabuf_pp_area *area = netmem_to_net_iov(netmem)->pp_area;

	if (WARN_ON_ONCE(!area->tx))
		return;
	this_cpu_dec(area->binding->pcpu->tx_frags);
	dmabuf_pp_tx_put(area->binding);	/* may free it */
}

/* TX bindings still on their device (RTNL) */
static LIST_HEAD(dmabuf_pp_tx_bindings);

/*
 * Devices that emulate DMA with the CPU, told of each TX binding's mapping
 * (RTNL): see <net/dmabuf_pp.h>.
 */
static RAW_NOTIFIER_HEAD(dmabuf_pp_tx_chain);

int dmabuf_pp_tx_register_notifier(struct notifier_block *nb)
{
	ASSERT_RTNL();
	return raw_notifier_chain_register(&dmabuf_pp_tx_chain, nb);
}
EXPORT_SYMBOL_GPL(dmabuf_pp_tx_register_notifier);

int dmabuf_pp_tx_unregister_notifier(struct notifier_block *nb)
{
	ASSERT_RTNL();
	return raw_notifier_chain_unregister(&dmabuf_pp_tx_chain, nb);
}
EXPORT_SYMBOL_GPL(dmabuf_pp_tx_unregister_notifier);

static struct dmabuf_pp_tx_mapping
dmabuf_pp_tx_event_info(struct dmabuf_pp_binding *binding,
			struct netlink_ext_ack *extack)
{
	return (struct dmabuf_pp_tx_mapping){
		.dev = binding->dev,
		.dma_dev = binding->dma_dev,
		.sgt = binding->sgt,
		.binding = binding,
		.extack = extack,
	};
}

/**
 * dmabuf_pp_tx_install() - a new TX binding is on its device
 * @binding: the binding, mapped for its device; RTNL held
 * @extack: where a device that cannot reach the memory says why
 *
 * Return: 0, or the errno of a notified device that refused (none was
 * left holding anything of the binding).
 */
int dmabuf_pp_tx_install(struct dmabuf_pp_binding *binding,
			 struct netlink_ext_ack *extack)
{
	struct dmabuf_pp_tx_mapping m = dmabuf_pp_tx_event_info(binding, extack);
	int ret;

	ASSERT_RTNL();
	ret = raw_notifier_call_chain_robust(&dmabuf_pp_tx_chain,
					     DMABUF_PP_TX_MAPPED,
					     DMABUF_PP_TX_UNMAPPING, &m);
	ret = notifier_to_errno(ret);
	if (ret)
		return ret;
	list_add(&binding->tx_link, &dmabuf_pp_tx_bindings);
	return 0;
}

/**
 * dmabuf_pp_tx_leave() - a TX binding is about to be unmapped
 * @binding: the binding, still mapped for its device; RTNL held
 *
 * Takes it off the list of TX bindings and tells the devices that asked.
 *
 * No skb of it can be on its way to the device any more: either the last
 * one was freed, or the device has unregistered.
 */
void dmabuf_pp_tx_leave(struct dmabuf_pp_binding *binding)
{
	struct dmabuf_pp_tx_mapping m = dmabuf_pp_tx_event_info(binding, NULL);

	ASSERT_RTNL();
	if (list_empty(&binding->tx_link))
		return;		/* never installed */
	list_del_init(&binding->tx_link);
	raw_notifier_call_chain(&dmabuf_pp_tx_chain, DMABUF_PP_TX_UNMAPPING,
				&m);
}

/**
 * dmabuf_pp_tx_change_netns() - may a netdev with TX bindings move?
 * @dev: the netdev; RTNL held
 * @net: where it would go
 * @extack: where to say why not
 *
 * Not while a TX binding is on it, as for RX bindings
 * (dev_dmabuf_change_netns()): the binding, its socket and its reports
 * belong to the namespace it was made in, and senders there may use it. A
 * dying namespace's devices must go; their bindings follow them.
 *
 * Return: 0, or -EBUSY with a message.
 */
int dmabuf_pp_tx_change_netns(struct net_device *dev, struct net *net,
			      struct netlink_ext_ack *extack)
{
	struct dmabuf_pp_binding *binding;

	ASSERT_RTNL();

	list_for_each_entry(binding, &dmabuf_pp_tx_bindings, tx_link) {
		if (binding->dev != dev)
			continue;
		if (check_net(dev_net(dev))) {
			NL_SET_ERR_MSG_FMT(extack,
					   "%s has TX binding %u; unbind it before moving the device",
					   dev->name, binding->id);
			return -EBUSY;
		}
		WRITE_ONCE(binding->netns_cookie, net->net_cookie);
	}
	return 0;
}

/**
 * dmabuf_pp_tx_uninstall() - a netdev unregisters: unmap its TX bindings
 * @dev: the netdev, closed; RTNL held
 *
 * Its skbs still queued in sockets stay, and are dropped at transmit:
 * their binding has no device any more.
 */
void dmabuf_pp_tx_uninstall(struct net_device *dev)
{
	struct dmabuf_pp_binding *binding, *tmp;

	ASSERT_RTNL();

	list_for_each_entry_safe(binding, tmp, &dmabuf_pp_tx_bindings, tx_link)
		if (binding->dev == dev)
			dmabuf_pp_binding_leave(binding);
}
