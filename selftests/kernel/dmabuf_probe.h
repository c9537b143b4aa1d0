/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The test importer's interface (CONFIG_DMABUF_PP_TEST_IMPORTER), shared
 * by the kernel side (dmabuf_probe.c) and the tests and benchmarks that
 * call it.
 *
 * DMABUF_PROBE on /sys/kernel/debug/dmabuf_pp_importer/probe attaches the
 * dma-buf @fd to a test device whose maximum segment size is @max_seg,
 * maps it, reports the mapped table, optionally writes and reads bytes
 * through the DMA addresses the way a device would, and optionally reads
 * through dma_buf_vmap(); then unmaps and detaches. It never looks at the
 * table's pages: only sg_dma_address() and sg_dma_len(). Device memory (a
 * dma-buf of a PCI BAR, which has no pages) is read and written too.
 */
#ifndef DMABUF_PP_DMABUF_PROBE_H
#define DMABUF_PP_DMABUF_PROBE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DMABUF_PROBE_WRITE	0x1	/* fill the window with the pattern */
#define DMABUF_PROBE_VMAP	0x2	/* also hash the window via vmap */

struct dmabuf_probe {
	/* in */
	__s32 fd;		/* the dma-buf */
	__u32 flags;		/* DMABUF_PROBE_* */
	__u32 max_seg;		/* device's max segment size; 0: 64 KiB */
	__u32 seed;		/* pattern seed for DMABUF_PROBE_WRITE */
	__u64 offset;		/* window: start byte in the dma-buf */
	__u64 length;		/* window: bytes; 0 = up to the end */
	/* out */
	__u64 size;		/* dma-buf size */
	__u64 mapped;		/* sum of sg_dma_len() */
	__u64 max_len;		/* longest entry */
	__u32 nents;		/* entries after dma_map_sgtable() */
	__u32 bad_ents;		/* entries not page-aligned or > max_seg */
	__u64 dma_hash;		/* hash of the window read via DMA addresses */
	__u64 vmap_hash;	/* the same via vmap (DMABUF_PROBE_VMAP) */
	__u32 io_ents;		/* entries whose DMA address is I/O memory:
				 * no struct page behind it (a PCI BAR)
				 */
	__u32 reserved;
};

#define DMABUF_PROBE	_IOWR('P', 0x01, struct dmabuf_probe)

/* The byte a DMABUF_PROBE_WRITE puts at dma-buf offset @off. */
static inline __u8 dmabuf_probe_byte(__u64 off, __u32 seed)
{
	return (__u8)(off * 7 + (off >> 12) * 13 + seed);
}

/*
 * The hash both sides compute over a window: FNV-1a over its bytes, 64
 * bit. Userspace hashes the same window through the dma-buf's mmap.
 */
#define DMABUF_PROBE_HASH_INIT	0xcbf29ce484222325ULL

static inline __u64 dmabuf_probe_hash(__u64 h, const void *buf, __u64 len)
{
	const __u8 *p = (const __u8 *)buf;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

#endif /* DMABUF_PP_DMABUF_PROBE_H */
