// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the exporter's pure logic: cutting page extents into
 * runs (merging, maximum size, boundaries), walking a pinbuf's ranges from
 * any page (offsets inside large folios, ranges that reuse a folio), the
 * sg table built for a device's limits, and the metadata accounting.
 *
 * Walks use one real order-9 folio, listed twice where a test needs two
 * folios: its page frame numbers are known, so every expected run is too.
 * Those pinbufs are assembled by hand and never pinned or freed through
 * pinbuf_free().
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>

#include "pinbuf.h"

#define MAX_RUNS 64

struct run_log {
	struct pinbuf_runs runs;
	unsigned int count;
	int fail_at;			/* emit returns an error here, or -1 */
	struct { unsigned long pfn, nr; } run[MAX_RUNS];
};

static int log_emit(struct pinbuf_runs *runs, unsigned long pfn,
		    unsigned long nr)
{
	struct run_log *log = container_of(runs, struct run_log, runs);

	if (log->count == log->fail_at)
		return -E2BIG;
	if (log->count < MAX_RUNS) {
		log->run[log->count].pfn = pfn;
		log->run[log->count].nr = nr;
	}
	log->count++;
	return 0;
}

static void log_init(struct run_log *log, unsigned long max_pages,
		     unsigned long boundary_pages)
{
	*log = (struct run_log) {
		.runs = {
			.max_pages = max_pages,
			.boundary_pages = boundary_pages,
			.emit = log_emit,
		},
		.fail_at = -1,
	};
}

static void expect_run(struct kunit *test, const struct run_log *log,
		       unsigned int i, unsigned long pfn, unsigned long nr)
{
	KUNIT_EXPECT_EQ_MSG(test, log->run[i].pfn, pfn, "run %u", i);
	KUNIT_EXPECT_EQ_MSG(test, log->run[i].nr, nr, "run %u", i);
}

static void runs_merge_contiguous(struct kunit *test)
{
	struct run_log log;

	log_init(&log, ULONG_MAX, 0);
	KUNIT_ASSERT_EQ(test, pinbuf_runs_add(&log.runs, 100, 3), 0);
	KUNIT_ASSERT_EQ(test, pinbuf_runs_add(&log.runs, 103, 5), 0);
	KUNIT_ASSERT_EQ(test, pinbuf_runs_add(&log.runs, 200, 1), 0);
	/* Physically behind the previous run, but not after it. */
	KUNIT_ASSERT_EQ(test, pinbuf_runs_add(&log.runs, 199, 1), 0);
	KUNIT_ASSERT_EQ(test, pinbuf_runs_flush(&log.runs), 0);

	KUNIT_ASSERT_EQ(test, log.count, 3u);
	expect_run(test, &log, 0, 100, 8);
	expect_run(test, &log, 1, 200, 1);
	expect_run(test, &log, 2, 199, 1);
	/* Flushing twice emits nothing more. */
	KUNIT_EXPECT_EQ(test, pinbuf_runs_flush(&log.runs), 0);
	KUNIT_EXPECT_EQ(test, log.count, 3u);
}

static void runs_split_at_max(struct kunit *test)
{
	struct run_log log;

	log_init(&log, 4, 0);
	KUNIT_ASSERT_EQ(test, pinbuf_runs_add(&log.runs, 0, 10), 0);
	/* Continues the 2-page tail: grows it to the limit, then a new run. */
	KUNIT_ASSERT_EQ(test, pinbuf_runs_add(&log.runs, 10, 3), 0);
	KUNIT_ASSERT_EQ(test, pinbuf_runs_flush(&log.runs), 0);

	KUNIT_ASSERT_EQ(test, log.count, 4u);
	expect_run(test, &log, 0, 0, 4);
	expect_run(test, &log, 1, 4, 4);
	expect_run(test, &log, 2, 8, 4);
	expect_run(test, &log, 3, 12, 1);
}

static void runs_respect_boundary(struct kunit *test)
{
	struct run_log log;

	log_init(&log, 16, 8);
	KUNIT_ASSERT_EQ(test, pinbuf_runs_add(&log.runs, 6, 20), 0);
	KUNIT_ASSERT_EQ(test, pinbuf_runs_flush(&log.runs), 0);

	/* Never across a multiple of 8, even below max_pages. */
	KUNIT_ASSERT_EQ(test, log.count, 4u);
	expect_run(test, &log, 0, 6, 2);
	expect_run(test, &log, 1, 8, 8);
	expect_run(test, &log, 2, 16, 8);
	expect_run(test, &log, 3, 24, 2);
}

static void runs_stop_on_emit_error(struct kunit *test)
{
	struct run_log log;

	log_init(&log, 1, 0);
	log.fail_at = 2;
	KUNIT_EXPECT_EQ(test, pinbuf_runs_add(&log.runs, 0, 5), -E2BIG);
	KUNIT_EXPECT_EQ(test, log.count, 2u);
}

/* A hand-made pinbuf over @folio, for walks. */
struct fake_pinbuf {
	struct pinbuf pb;
	struct folio *folios[2];
	struct pinbuf_range ranges[2];
};

static void put_folio(void *folio)
{
}

/* An order-9 folio, put when the test ends, however it ends. */
static struct folio *huge_folio(struct kunit *test)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 9);

	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_folio,
							folio), 0);
	return folio;
}

static void fake_init(struct fake_pinbuf *f, struct folio *folio)
{
	memset(f, 0, sizeof(*f));
	f->folios[0] = folio;
	f->folios[1] = folio;
	f->pb.folios = f->folios;
	f->pb.ranges = f->ranges;
	f->pb.nr_folios = 2;
	f->pb.folio_slots = 2;
}

static void fake_add_range(struct fake_pinbuf *f, unsigned long first,
			   unsigned long skip, unsigned long nr_pages)
{
	f->ranges[f->pb.nr_ranges++] = (struct pinbuf_range) {
		.first = first, .skip = skip, .nr_pages = nr_pages,
	};
	f->pb.range_slots = f->pb.nr_ranges;
	f->pb.nr_pages += nr_pages;
}

static void walk_offsets_in_huge_folio(struct kunit *test)
{
	struct folio *folio = huge_folio(test);
	unsigned long pfn = folio_pfn(folio);
	struct fake_pinbuf f;
	struct run_log log;

	/* Pages 3..511 of the folio, then pages 0..99 of it again. */
	fake_init(&f, folio);
	fake_add_range(&f, 0, 3, 509);
	fake_add_range(&f, 1, 0, 100);

	log_init(&log, ULONG_MAX, 0);
	KUNIT_EXPECT_EQ(test, pinbuf_walk(&f.pb, 0, f.pb.nr_pages, &log.runs),
			0);
	KUNIT_ASSERT_EQ(test, log.count, 2u);
	expect_run(test, &log, 0, pfn + 3, 509);
	expect_run(test, &log, 1, pfn, 100);

	/* From buffer page 300 (folio page 303), 250 pages: across ranges. */
	log_init(&log, ULONG_MAX, 0);
	KUNIT_EXPECT_EQ(test, pinbuf_walk(&f.pb, 300, 250, &log.runs), 0);
	KUNIT_ASSERT_EQ(test, log.count, 2u);
	expect_run(test, &log, 0, pfn + 303, 209);
	expect_run(test, &log, 1, pfn, 41);
}

static void walk_range_across_folios(struct kunit *test)
{
	struct folio *folio = huge_folio(test);
	unsigned long pfn = folio_pfn(folio);
	struct fake_pinbuf f;
	struct run_log log;

	/* One range: the last 12 pages of its first folio, 8 of the next. */
	fake_init(&f, folio);
	fake_add_range(&f, 0, 500, 20);

	log_init(&log, ULONG_MAX, 0);
	KUNIT_EXPECT_EQ(test, pinbuf_walk(&f.pb, 0, 20, &log.runs), 0);
	KUNIT_ASSERT_EQ(test, log.count, 2u);
	expect_run(test, &log, 0, pfn + 500, 12);
	expect_run(test, &log, 1, pfn, 8);

	/* Starting inside the second folio skips the first entirely. */
	log_init(&log, ULONG_MAX, 0);
	KUNIT_EXPECT_EQ(test, pinbuf_walk(&f.pb, 15, 5, &log.runs), 0);
	KUNIT_ASSERT_EQ(test, log.count, 1u);
	expect_run(test, &log, 0, pfn + 3, 5);
}

static void walk_merges_adjacent_ranges(struct kunit *test)
{
	struct folio *folio = huge_folio(test);
	struct fake_pinbuf f;
	struct run_log log;

	/* Two ranges that continue each other physically are one run... */
	fake_init(&f, folio);
	fake_add_range(&f, 0, 0, 256);
	fake_add_range(&f, 1, 256, 256);
	log_init(&log, ULONG_MAX, 0);
	KUNIT_EXPECT_EQ(test, pinbuf_walk(&f.pb, 0, 512, &log.runs), 0);
	KUNIT_ASSERT_EQ(test, log.count, 1u);
	expect_run(test, &log, 0, folio_pfn(folio), 512);

	/* ...cut by the importer's segment size (64 KiB: 16 pages). */
	log_init(&log, 16, 0);
	KUNIT_EXPECT_EQ(test, pinbuf_walk(&f.pb, 0, 512, &log.runs), 0);
	KUNIT_EXPECT_EQ(test, log.count, 32u);
}

static void sg_table_follows_device_limits(struct kunit *test)
{
	struct device_dma_parameters parms = {};
	struct folio *folio = huge_folio(test);
	struct scatterlist *sg;
	struct fake_pinbuf f;
	struct sg_table sgt;
	struct device *dev;
	unsigned int i;

	dev = kunit_device_register(test, "pinbuf-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	dev->dma_parms = &parms;

	fake_init(&f, folio);
	fake_add_range(&f, 0, 0, 512);

	/* A 2 MiB folio under a 1 MiB segment limit: two entries. */
	dma_set_max_seg_size(dev, SZ_1M);
	KUNIT_ASSERT_EQ(test, pinbuf_sg_build(&f.pb, dev, &sgt), 0);
	KUNIT_EXPECT_EQ(test, sgt.orig_nents, 2u);
	for_each_sgtable_sg(&sgt, sg, i) {
		KUNIT_EXPECT_EQ(test, sg->length, (unsigned int)SZ_1M);
		KUNIT_EXPECT_EQ(test, sg->offset, 0u);
	}
	sg_free_table(&sgt);

	/* A limit below a page still gives whole pages. */
	dma_set_max_seg_size(dev, 512);
	KUNIT_ASSERT_EQ(test, pinbuf_sg_build(&f.pb, dev, &sgt), 0);
	KUNIT_EXPECT_EQ(test, sgt.orig_nents, 512u);
	KUNIT_EXPECT_EQ(test, sgt.sgl->length, (unsigned int)PAGE_SIZE);
	sg_free_table(&sgt);

	dev->dma_parms = NULL;
}

static void meta_bytes_per_page(struct kunit *test)
{
	struct pinbuf pb = { .nr_ranges = 1, .range_slots = 1 };
	unsigned long pages = SZ_1G >> PAGE_SHIFT;

	/* shmem, order-0 folios: one pointer per page, plus a constant. */
	pb.folio_slots = pages;
	KUNIT_EXPECT_LE(test, pinbuf_meta_bytes(&pb), 8 * pages + PAGE_SIZE);

	/* hugetlb, 2 MiB folios: 512 times less. */
	pb.folio_slots = pages / 512;
	KUNIT_EXPECT_LE(test, pinbuf_meta_bytes(&pb),
			8 * pages / 512 + PAGE_SIZE);
}

static void meta_bytes_accounted(struct kunit *test)
{
	struct pinbuf_stats before, during, after;
	struct pinbuf *pb;

	pinbuf_stats_read(&before);
	pb = pinbuf_alloc(4);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pb));
	KUNIT_ASSERT_EQ(test, pinbuf_reserve(pb, 1000), 0);
	KUNIT_EXPECT_GE(test, pb->folio_slots, 1000ul);

	pinbuf_stats_read(&during);
	KUNIT_EXPECT_EQ(test, during.buffers - before.buffers, 1l);
	KUNIT_EXPECT_EQ(test, during.meta_bytes - before.meta_bytes,
			(long)pinbuf_meta_bytes(pb));

	/* Nothing pinned: freeing unpins nothing and undoes the counts. */
	pinbuf_free(pb);
	pinbuf_stats_read(&after);
	KUNIT_EXPECT_EQ(test, after.buffers, before.buffers);
	KUNIT_EXPECT_EQ(test, after.meta_bytes, before.meta_bytes);
	KUNIT_EXPECT_EQ(test, after.folios, before.folios);
}

static struct kunit_case pinbuf_cases[] = {
	KUNIT_CASE(runs_merge_contiguous),
	KUNIT_CASE(runs_split_at_max),
	KUNIT_CASE(runs_respect_boundary),
	KUNIT_CASE(runs_stop_on_emit_error),
	KUNIT_CASE(walk_offsets_in_huge_folio),
	KUNIT_CASE(walk_range_across_folios),
	KUNIT_CASE(walk_merges_adjacent_ranges),
	KUNIT_CASE(sg_table_follows_device_limits),
	KUNIT_CASE(meta_bytes_per_page),
	KUNIT_CASE(meta_bytes_accounted),
	{}
};

static struct kunit_suite pinbuf_suite = {
	.name = "dmabuf_pp_pinbuf",
	.test_cases = pinbuf_cases,
};

kunit_test_suite(pinbuf_suite);

MODULE_DESCRIPTION("KUnit tests for the dmabuf-pp udmabuf exporter");
MODULE_LICENSE("GPL");
