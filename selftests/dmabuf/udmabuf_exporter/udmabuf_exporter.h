/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * udmabuf_exporter's parts: main.c holds the case table and runs each
 * case between the leak checks; system.c reads and changes the system
 * (files under /proc and /sys, the leak counters, the settings put back);
 * buffers.c makes memfds, buffers and mappings and probes them; the cases
 * are in errors.c (every errno), data.c (data through shmem and hugetlb,
 * mmap), importer.c (what an importer sees) and close_4g.c (close orders,
 * the 4 GiB buffer).
 */
#ifndef DMABUF_PP_UDMABUF_EXPORTER_H
#define DMABUF_PP_UDMABUF_EXPORTER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../kernel/dmabuf_probe.h"

#define PG		4096ULL
#define HPAGE		(2ULL << 20)
#define MiB		(1ULL << 20)
#define GiB		(1ULL << 30)

#define STATS		"/sys/kernel/debug/udmabuf/stats"
#define PARAMS		"/sys/module/udmabuf/parameters/"

/*
 * Pattern streams (pattern.h): the shmem memfds, the hugetlb memfds and
 * what goes back through the dma-buf each get their own part of the
 * stream, so a byte taken from the wrong memfd or the wrong offset cannot
 * match by accident.
 */
#define STREAM_SHMEM	0
#define STREAM_HUGE	(1 * GiB)
#define STREAM_OLD	(3 * GiB)
#define STREAM_BACK	(8 * GiB)

/* A setup step failed (and said why): not the errno under test. */
#define SETUP_FAILED	INT_MIN

/* The pages of small_buffer(). */
#define MAP_PAGES	16

struct counters {
	long buffers;		/* the exporter's debugfs stats */
	long folios;
	long pages;
	long meta_bytes;
	long huge_free;		/* /proc/meminfo */
	long huge_rsvd;
};

/* One memfd range of a buffer. */
struct range {
	int memfd;
	bool huge;
	uint64_t off;
	uint64_t size;
	uint64_t stream;	/* pattern stream of the memfd, at offset 0 */
};

/*
 * The list the probe cases use too: shmem; hugetlb 4 KiB into a huge
 * page; shmem again; hugetlb from the middle of one huge page to the
 * middle of the next. Only the first huge page exists beforehand: the
 * exporter allocates the two the last item needs.
 */
struct mixed {
	int shm;
	int huge;
	struct range r[4];
	uint64_t size;
};

/* ---- system.c ----------------------------------------------------------- */

/* The counters when the running case started. */
extern struct counters start;
/* size_limit_mb to write back, "" when nothing is to be put back. */
extern char restore_size_limit[32];
/* HUGE_PAGES_NEEDED free huge pages are there; if not, huge_why says why. */
extern bool huge_ready;
extern char huge_why[256];

/* @v as printf's %llu wants it. */
unsigned long long ull(uint64_t v);
/* Write @val to the file at @path; false, having said why, if it fails. */
bool write_text(const char *path, const char *val);
/* The number in the file at @path. */
bool read_long(const char *path, long *val);
/* The number on /proc/meminfo's line starting with @key. */
bool meminfo(const char *key, long *val);
/* The exporter's stats into @c; false where there are none (stock). */
bool counters_read(struct counters *c);
/* Keep a dup of @fd until the case ends, for the pin check. */
bool track_memfd(int fd);
/* No page of any memfd of this case is pinned; closes the dups. */
bool memfds_unpinned(void);
/* Everything back to start: no pin, buffer, folio or page left behind. */
bool counters_back(void);
/* The exporter holds this much more than at start (@folios < 0: any). */
bool holding(long buffers, long folios, long pages);
/* Signal handler: write the settings back, then die of @sig. */
void restore_on_signal(int sig);
/* Put size_limit_mb back. */
bool restore_size_limit_now(void);
/* Put nr_hugepages and size_limit_mb back. */
bool restore_all(void);
/* restore_all() for atexit(). */
void restore_at_exit(void);
/* Make HUGE_PAGES_NEEDED huge pages free; sets huge_ready or huge_why. */
void reserve_huge_pages(void);

/* ---- buffers.c ---------------------------------------------------------- */

/* A tracked memfd of @size bytes with @seals and no page allocated. */
int new_memfd(uint64_t size, bool huge, unsigned int seals);
/* fallocate() [@off, @off + @len) of @memfd. */
bool populate(int memfd, uint64_t off, uint64_t len);
/* UDMABUF_CREATE for one range, UDMABUF_CREATE_LIST for several. */
int make_buffer(const struct range *r, unsigned int n, unsigned int flags);
/* A shared read-write mapping of @len bytes of dma-buf @fd at @off. */
unsigned char *map_buf(int fd, uint64_t len, uint64_t off);
/* DMA_BUF_IOCTL_SYNC with @flags, checked. */
bool sync_buf(int buf, uint64_t flags);
/* Pattern bytes @first.. into [@off, @off + @len) of @memfd. */
bool memfd_fill(int memfd, bool huge, uint64_t off, uint64_t len,
		uint64_t first);
/* [@off, @off + @len) of @memfd is pattern @first.. */
bool memfd_check(int memfd, uint64_t off, uint64_t len, uint64_t first);
/* @map (@len bytes, dma-buf offset @at) holds pattern @first..: READ sync. */
bool map_check(int buf, const unsigned char *map, uint64_t len, uint64_t at,
	       uint64_t first);
/* Pattern @first.. into @map through a WRITE sync bracket. */
bool map_fill(int buf, unsigned char *map, uint64_t len, uint64_t first);
/* The probe hash of @map through a READ sync bracket. */
bool map_hash(int buf, const unsigned char *map, uint64_t len, uint64_t *hash);
/* The dma-buf is @want bytes long. */
bool buffer_size_is(int buf, uint64_t want);
/* DMABUF_PROBE on @buf through the test importer. */
bool probe(int buf, uint32_t flags, uint32_t max_seg, uint32_t seed,
	   uint64_t off, uint64_t len, struct dmabuf_probe *p);
/* What every probe must report, whatever the device's limits. */
bool probe_sane(const struct dmabuf_probe *p, uint64_t size);
/* The memfds and ranges of the mixed list. */
bool mixed_memfds(struct mixed *m);
/* Close the mixed list's memfds. */
void mixed_close(struct mixed *m);
/* A MAP_PAGES shmem buffer whose memfd holds pattern STREAM_SHMEM. */
bool small_buffer(int *memfd, int *buf);

/* ---- errors.c: each case returns what the request returned -------------- */

int err_tmpfs_file(void);
int err_pipe(void);
int err_closed_fd(void);
int err_no_seal_shrink(void);
int err_seal_write(void);
int err_seal_future_write(void);
int err_unaligned_offset(void);
int err_unaligned_size(void);
int err_zero_size(void);
int err_offset_overflow(void);
int err_past_eof(void);
int err_unknown_flags(void);
int err_list_empty(void);
int err_list_too_long(void);
int err_over_size_limit(void);
int err_read_only(void);
int err_list_last_bad(void);
int err_huge_pool_empty(void);

/* The name of errno @err ("?" for those the test never expects). */
const char *errname(int err);
/* A request's result @ret is the error @want (and not SETUP_FAILED). */
bool expect_errno(int ret, int want);

/* ---- data.c ------------------------------------------------------------- */

bool pin_check_sees_pins(void);
bool shmem_single(void);
bool hugetlb_single(void);
bool mixed_list(void);
bool mmap_whole(void);
bool mmap_first_half(void);
bool mmap_offset(void);
bool mmap_past_end(void);
bool mmap_private(void);

/* ---- importer.c --------------------------------------------------------- */

bool probe_dma(void);
bool probe_vmap(void);
bool sg_merge_hugetlb(void);
bool sg_split_64k(void);
bool device_write(void);

/* ---- close_4g.c --------------------------------------------------------- */

bool close_memfd_first(void);
bool close_dmabuf_while_mapped(void);
bool huge_4g(void);

#endif
