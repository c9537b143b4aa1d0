// SPDX-License-Identifier: GPL-2.0-only
/*
 * The error cases: every errno that udmabuf_dev.c documents, each case
 * returning what its request returned, and expect_errno() that judges it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/udmabuf.h>

#include <devmem.h>
#include "../../lib/ktap.h"
#include "udmabuf_exporter.h"

/* ---- error cases: each returns what the ioctl returned -------------------- */

/* The 1 MiB shmem memfd most error cases start from. */
#define ERR_MEMFD	(1 * MiB)

static int err_with_memfd(unsigned int seals, uint64_t off, uint64_t size,
			  unsigned int flags)
{
	int memfd, ret;

	memfd = new_memfd(ERR_MEMFD, false, seals);
	if (memfd < 0)
		return SETUP_FAILED;
	ret = devmem_udmabuf_create(memfd, off, size, flags);
	close(memfd);
	return ret;
}

/*
 * A tmpfs file is a shmem file, but not a memfd: it carries F_SEAL_SEAL
 * and can never get F_SEAL_SHRINK, so it fails the seal check.
 */
int err_tmpfs_file(void)
{
	struct statfs sfs;
	int fd, ret;

	if (statfs("/tmp", &sfs) < 0 || sfs.f_type != TMPFS_MAGIC) {
		ktap_diag("/tmp is not a tmpfs here: cannot make a tmpfs file");
		return SETUP_FAILED;
	}
	fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, ERR_MEMFD) < 0) {
		ktap_diag("tmpfs file in /tmp: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return SETUP_FAILED;
	}
	ret = devmem_udmabuf_create(fd, 0, 16 * PG, 0);
	close(fd);
	return ret;
}

int err_pipe(void)
{
	int fds[2], ret;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		ktap_diag("pipe: %s", strerror(errno));
		return SETUP_FAILED;
	}
	ret = devmem_udmabuf_create(fds[1], 0, PG, 0);
	close(fds[0]);
	close(fds[1]);
	return ret;
}

/*
 * Upstream says EBADFD for a number with no file behind it, too. The
 * number is a high one: devmem_udmabuf_create() opens /dev/udmabuf, which would
 * take the lowest free number and put a file behind it again.
 */
int err_closed_fd(void)
{
	int null, fd;

	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd = null < 0 ? -1 : fcntl(null, F_DUPFD_CLOEXEC, 900);
	if (fd < 0) {
		ktap_diag("open /dev/null at fd 900 or above: %s",
			  strerror(errno));
		if (null >= 0)
			close(null);
		return SETUP_FAILED;
	}
	close(null);
	close(fd);
	return devmem_udmabuf_create(fd, 0, PG, 0);
}

int err_no_seal_shrink(void)
{
	return err_with_memfd(0, 0, 16 * PG, 0);
}

int err_seal_write(void)
{
	return err_with_memfd(F_SEAL_SHRINK | F_SEAL_WRITE, 0, 16 * PG, 0);
}

int err_seal_future_write(void)
{
	return err_with_memfd(F_SEAL_SHRINK | F_SEAL_FUTURE_WRITE, 0, 16 * PG, 0);
}

int err_unaligned_offset(void)
{
	return err_with_memfd(F_SEAL_SHRINK, PG / 2, 16 * PG, 0);
}

int err_unaligned_size(void)
{
	return err_with_memfd(F_SEAL_SHRINK, 0, 16 * PG + 100, 0);
}

int err_zero_size(void)
{
	return err_with_memfd(F_SEAL_SHRINK, 0, 0, 0);
}

int err_offset_overflow(void)
{
	return err_with_memfd(F_SEAL_SHRINK, UINT64_MAX & ~(PG - 1), PG, 0);
}

int err_past_eof(void)
{
	return err_with_memfd(F_SEAL_SHRINK, ERR_MEMFD - PG, 2 * PG, 0);
}

int err_unknown_flags(void)
{
	return err_with_memfd(F_SEAL_SHRINK, 0, 16 * PG, 0x2);
}

/* @count items, each the first page of one good memfd. */
static int err_list(unsigned int count, unsigned int alloc)
{
	struct udmabuf_create_item *items;
	unsigned int i;
	int memfd, ret;

	memfd = new_memfd(ERR_MEMFD, false, F_SEAL_SHRINK);
	if (memfd < 0)
		return SETUP_FAILED;
	items = calloc(alloc, sizeof(*items));
	if (!items) {
		close(memfd);
		return -ENOMEM;
	}
	for (i = 0; i < alloc; i++)
		items[i] = (struct udmabuf_create_item) {
			.memfd = memfd, .offset = 0, .size = PG,
		};
	ret = devmem_udmabuf_create_list(items, count, 0);
	free(items);
	close(memfd);
	return ret;
}

int err_list_empty(void)
{
	return err_list(0, 1);
}

/* Every item is good: only their number is too many. */
int err_list_too_long(void)
{
	long limit;

	if (!read_long(PARAMS "list_limit", &limit))
		return SETUP_FAILED;
	return err_list(limit + 1, limit + 1);
}

/* Each item alone fits size_limit_mb; together they pass it by a page. */
int err_over_size_limit(void)
{
	struct udmabuf_create_item items[2];
	uint64_t limit;
	long mb;
	int memfd, ret;

	if (!read_long(PARAMS "size_limit_mb", &mb))
		return SETUP_FAILED;
	limit = (uint64_t)mb * MiB;
	/* Only truncated to size: nothing is allocated unless pinned. */
	memfd = new_memfd(limit, false, F_SEAL_SHRINK);
	if (memfd < 0)
		return SETUP_FAILED;
	items[0] = (struct udmabuf_create_item) {
		.memfd = memfd, .offset = 0, .size = limit,
	};
	items[1] = (struct udmabuf_create_item) {
		.memfd = memfd, .offset = 0, .size = PG,
	};
	ret = devmem_udmabuf_create_list(items, 2, 0);
	close(memfd);
	return ret;
}

/* Seals are fine, but the file is open read-only: devices write to it. */
int err_read_only(void)
{
	char path[64];
	int memfd, ro, ret;

	memfd = new_memfd(ERR_MEMFD, false, F_SEAL_SHRINK);
	if (memfd < 0)
		return SETUP_FAILED;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro < 0) {
		ktap_diag("reopen memfd read-only: %s", strerror(errno));
		close(memfd);
		return SETUP_FAILED;
	}
	ret = devmem_udmabuf_create(ro, 0, 16 * PG, 0);
	close(ro);
	close(memfd);
	return ret;
}

/*
 * Three good items (shmem, hugetlb, shmem) are pinned before the fourth
 * turns out to pass the end of its file: the error path must let all of
 * them go, which the leak check after the case verifies. The hugetlb item
 * starts absent, so the exporter allocated its pages on the way.
 */
int err_list_last_bad(void)
{
	struct range r[4];
	int shm, huge, ret;

	shm = new_memfd(ERR_MEMFD, false, F_SEAL_SHRINK);
	if (shm < 0)
		return SETUP_FAILED;
	huge = new_memfd(2 * HPAGE, true, F_SEAL_SHRINK);
	if (huge < 0) {
		close(shm);
		return SETUP_FAILED;
	}
	r[0] = (struct range) { shm, false, 0, 16 * PG, 0 };
	r[1] = (struct range) { huge, true, PG, 2 * HPAGE - 2 * PG, 0 };
	r[2] = (struct range) { shm, false, 64 * PG, 8 * PG, 0 };
	r[3] = (struct range) { shm, false, ERR_MEMFD - PG, 2 * PG, 0 };
	ret = make_buffer(r, 4, 0);
	close(huge);
	close(shm);
	return ret;
}

/*
 * Absent huge pages the pool cannot supply: the exporter's allocation
 * fails (hugetlbfs says ENOSPC) and so does the request, with ENOMEM and
 * nothing pinned. A hog memfd takes all but one available page first;
 * with no overcommit, nothing can come from outside the pool.
 */
int err_huge_pool_empty(void)
{
	long over, free, rsvd, hog_pages;
	int hog = -1, memfd, ret;

	if (!huge_ready) {
		ktap_diag("no huge pages for this case: %s", huge_why);
		return SETUP_FAILED;
	}
	if (!read_long("/proc/sys/vm/nr_overcommit_hugepages", &over) ||
	    !meminfo("HugePages_Free:", &free) ||
	    !meminfo("HugePages_Rsvd:", &rsvd))
		return SETUP_FAILED;
	if (over) {
		ktap_diag("nr_overcommit_hugepages is %ld: the pool can grow, no way to empty it",
			  over);
		return SETUP_FAILED;
	}
	hog_pages = free - rsvd - 1;
	if (hog_pages > 0) {
		hog = new_memfd(hog_pages * HPAGE, true, 0);
		if (hog < 0)
			return SETUP_FAILED;
		if (!populate(hog, 0, hog_pages * HPAGE)) {
			close(hog);
			return SETUP_FAILED;
		}
	}
	memfd = new_memfd(2 * HPAGE, true, F_SEAL_SHRINK);
	ret = memfd < 0 ? SETUP_FAILED : devmem_udmabuf_create(memfd, 0, 2 * HPAGE, 0);
	if (memfd >= 0)
		close(memfd);
	if (hog >= 0)
		close(hog);
	return ret;
}

const char *errname(int err)
{
	switch (err) {
	case EINVAL: return "EINVAL";
	case EBADFD: return "EBADFD";
	case EBADF: return "EBADF";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case ENOMEM: return "ENOMEM";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ENOTTY: return "ENOTTY";
	case EBUSY: return "EBUSY";
	case ENOSPC: return "ENOSPC";
	default: return "?";
	}
}

bool expect_errno(int ret, int want)
{
	if (ret == SETUP_FAILED)
		return false;
	if (ret >= 0) {
		close(ret);
		return ktap_check(false, "request succeeded (fd %d), want %s", ret,
			     errname(want));
	}
	return ktap_check(ret == -want, "got %s (%d, %s), want %s (%d)",
		     errname(-ret), -ret, strerror(-ret), errname(want), want);
}
