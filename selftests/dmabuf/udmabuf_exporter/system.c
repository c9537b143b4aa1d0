// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the test reads and changes of the system: files under /proc and
 * /sys, the leak counters checked after every case (the exporter's
 * stats, the memfds' pins), and the huge page pool and size_limit_mb it
 * changes and puts back, also when it dies of a signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/ktap.h"
#include "udmabuf_exporter.h"

#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

/*
 * The most huge pages one case holds at once (a 64 MiB hugetlb memfd),
 * plus headroom in case pinning has to migrate some.
 */
#define HUGE_PAGES_NEEDED	48

unsigned long long ull(uint64_t v)
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

bool write_text(const char *path, const char *val)
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

bool read_long(const char *path, long *val)
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

bool meminfo(const char *key, long *val)
{
	static char buf[8192];

	return read_text("/proc/meminfo", buf, sizeof(buf)) &&
	       field(buf, "/proc/meminfo", key, val);
}

/* ---- leak counters -------------------------------------------------------- */

bool counters_read(struct counters *c)
{
	static char buf[32768];

	if (!read_text(STATS, buf, sizeof(buf))) {
		ktap_diag("%s is what the leak checks read: ours/debug only", STATS);
		return false;
	}
	return field(buf, STATS, "buffers", &c->buffers) &&
	       field(buf, STATS, "folios", &c->folios) &&
	       field(buf, STATS, "pages", &c->pages) &&
	       field(buf, STATS, "meta_bytes", &c->meta_bytes) &&
	       meminfo("HugePages_Free:", &c->huge_free) &&
	       meminfo("HugePages_Rsvd:", &c->huge_rsvd);
}

/* Dups of every memfd the running case made, for the pin check. */
#define MAX_TRACKED 64
static int tracked[MAX_TRACKED];
static unsigned int nr_tracked;

bool track_memfd(int fd)
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
bool memfds_unpinned(void)
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
struct counters start;

/* Everything back to @start: no pin, buffer, folio or page left behind. */
bool counters_back(void)
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
bool holding(long buffers, long folios, long pages)
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
char restore_size_limit[32];

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

void restore_on_signal(int sig)
{
	if (restore_size_limit[0])
		write_back(PARAMS "size_limit_mb", restore_size_limit);
	if (restore_hugepages[0])
		write_back(NR_HUGEPAGES, restore_hugepages);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Put size_limit_mb back; the 4 GiB case and the exit path both do. */
bool restore_size_limit_now(void)
{
	bool ok;

	if (!restore_size_limit[0])
		return true;
	ok = write_text(PARAMS "size_limit_mb", restore_size_limit);
	if (ok)
		restore_size_limit[0] = '\0';
	return ok;
}

bool restore_all(void)
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

void restore_at_exit(void)
{
	restore_all();
}

bool huge_ready;
char huge_why[256];

/*
 * Make HUGE_PAGES_NEEDED free 2 MiB huge pages available: raise
 * nr_hugepages by what is missing, then check the kernel really found
 * them. The old value is what restore_all() writes back.
 */
void reserve_huge_pages(void)
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
