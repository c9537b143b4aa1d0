// SPDX-License-Identifier: GPL-2.0-only
/*
 * A dma-buf importer for tests and benchmarks: DMABUF_PROBE on
 * /sys/kernel/debug/dmabuf_pp_importer/probe (dmabuf_probe.h says what it
 * does). It behaves like a device driver would: it sees the mapped table's
 * DMA addresses and lengths only, and "DMAs" by turning a DMA address
 * back into memory it can reach (dma_to_phys(), then kmap_local_pfn() for
 * RAM or a write-combined mapping for I/O memory), as netdevsim's header
 * split does. Built into every flavor, so one probe measures stock's
 * exporter and ours alike.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/uaccess.h>

#include "dmabuf_probe.h"

/* One device: DMABUF_PROBE calls take turns setting its segment limit. */
static DEFINE_MUTEX(probe_lock);
static struct device *probe_dev;
static struct device_dma_parameters probe_dma_parms;

/* Is the memory behind DMA address @addr without struct pages (a BAR)? */
static bool dma_is_io(dma_addr_t addr)
{
	return !pfn_valid(PHYS_PFN(dma_to_phys(probe_dev, addr)));
}

/*
 * Bytes [@skip, @len) of I/O memory at @phys, which is dma-buf offset @pos,
 * through one write-combined mapping: written with the pattern first when
 * @write, then hashed into @hash.
 */
static u64 io_window(phys_addr_t phys, u64 pos, u64 skip, u64 len, bool write,
		     u32 seed, u64 hash)
{
	void __iomem *va = ioremap_wc(phys, len);
	u64 k;

	if (!va)
		return ~hash;	/* cannot match what user space computes */
	if (write) {
		for (k = skip; k < len; k++)
			writeb(dmabuf_probe_byte(pos + k, seed), va + k);
		/* Out of the write-combining buffers before reading back. */
		wmb();
	}
	for (k = skip; k < len; k++) {
		u8 b = readb(va + k);

		hash = dmabuf_probe_hash(hash, &b, 1);
	}
	iounmap(va);
	return hash;
}

/*
 * Hash bytes [@offset, @offset + @len) of what @sgt maps, first writing
 * the pattern there when @write. Walks entries by DMA address: RAM a page
 * at a time, I/O memory an entry at a time.
 */
static u64 dma_window(struct sg_table *sgt, u64 offset, u64 len, bool write,
		      u32 seed)
{
	u64 hash = DMABUF_PROBE_HASH_INIT, pos = 0, end = offset + len;
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		u64 ent_end = pos + sg_dma_len(sg);

		if (dma_is_io(addr) && pos < end) {
			u64 chunk = min(ent_end, end) - pos;

			if (pos + chunk > offset)
				hash = io_window(dma_to_phys(probe_dev, addr),
						 pos, pos < offset ? offset - pos : 0,
						 chunk, write, seed, hash);
			pos = ent_end;
			cond_resched();
			continue;
		}
		while (pos < ent_end && pos < end) {
			phys_addr_t phys = dma_to_phys(probe_dev, addr);
			u64 chunk = min3(ent_end - pos,
					 (u64)(PAGE_SIZE - offset_in_page(phys)),
					 end - pos);
			u8 *va;
			u64 k;

			if (pos + chunk > offset) {
				u64 skip = pos < offset ? offset - pos : 0;

				va = kmap_local_pfn(PHYS_PFN(phys));
				va += offset_in_page(phys);
				if (write)
					for (k = skip; k < chunk; k++)
						va[k] = dmabuf_probe_byte(pos + k,
									  seed);
				hash = dmabuf_probe_hash(hash, va + skip,
							 chunk - skip);
				kunmap_local(va);
			}
			pos += chunk;
			addr += chunk;
			cond_resched();
		}
	}
	return hash;
}

static void describe_table(struct sg_table *sgt, u32 max_seg,
			   struct dmabuf_probe *req)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 len = sg_dma_len(sg);

		req->nents++;
		req->mapped += len;
		req->max_len = max(req->max_len, len);
		if (dma_is_io(sg_dma_address(sg)))
			req->io_ents++;
		if (!PAGE_ALIGNED(sg_dma_address(sg)) || !PAGE_ALIGNED(len) ||
		    len > max_seg)
			req->bad_ents++;
	}
}

static int probe_vmap(struct dma_buf *dmabuf, struct dmabuf_probe *req)
{
	struct iosys_map map;
	int ret;

	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (ret)
		return ret;
	if (map.is_iomem) {
		u64 hash = DMABUF_PROBE_HASH_INIT, k;

		for (k = 0; k < req->length; k++) {
			u8 b = readb(map.vaddr_iomem + req->offset + k);

			hash = dmabuf_probe_hash(hash, &b, 1);
		}
		req->vmap_hash = hash;
	} else {
		req->vmap_hash = dmabuf_probe_hash(DMABUF_PROBE_HASH_INIT,
						   map.vaddr + req->offset,
						   req->length);
	}
	dma_buf_vunmap_unlocked(dmabuf, &map);
	return ret;
}

static int probe(struct dmabuf_probe *req)
{
	u32 max_seg = req->max_seg ?: SZ_64K;
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	int ret = 0;

	if (req->flags & ~(DMABUF_PROBE_WRITE | DMABUF_PROBE_VMAP))
		return -EINVAL;

	dmabuf = dma_buf_get(req->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	req->size = dmabuf->size;
	if (req->offset > req->size ||
	    req->length > req->size - req->offset) {
		ret = -EINVAL;
		goto out_put;
	}
	if (!req->length)
		req->length = req->size - req->offset;

	mutex_lock(&probe_lock);
	dma_set_max_seg_size(probe_dev, max_seg);
	attach = dma_buf_attach(dmabuf, probe_dev);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto out_unlock;
	}
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out_detach;
	}

	describe_table(sgt, max_seg, req);
	req->dma_hash = dma_window(sgt, req->offset, req->length,
				   req->flags & DMABUF_PROBE_WRITE, req->seed);
	if (req->flags & DMABUF_PROBE_VMAP)
		ret = probe_vmap(dmabuf, req);

	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
out_detach:
	dma_buf_detach(dmabuf, attach);
out_unlock:
	mutex_unlock(&probe_lock);
out_put:
	dma_buf_put(dmabuf);
	return ret;
}

static long probe_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct dmabuf_probe req;
	int ret;

	if (cmd != DMABUF_PROBE)
		return -ENOTTY;
	if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
		return -EFAULT;

	/* Outputs start from zero whatever the caller left in them. */
	memset(&req.size, 0, sizeof(req) - offsetof(struct dmabuf_probe, size));
	ret = probe(&req);
	if (ret)
		return ret;
	return copy_to_user((void __user *)arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static const struct file_operations probe_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = probe_ioctl,
	.llseek = noop_llseek,
};

static int __init dmabuf_probe_init(void)
{
	struct dentry *dir;
	int ret;

	probe_dev = root_device_register("dmabuf_pp_importer");
	if (IS_ERR(probe_dev))
		return PTR_ERR(probe_dev);
	probe_dev->dma_parms = &probe_dma_parms;
	ret = dma_coerce_mask_and_coherent(probe_dev, DMA_BIT_MASK(64));
	if (ret) {
		root_device_unregister(probe_dev);
		return ret;
	}

	dir = debugfs_create_dir("dmabuf_pp_importer", NULL);
	debugfs_create_file("probe", 0600, dir, NULL, &probe_fops);
	return 0;
}
late_initcall(dmabuf_probe_init);

MODULE_IMPORT_NS(DMA_BUF);
