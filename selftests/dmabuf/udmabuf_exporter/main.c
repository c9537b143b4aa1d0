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
 *
 * This file holds the case table and main(); udmabuf_exporter.h says
 * which file holds the rest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/ktap.h"
#include "udmabuf_exporter.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static struct ktap t;

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
