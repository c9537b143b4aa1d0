// SPDX-License-Identifier: GPL-2.0-only
/*
 * Our udmabuf exporter (dmabuf/) against its contract: every errno that
 * udmabuf_dev.c documents, data through shmem and hugetlb ranges in both
 * directions, the mmap rules, what an importer sees (DMA addresses, vmap,
 * segment limits, device writes), close orders and a 4 GiB buffer.
 *
 * After every case, rejected requests included, no page of any memfd the
 * case made may still be pinned, and the exporter's live totals
 * (/sys/kernel/debug/udmabuf/stats) and the huge page pool's free and
 * reserved counts must be back where they were when the case started:
 * whatever a case built, and whatever a refused request pinned on its way
 * to the error, has been let go, and the exporter's allocation of absent
 * huge pages left the pool's accounting straight.
 *
 * The pin check is per memfd: every memfd a case makes is kept open (a
 * dup) until the case ends, and then F_SEAL_WRITE is added to it, which
 * the kernel refuses with EBUSY while any of its pages has references
 * beyond the page cache's and its mappings' (memfd_wait_for_pins()). The
 * system-wide FOLL_PIN counts in /proc/vmstat cannot serve: every read()
 * from the VM's 9p root (cache=none) pins the reader's buffer for a
 * moment, and those come and go during a case.
 *
 * Runs as root on the ours and debug flavors. It reserves the 2 MiB huge
 * pages it needs and raises size_limit_mb for the 4 GiB case, and puts
 * both back on the way out, also when it dies of a signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/magic.h>
#include <linux/udmabuf.h>

#include "../../tools/lib/pattern.h"
#include <devmem.h>
#include "../kernel/dmabuf_probe.h"
#include "../lib/ktap.h"

#define PG		4096ULL
#define HPAGE		(2ULL << 20)
#define MiB		(1ULL << 20)
#define GiB		(1ULL << 30)

#define STATS		"/sys/kernel/debug/udmabuf/stats"
#define PROBE		"/sys/kernel/debug/dmabuf_pp_importer/probe"
#define PARAMS		"/sys/module/udmabuf/parameters/"
#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

/*
 * The 4 GiB buffer is one 64 MiB hugetlb memfd listed 64 times: 2048 huge
 * folio pins, 2^20 buffer pages, yet only 32 huge pages of RAM. 2048
 * distinct huge pages would be all of a 4 GiB VM's memory, which it cannot
 * reserve beside the kernel. Set BIG_MEMFD to BIG_SIZE on a larger machine
 * for distinct pages (and raise HUGE_PAGES_NEEDED to match).
 */
#define BIG_SIZE	(4 * GiB)
#define BIG_MEMFD	(64 * MiB)

/*
 * The most huge pages one case holds at once (a 64 MiB hugetlb memfd),
 * plus headroom in case pinning has to migrate some.
 */
#define HUGE_PAGES_NEEDED	48

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

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A setup step failed (and said why): not the errno under test. */
#define SETUP_FAILED	INT_MIN

static struct ktap t;

static unsigned long long ull(uint64_t v)
{
	return v;
}

/* ---- files under /proc and /sys ---------------------------------------- */

static bool read_text(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ktap_diag("open %s: %s", path, strerror(errno));
		return false;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	if (n < 0) {
		ktap_diag("read %s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	buf[len] = '\0';
	return true;
}

static bool write_text(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ktap_diag("open %s for writing: %s", path, strerror(errno));
		return false;
	}
	n = write(fd, val, strlen(val));
	if (n < 0)
		ktap_diag("write '%s' to %s: %s", val, path, strerror(errno));
	close(fd);
	return n == (ssize_t)strlen(val);
}

static bool read_long(const char *path, long *val)
{
	char buf[64], *end;

	if (!read_text(path, buf, sizeof(buf)))
		return false;
	errno = 0;
	*val = strtol(buf, &end, 10);
	if (errno || end == buf) {
		ktap_diag("%s: not a number: '%s'", path, buf);
		return false;
	}
	return true;
}

/*
 * The number after @key on the line of @text that starts with @key and
 * whitespace: "nr_foll_pin_acquired 12", "pages 3", "HugePages_Free:  4".
 */
static bool field(const char *text, const char *what, const char *key,
		  long *val)
{
	size_t klen = strlen(key);
	const char *p = text;
	char *end;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) || (p[klen] != ' ' && p[klen] != '\t'))
			continue;
		*val = strtol(p + klen, &end, 10);
		if (end != p + klen)
			return true;
	}
	ktap_diag("%s: no '%s' line", what, key);
	return false;
}

static bool meminfo(const char *key, long *val)
{
	static char buf[8192];

	return read_text("/proc/meminfo", buf, sizeof(buf)) &&
	       field(buf, "/proc/meminfo", key, val);
}

/* ---- leak counters -------------------------------------------------------- */

struct counters {
	long buffers;		/* the exporter's debugfs stats */
	long folios;
	long pages;
	long meta_bytes;
	long huge_free;		/* /proc/meminfo */
	long huge_rsvd;
};

static bool counters_read(struct counters *c)
{
	static char buf[32768];

	if (!read_text(STATS, buf, sizeof(buf))) {
		ktap_diag("%s is what the leak checks read: ours/debug only", STATS);
		return false;
	}
	return field(buf, STATS, "buffers", &c->buffers) &&
	       field(buf, STATS, "folios", &c->folios) &&
	       field(buf, STATS, "pages", &c->pages) &&
	       field(buf, STATS, "meta_bytes", &c->meta_bytes);
}

/* Dups of every memfd the running case made, for the pin check. */
#define MAX_TRACKED 64
static int tracked[MAX_TRACKED];
static unsigned int nr_tracked;

static bool track_memfd(int fd)
{
	int dup_fd;

	if (nr_tracked == MAX_TRACKED) {
		ktap_diag("more than %d memfds in one case", MAX_TRACKED);
		return false;
	}
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0) {
		ktap_diag("dup memfd: %s", strerror(errno));
		return false;
	}
	tracked[nr_tracked++] = dup_fd;
	return true;
}

/*
 * No page of any memfd of this case is pinned any more: adding
 * F_SEAL_WRITE succeeds. A memfd that already has the seal, or is sealed
 * against new seals, was refused before anything was pinned and cannot
 * be probed. Closes the dups either way.
 */
static bool memfds_unpinned(void)
{
	bool ok = true;
	unsigned int i;
	int seals;

	for (i = 0; i < nr_tracked; i++) {
		seals = fcntl(tracked[i], F_GET_SEALS);
		if (seals < 0) {
			ok = ktap_check(false, "F_GET_SEALS: %s", strerror(errno));
		} else if (!(seals & (F_SEAL_SEAL | F_SEAL_WRITE)) &&
			   fcntl(tracked[i], F_ADD_SEALS, F_SEAL_WRITE) < 0) {
			ok = ktap_check(false,
				   "leak: memfd %u of this case: F_SEAL_WRITE: %s (pages still pinned)",
				   i, strerror(errno));
		}
		close(tracked[i]);
	}
	nr_tracked = 0;
	return ok;
}

/* The counters when the running case started. */
static struct counters start;

/* Everything back to @start: no pin, buffer, folio or page left behind. */
static bool counters_back(void)
{
	struct counters now;
	bool ok;

	/* First, so the dups are closed before the pool is counted. */
	ok = memfds_unpinned();
	if (!counters_read(&now))
		return false;
	ok &= ktap_check(now.buffers == start.buffers,
		    "leak: stats buffers %ld, at start %ld", now.buffers,
		    start.buffers);
	ok &= ktap_check(now.folios == start.folios,
		    "leak: stats folios %ld, at start %ld", now.folios,
		    start.folios);
	ok &= ktap_check(now.pages == start.pages,
		    "leak: stats pages %ld, at start %ld", now.pages,
		    start.pages);
	ok &= ktap_check(now.meta_bytes == start.meta_bytes,
		    "leak: stats meta_bytes %ld, at start %ld",
		    now.meta_bytes, start.meta_bytes);
	/* Every memfd is closed: its huge pages are back in the pool. */
	ok &= ktap_check(now.huge_free == start.huge_free,
		    "leak: HugePages_Free %ld, at start %ld", now.huge_free,
		    start.huge_free);
	ok &= ktap_check(now.huge_rsvd == start.huge_rsvd,
		    "leak: HugePages_Rsvd %ld, at start %ld", now.huge_rsvd,
		    start.huge_rsvd);
	return ok;
}

/*
 * What the exporter holds now beyond @start: @buffers buffers, @pages
 * pinned pages in all, and @folios folios unless @folios is negative (shmem may
 * hand out large folios, so only hugetlb-only cases can know the count).
 */
static bool holding(long buffers, long folios, long pages)
{
	struct counters now;
	bool ok = true;

	if (!counters_read(&now))
		return false;
	ok &= ktap_check(now.buffers - start.buffers == buffers,
		    "live buffers: got %ld more than at start, want %ld",
		    now.buffers - start.buffers, buffers);
	ok &= ktap_check(now.pages - start.pages == pages,
		    "live pages: got %ld more than at start, want %ld",
		    now.pages - start.pages, pages);
	if (folios >= 0)
		ok &= ktap_check(now.folios - start.folios == folios,
			    "live folios: got %ld more than at start, want %ld",
			    now.folios - start.folios, folios);
	return ok;
}

/* ---- what the test changes, and putting it back ---------------------- */

/*
 * The values to write back, as strings made before the change so that a
 * signal handler can restore them with open/write/close alone.
 */
static char restore_hugepages[32];
static char restore_size_limit[32];

static void write_back(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	n = write(fd, val, strlen(val));
	close(fd);
	(void)n;	/* nothing more a dying test could do about it */
}

static void restore_on_signal(int sig)
{
	if (restore_size_limit[0])
		write_back(PARAMS "size_limit_mb", restore_size_limit);
	if (restore_hugepages[0])
		write_back(NR_HUGEPAGES, restore_hugepages);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Put size_limit_mb back; the 4 GiB case and the exit path both do. */
static bool restore_size_limit_now(void)
{
	bool ok;

	if (!restore_size_limit[0])
		return true;
	ok = write_text(PARAMS "size_limit_mb", restore_size_limit);
	if (ok)
		restore_size_limit[0] = '\0';
	return ok;
}

static bool restore_all(void)
{
	bool ok = restore_size_limit_now();

	if (restore_hugepages[0]) {
		if (write_text(NR_HUGEPAGES, restore_hugepages))
			restore_hugepages[0] = '\0';
		else
			ok = false;
	}
	return ok;
}

static void restore_at_exit(void)
{
	restore_all();
}

static bool huge_ready;
static char huge_why[256];

/*
 * Make HUGE_PAGES_NEEDED free 2 MiB huge pages available: raise
 * nr_hugepages by what is missing, then check the kernel really found
 * them. The old value is what restore_all() writes back.
 */
static void reserve_huge_pages(void)
{
	long size_kb, total, free, want;
	char buf[32];

	if (!meminfo("Hugepagesize:", &size_kb) || !read_long(NR_HUGEPAGES, &total) ||
	    !meminfo("HugePages_Free:", &free)) {
		snprintf(huge_why, sizeof(huge_why), "cannot read the huge page pool");
		return;
	}
	if (size_kb != (long)(HPAGE >> 10)) {
		snprintf(huge_why, sizeof(huge_why),
			 "default huge page size is %ld kB, want %llu kB",
			 size_kb, ull(HPAGE >> 10));
		return;
	}
	if (free < HUGE_PAGES_NEEDED) {
		want = total + HUGE_PAGES_NEEDED - free;
		snprintf(restore_hugepages, sizeof(restore_hugepages), "%ld", total);
		snprintf(buf, sizeof(buf), "%ld", want);
		if (!write_text(NR_HUGEPAGES, buf)) {
			restore_hugepages[0] = '\0';	/* nothing changed */
			snprintf(huge_why, sizeof(huge_why),
				 "cannot set nr_hugepages to %ld", want);
			return;
		}
		if (!meminfo("HugePages_Free:", &free)) {
			snprintf(huge_why, sizeof(huge_why), "cannot read HugePages_Free");
			return;
		}
	}
	if (free < HUGE_PAGES_NEEDED) {
		read_long(NR_HUGEPAGES, &total);
		snprintf(huge_why, sizeof(huge_why),
			 "HugePages_Free %ld with nr_hugepages %ld, want %d free: the VM lacks the memory",
			 free, total, HUGE_PAGES_NEEDED);
		return;
	}
	huge_ready = true;
}

/* ---- memfds, buffers, mappings ------------------------------------------ */

/*
 * A memfd of @size bytes with @seals, with no page allocated: hugetlb
 * pages a buffer needs are the exporter's to allocate (pin_item()), unless
 * a case populates them first with populate().
 */
static int new_memfd(uint64_t size, bool huge, unsigned int seals)
{
	int fd;

	if (huge && !huge_ready) {
		ktap_diag("no huge pages for this case: %s", huge_why);
		return SETUP_FAILED;
	}
	fd = devmem_memfd_create(huge ? "udmabuf_exporter.huge" : "udmabuf_exporter",
				 size, huge, seals);
	if (fd < 0) {
		ktap_diag("memfd_create (%s, %llu bytes): %s",
			  huge ? "hugetlb" : "shmem", ull(size), strerror(-fd));
		return SETUP_FAILED;
	}
	if (!track_memfd(fd)) {
		close(fd);
		return SETUP_FAILED;
	}
	return fd;
}

/*
 * Allocate [@off, @off + @len) of a memfd the way an application would
 * before handing it over, without touching it from userspace.
 */
static bool populate(int memfd, uint64_t off, uint64_t len)
{
	if (fallocate(memfd, 0, off, len) == 0)
		return true;
	ktap_diag("fallocate %llu bytes at %llu: %s", ull(len), ull(off),
		  strerror(errno));
	return false;
}

/* One memfd range of a buffer. */
struct range {
	int memfd;
	bool huge;
	uint64_t off;
	uint64_t size;
	uint64_t stream;	/* pattern stream of the memfd, at offset 0 */
};

/* UDMABUF_CREATE for one range, UDMABUF_CREATE_LIST for several. */
static int make_buffer(const struct range *r, unsigned int n,
		       unsigned int flags)
{
	struct udmabuf_create_item *items;
	unsigned int i;
	int fd;

	if (n == 1)
		return devmem_udmabuf_create(r->memfd, r->off, r->size, flags);
	items = calloc(n, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		items[i].memfd = r[i].memfd;
		items[i].offset = r[i].off;
		items[i].size = r[i].size;
	}
	fd = devmem_udmabuf_create_list(items, n, flags);
	free(items);
	return fd;
}

static unsigned char *map_buf(int fd, uint64_t len, uint64_t off)
{
	unsigned char *map;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (map == MAP_FAILED) {
		ktap_diag("mmap dma-buf (%llu bytes at %llu): %s", ull(len),
			  ull(off), strerror(errno));
		return NULL;
	}
	return map;
}

static bool sync_buf(int buf, uint64_t flags)
{
	int ret = devmem_dmabuf_sync(buf, flags);

	return ktap_check(!ret, "DMA_BUF_IOCTL_SYNC 0x%llx: %s", ull(flags),
		     strerror(-ret));
}

/*
 * Pattern bytes @first.. into [@off, @off + @len) of @memfd: pwrite() for
 * shmem, a shared mapping for hugetlbfs, which has no write().
 */
static bool memfd_fill(int memfd, bool huge, uint64_t off, uint64_t len,
		       uint64_t first)
{
	uint64_t start, end, done = 0;
	unsigned char *p;
	ssize_t n;

	if (huge) {
		start = off & ~(HPAGE - 1);
		end = (off + len + HPAGE - 1) & ~(HPAGE - 1);
		p = mmap(NULL, end - start, PROT_READ | PROT_WRITE, MAP_SHARED,
			 memfd, start);
		if (p == MAP_FAILED) {
			ktap_diag("mmap hugetlb memfd at %llu: %s", ull(start),
				  strerror(errno));
			return false;
		}
		pattern_fill(p + (off - start), len, first);
		munmap(p, end - start);
		return true;
	}

	p = malloc(len);
	if (!p)
		return ktap_check(false, "out of memory");
	pattern_fill(p, len, first);
	while (done < len) {
		n = pwrite(memfd, p + done, len - done, off + done);
		if (n <= 0) {
			ktap_diag("pwrite memfd at %llu: %s", ull(off + done),
				  n < 0 ? strerror(errno) : "wrote nothing");
			break;
		}
		done += n;
	}
	free(p);
	return done == len;
}

/* [@off, @off + @len) of @memfd, read with pread(), is pattern @first.. */
static bool memfd_check(int memfd, uint64_t off, uint64_t len, uint64_t first)
{
	uint64_t done = 0;
	unsigned char *p;
	size_t bad;
	ssize_t n;

	p = malloc(len);
	if (!p)
		return ktap_check(false, "out of memory");
	while (done < len) {
		n = pread(memfd, p + done, len - done, off + done);
		if (n <= 0) {
			ktap_diag("pread memfd at %llu: %s", ull(off + done),
				  n < 0 ? strerror(errno) : "end of file");
			free(p);
			return false;
		}
		done += n;
	}
	bad = pattern_check(p, len, first);
	free(p);
	return ktap_check(bad == len,
		     "memfd at offset %llu differs from what went through the dma-buf",
		     ull(off + bad));
}

/* @map (@len bytes, dma-buf offset @at) holds pattern @first..: READ sync. */
static bool map_check(int buf, const unsigned char *map, uint64_t len,
		      uint64_t at, uint64_t first)
{
	size_t bad;

	if (!sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		return false;
	bad = pattern_check(map, len, first);
	if (!sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		return false;
	return ktap_check(bad == len, "dma-buf mmap differs at dma-buf offset %llu",
		     ull(at + bad));
}

/* Pattern @first.. into @map through a WRITE sync bracket. */
static bool map_fill(int buf, unsigned char *map, uint64_t len, uint64_t first)
{
	if (!sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
		return false;
	pattern_fill(map, len, first);
	return sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

static bool map_hash(int buf, const unsigned char *map, uint64_t len,
		     uint64_t *hash)
{
	if (!sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		return false;
	*hash = dmabuf_probe_hash(DMABUF_PROBE_HASH_INIT, map, len);
	return sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
}

static bool buffer_size_is(int buf, uint64_t want)
{
	off_t end = lseek(buf, 0, SEEK_END);

	if (end < 0)
		return ktap_check(false, "lseek(SEEK_END) on the dma-buf: %s",
			     strerror(errno));
	return ktap_check((uint64_t)end == want, "dma-buf size: got %llu, want %llu",
		     ull(end), ull(want));
}

/* DMABUF_PROBE on @buf; the test importer is in both flavors' kernels. */
static bool probe(int buf, uint32_t flags, uint32_t max_seg, uint32_t seed,
		  uint64_t off, uint64_t len, struct dmabuf_probe *p)
{
	int fd, ret, err;

	fd = open(PROBE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ktap_diag("open %s: %s (the test importer)", PROBE,
			  strerror(errno));
		return false;
	}
	*p = (struct dmabuf_probe) {
		.fd = buf,
		.flags = flags,
		.max_seg = max_seg,
		.seed = seed,
		.offset = off,
		.length = len,
	};
	ret = ioctl(fd, DMABUF_PROBE, p);
	err = errno;
	close(fd);
	return ktap_check(ret == 0,
		     "DMABUF_PROBE (flags 0x%x, max_seg %u, window %llu+%llu): %s",
		     flags, max_seg, ull(off), ull(len), strerror(err));
}

/* What every probe must report, whatever the device's limits. */
static bool probe_sane(const struct dmabuf_probe *p, uint64_t size)
{
	bool ok = true;

	ok &= ktap_check(p->size == size, "probe size: got %llu, want %llu",
		    ull(p->size), ull(size));
	ok &= ktap_check(p->mapped == size, "probe mapped: got %llu, want %llu",
		    ull(p->mapped), ull(size));
	ok &= ktap_check(p->bad_ents == 0,
		    "probe bad_ents: got %u, want 0 (of %u entries, longest %llu)",
		    p->bad_ents, p->nents, ull(p->max_len));
	ok &= ktap_check(p->nents > 0, "probe nents: got 0");
	return ok;
}

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
static int err_tmpfs_file(void)
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

static int err_pipe(void)
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
static int err_closed_fd(void)
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

static int err_no_seal_shrink(void)
{
	return err_with_memfd(0, 0, 16 * PG, 0);
}

static int err_seal_write(void)
{
	return err_with_memfd(F_SEAL_SHRINK | F_SEAL_WRITE, 0, 16 * PG, 0);
}

static int err_seal_future_write(void)
{
	return err_with_memfd(F_SEAL_SHRINK | F_SEAL_FUTURE_WRITE, 0, 16 * PG, 0);
}

static int err_unaligned_offset(void)
{
	return err_with_memfd(F_SEAL_SHRINK, PG / 2, 16 * PG, 0);
}

static int err_unaligned_size(void)
{
	return err_with_memfd(F_SEAL_SHRINK, 0, 16 * PG + 100, 0);
}

static int err_zero_size(void)
{
	return err_with_memfd(F_SEAL_SHRINK, 0, 0, 0);
}

static int err_offset_overflow(void)
{
	return err_with_memfd(F_SEAL_SHRINK, UINT64_MAX & ~(PG - 1), PG, 0);
}

static int err_past_eof(void)
{
	return err_with_memfd(F_SEAL_SHRINK, ERR_MEMFD - PG, 2 * PG, 0);
}

static int err_unknown_flags(void)
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

static int err_list_empty(void)
{
	return err_list(0, 1);
}

/* Every item is good: only their number is too many. */
static int err_list_too_long(void)
{
	long limit;

	if (!read_long(PARAMS "list_limit", &limit))
		return SETUP_FAILED;
	return err_list(limit + 1, limit + 1);
}

/* Each item alone fits size_limit_mb; together they pass it by a page. */
static int err_over_size_limit(void)
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
static int err_read_only(void)
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
static int err_list_last_bad(void)
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
static int err_huge_pool_empty(void)
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

static const char *errname(int err)
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

static bool expect_errno(int ret, int want)
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

/* ---- data through shmem and hugetlb ranges ---------------------------- */

/*
 * Build a buffer of @r (CLOEXEC), write each memfd and read the dma-buf's
 * mmap in list order, then write the mmap and read each memfd.
 */
static bool roundtrip(const struct range *r, unsigned int n, long folios)
{
	uint64_t total = 0, pos;
	unsigned char *map = NULL;
	unsigned int i;
	bool ok = false;
	int buf, fl;

	for (i = 0; i < n; i++)
		total += r[i].size;
	buf = make_buffer(r, n, UDMABUF_FLAGS_CLOEXEC);
	if (buf < 0)
		return ktap_check(false, "create: %s", strerror(-buf));

	fl = fcntl(buf, F_GETFD);
	if (!ktap_check(fl >= 0 && (fl & FD_CLOEXEC),
		   "UDMABUF_FLAGS_CLOEXEC: dma-buf fd flags 0x%x", fl))
		goto out;
	if (!buffer_size_is(buf, total) ||
	    !holding(1, folios, total / PG))
		goto out;
	map = map_buf(buf, total, 0);
	if (!map)
		goto out;

	/* After the pin, so the dma-buf shows the file's own pages. */
	for (i = 0; i < n; i++)
		if (!memfd_fill(r[i].memfd, r[i].huge, r[i].off, r[i].size,
				r[i].stream + r[i].off))
			goto out;
	for (i = 0, pos = 0; i < n; pos += r[i].size, i++)
		if (!map_check(buf, map + pos, r[i].size, pos,
			       r[i].stream + r[i].off)) {
			ktap_diag("(item %u: memfd offset %llu, %llu bytes)", i,
				  ull(r[i].off), ull(r[i].size));
			goto out;
		}

	if (!map_fill(buf, map, total, STREAM_BACK))
		goto out;
	for (i = 0, pos = 0; i < n; pos += r[i].size, i++)
		if (!memfd_check(r[i].memfd, r[i].off, r[i].size,
				 STREAM_BACK + pos)) {
			ktap_diag("(item %u at dma-buf offset %llu)", i, ull(pos));
			goto out;
		}
	ok = true;
out:
	if (map)
		munmap(map, total);
	close(buf);
	return ok;
}

/*
 * The pin check itself: while a dma-buf holds a memfd's pages, adding
 * F_SEAL_WRITE to the memfd fails with EBUSY; once the dma-buf is gone,
 * it succeeds. Shmem and hugetlb alike, or the per-case check proves
 * nothing.
 */
static bool pin_check_sees_pins(void)
{
	bool ok = true;
	int huge;

	for (huge = 0; huge <= 1; huge++) {
		int memfd = new_memfd(2 * HPAGE, huge, F_SEAL_SHRINK);
		int buf, ret;

		if (memfd < 0)
			return false;
		buf = devmem_udmabuf_create(memfd, 0, 2 * HPAGE, 0);
		if (buf < 0) {
			close(memfd);
			return ktap_check(false, "UDMABUF_CREATE: %s", strerror(-buf));
		}
		ret = fcntl(memfd, F_ADD_SEALS, F_SEAL_WRITE);
		ok &= ktap_check(ret < 0 && errno == EBUSY,
			    "%s: F_SEAL_WRITE with a live dma-buf: %s, want EBUSY",
			    huge ? "hugetlb" : "shmem",
			    ret < 0 ? strerror(errno) : "succeeded");
		close(buf);
		ret = fcntl(memfd, F_ADD_SEALS, F_SEAL_WRITE);
		ok &= ktap_check(ret == 0, "%s: F_SEAL_WRITE after close: %s",
			    huge ? "hugetlb" : "shmem",
			    ret < 0 ? strerror(errno) : "ok");
		close(memfd);
	}
	return ok;
}

static bool shmem_single(void)
{
	struct range r;
	bool ok;

	r = (struct range) {
		.memfd = new_memfd(2 * MiB, false, F_SEAL_SHRINK),
		.off = PG, .size = MiB, .stream = STREAM_SHMEM,
	};
	if (r.memfd < 0)
		return false;
	ok = roundtrip(&r, 1, -1);
	close(r.memfd);
	return ok;
}

static bool hugetlb_single(void)
{
	struct range r;
	bool ok;

	r = (struct range) {
		.memfd = new_memfd(2 * HPAGE, true, F_SEAL_SHRINK),
		.huge = true, .off = 0, .size = 2 * HPAGE,
		.stream = STREAM_HUGE,
	};
	if (r.memfd < 0)
		return false;
	/*
	 * Absent until the exporter allocates them; then two huge folios:
	 * per-folio state, not 1024 pages of it.
	 */
	ok = roundtrip(&r, 1, 2);
	close(r.memfd);
	return ok;
}

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

static bool mixed_memfds(struct mixed *m)
{
	unsigned int i;

	m->shm = new_memfd(MiB, false, F_SEAL_SHRINK);
	if (m->shm < 0)
		return false;
	m->huge = new_memfd(3 * HPAGE, true, F_SEAL_SHRINK);
	if (m->huge >= 0 && !populate(m->huge, 0, HPAGE)) {
		close(m->huge);
		m->huge = -1;
	}
	if (m->huge < 0) {
		close(m->shm);
		return false;
	}
	m->r[0] = (struct range) { m->shm, false, 0, 16 * PG, STREAM_SHMEM };
	m->r[1] = (struct range) { m->huge, true, PG, 12 * PG, STREAM_HUGE };
	m->r[2] = (struct range) { m->shm, false, 32 * PG, 5 * PG, STREAM_SHMEM };
	m->r[3] = (struct range) {
		m->huge, true, HPAGE + HPAGE / 2, HPAGE, STREAM_HUGE,
	};
	m->size = 0;
	for (i = 0; i < 4; i++)
		m->size += m->r[i].size;
	return true;
}

static void mixed_close(struct mixed *m)
{
	close(m->huge);
	close(m->shm);
}

static bool mixed_list(void)
{
	struct mixed m;
	bool ok;

	if (!mixed_memfds(&m))
		return false;
	ok = roundtrip(m.r, 4, -1);
	mixed_close(&m);
	return ok;
}

/* ---- mmap ----------------------------------------------------------------- */

#define MAP_PAGES	16

/* A 16-page shmem buffer whose memfd holds pattern STREAM_SHMEM. */
static bool small_buffer(int *memfd, int *buf)
{
	*memfd = new_memfd(MAP_PAGES * PG, false, F_SEAL_SHRINK);
	if (*memfd < 0)
		return false;
	*buf = devmem_udmabuf_create(*memfd, 0, MAP_PAGES * PG, 0);
	if (*buf < 0) {
		ktap_diag("create: %s", strerror(-*buf));
		close(*memfd);
		return false;
	}
	if (!memfd_fill(*memfd, false, 0, MAP_PAGES * PG, STREAM_SHMEM)) {
		close(*buf);
		close(*memfd);
		return false;
	}
	return true;
}

/* Map @pages pages at page @first and compare them with the memfd. */
static bool map_part(unsigned int first, unsigned int pages)
{
	unsigned char *map;
	int memfd, buf;
	bool ok;

	if (!small_buffer(&memfd, &buf))
		return false;
	map = map_buf(buf, pages * PG, first * PG);
	ok = map && map_check(buf, map, pages * PG, first * PG,
			      STREAM_SHMEM + first * PG);
	/* And back: a write through the window lands at its file offset. */
	if (ok)
		ok = map_fill(buf, map, pages * PG, STREAM_BACK) &&
		     memfd_check(memfd, first * PG, pages * PG, STREAM_BACK);
	if (map)
		munmap(map, pages * PG);
	close(buf);
	close(memfd);
	return ok;
}

static bool mmap_whole(void)
{
	return map_part(0, MAP_PAGES);
}

static bool mmap_first_half(void)
{
	return map_part(0, MAP_PAGES / 2);
}

static bool mmap_offset(void)
{
	return map_part(3, 5);
}

static bool mmap_refused(int buf, uint64_t len, uint64_t off, int flags,
			 const char *what)
{
	void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, buf, off);

	if (map != MAP_FAILED) {
		munmap(map, len);
		return ktap_check(false, "%s: mmap succeeded, want EINVAL", what);
	}
	return ktap_check(errno == EINVAL, "%s: mmap failed with %s, want EINVAL",
		     what, errname(errno));
}

static bool mmap_past_end(void)
{
	int memfd, buf;
	bool ok = true;

	if (!small_buffer(&memfd, &buf))
		return false;
	ok &= mmap_refused(buf, (MAP_PAGES + 1) * PG, 0, MAP_SHARED,
			   "one page longer than the buffer");
	ok &= mmap_refused(buf, 2 * PG, (MAP_PAGES - 1) * PG, MAP_SHARED,
			   "two pages from the last page");
	ok &= mmap_refused(buf, PG, MAP_PAGES * PG, MAP_SHARED,
			   "one page at the end");
	close(buf);
	close(memfd);
	return ok;
}

/* Private copies would be writes the device never sees. */
static bool mmap_private(void)
{
	int memfd, buf;
	bool ok;

	if (!small_buffer(&memfd, &buf))
		return false;
	ok = mmap_refused(buf, MAP_PAGES * PG, 0, MAP_PRIVATE, "MAP_PRIVATE");
	close(buf);
	close(memfd);
	return ok;
}

/* ---- what an importer sees ---------------------------------------------- */

/*
 * The mixed buffer with pattern STREAM_OLD written through its mmap, and
 * the hash of all of it as the CPU sees it.
 */
static bool mixed_buffer(struct mixed *m, int *buf, unsigned char **map,
			 uint64_t *hash)
{
	if (!mixed_memfds(m))
		return false;
	*buf = make_buffer(m->r, 4, 0);
	if (*buf < 0) {
		ktap_diag("create: %s", strerror(-*buf));
		mixed_close(m);
		return false;
	}
	*map = map_buf(*buf, m->size, 0);
	if (*map && map_fill(*buf, *map, m->size, STREAM_OLD) &&
	    map_hash(*buf, *map, m->size, hash))
		return true;
	if (*map)
		munmap(*map, m->size);
	close(*buf);
	mixed_close(m);
	return false;
}

static void mixed_buffer_free(struct mixed *m, int buf, unsigned char *map)
{
	munmap(map, m->size);
	close(buf);
	mixed_close(m);
}

static bool probe_dma_hash(bool vmap)
{
	struct dmabuf_probe p;
	unsigned char *map;
	struct mixed m;
	uint64_t hash;
	bool ok;
	int buf;

	if (!mixed_buffer(&m, &buf, &map, &hash))
		return false;
	/* max_seg 0: the importer's default of 64 KiB. */
	ok = probe(buf, vmap ? DMABUF_PROBE_VMAP : 0, 0, 0, 0, 0, &p);
	if (ok) {
		ok &= probe_sane(&p, m.size);
		ok &= ktap_check(p.max_len <= 65536,
			    "probe max_len: got %llu, want <= 65536 (default max_seg)",
			    ull(p.max_len));
		ok &= ktap_check(p.dma_hash == hash,
			    "hash through DMA addresses: got %016llx, mmap has %016llx",
			    ull(p.dma_hash), ull(hash));
		if (vmap)
			ok &= ktap_check(p.vmap_hash == hash,
				    "hash through vmap: got %016llx, mmap has %016llx",
				    ull(p.vmap_hash), ull(hash));
	}
	mixed_buffer_free(&m, buf, map);
	return ok;
}

static bool probe_dma(void)
{
	return probe_dma_hash(false);
}

/* vmap must map every page of a huge folio, not its head alone. */
static bool probe_vmap(void)
{
	return probe_dma_hash(true);
}

#define MERGE_SIZE	(64 * MiB)

/*
 * A 64 MiB hugetlb buffer probed with segment limit @max_seg, and the
 * hash of a window across the first huge page boundary compared with the
 * mmap's, so merged entries must still be in the right place.
 */
static bool probe_hugetlb(uint32_t max_seg, struct dmabuf_probe *p)
{
	const uint64_t woff = HPAGE - PG / 2, wlen = 2 * PG;
	unsigned char *map = NULL;
	int memfd, buf;
	uint64_t hash;
	bool ok = false;

	memfd = new_memfd(MERGE_SIZE, true, F_SEAL_SHRINK);
	if (memfd < 0)
		return false;
	if (!populate(memfd, 0, MERGE_SIZE)) {
		close(memfd);
		return false;
	}
	buf = devmem_udmabuf_create(memfd, 0, MERGE_SIZE, 0);
	if (buf < 0) {
		ktap_diag("create 64 MiB: %s", strerror(-buf));
		close(memfd);
		return false;
	}
	if (!holding(1, MERGE_SIZE / HPAGE, MERGE_SIZE / PG))
		goto out;
	map = map_buf(buf, MERGE_SIZE, 0);
	if (!map || !map_fill(buf, map + woff, wlen, STREAM_OLD) ||
	    !map_hash(buf, map + woff, wlen, &hash))
		goto out;
	if (!probe(buf, 0, max_seg, 0, woff, wlen, p))
		goto out;
	ok = probe_sane(p, MERGE_SIZE);
	ok &= ktap_check(p->dma_hash == hash,
		    "hash through DMA addresses: got %016llx, mmap has %016llx",
		    ull(p->dma_hash), ull(hash));
out:
	if (map)
		munmap(map, MERGE_SIZE);
	close(buf);
	close(memfd);
	return ok;
}

/* With room for anything, each 2 MiB folio is one entry at most. */
static bool sg_merge_hugetlb(void)
{
	struct dmabuf_probe p;
	bool ok;

	if (!probe_hugetlb(1u << 31, &p))
		return false;
	ok = ktap_check(p.nents <= MERGE_SIZE / HPAGE,
		   "nents: got %u, want <= %llu (one per huge folio at most)",
		   p.nents, ull(MERGE_SIZE / HPAGE));
	ok &= ktap_check(p.max_len >= HPAGE, "max_len: got %llu, want >= %llu",
		    ull(p.max_len), ull(HPAGE));
	return ok;
}

static bool sg_split_64k(void)
{
	struct dmabuf_probe p;
	bool ok;

	if (!probe_hugetlb(65536, &p))
		return false;
	ok = ktap_check(p.max_len <= 65536, "max_len: got %llu, want <= 65536",
		   ull(p.max_len));
	ok &= ktap_check(p.nents >= MERGE_SIZE / 65536, "nents: got %u, want >= %llu",
		    p.nents, ull(MERGE_SIZE / 65536));
	return ok;
}

struct window {
	uint64_t off;
	uint64_t len;
	uint32_t seed;
};

/* The window of @w[0..@n) that dma-buf offset @off is in, or -1. */
static int window_of(const struct window *w, int n, uint64_t off)
{
	int i;

	for (i = 0; i < n; i++)
		if (off >= w[i].off && off - w[i].off < w[i].len)
			return i;
	return -1;
}

/*
 * What the dma-buf must hold after the device wrote @w over pattern
 * STREAM_OLD.
 */
static uint8_t expected_byte(const struct window *w, int n, uint64_t off)
{
	int i = window_of(w, n, off);

	return i < 0 ? pattern_byte(STREAM_OLD + off) :
		       dmabuf_probe_byte(off, w[i].seed);
}

/*
 * The device writes two windows at byte offsets: the one the interface
 * was designed around, and one across the shmem/hugetlb item boundary
 * (64 KiB). The CPU then sees exactly those bytes changed, and so does
 * the memfd.
 */
static bool device_write(void)
{
	const struct window w[2] = {
		{ 2 * PG, 3 * PG + 17, 0xa5 },
		{ 16 * PG - 100, 300, 0x3c },
	};
	struct dmabuf_probe p;
	unsigned char *map, file[3 * PG + 17];
	struct mixed m;
	uint64_t hash, want, off;
	unsigned int i;
	bool ok = true;
	int buf;

	if (!mixed_buffer(&m, &buf, &map, &hash))
		return false;
	for (i = 0; i < 2 && ok; i++) {
		ok = probe(buf, DMABUF_PROBE_WRITE, 0, w[i].seed, w[i].off,
			   w[i].len, &p) && probe_sane(&p, m.size);
		/* It hashes what it wrote, read back by DMA address. */
		want = DMABUF_PROBE_HASH_INIT;
		for (off = w[i].off; off < w[i].off + w[i].len; off++) {
			uint8_t b = dmabuf_probe_byte(off, w[i].seed);

			want = dmabuf_probe_hash(want, &b, 1);
		}
		if (ok)
			ok = ktap_check(p.dma_hash == want,
				   "window %u read back by DMA: hash %016llx, want %016llx",
				   i, ull(p.dma_hash), ull(want));
	}
	if (ok)
		ok = sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (off = 0; ok && off < m.size; off++)
		if (map[off] != expected_byte(w, 2, off)) {
			ktap_diag("dma-buf offset %llu: got 0x%02x, want 0x%02x (%s)",
				  ull(off), map[off], expected_byte(w, 2, off),
				  window_of(w, 2, off) < 0 ?
				  "old content, outside the windows" :
				  "written by the device");
			ok = false;
		}
	if (ok)
		ok = sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	/* Item 0 is memfd offset 0 on: the file has the device's bytes. */
	if (ok && pread(m.shm, file, w[0].len, w[0].off) != (ssize_t)w[0].len)
		ok = ktap_check(false, "pread memfd: %s", strerror(errno));
	for (off = 0; ok && off < w[0].len; off++)
		ok = ktap_check(file[off] == dmabuf_probe_byte(w[0].off + off, w[0].seed),
			   "memfd offset %llu: got 0x%02x, want 0x%02x",
			   ull(w[0].off + off), file[off],
			   dmabuf_probe_byte(w[0].off + off, w[0].seed));
	mixed_buffer_free(&m, buf, map);
	return ok;
}

/* ---- close orders --------------------------------------------------------- */

/* The pins, not the memfd, keep the pages: old and new mappings work. */
static bool close_memfd_first(void)
{
	unsigned char *old_map, *new_map = NULL;
	int memfd, buf;
	bool ok = false;

	if (!small_buffer(&memfd, &buf))
		return false;
	old_map = map_buf(buf, MAP_PAGES * PG, 0);
	close(memfd);
	if (!old_map)
		goto out;
	if (!holding(1, -1, MAP_PAGES) ||
	    !map_check(buf, old_map, MAP_PAGES * PG, 0, STREAM_SHMEM))
		goto out;
	new_map = map_buf(buf, MAP_PAGES * PG, 0);
	if (!new_map ||
	    !map_check(buf, new_map, MAP_PAGES * PG, 0, STREAM_SHMEM))
		goto out;
	ok = true;
out:
	if (new_map)
		munmap(new_map, MAP_PAGES * PG);
	if (old_map)
		munmap(old_map, MAP_PAGES * PG);
	close(buf);
	return ok;
}

/*
 * A live mapping holds the dma-buf: with every fd closed the buffer and
 * its pins stay until munmap, and the mapping still reads the data (no
 * fd is left for a sync bracket; x86 is coherent).
 */
static bool close_dmabuf_while_mapped(void)
{
	unsigned char *map;
	int memfd, buf;
	size_t bad;
	bool ok;

	if (!small_buffer(&memfd, &buf))
		return false;
	map = map_buf(buf, MAP_PAGES * PG, 0);
	close(buf);
	close(memfd);
	if (!map)
		return false;
	ok = holding(1, -1, MAP_PAGES);
	bad = pattern_check(map, MAP_PAGES * PG, STREAM_SHMEM);
	ok &= ktap_check(bad == MAP_PAGES * PG,
		    "mapping of a closed dma-buf differs at offset %zu", bad);
	munmap(map, MAP_PAGES * PG);
	/* Now the last reference is gone: the leak check sees it released. */
	return ok;
}

/* ---- 4 GiB ------------------------------------------------------------------ */

/*
 * size_limit_mb raised to 4096 for a 4 GiB buffer of hugetlb pages (see
 * BIG_MEMFD). Cheap by design: the exporter allocates the memfd's pages
 * for the first item (the kernel zeroes them), the other 63 find them
 * present, and only the last page is mapped, written and hashed.
 */
static bool huge_4g(void)
{
	const unsigned int n = BIG_SIZE / BIG_MEMFD;
	unsigned char *map = NULL;
	struct dmabuf_probe p;
	long old_mb, now_mb;
	int memfd = -1, buf = -1;
	struct range *r = NULL;
	uint64_t hash;
	unsigned int i;
	bool ok = false;
	char val[32];

	if (!read_long(PARAMS "size_limit_mb", &old_mb))
		return false;
	snprintf(restore_size_limit, sizeof(restore_size_limit), "%ld", old_mb);
	snprintf(val, sizeof(val), "%llu", ull(BIG_SIZE / MiB));
	if (!write_text(PARAMS "size_limit_mb", val))
		goto out;

	memfd = new_memfd(BIG_MEMFD, true, F_SEAL_SHRINK);
	r = calloc(n, sizeof(*r));
	if (memfd < 0 || !r)
		goto out;
	for (i = 0; i < n; i++)
		r[i] = (struct range) { memfd, true, 0, BIG_MEMFD, STREAM_HUGE };
	buf = make_buffer(r, n, 0);
	if (buf < 0) {
		ktap_diag("create 4 GiB (%u items of %llu MiB): %s", n,
			  ull(BIG_MEMFD / MiB), strerror(-buf));
		goto out;
	}
	if (!buffer_size_is(buf, BIG_SIZE) ||
	    !holding(1, BIG_SIZE / HPAGE, BIG_SIZE / PG))
		goto out;

	/* The last page: a page offset past 2^20 - 1 pages, once mapped. */
	map = map_buf(buf, PG, BIG_SIZE - PG);
	if (!map || !map_fill(buf, map, PG, STREAM_BACK) ||
	    !map_hash(buf, map, PG, &hash))
		goto out;
	if (!probe(buf, 0, 1u << 31, 0, BIG_SIZE - PG, PG, &p))
		goto out;
	ok = probe_sane(&p, BIG_SIZE);
	ok &= ktap_check(p.nents <= BIG_SIZE / HPAGE,
		    "nents: got %u, want <= %llu (one per huge folio at most)",
		    p.nents, ull(BIG_SIZE / HPAGE));
	ok &= ktap_check(p.dma_hash == hash,
		    "last page through DMA addresses: got %016llx, mmap has %016llx",
		    ull(p.dma_hash), ull(hash));
	/* The last item is the whole memfd: its last page is the file's. */
	ok &= memfd_check(memfd, BIG_MEMFD - PG, PG, STREAM_BACK);
out:
	if (map)
		munmap(map, PG);
	if (buf >= 0)
		close(buf);
	if (memfd >= 0)
		close(memfd);
	free(r);
	if (!restore_size_limit_now())
		ok = false;
	else if (read_long(PARAMS "size_limit_mb", &now_mb))
		ok &= ktap_check(now_mb == old_mb, "size_limit_mb: %ld after restoring %ld",
			    now_mb, old_mb);
	return ok;
}

/* ---- the cases ------------------------------------------------------------ */

struct test_case {
	const char *name;
	bool (*run)(void);	/* a case that checks data */
	int (*attempt)(void);	/* or a request that must fail: its result */
	int want;		/* with this errno */
};

#define ERR_CASE(name, fn, err)	{ name, NULL, fn, err }
#define CASE(name, fn)		{ name, fn, NULL, 0 }

static const struct test_case cases[] = {
	ERR_CASE("reject_tmpfs_file", err_tmpfs_file, EINVAL),
	ERR_CASE("reject_pipe", err_pipe, EBADFD),
	ERR_CASE("reject_closed_fd", err_closed_fd, EBADFD),
	ERR_CASE("reject_no_seal_shrink", err_no_seal_shrink, EINVAL),
	ERR_CASE("reject_seal_write", err_seal_write, EINVAL),
	ERR_CASE("reject_seal_future_write", err_seal_future_write, EINVAL),
	ERR_CASE("reject_unaligned_offset", err_unaligned_offset, EINVAL),
	ERR_CASE("reject_unaligned_size", err_unaligned_size, EINVAL),
	ERR_CASE("reject_zero_size", err_zero_size, EINVAL),
	ERR_CASE("reject_offset_overflow", err_offset_overflow, EINVAL),
	ERR_CASE("reject_past_eof", err_past_eof, EINVAL),
	ERR_CASE("reject_list_empty", err_list_empty, EINVAL),
	ERR_CASE("reject_list_over_list_limit", err_list_too_long, EINVAL),
	ERR_CASE("reject_over_size_limit", err_over_size_limit, EINVAL),
	ERR_CASE("reject_unknown_flags", err_unknown_flags, EINVAL),
	ERR_CASE("reject_read_only_memfd", err_read_only, EACCES),
	ERR_CASE("reject_list_last_item_bad", err_list_last_bad, EINVAL),
	ERR_CASE("reject_hugetlb_pool_empty", err_huge_pool_empty, ENOMEM),
	CASE("pin_check_sees_pins", pin_check_sees_pins),
	CASE("shmem_single_range", shmem_single),
	CASE("hugetlb_single_range", hugetlb_single),
	CASE("mixed_list", mixed_list),
	CASE("mmap_whole", mmap_whole),
	CASE("mmap_first_half", mmap_first_half),
	CASE("mmap_offset", mmap_offset),
	CASE("mmap_past_end", mmap_past_end),
	CASE("mmap_private", mmap_private),
	CASE("probe_dma_hash", probe_dma),
	CASE("probe_vmap_hash", probe_vmap),
	CASE("sg_merge_hugetlb", sg_merge_hugetlb),
	CASE("sg_split_64k", sg_split_64k),
	CASE("device_write", device_write),
	CASE("close_memfd_first", close_memfd_first),
	CASE("close_dmabuf_while_mapped", close_dmabuf_while_mapped),
	CASE("hugetlb_4g", huge_4g),
};

static void run(const struct test_case *c)
{
	bool counted, ok;

	counted = counters_read(&start);
	if (c->run)
		ok = c->run();
	else
		ok = expect_errno(c->attempt(), c->want);
	if (counted)
		ok = counters_back() && ok;
	else
		ok = memfds_unpinned() &&
		     ktap_check(false, "no leak check: the counters could not be read");
	ktap_result(&t, ok, c->name);
}

int main(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGSEGV, SIGBUS,
				    SIGABRT, SIGFPE, SIGILL };
	unsigned int i;

	ktap_start(&t, ARRAY_SIZE(cases));

	if (access(STATS, R_OK))
		ktap_diag("%s: %s: every case fails its leak check (this test is for the ours and debug flavors)",
			  STATS, strerror(errno));

	atexit(restore_at_exit);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], restore_on_signal);
	reserve_huge_pages();
	if (!huge_ready)
		ktap_diag("hugetlb cases will fail: %s", huge_why);

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run(&cases[i]);

	/* Settings not put back are a failure of the run, if of no case. */
	if (!restore_all()) {
		ktap_diag("could not restore nr_hugepages/size_limit_mb");
		t.failed++;
	}
	ktap_exit(&t);
}
