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
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ipv6.h>
#include <net/page_pool/helpers.h>

#include "netdevsim.h"

/* The TCP segment in @skb, as the parser of a NIC sees it. */
struct nsim_hds_seg {
	unsigned int l4;	/* offset of the TCP header from skb->data */
	unsigned int hdr_len;	/* IP + TCP headers, options included */
	unsigned int len;	/* IP datagram length; trailing bytes are not */
};

/* Offset of the TCP header from skb->data (the IP header) and the IP
 * datagram's length in @seg; 0 if @skb is not an unfragmented TCP segment.
 */
static unsigned int nsim_hds_l4_offset(struct sk_buff *skb,
				       struct nsim_hds_seg *seg)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP): {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, 0, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5 ||
		    iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return 0;
		seg->len = ntohs(iph->tot_len);
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
		if (off < 0 || nexthdr != IPPROTO_TCP || frag_off ||
		    !ip6h->payload_len)	/* jumbograms: not here */
			return 0;
		seg->len = sizeof(_ip6h) + ntohs(ip6h->payload_len);
		return off;
	}
	default:
		return 0;
	}
}

/* Parse @skb into @seg; false if it is not a well-formed TCP segment. */
static bool nsim_hds_parse(struct sk_buff *skb, struct nsim_hds_seg *seg)
{
	const struct tcphdr *th;
	struct tcphdr _th;

	seg->l4 = nsim_hds_l4_offset(skb, seg);
	if (!seg->l4)
		return false;
	th = skb_header_pointer(skb, seg->l4, sizeof(_th), &_th);
	if (!th || th->doff < 5)
		return false;
	seg->hdr_len = seg->l4 + th->doff * 4;
	return seg->hdr_len <= seg->len && seg->len <= skb->len;
}

/*
 * Once the payload is in device memory the stack cannot checksum it, so the
 * "NIC" must. A frame from a peer with checksum offload (CHECKSUM_PARTIAL)
 * is valid by construction; anything else is verified here, over the
 * original frame, which is still in host memory.
 */
static bool nsim_hds_csum_ok(struct sk_buff *skb,
			     const struct nsim_hds_seg *seg)
{
	unsigned int l4_len = seg->len - seg->l4;
	__wsum csum;

	if (skb->ip_summed == CHECKSUM_PARTIAL ||
	    skb->ip_summed == CHECKSUM_UNNECESSARY)
		return true;

	csum = skb_checksum(skb, seg->l4, l4_len, 0);
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = (const struct iphdr *)skb->data;

		return !csum_tcpudp_magic(iph->saddr, iph->daddr, l4_len,
					  IPPROTO_TCP, csum);
	}
	return !csum_ipv6_magic(&((const struct ipv6hdr *)skb->data)->saddr,
				&((const struct ipv6hdr *)skb->data)->daddr,
				l4_len, IPPROTO_TCP, csum);
}

/**
 * nsim_dma_ram_map() - the emulated DMA engine's view of host RAM
 * @dma_dev: the device doing DMA
 * @addr: a bus address of @dma_dev
 * @len: bytes to reach from there
 * @chunk: how many of them the returned mapping holds (up to the end of
 *	the page frame)
 *
 * The netdevsim bus has no IOMMU, so its DMA is dma-direct and a bus
 * address translates to a physical one (a swiotlb slot when bouncing,
 * which is where a real device would go too). Its page frame is mapped
 * with kmap_local_pfn(), never through a struct page of the caller's.
 *
 * Return: the mapping of @addr's byte (kunmap_local() it), or NULL when
 * @addr is no RAM.
 */
void *nsim_dma_ram_map(struct device *dma_dev, dma_addr_t addr,
		       unsigned int len, unsigned int *chunk)
{
	phys_addr_t phys = dma_to_phys(dma_dev, addr);
	unsigned int in_page = offset_in_page(phys);

	if (!pfn_valid(PHYS_PFN(phys)))
		return NULL;
	*chunk = min_t(unsigned int, len, PAGE_SIZE - in_page);
	return kmap_local_pfn(PHYS_PFN(phys)) + in_page;
}

/*
 * The device writes @len bytes of @skb, from @off, to bus address @addr:
 * device memory (a BAR) through the queue's I/O window (rx_io.c), host RAM
 * through nsim_dma_ram_map(). Either way this emulates the memory write a
 * real NIC would do.
 */
static int nsim_hds_dma_write(struct nsim_rq *rq, struct device *dma_dev,
			      dma_addr_t addr, struct sk_buff *skb,
			      unsigned int off, unsigned int len)
{
	int err;

	err = nsim_io_window_write(rq->io_window, dma_to_phys(dma_dev, addr),
				   skb, off, len);
	if (err != -ERANGE)
		return err;

	while (len) {
		unsigned int chunk;
		void *va = nsim_dma_ram_map(dma_dev, addr, len, &chunk);

		if (!va)
			return -EFAULT;
		err = skb_copy_bits(skb, off, va, chunk);
		kunmap_local(va);
		if (err)
			return err;

		addr += chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

static void nsim_hds_count(struct nsim_rq *rq, unsigned int payload)
{
	u64_stats_update_begin(&rq->syncp);
	u64_stats_inc(&rq->stats.devmem_packets);
	u64_stats_add(&rq->stats.devmem_bytes, payload);
	u64_stats_update_end(&rq->syncp);
}

static void nsim_hds_count_no_buf(struct nsim_rq *rq)
{
	u64_stats_update_begin(&rq->syncp);
	u64_stats_inc(&rq->stats.no_buf_drops);
	u64_stats_update_end(&rq->syncp);
}

/* What a frag of @len takes of its buffer: page_pool aligns each one so */
static unsigned int nsim_hds_truesize(unsigned int len)
{
	return ALIGN(len, max_t(unsigned int, dma_get_cache_alignment(),
				__alignof__(struct skb_shared_info)));
}

/*
 * A GSO frame from the peer arrives as one large segment, as from a NIC
 * doing LRO: describe @nskb the way LRO drivers do, keeping only what TCP
 * receive looks at.
 */
static void nsim_hds_set_gso(struct sk_buff *nskb, const struct sk_buff *skb,
			     unsigned int hdr_len)
{
	struct skb_shared_info *sh = skb_shinfo(nskb);
	unsigned int mss = skb_shinfo(skb)->gso_size;

	sh->gso_size = mss;
	sh->gso_type = (skb->protocol == htons(ETH_P_IP) ?
			SKB_GSO_TCPV4 : SKB_GSO_TCPV6) |
		       (skb_shinfo(skb)->gso_type & SKB_GSO_TCP_ECN);
	sh->gso_segs = DIV_ROUND_UP(skb->len - hdr_len, mss);
}

/*
 * The frame's headers, copied into a new skb of host memory: what a
 * header-split NIC writes to its header buffer. NULL when out of memory.
 */
static struct sk_buff *nsim_hds_headers(struct nsim_rq *rq, struct sk_buff *skb,
					unsigned int hdr_len)
{
	unsigned int mac_len = skb->data - skb_mac_header(skb);
	struct sk_buff *nskb;

	nskb = napi_alloc_skb(&rq->napi, mac_len + hdr_len);
	if (!nskb)
		return NULL;
	skb_put_data(nskb, skb_mac_header(skb), mac_len);
	if (skb_copy_bits(skb, 0, skb_put(nskb, hdr_len), hdr_len)) {
		kfree_skb(nskb);
		return NULL;
	}
	nskb->protocol = eth_type_trans(nskb, rq->napi.dev);
	/* The payload frags go back to the pool (or the provider) on free. */
	skb_mark_for_recycle(nskb);
	return nskb;
}

/*
 * The payload of @skb, from @hdr_len on, written into the queue's buffers
 * and added to @nskb as frags. It goes into the open buffer, after what the
 * frames before it left there, as a striding or HW-GRO queue packs it: a
 * 1448-byte segment takes 1.5 KiB of a 64 KiB buffer, not all of it, and is
 * charged that much. page_pool keeps the open buffer (its frag API); each
 * frag holds a reference, and the buffer goes back once the last one is
 * freed. A piece that does not fit opens the next buffer.
 *
 * Return: SKB_NOT_DROPPED_YET, or why the frame is dropped.
 */
static enum skb_drop_reason nsim_hds_payload(struct nsim_rq *rq,
					     struct sk_buff *nskb,
					     struct sk_buff *skb,
					     unsigned int hdr_len)
{
	struct device *dma_dev = rq->napi.dev->dev.parent;
	/* ethtool rx-buf-len, as the pool was built with it */
	unsigned int buf_size = PAGE_SIZE << rq->page_pool->p.order;
	unsigned int off, len, offset;
	netmem_ref netmem;
	int frag = 0;

	for (off = hdr_len; off < skb->len; off += len) {
		if (frag == MAX_SKB_FRAGS)
			return SKB_DROP_REASON_PKT_TOO_BIG;
		len = min_t(unsigned int, skb->len - off, buf_size);
		netmem = page_pool_alloc_frag_netmem(rq->page_pool, &offset, len,
						     GFP_ATOMIC | __GFP_NOWARN);
		if (!netmem) {
			/* out of RX buffers: the NIC drops, never falls back */
			nsim_hds_count_no_buf(rq);
			return SKB_DROP_REASON_NOMEM;
		}
		if (nsim_hds_dma_write(rq, dma_dev,
				       page_pool_get_dma_addr_netmem(netmem) + offset,
				       skb, off, len)) {
			page_pool_put_full_netmem(rq->page_pool, netmem, true);
			return SKB_DROP_REASON_NOT_SPECIFIED;
		}
		skb_add_rx_frag_netmem(nskb, frag++, netmem, offset, len,
				       nsim_hds_truesize(len));
	}
	return SKB_NOT_DROPPED_YET;
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
	enum skb_drop_reason reason = SKB_DROP_REASON_NOMEM;
	struct nsim_hds_seg seg;
	struct sk_buff *nskb;

	if (!nsim_hds_parse(skb, &seg) || seg.hdr_len == seg.len)
		return skb;	/* not TCP, or no payload: host memory */
	/* Ethernet padding is not payload; the headers are read in place */
	if (pskb_trim(skb, seg.len) || !pskb_may_pull(skb, seg.hdr_len))
		goto drop;
	if (!nsim_hds_csum_ok(skb, &seg)) {
		reason = SKB_DROP_REASON_TCP_CSUM;
		goto drop;
	}

	nskb = nsim_hds_headers(rq, skb, seg.hdr_len);
	if (!nskb)
		goto drop;
	reason = nsim_hds_payload(rq, nskb, skb, seg.hdr_len);
	if (reason != SKB_NOT_DROPPED_YET)
		goto drop_nskb;

	/* Checksum verified above */
	nskb->ip_summed = CHECKSUM_UNNECESSARY;
	if (skb_is_gso(skb))
		nsim_hds_set_gso(nskb, skb, seg.hdr_len);

	/* Payload written to device memory may still sit in this CPU's
	 * write-combining buffers: a device completes its writes before it
	 * signals the packet, and so must we.
	 */
	if (rq->io_window)
		wmb();	/* payload before the packet that points at it */
	nsim_hds_count(rq, skb->len - seg.hdr_len);
	consume_skb(skb);
	return nskb;

drop_nskb:
	kfree_skb(nskb);
drop:
	kfree_skb_reason(skb, reason);
	return NULL;
}
