// SPDX-License-Identifier: GPL-2.0-only
/* memfds, udmabufs, dma-heaps and CPU access to dma-bufs: see devmem.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "devmem.h"

int devmem_memfd_create(const char *name, size_t size, bool hugetlb, unsigned int seals)
{
	unsigned int flags = MFD_ALLOW_SEALING | MFD_CLOEXEC;
	int fd, err;

	if (hugetlb)
		flags |= MFD_HUGETLB;
	fd = memfd_create(name, flags);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size) < 0)
		goto err_close;
	if (seals && fcntl(fd, F_ADD_SEALS, seals) < 0)
		goto err_close;
	return fd;

err_close:
	err = -errno;
	close(fd);
	return err;
}

int devmem_udmabuf_create(int memfd, uint64_t offset, uint64_t size, unsigned int flags)
{
	struct udmabuf_create create = {
		.memfd = memfd,
		.flags = flags,
		.offset = offset,
		.size = size,
	};
	int dev, fd, err = 0;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	fd = ioctl(dev, UDMABUF_CREATE, &create);
	if (fd < 0)
		err = -errno;
	close(dev);
	return err ? err : fd;
}

int devmem_dma_heap_alloc(const char *heap, uint64_t size)
{
	struct dma_heap_allocation_data data = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	char path[PATH_MAX];
	int dev, err = 0;

	if (!heap || !*heap || strchr(heap, '/') ||
	    snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap) >= (int)sizeof(path))
		return -EINVAL;
	dev = open(path, O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	if (ioctl(dev, DMA_HEAP_IOCTL_ALLOC, &data))
		err = -errno;
	close(dev);
	return err ? err : (int)data.fd;
}

int devmem_udmabuf_create_anon(const char *name, uint64_t offset, uint64_t size,
			       bool hugetlb, unsigned int flags)
{
	uint64_t unit = hugetlb ? DEVMEM_HUGE_PAGE : (uint64_t)getpagesize();
	int memfd, fd;

	memfd = devmem_memfd_create(name, (offset + size + unit - 1) / unit * unit,
				    hugetlb, F_SEAL_SHRINK);
	if (memfd < 0)
		return memfd;
	fd = devmem_udmabuf_create(memfd, offset, size, flags);
	close(memfd);	/* the dma-buf holds the memory */
	return fd;
}

int devmem_udmabuf_create_list(const struct udmabuf_create_item *items,
			       unsigned int count, unsigned int flags)
{
	struct udmabuf_create_list *list;
	int dev, fd, err = 0;

	list = malloc(sizeof(*list) + (size_t)count * sizeof(*items));
	if (!list)
		return -ENOMEM;
	list->flags = flags;
	list->count = count;
	if (count)
		memcpy(list->list, items, (size_t)count * sizeof(*items));

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		err = -errno;
		free(list);
		return err;
	}
	fd = ioctl(dev, UDMABUF_CREATE_LIST, list);
	if (fd < 0)
		err = -errno;
	close(dev);
	free(list);
	return err ? err : fd;
}

int devmem_dmabuf_sync(int dmabuf_fd, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(dmabuf_fd, DMA_BUF_IOCTL_SYNC, &sync) < 0 ? -errno : 0;
}

int devmem_dmabuf_map(int dmabuf_fd, size_t size, const void **addr)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, dmabuf_fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}
