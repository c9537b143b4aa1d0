/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers to make dma-bufs out of memfds through /dev/udmabuf.
 * Every function returns a non-negative value on success and -errno on
 * failure, so tests can assert on the exact errno.
 */
#ifndef DMABUF_PP_UDMABUF_UTIL_H
#define DMABUF_PP_UDMABUF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Create a memfd of @size bytes (hugetlb-backed when @hugetlb) and add
 * @seals to it (F_SEAL_SHRINK is what udmabuf requires). Returns the fd.
 */
int memfd_make(const char *name, size_t size, bool hugetlb, unsigned int seals);

/* UDMABUF_CREATE over [@offset, @offset + @size) of @memfd. Returns the fd. */
int udmabuf_make(int memfd, uint64_t offset, uint64_t size, unsigned int flags);

/* The page size of hugetlb memfds (the default huge page size on x86). */
#define UDMABUF_HUGE_PAGE (2ull << 20)

/*
 * A @size-byte dma-buf over [@offset, @offset + @size) of a new memfd of
 * its own (shmem, or 2 MiB hugetlb pages; sealed against shrinking, as
 * udmabuf requires), for users that never touch the memory from the CPU
 * side: the memfd is not kept. Returns the dma-buf fd or a negative errno.
 */
int udmabuf_make_anon(const char *name, uint64_t offset, uint64_t size,
		      bool hugetlb, unsigned int flags);

struct udmabuf_create_item;

/*
 * UDMABUF_CREATE_LIST over @count items, in buffer order. @count is passed
 * as given, 0 included, so tests can ask for what the kernel must refuse.
 * Returns the fd.
 */
int udmabuf_make_list(const struct udmabuf_create_item *items,
		      unsigned int count, unsigned int flags);

/* DMA_BUF_IOCTL_SYNC with @flags (DMA_BUF_SYNC_START/END | READ/WRITE). */
int dmabuf_sync(int dmabuf_fd, uint64_t flags);

#endif
