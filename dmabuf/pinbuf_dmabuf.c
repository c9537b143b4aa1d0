// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dma-buf side of a pinbuf: attachments, CPU mappings, CPU access.
 *
 * Each attachment gets its own sg table (attach->priv), cut to its
 * device's segment limits when it attaches and DMA-mapped when the
 * importer first maps it; the core caches that mapping in attach->sgt
 * until detach (cache_sgt_mapping). Userspace mappings are populated in
 * full by mmap() itself, one remap per contiguous run, so touching a
 * fresh mapping never faults into this driver.
 *
 * Locking: no lock of our own. The core keeps the attachment list and
 * each cached mapping under the buffer's reservation lock, and calls
 * map/unmap and vmap/vunmap with it held; CPU access takes it to walk
 * the mapped attachments and the kernel mapping.
 */
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "pinbuf.h"

static int pinbuf_attach(struct dma_buf *dmabuf,
			 struct dma_buf_attachment *attach)
{
	struct sg_table *sgt;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return -ENOMEM;

	ret = pinbuf_sg_build(dmabuf->priv, attach->dev, sgt);
	if (ret) {
		kfree(sgt);
		return ret;
	}
	attach->priv = sgt;
	return 0;
}

static void pinbuf_detach(struct dma_buf *dmabuf,
			  struct dma_buf_attachment *attach)
{
	sg_free_table(attach->priv);
	kfree(attach->priv);
}

/* cache_sgt_mapping: the core maps an attachment at most once. */
static struct sg_table *pinbuf_map(struct dma_buf_attachment *attach,
				   enum dma_data_direction dir)
{
	struct sg_table *sgt = attach->priv;
	int ret;

	/* No DMA_ATTR_SKIP_CPU_SYNC: what the CPU wrote through a mapping
	 * must reach the device.
	 */
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	return ret ? ERR_PTR(ret) : sgt;
}

static void pinbuf_unmap(struct dma_buf_attachment *attach,
			 struct sg_table *sgt, enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
}

/*
 * The kernel mapping's caches, in pieces: the vmap range helpers take an
 * int size.
 */
static void vmap_range_sync(void *vaddr, size_t size, bool for_cpu)
{
	size_t chunk;

	for (; size; vaddr += chunk, size -= chunk) {
		chunk = min_t(size_t, size, SZ_1G);
		if (for_cpu)
			invalidate_kernel_vmap_range(vaddr, chunk);
		else
			flush_kernel_vmap_range(vaddr, chunk);
	}
}

/*
 * Sync a mapped attachment by DMA address only, in the direction it was
 * mapped with (the DMA API wants that direction back, whatever the CPU is
 * about to do). Not dma_sync_sgtable_*(): with CONFIG_DMABUF_DEBUG the
 * core scrambles the page pointers of the cached table until unmap, and
 * IOMMU or non-coherent implementations of the sgtable syncs would do
 * cache maintenance on sg_phys() of those.
 */
static void attachment_sync(struct dma_buf_attachment *attach, bool for_cpu)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(attach->sgt, sg, i) {
		if (for_cpu)
			dma_sync_single_for_cpu(attach->dev, sg_dma_address(sg),
						sg_dma_len(sg), attach->dir);
		else
			dma_sync_single_for_device(attach->dev,
						   sg_dma_address(sg),
						   sg_dma_len(sg), attach->dir);
	}
}

static int pinbuf_cpu_sync(struct dma_buf *dmabuf, bool for_cpu)
{
	struct dma_buf_attachment *attach;
	struct pinbuf *pb = dmabuf->priv;
	int ret;

	ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
	if (ret)
		return ret;
	if (pb->vaddr)
		vmap_range_sync(pb->vaddr, dmabuf->size, for_cpu);
	list_for_each_entry(attach, &dmabuf->attachments, node)
		if (attach->sgt)
			attachment_sync(attach, for_cpu);
	dma_resv_unlock(dmabuf->resv);
	return 0;
}

static int pinbuf_begin_cpu_access(struct dma_buf *dmabuf,
				   enum dma_data_direction dir)
{
	return pinbuf_cpu_sync(dmabuf, true);
}

static int pinbuf_end_cpu_access(struct dma_buf *dmabuf,
				 enum dma_data_direction dir)
{
	return pinbuf_cpu_sync(dmabuf, false);
}

struct mmap_fill {
	struct pinbuf_runs runs;
	struct vm_area_struct *vma;
	unsigned long addr;		/* where the next run goes */
};

static int mmap_fill_emit(struct pinbuf_runs *runs, unsigned long pfn,
			  unsigned long nr_pages)
{
	struct mmap_fill *fill = container_of(runs, struct mmap_fill, runs);
	unsigned long len = nr_pages << PAGE_SHIFT;
	int ret;

	ret = remap_pfn_range(fill->vma, fill->addr, pfn, len,
			      fill->vma->vm_page_prot);
	fill->addr += len;
	return ret;
}

/*
 * Map the whole VMA now. On failure the mmap fails and the core unmaps
 * whatever was already remapped.
 */
static int pinbuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct mmap_fill fill = {
		.runs = { .max_pages = ULONG_MAX, .emit = mmap_fill_emit },
		.vma = vma,
		.addr = vma->vm_start,
	};
	struct pinbuf *pb = dmabuf->priv;

	/* A private mapping would give the writer copies the device never
	 * sees.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff > pb->nr_pages ||
	    vma_pages(vma) > pb->nr_pages - vma->vm_pgoff)
		return -EINVAL;

	return pinbuf_walk(pb, vma->vm_pgoff, vma_pages(vma), &fill.runs);
}

struct pages_fill {
	struct pinbuf_runs runs;
	struct page **pages;
	unsigned long n;
};

static int pages_fill_emit(struct pinbuf_runs *runs, unsigned long pfn,
			   unsigned long nr_pages)
{
	struct pages_fill *fill = container_of(runs, struct pages_fill, runs);

	while (nr_pages--)
		fill->pages[fill->n++] = pfn_to_page(pfn++);
	return 0;
}

/*
 * Every page of every folio, so large folios map whole, not by heads. One
 * page a run: vmap() wants pages, so nothing is merged only to be split.
 */
static int pinbuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct pages_fill fill = {
		.runs = { .max_pages = 1, .emit = pages_fill_emit },
	};
	struct pinbuf *pb = dmabuf->priv;
	void *vaddr;

	dma_resv_assert_held(dmabuf->resv);

	/* vmap() counts pages in an unsigned int. */
	if (pb->nr_pages > UINT_MAX)
		return -E2BIG;
	fill.pages = kvmalloc_array(pb->nr_pages, sizeof(*fill.pages),
				    GFP_KERNEL);
	if (!fill.pages)
		return -ENOMEM;
	pinbuf_walk(pb, 0, pb->nr_pages, &fill.runs);

	vaddr = vmap(fill.pages, pb->nr_pages, VM_MAP, PAGE_KERNEL);
	kvfree(fill.pages);
	if (!vaddr)
		return -ENOMEM;

	pb->vaddr = vaddr;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void pinbuf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct pinbuf *pb = dmabuf->priv;

	dma_resv_assert_held(dmabuf->resv);

	pb->vaddr = NULL;
	vunmap(map->vaddr);
}

static void pinbuf_release(struct dma_buf *dmabuf)
{
	pinbuf_free(dmabuf->priv);
}

static const struct dma_buf_ops pinbuf_dmabuf_ops = {
	.cache_sgt_mapping = true,
	.attach = pinbuf_attach,
	.detach = pinbuf_detach,
	.map_dma_buf = pinbuf_map,
	.unmap_dma_buf = pinbuf_unmap,
	.begin_cpu_access = pinbuf_begin_cpu_access,
	.end_cpu_access = pinbuf_end_cpu_access,
	.mmap = pinbuf_mmap,
	.vmap = pinbuf_vmap,
	.vunmap = pinbuf_vunmap,
	.release = pinbuf_release,
};

/**
 * pinbuf_export() - wrap a finished pinbuf in a dma-buf
 * @pb: the buffer; on success the dma-buf owns it and frees it on release
 *
 * Return: the dma-buf or an ERR_PTR; on failure @pb is still the caller's.
 */
struct dma_buf *pinbuf_export(struct pinbuf *pb)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);

	exp_info.ops = &pinbuf_dmabuf_ops;
	exp_info.size = pb->nr_pages << PAGE_SHIFT;
	exp_info.flags = O_RDWR;
	exp_info.priv = pb;
	return dma_buf_export(&exp_info);
}
