// SPDX-License-Identifier: GPL-2.0
/*
 * Header split receive, the way a NIC does it on an RX queue whose buffers
 * come from a memory provider (a dma-buf bound with bind-rx).
 *
 * The frame the peer sent sits in host memory. For a TCP segment with
 * payload we build what the NIC would deliver: the headers (Ethernet, IP,
 * TCP with options) copied into a fresh skb in host memory, and the payload
 * "DMAed" into buffers taken from the queue's page_pool, attached as frags.
 * The device knows a buffer only by its DMA address, exactly as hardware
 * would: never by a netmem's struct page or the dma-buf's pages.
 *
 * Frames without TCP payload stay in host memory as they are. When the pool
 * has no free buffer, the frame is dropped and counted, like a NIC out of RX
 * descriptors; payload never falls back to host memory.
 */

#include <linux/dma-direct.h>
#include <linux/highmem.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ipv6.h>
#include <net/page_pool/helpers.h>

#include "netdevsim.h"

/* Our pools are order 0; every buffer is one page. */
#define NSIM_RX_BUF_SIZE	PAGE_SIZE

/* Offset of the TCP header from skb->data (the IP header), 0 if @skb is not
 * an unfragmented TCP segment.
 */
static unsigned int nsim_hds_l4_offset(struct sk_buff *skb)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP): {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, 0, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5 || iph->protocol != IPPROTO_TCP ||
		    ip_is_fragment(iph))
			return 0;
		return iph->ihl * 4;
	}
	case htons(ETH_P_IPV6): {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;
		__be16 frag_off;
		u8 nexthdr;
		int off;

		if (!IS_ENABLED(CONFIG_IPV6))
			return 0;
		ip6h = skb_header_pointer(skb, 0, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return 0;
		nexthdr = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, sizeof(_ip6h), &nexthdr, &frag_off);
		/* frag_off is non-zero for every fragment, the first too */
		if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
			return 0;
		return off;
	}
	default:
		return 0;
	}
}

/* Length of IP + TCP headers, TCP options included; 0 if not TCP. */
static unsigned int nsim_hds_hdr_len(struct sk_buff *skb)
{
	unsigned int l4 = nsim_hds_l4_offset(skb);
	const struct tcphdr *th;
	struct tcphdr _th;

	if (!l4)
		return 0;
	th = skb_header_pointer(skb, l4, sizeof(_th), &_th);
	if (!th || th->doff < 5)
		return 0;
	return l4 + th->doff * 4;
}

/*
 * The device writes @len bytes of @skb, from @off, to bus address @addr.
 * The netdevsim bus has no IOMMU, so its DMA is dma-direct and a bus address
 * translates straight to a physical one; the write goes through a temporary
 * kernel mapping of each page frame, which is how we emulate the memory
 * write a real NIC would do.
 */
static int nsim_dma_write(struct device *dma_dev, dma_addr_t addr,
			  const struct sk_buff *skb, unsigned int off,
			  unsigned int len)
{
	while (len) {
		phys_addr_t phys = dma_to_phys(dma_dev, addr);
		unsigned int in_page = offset_in_page(phys);
		unsigned int chunk = min_t(unsigned int, len,
					   PAGE_SIZE - in_page);
		void *va;
		int err;

		if (!pfn_valid(PHYS_PFN(phys)))
			return -EFAULT;
		va = kmap_local_pfn(PHYS_PFN(phys));
		err = skb_copy_bits(skb, off, va + in_page, chunk);
		kunmap_local(va);
		if (err)
			return err;

		addr += chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

static void nsim_hds_count(struct nsim_rq *rq, unsigned int payload,
			   bool dropped)
{
	u64_stats_update_begin(&rq->syncp);
	if (dropped) {
		rq->stats.no_buf_drops++;
	} else {
		rq->stats.devmem_packets++;
		rq->stats.devmem_bytes += payload;
	}
	u64_stats_update_end(&rq->syncp);
}

/**
 * nsim_hds_rx() - receive one frame on a provider-backed RX queue
 * @rq: the queue; called from its NAPI poll
 * @skb: the frame as the peer sent it, skb->data at the network header
 *
 * Return: the skb to pass up the stack (@skb itself when there is nothing
 * to split), or NULL when the frame was dropped.
 */
struct sk_buff *nsim_hds_rx(struct nsim_rq *rq, struct sk_buff *skb)
{
	struct net_device *dev = rq->napi.dev;
	struct device *dma_dev = dev->dev.parent;
	unsigned int mac_len, hdr_len, off, len;
	struct sk_buff *nskb;
	int frag = 0;

	hdr_len = nsim_hds_hdr_len(skb);
	if (!hdr_len || hdr_len >= skb->len)
		return skb;

	mac_len = skb->data - skb_mac_header(skb);
	nskb = napi_alloc_skb(&rq->napi, mac_len + hdr_len);
	if (!nskb)
		goto drop;
	skb_put_data(nskb, skb_mac_header(skb), mac_len);
	if (skb_copy_bits(skb, 0, skb_put(nskb, hdr_len), hdr_len))
		goto drop_nskb;
	nskb->protocol = eth_type_trans(nskb, dev);
	/* The payload frags go back to the pool (or the provider) on free. */
	skb_mark_for_recycle(nskb);

	for (off = hdr_len; off < skb->len; off += len) {
		netmem_ref netmem;

		if (frag == MAX_SKB_FRAGS)
			goto drop_nskb;
		netmem = page_pool_alloc_netmems(rq->page_pool,
						 GFP_ATOMIC | __GFP_NOWARN);
		if (!netmem)
			goto drop_nskb;

		len = min_t(unsigned int, skb->len - off, NSIM_RX_BUF_SIZE);
		if (nsim_dma_write(dma_dev,
				   page_pool_get_dma_addr_netmem(netmem),
				   skb, off, len)) {
			page_pool_put_full_netmem(rq->page_pool, netmem, true);
			goto drop_nskb;
		}
		skb_add_rx_frag_netmem(nskb, frag++, netmem, 0, len,
				       NSIM_RX_BUF_SIZE);
	}

	/* The peer's checksum offload makes the segment valid by
	 * construction; a NIC would have verified it. A GSO frame arrives as
	 * one large segment, as from a NIC doing LRO.
	 */
	nskb->ip_summed = CHECKSUM_UNNECESSARY;
	if (skb_is_gso(skb)) {
		skb_shinfo(nskb)->gso_size = skb_shinfo(skb)->gso_size;
		skb_shinfo(nskb)->gso_type = skb_shinfo(skb)->gso_type;
		skb_shinfo(nskb)->gso_segs = skb_shinfo(skb)->gso_segs;
	}

	nsim_hds_count(rq, skb->len - hdr_len, false);
	consume_skb(skb);
	return nskb;

drop_nskb:
	kfree_skb(nskb);
drop:
	nsim_hds_count(rq, 0, true);
	kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
	return NULL;
}
