// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/udmabuf: the upstream udmabuf uAPI (UDMABUF_CREATE,
 * UDMABUF_CREATE_LIST, UDMABUF_FLAGS_CLOEXEC) on top of pinbufs.
 *
 * Every request is checked in full before anything is pinned where that
 * can be known from the request alone, and each memfd again under its
 * inode lock, which memfd_add_seals() takes exclusively: a write seal
 * cannot appear between the check and the pin. A rejected request leaves
 * nothing pinned and nothing allocated by this driver; huge pages it had
 * to fill into a hugetlb memfd (see pin_item()) stay in that memfd, as if
 * it had been written. Errors (Documentation/dmabuf-exporter.md):
 *
 *   EINVAL  unknown flags; empty list; list longer than list_limit; offset
 *           or size not page-aligned; zero size; offset + size overflows or
 *           passes the end of the file; total over size_limit_mb; memfd
 *           without F_SEAL_SHRINK, or with F_SEAL_WRITE/F_SEAL_FUTURE_WRITE
 *           (also what a tmpfs or hugetlbfs file that is not a memfd gets:
 *           it cannot carry F_SEAL_SHRINK)
 *   EBADFD  memfd is not an open file, or not on shmem or hugetlbfs
 *   EACCES  memfd is not open for both reading and writing
 *   EFAULT  the request cannot be read
 *   ENOMEM  out of memory, or not enough free huge pages
 *   EBUSY   a hole was punched in a hugetlb range while it was pinned
 *
 * The errnos are upstream's where upstream has a check (EBADFD even for a
 * closed fd); EACCES is ours: the dma-buf is writable by devices and by
 * anyone mapping it, so it must not outlive only read access.
 */
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/init.h>
#include <linux/memfd.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/udmabuf.h>

#include "pinbuf.h"

/* Upstream's names and defaults, so existing knobs keep working:
 * udmabuf.list_limit= and udmabuf.size_limit_mb= on the kernel command
 * line, or /sys/module/udmabuf/parameters/ at run time.
 */
static unsigned int list_limit = 1024;
module_param(list_limit, uint, 0644);
MODULE_PARM_DESC(list_limit, "Most items in one UDMABUF_CREATE_LIST (default 1024)");

static unsigned int size_limit_mb = 64;
module_param(size_limit_mb, uint, 0644);
MODULE_PARM_DESC(size_limit_mb, "Largest dma-buf, in MiB (default 64)");

/* What a request asks for, checked against itself and the limits. */
static int check_items(const struct udmabuf_create_item *items, u32 count)
{
	u64 limit_pages = ((u64)READ_ONCE(size_limit_mb) << 20) >> PAGE_SHIFT;
	u64 pages = 0, end;
	u32 i;

	for (i = 0; i < count; i++) {
		const struct udmabuf_create_item *item = &items[i];

		if (!item->size || !PAGE_ALIGNED(item->offset) ||
		    !PAGE_ALIGNED(item->size))
			return -EINVAL;
		if (check_add_overflow(item->offset, item->size, &end) ||
		    end > LLONG_MAX)
			return -EINVAL;
		pages += item->size >> PAGE_SHIFT;
		if (pages > limit_pages)
			return -EINVAL;
	}
	return 0;
}

/* The memfd itself; called with its inode lock held. */
static int check_memfd(struct file *memfd, u64 end)
{
	long seals;

	if (!shmem_file(memfd) && !is_file_hugepages(memfd))
		return -EBADFD;
	seals = memfd_fcntl(memfd, F_GET_SEALS, 0);
	if (seals < 0)
		return -EBADFD;
	if (!(seals & F_SEAL_SHRINK) ||
	    (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EINVAL;
	if ((memfd->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EACCES;
	if (end > i_size_read(file_inode(memfd)))
		return -EINVAL;
	return 0;
}

/* Folios [@offset, @offset + @size) of @memfd can take at most. */
static unsigned long max_folios(struct file *memfd, u64 offset, u64 size)
{
	unsigned int shift = PAGE_SHIFT;

	if (is_file_hugepages(memfd))
		shift = huge_page_shift(hstate_file(memfd));
	return ((offset + size - 1) >> shift) - (offset >> shift) + 1;
}

/*
 * Under the inode lock: is every huge page of the range in the page cache?
 * hugetlb's page cache is indexed in base pages.
 */
static bool hugetlb_populated(struct file *memfd, u64 offset, u64 size)
{
	struct hstate *h = hstate_file(memfd);
	pgoff_t idx = offset >> huge_page_shift(h);
	pgoff_t last = (offset + size - 1) >> huge_page_shift(h);
	struct folio *folio;

	for (; idx <= last; idx++) {
		folio = filemap_get_folio(memfd->f_mapping,
					  idx << huge_page_order(h));
		if (IS_ERR(folio))
			return false;
		folio_put(folio);
	}
	return true;
}

/*
 * Check @item's memfd and pin its range, all under the inode lock.
 *
 * 6.12's memfd_pin_folios() allocates absent hugetlb folios without a
 * reservation (a VM_BUG_ON with CONFIG_DEBUG_VM, a resv_huge_pages
 * underflow without). So absent huge pages are first allocated the
 * regular way, by fallocate(), which takes the inode lock itself; only a
 * hole punched concurrently can undo that, and then the request fails
 * with EBUSY rather than pin through the broken path.
 */
static int pin_item(struct pinbuf *pb, const struct udmabuf_create_item *item)
{
	u64 end = item->offset + item->size;
	struct file *memfd;
	struct inode *inode;
	int ret;

	memfd = fget(item->memfd);
	if (!memfd)
		return -EBADFD;
	inode = file_inode(memfd);

	inode_lock_shared(inode);
	ret = check_memfd(memfd, end);
	if (!ret && is_file_hugepages(memfd) &&
	    !hugetlb_populated(memfd, item->offset, item->size)) {
		inode_unlock_shared(inode);
		ret = vfs_fallocate(memfd, 0, item->offset, item->size);
		if (ret)
			goto out_put;
		inode_lock_shared(inode);
		ret = check_memfd(memfd, end);
		if (!ret && !hugetlb_populated(memfd, item->offset, item->size))
			ret = -EBUSY;
	}
	if (!ret)
		ret = pinbuf_reserve(pb, max_folios(memfd, item->offset,
						    item->size));
	if (!ret)
		ret = pinbuf_pin_range(pb, memfd, item->offset,
				       item->size >> PAGE_SHIFT);
	inode_unlock_shared(inode);
out_put:
	fput(memfd);
	/* hugetlbfs reports an empty pool as ENOSPC; it is memory. */
	return ret == -ENOSPC ? -ENOMEM : ret;
}

static long udmabuf_create(u32 flags, const struct udmabuf_create_item *items,
			   u32 count)
{
	struct dma_buf *dmabuf;
	struct pinbuf *pb;
	int ret;
	u32 i;

	if (flags & ~UDMABUF_FLAGS_CLOEXEC)
		return -EINVAL;
	ret = check_items(items, count);
	if (ret)
		return ret;

	pb = pinbuf_alloc(count);
	if (IS_ERR(pb))
		return PTR_ERR(pb);

	for (i = 0; i < count; i++) {
		ret = pin_item(pb, &items[i]);
		if (ret)
			goto err_free_pinbuf;
	}
	pinbuf_trim(pb);

	dmabuf = pinbuf_export(pb);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_free_pinbuf;
	}

	/* From here the dma-buf owns the pinbuf: putting it frees both. */
	ret = dma_buf_fd(dmabuf, flags & UDMABUF_FLAGS_CLOEXEC ? O_CLOEXEC : 0);
	if (ret < 0)
		dma_buf_put(dmabuf);
	return ret;

err_free_pinbuf:
	pinbuf_free(pb);
	return ret;
}

static long udmabuf_ioctl_create(void __user *arg)
{
	struct udmabuf_create_item item;
	struct udmabuf_create req;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;

	item = (struct udmabuf_create_item) {
		.memfd = req.memfd,
		.offset = req.offset,
		.size = req.size,
	};
	return udmabuf_create(req.flags, &item, 1);
}

static long udmabuf_ioctl_create_list(void __user *arg)
{
	struct udmabuf_create_item *items;
	struct udmabuf_create_list head;
	long ret;

	if (copy_from_user(&head, arg, sizeof(head)))
		return -EFAULT;
	if (!head.count || head.count > READ_ONCE(list_limit))
		return -EINVAL;

	/* __pad is not checked: upstream never did, and its users
	 * (its own selftest among them) leave it uninitialized.
	 */
	items = memdup_array_user(arg + sizeof(head), head.count,
				  sizeof(*items));
	if (IS_ERR(items))
		return PTR_ERR(items);

	ret = udmabuf_create(head.flags, items, head.count);
	kfree(items);
	return ret;
}

static long udmabuf_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case UDMABUF_CREATE:
		return udmabuf_ioctl_create((void __user *)arg);
	case UDMABUF_CREATE_LIST:
		return udmabuf_ioctl_create_list((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations udmabuf_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = udmabuf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice udmabuf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "udmabuf",
	.fops = &udmabuf_fops,
};

/* /sys/kernel/debug/udmabuf/stats: what all live buffers hold. */
static int stats_show(struct seq_file *m, void *unused)
{
	struct pinbuf_stats st;

	pinbuf_stats_read(&st);
	seq_printf(m, "buffers %ld\nfolios %ld\npages %ld\nmeta_bytes %ld\n",
		   st.buffers, st.folios, st.pages, st.meta_bytes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static struct dentry *debugfs_dir;

static int __init udmabuf_init(void)
{
	int ret;

	ret = misc_register(&udmabuf_misc);
	if (ret) {
		pr_err("cannot register /dev/udmabuf: %d\n", ret);
		return ret;
	}
	debugfs_dir = debugfs_create_dir("udmabuf", NULL);
	debugfs_create_file("stats", 0444, debugfs_dir, NULL, &stats_fops);
	return 0;
}

static void __exit udmabuf_exit(void)
{
	debugfs_remove_recursive(debugfs_dir);
	misc_deregister(&udmabuf_misc);
}

module_init(udmabuf_init);
module_exit(udmabuf_exit);

MODULE_DESCRIPTION("dmabuf-pp: dma-bufs from memfds, udmabuf-compatible");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
