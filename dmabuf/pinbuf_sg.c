// SPDX-License-Identifier: GPL-2.0-only
/*
 * From pinned folios to physically contiguous runs, and from runs to the
 * scatterlist an importer maps.
 *
 * One sg entry per run instead of one per page: a hugetlb buffer becomes a
 * few entries per 2 MiB folio at most (fewer when neighbouring folios are
 * physically adjacent), limited only by the importer's maximum segment
 * size and segment boundary.
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>

#include "pinbuf.h"

/* Pages a run starting at @pfn may grow to. */
static unsigned long run_limit(const struct pinbuf_runs *runs,
			       unsigned long pfn)
{
	unsigned long limit = runs->max_pages;

	if (runs->boundary_pages)
		limit = min(limit, runs->boundary_pages -
				   (pfn & (runs->boundary_pages - 1)));
	return limit;
}

/**
 * pinbuf_runs_add() - feed @nr_pages pages starting at @pfn
 * @runs: the run builder
 * @pfn: first page frame of the extent
 * @nr_pages: pages in the extent, physically contiguous
 *
 * Return: 0, or the first non-zero value @runs->emit returned.
 */
int pinbuf_runs_add(struct pinbuf_runs *runs, unsigned long pfn,
		    unsigned long nr_pages)
{
	unsigned long take;
	int ret;

	while (nr_pages) {
		if (runs->nr_pages && pfn == runs->pfn + runs->nr_pages) {
			take = min(nr_pages, run_limit(runs, runs->pfn) -
					     runs->nr_pages);
			if (take) {
				runs->nr_pages += take;
				pfn += take;
				nr_pages -= take;
				continue;
			}
		}
		ret = pinbuf_runs_flush(runs);
		if (ret)
			return ret;
		take = min(nr_pages, run_limit(runs, pfn));
		runs->pfn = pfn;
		runs->nr_pages = take;
		pfn += take;
		nr_pages -= take;
	}
	return 0;
}

/* Emit the run being built, if any. */
int pinbuf_runs_flush(struct pinbuf_runs *runs)
{
	unsigned long nr_pages = runs->nr_pages;

	if (!nr_pages)
		return 0;
	runs->nr_pages = 0;
	return runs->emit(runs, runs->pfn, nr_pages);
}

/**
 * pinbuf_walk() - feed buffer pages [@first, @first + @nr) to @runs
 * @pb: the buffer
 * @first: first buffer page
 * @nr: pages; @first + @nr must not pass the end of the buffer
 * @runs: a run builder with no run in progress
 *
 * Return: 0, or what @runs->emit returned to stop the walk.
 */
int pinbuf_walk(const struct pinbuf *pb, unsigned long first,
		unsigned long nr, struct pinbuf_runs *runs)
{
	const struct pinbuf_range *range;
	unsigned long left, off, idx, take;
	unsigned int r;
	int ret;

	if (WARN_ON_ONCE(first > pb->nr_pages || nr > pb->nr_pages - first))
		return -EINVAL;

	for (r = 0; r < pb->nr_ranges && nr; r++) {
		range = &pb->ranges[r];
		if (first >= range->nr_pages) {
			first -= range->nr_pages;
			continue;
		}

		/* Find the folio holding the range's page @first. */
		idx = range->first;
		off = range->skip + first;
		while (off >= folio_nr_pages(pb->folios[idx]))
			off -= folio_nr_pages(pb->folios[idx++]);

		left = min(range->nr_pages - first, nr);
		nr -= left;
		for (; left; idx++, off = 0) {
			take = min(left, folio_nr_pages(pb->folios[idx]) - off);
			ret = pinbuf_runs_add(runs,
					      folio_pfn(pb->folios[idx]) + off,
					      take);
			if (ret)
				return ret;
			left -= take;
		}
		first = 0;
	}
	return pinbuf_runs_flush(runs);
}

struct sg_fill {
	struct pinbuf_runs runs;
	unsigned int count;
	struct scatterlist *sg;	/* next entry to fill; NULL: only count */
};

static int sg_fill_emit(struct pinbuf_runs *runs, unsigned long pfn,
			unsigned long nr_pages)
{
	struct sg_fill *fill = container_of(runs, struct sg_fill, runs);

	if (fill->sg) {
		sg_set_page(fill->sg, pfn_to_page(pfn), nr_pages << PAGE_SHIFT,
			    0);
		fill->sg = sg_next(fill->sg);
	}
	fill->count++;
	return 0;
}

/**
 * pinbuf_sg_build() - an sg table of all of @pb, cut to @dev's limits
 * @pb: the buffer
 * @dev: the importer's DMA device: its maximum segment size and segment
 *	 boundary shape the entries
 * @sgt: the table to fill (not mapped); sg_free_table() releases it
 *
 * Return: 0 or -ENOMEM.
 */
int pinbuf_sg_build(const struct pinbuf *pb, struct device *dev,
		    struct sg_table *sgt)
{
	unsigned long max_bytes, mask = dma_get_seg_boundary(dev);
	struct sg_fill fill = { .runs.emit = sg_fill_emit };
	int ret;

	/* sg lengths are unsigned int, and entries stay whole pages. */
	max_bytes = min_t(unsigned long, dma_get_max_seg_size(dev), UINT_MAX);
	fill.runs.max_pages = max(max_bytes >> PAGE_SHIFT, 1UL);
	/*
	 * The boundary applies to DMA addresses; runs are cut on physical
	 * ones. Exact for dma-direct (without an offset that is not aligned
	 * to the boundary); an IOMMU places its own mappings within it.
	 */
	if (mask != ULONG_MAX)
		fill.runs.boundary_pages = (mask >> PAGE_SHIFT) + 1;

	/* Count, allocate, fill: the table is exactly as long as needed. */
	ret = pinbuf_walk(pb, 0, pb->nr_pages, &fill.runs);
	if (ret)
		return ret;
	ret = sg_alloc_table(sgt, fill.count, GFP_KERNEL);
	if (ret)
		return ret;
	fill.sg = sgt->sgl;
	fill.count = 0;
	return pinbuf_walk(pb, 0, pb->nr_pages, &fill.runs);
}
