// SPDX-License-Identifier: GPL-2.0-only
/*
 * A dma-heap whose buffers live in a PCI BAR: device memory without struct
 * pages, the memory devmem TCP exists for (an accelerator's VRAM). Here the
 * device is QEMU's ivshmem-plain (1af4:1110), whose BAR 2 is plain memory
 * that the host also sees as a file.
 *
 * /dev/dma_heap/bar-<pci name> answers DMA_HEAP_IOCTL_ALLOC with a
 * physically contiguous range of BAR 2, first fit, in BAR_HEAP_ALIGN steps.
 *
 * Importers get DMA addresses only: each attachment's table is made by
 * dma_map_resource() of the buffer's physical range for the importer's
 * device, and its entries carry sg_dma_address()/sg_dma_len() and no page
 * (sg_page() is NULL: there is no struct page to give). A PCI importer must
 * be able to reach the BAR peer to peer (pci_p2pdma_distance_many()).
 *
 * CPU access is write-combined: mmap() maps the BAR range with WC, vmap()
 * returns an I/O-memory mapping, DMA_BUF_IOCTL_SYNC orders accesses and
 * has no cache to maintain.
 *
 * Removing the PCI device waits until the last buffer is freed (its last
 * fd, mapping and importer gone); meanwhile the heap allocates nothing.
 * A dma-heap cannot be unregistered in 6.12, so the heap stays, refuses
 * allocations with ENODEV, and serves the device again if it comes back.
 *
 * debugfs (dmabuf_pp_bar/<heap>/): "info" (size, free, buffers, state) and
 * "buffers" (one line each: dma-buf inode, offset in the BAR, size), which
 * is how user space learns where in the device its buffer lives.
 */
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/dma-mapping.h>
#include <linux/genalloc.h>
#include <linux/io.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>

#define BAR_HEAP_BAR		2
/* Every buffer starts and ends on this: the largest net_iov (64 KiB). */
#define BAR_HEAP_ALIGN		SZ_64K

/*
 * One per PCI slot ever probed, never freed: the dma-heap it registered
 * cannot be removed, and its ops reach us through it.
 */
struct bar_heap {
	struct list_head node;		/* in bar_heaps */
	char name[32];			/* "bar-" + the PCI name */
	struct dma_heap *heap;
	struct dentry *debugfs;

	struct mutex lock;		/* everything below */
	struct pci_dev *pdev;		/* NULL when no device is bound */
	bool removing;			/* remove() waits for the buffers;
					 * read without the lock by new users
					 */
	phys_addr_t base;		/* BAR 2, CPU physical address */
	resource_size_t size;
	struct gen_pool *pool;		/* allocates [base, base + size) */
	struct list_head buffers;
	unsigned int nbuffers;
	wait_queue_head_t idle;		/* nbuffers reached 0 */
};

struct bar_buffer {
	struct bar_heap *bh;
	struct dma_buf *dmabuf;
	struct list_head node;		/* in bh->buffers */
	phys_addr_t phys;
	size_t size;
};

/* An importer's mapping: the table made for its device. */
/*
 * An importer's one mapping of a buffer, in attach->priv while it exists:
 * made by map, gone with unmap, so an attachment needs no state of ours
 * before or after it.
 */
struct bar_mapping {
	struct sg_table sgt;
	dma_addr_t dma;
	enum dma_data_direction dir;
};

static LIST_HEAD(bar_heaps);
static DEFINE_MUTEX(bar_heaps_lock);
static struct dentry *bar_debugfs_root;

/*
 * A device being removed takes no new users: remove() waits for the ones
 * there are, and must not wait for ever.
 */
static bool bar_heap_removing(struct bar_heap *bh)
{
	return READ_ONCE(bh->removing);
}

/* Who may import: nothing is kept, the mapping is made by bar_map(). */
static int bar_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct bar_buffer *buf = dmabuf->priv;
	struct device *client = attach->dev;

	/*
	 * A PCI importer reaches the BAR peer to peer, through a common
	 * switch or a host bridge that forwards between root ports; the
	 * p2pdma code knows which do. Anything else is refused rather than
	 * given an address its writes would never arrive at. Other
	 * importers (netdevsim's bus, the test importer) are reachable
	 * wherever bus addresses are physical ones, and dma_map_resource()
	 * fails for them otherwise.
	 */
	if (dev_is_pci(client) &&
	    pci_p2pdma_distance_many(buf->bh->pdev, &client, 1, true) < 0)
		return -EOPNOTSUPP;
	if (bar_heap_removing(buf->bh))
		return -ENODEV;
	return 0;
}

/*
 * Bytes of the entry that starts @done bytes into a mapping at @dma: at
 * most @max_seg, never across the device's segment boundary (@boundary is
 * its mask), never past the buffer's end.
 */
static size_t bar_entry_len(dma_addr_t dma, size_t done, size_t size,
			    unsigned long max_seg, unsigned long boundary)
{
	dma_addr_t at = dma + done;

	/* Each bound less one: a boundary mask of ~0 must not wrap. */
	return min3((u64)max_seg - 1, (u64)(size - done) - 1,
		    (u64)(boundary - (at & boundary))) + 1;
}

/*
 * One mapping of the whole buffer for the importer's device, cut into
 * entries its DMA segment limits accept. No entry has a page.
 */
static struct sg_table *bar_map(struct dma_buf_attachment *attach,
				enum dma_data_direction dir)
{
	struct bar_buffer *buf = attach->dmabuf->priv;
	struct device *dev = attach->dev;
	unsigned long max_seg, boundary;
	unsigned int nents = 0, i;
	struct scatterlist *sg;
	struct bar_mapping *a;
	size_t done;
	int ret;

	/* One table per attachment: importers map once (devmem does). */
	if (attach->priv)
		return ERR_PTR(-EBUSY);

	/* Whole pages: a page-aligned BAR range cut in page multiples. */
	max_seg = rounddown(dma_get_max_seg_size(dev), PAGE_SIZE);
	boundary = dma_get_seg_boundary(dev);
	if (!max_seg || boundary < PAGE_SIZE - 1)
		return ERR_PTR(-EINVAL);

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return ERR_PTR(-ENOMEM);
	a->dma = dma_map_resource(dev, buf->phys, buf->size, dir,
				  DMA_ATTR_SKIP_CPU_SYNC);
	if (dma_mapping_error(dev, a->dma)) {
		ret = -EIO;
		goto err_free;
	}

	for (done = 0; done < buf->size; nents++)
		done += bar_entry_len(a->dma, done, buf->size, max_seg, boundary);
	ret = sg_alloc_table(&a->sgt, nents, GFP_KERNEL);
	if (ret)
		goto err_unmap_resource;
	done = 0;
	for_each_sgtable_sg(&a->sgt, sg, i) {
		size_t len = bar_entry_len(a->dma, done, buf->size, max_seg,
					   boundary);

		sg_dma_address(sg) = a->dma + done;
		sg_dma_len(sg) = len;
		done += len;
	}
	a->dir = dir;
	attach->priv = a;
	return &a->sgt;

err_unmap_resource:
	dma_unmap_resource(dev, a->dma, buf->size, dir, DMA_ATTR_SKIP_CPU_SYNC);
err_free:
	kfree(a);
	return ERR_PTR(ret);
}

static void bar_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
		      enum dma_data_direction dir)
{
	struct bar_buffer *buf = attach->dmabuf->priv;
	struct bar_mapping *a = attach->priv;

	sg_free_table(&a->sgt);
	dma_unmap_resource(attach->dev, a->dma, buf->size, a->dir,
			   DMA_ATTR_SKIP_CPU_SYNC);
	attach->priv = NULL;
	kfree(a);
}

/*
 * Write-combined memory has no CPU cache to clean or invalidate. What
 * remains is ordering: reads after a device wrote must not pass the
 * device's completion (rmb), and the CPU's combined writes must leave its
 * write-combining buffers before a device is told to read them (wmb).
 */
static int bar_begin_cpu_access(struct dma_buf *dmabuf,
				enum dma_data_direction dir)
{
	/* The device's writes before the CPU's reads that follow. */
	rmb();
	return 0;
}

static int bar_end_cpu_access(struct dma_buf *dmabuf,
			      enum dma_data_direction dir)
{
	/* The CPU's combined writes out before a device reads. */
	wmb();
	return 0;
}

/* Shared mappings only: a private one would copy device memory on write. */
static int bar_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct bar_buffer *buf = dmabuf->priv;

	/* The dma-buf core checked that the range lies inside the buffer. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (bar_heap_removing(buf->bh))
		return -ENODEV;

	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = pgprot_writecombine(vm_get_page_prot(vma->vm_flags));
	return io_remap_pfn_range(vma, vma->vm_start,
				  PHYS_PFN(buf->phys) + vma->vm_pgoff,
				  vma->vm_end - vma->vm_start,
				  vma->vm_page_prot);
}

/*
 * The dma-buf core calls vmap for the first user and vunmap after the last,
 * under the buffer's reservation lock, and keeps the address for the users
 * in between: the mapping needs no state or lock of ours.
 */
static int bar_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct bar_buffer *buf = dmabuf->priv;
	void __iomem *vaddr;

	if (bar_heap_removing(buf->bh))
		return -ENODEV;
	vaddr = ioremap_wc(buf->phys, buf->size);
	if (!vaddr)
		return -ENOMEM;
	iosys_map_set_vaddr_iomem(map, vaddr);
	return 0;
}

static void bar_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	iounmap(map->vaddr_iomem);
}

/* @buf's range back to the heap; the last buffer wakes a waiting remove(). */
static void bar_heap_free_range(struct bar_buffer *buf)
{
	struct bar_heap *bh = buf->bh;

	mutex_lock(&bh->lock);
	list_del(&buf->node);
	gen_pool_free(bh->pool, buf->phys, buf->size);
	WRITE_ONCE(bh->nbuffers, bh->nbuffers - 1);
	if (!bh->nbuffers)
		wake_up_all(&bh->idle);
	mutex_unlock(&bh->lock);
}

static void bar_release(struct dma_buf *dmabuf)
{
	struct bar_buffer *buf = dmabuf->priv;

	bar_heap_free_range(buf);
	kfree(buf);
}

/*
 * What importers (DMA) and the CPU may do with a buffer, then its end. No
 * detach: an attachment holds nothing of ours once unmapped.
 */
static const struct dma_buf_ops bar_buf_ops = {
	.attach = bar_attach, .map_dma_buf = bar_map, .unmap_dma_buf = bar_unmap,

	.mmap = bar_mmap, .vmap = bar_vmap, .vunmap = bar_vunmap,
	.begin_cpu_access = bar_begin_cpu_access,
	.end_cpu_access = bar_end_cpu_access,

	.release = bar_release,
};

/* A new buffer starts zeroed: device memory must not show a former user's. */
static int bar_zero(phys_addr_t phys, size_t size)
{
	void __iomem *va = ioremap_wc(phys, size);

	if (!va)
		return -ENOMEM;
	memset_io(va, 0, size);
	/* Out of the write-combining buffers before anyone maps it. */
	wmb();
	iounmap(va);
	return 0;
}

/*
 * The zeroed range of @buf as a dma-buf: the heap's name is what
 * /sys/kernel/debug/dma_buf/bufinfo shows as its exporter.
 */
static struct dma_buf *bar_buffer_export(struct bar_heap *bh,
					 struct bar_buffer *buf, u32 fd_flags)
{
	const struct dma_buf_export_info info = {
		.exp_name = bh->name,
		.owner = THIS_MODULE,
		.ops = &bar_buf_ops,
		.size = buf->size,
		.flags = fd_flags,
		.priv = buf,
	};

	return dma_buf_export(&info);
}

/*
 * The dma-heap core has checked the flags (EINVAL) and page-aligned @len,
 * refusing 0. Sizes round up to BAR_HEAP_ALIGN; ENOMEM when no free range
 * is that large, ENODEV while the device is absent or being removed.
 */
static struct dma_buf *bar_allocate(struct dma_heap *heap, unsigned long len,
				    u32 fd_flags, u64 heap_flags)
{
	struct bar_heap *bh = dma_heap_get_drvdata(heap);
	struct bar_buffer *buf;
	struct dma_buf *dmabuf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->bh = bh;
	buf->size = ALIGN(len, BAR_HEAP_ALIGN);
	if (buf->size < len) {		/* wrapped */
		ret = -ENOMEM;
		goto err_free_buf;
	}

	mutex_lock(&bh->lock);
	if (!bh->pdev || bh->removing) {
		ret = -ENODEV;
		goto err_unlock;
	}
	buf->phys = gen_pool_alloc(bh->pool, buf->size);
	if (!buf->phys) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	/* Counted now, so that remove() waits for this buffer too. */
	list_add_tail(&buf->node, &bh->buffers);
	WRITE_ONCE(bh->nbuffers, bh->nbuffers + 1);
	mutex_unlock(&bh->lock);

	ret = bar_zero(buf->phys, buf->size);
	if (ret)
		goto err_free_range;

	dmabuf = bar_buffer_export(bh, buf, fd_flags);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_free_range;
	}
	mutex_lock(&bh->lock);
	buf->dmabuf = dmabuf;
	mutex_unlock(&bh->lock);
	return dmabuf;

err_free_range:
	bar_heap_free_range(buf);
	goto err_free_buf;
err_unlock:
	mutex_unlock(&bh->lock);
err_free_buf:
	kfree(buf);
	return ERR_PTR(ret);
}

static const struct dma_heap_ops bar_heap_ops = {
	.allocate = bar_allocate,
};

static int bar_info_show(struct seq_file *m, void *unused)
{
	struct bar_heap *bh = m->private;

	mutex_lock(&bh->lock);
	seq_printf(m, "heap %s\n", bh->name);
	seq_printf(m, "state %s\n", !bh->pdev ? "removed" :
		   bh->removing ? "removing" : "live");
	if (bh->pdev) {
		seq_printf(m, "bar %d at %pa\n", BAR_HEAP_BAR, &bh->base);
		seq_printf(m, "size %llu\n", (u64)bh->size);
		seq_printf(m, "free %zu\n", gen_pool_avail(bh->pool));
	}
	seq_printf(m, "align %u\n", BAR_HEAP_ALIGN);
	seq_printf(m, "buffers %u\n", bh->nbuffers);
	mutex_unlock(&bh->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bar_info);

/* "ino OFFSET SIZE": the dma-buf's inode (fstat() of its fd), its BAR offset. */
static int bar_buffers_show(struct seq_file *m, void *unused)
{
	struct bar_heap *bh = m->private;
	struct bar_buffer *buf;

	mutex_lock(&bh->lock);
	list_for_each_entry(buf, &bh->buffers, node) {
		if (!buf->dmabuf)	/* still being exported */
			continue;
		seq_printf(m, "%lu %llu %zu\n",
			   file_inode(buf->dmabuf->file)->i_ino,
			   (u64)(buf->phys - bh->base), buf->size);
	}
	mutex_unlock(&bh->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bar_buffers);

/* The heap of slot @name, registered on its first probe. */
static struct bar_heap *bar_heap_get(const char *name)
{
	struct dma_heap_export_info exp_info = { .ops = &bar_heap_ops };
	struct bar_heap *bh;

	lockdep_assert_held(&bar_heaps_lock);
	list_for_each_entry(bh, &bar_heaps, node)
		if (!strcmp(bh->name + strlen("bar-"), name))
			return bh;

	bh = kzalloc(sizeof(*bh), GFP_KERNEL);
	if (!bh)
		return ERR_PTR(-ENOMEM);
	snprintf(bh->name, sizeof(bh->name), "bar-%s", name);
	mutex_init(&bh->lock);
	INIT_LIST_HEAD(&bh->buffers);
	init_waitqueue_head(&bh->idle);

	exp_info.name = bh->name;
	exp_info.priv = bh;
	bh->heap = dma_heap_add(&exp_info);
	if (IS_ERR(bh->heap)) {
		struct dma_heap *err = bh->heap;

		mutex_destroy(&bh->lock);
		kfree(bh);
		return ERR_CAST(err);
	}
	bh->debugfs = debugfs_create_dir(bh->name, bar_debugfs_root);
	debugfs_create_file("info", 0444, bh->debugfs, bh, &bar_info_fops);
	debugfs_create_file("buffers", 0444, bh->debugfs, bh, &bar_buffers_fops);
	list_add_tail(&bh->node, &bar_heaps);
	return bh;
}

static int bar_heap_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	resource_size_t size = pci_resource_len(pdev, BAR_HEAP_BAR);
	struct gen_pool *pool;
	struct bar_heap *bh;
	int ret;

	if (!(pci_resource_flags(pdev, BAR_HEAP_BAR) & IORESOURCE_MEM) ||
	    size < BAR_HEAP_ALIGN) {
		pci_err(pdev, "BAR %d is not memory of at least %u bytes\n",
			BAR_HEAP_BAR, BAR_HEAP_ALIGN);
		return -ENODEV;
	}

	mutex_lock(&bar_heaps_lock);
	bh = bar_heap_get(pci_name(pdev));
	mutex_unlock(&bar_heaps_lock);
	if (IS_ERR(bh))
		return PTR_ERR(bh);

	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	ret = pci_request_region(pdev, BAR_HEAP_BAR, bh->name);
	if (ret)
		goto err_disable_device;

	pool = gen_pool_create(ilog2(BAR_HEAP_ALIGN), dev_to_node(&pdev->dev));
	if (!pool) {
		ret = -ENOMEM;
		goto err_release_region;
	}
	/*
	 * Pool addresses are the BAR's physical ones; never 0, which
	 * gen_pool_alloc() returns for "no space".
	 */
	ret = gen_pool_add(pool, pci_resource_start(pdev, BAR_HEAP_BAR), size,
			   dev_to_node(&pdev->dev));
	if (ret)
		goto err_destroy_pool;

	mutex_lock(&bh->lock);
	bh->base = pci_resource_start(pdev, BAR_HEAP_BAR);
	bh->size = size;
	bh->pool = pool;
	WRITE_ONCE(bh->removing, false);
	bh->pdev = pdev;
	mutex_unlock(&bh->lock);
	pci_set_drvdata(pdev, bh);
	pci_info(pdev, "dma-heap %s: %llu MiB of BAR %d at %pa\n", bh->name,
		 (u64)size >> 20, BAR_HEAP_BAR, &bh->base);
	return 0;

err_destroy_pool:
	gen_pool_destroy(pool);
err_release_region:
	pci_release_region(pdev, BAR_HEAP_BAR);
err_disable_device:
	pci_disable_device(pdev);
	return ret;
}

/* Waits for the last buffer: importers may still DMA into the BAR. */
static void bar_heap_remove(struct pci_dev *pdev)
{
	struct bar_heap *bh = pci_get_drvdata(pdev);
	unsigned int left;

	mutex_lock(&bh->lock);
	WRITE_ONCE(bh->removing, true);
	left = bh->nbuffers;
	mutex_unlock(&bh->lock);

	if (left)
		pci_info(pdev, "%s: waiting for %u buffer(s) to be freed\n",
			 bh->name, left);
	/* Idle: a held buffer is no hung task. */
	wait_event_idle(bh->idle, !READ_ONCE(bh->nbuffers));

	mutex_lock(&bh->lock);
	gen_pool_destroy(bh->pool);
	bh->pool = NULL;
	bh->pdev = NULL;
	mutex_unlock(&bh->lock);

	pci_release_region(pdev, BAR_HEAP_BAR);
	pci_disable_device(pdev);
}

static const struct pci_device_id bar_heap_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },	/* ivshmem */
	{ }
};
MODULE_DEVICE_TABLE(pci, bar_heap_ids);

static struct pci_driver bar_heap_driver = {
	.name		= "dmabuf-pp-bar-heap",
	.id_table	= bar_heap_ids,
	.probe		= bar_heap_probe,
	.remove		= bar_heap_remove,
};

static int __init bar_heap_init(void)
{
	int ret;

	bar_debugfs_root = debugfs_create_dir("dmabuf_pp_bar", NULL);
	ret = pci_register_driver(&bar_heap_driver);
	if (ret)
		debugfs_remove(bar_debugfs_root);
	return ret;
}

/* After the dma-heap core (subsys_initcall) set up its class. */
module_init(bar_heap_init);

MODULE_DESCRIPTION("dma-heap of PCI BAR memory (no struct pages)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
