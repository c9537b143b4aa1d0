/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A pinbuf is the memory behind one dma-buf of our udmabuf exporter: the
 * folios of one or more memfd ranges, long-term pinned, in buffer order.
 *
 * State is kept per folio, not per page: one pointer per pinned folio plus
 * one small descriptor per memfd range. A range starts part-way into its
 * first folio (@skip pages in) and may end part-way into its last; every
 * folio in between is used whole. A 2 MiB hugetlb folio therefore costs 8
 * bytes for 512 pages, an order-0 shmem folio 8 bytes for its one page.
 */
#ifndef DMABUF_PP_PINBUF_H
#define DMABUF_PP_PINBUF_H

#include <linux/types.h>

struct device;
struct dma_buf;
struct file;
struct folio;
struct sg_table;

/* The part of one memfd a pinbuf is made of, in buffer order. */
struct pinbuf_range {
	unsigned long first;	/* index of its first folio in pinbuf::folios */
	unsigned long nr_pages;	/* buffer pages this range supplies */
	unsigned long skip;	/* pages of the first folio before the range */
};

struct pinbuf {
	unsigned long nr_pages;		/* buffer size in pages */
	unsigned long nr_folios;	/* pinned folios, one pin each */
	unsigned long folio_slots;	/* allocated length of @folios */
	unsigned int nr_ranges;
	unsigned int range_slots;	/* allocated length of @ranges */
	struct folio **folios;
	struct pinbuf_range *ranges;

	/* The kernel mapping, if any: under the dma-buf's reservation lock. */
	void *vaddr;
};

/*
 * Physically contiguous page runs, cut to an importer's segment limits.
 * pinbuf_runs_add() feeds extents in buffer order; neighbours that continue
 * each other physically are merged, and every finished run goes to @emit.
 * A non-zero return from @emit stops the walk and is passed back.
 */
struct pinbuf_runs {
	unsigned long max_pages;	/* longest run (>= 1) */
	unsigned long boundary_pages;	/* runs never cross a multiple of
					 * this many pages (power of two);
					 * 0: no boundary
					 */
	int (*emit)(struct pinbuf_runs *runs, unsigned long pfn,
		    unsigned long nr_pages);
	unsigned long pfn;		/* the run being built */
	unsigned long nr_pages;
};

int pinbuf_runs_add(struct pinbuf_runs *runs, unsigned long pfn,
		    unsigned long nr_pages);
int pinbuf_runs_flush(struct pinbuf_runs *runs);

/* Feed buffer pages [@first, @first + @nr) to @runs and flush it. */
int pinbuf_walk(const struct pinbuf *pb, unsigned long first,
		unsigned long nr, struct pinbuf_runs *runs);

/* pinbuf.c: building and releasing */
struct pinbuf *pinbuf_alloc(unsigned int nr_ranges);
int pinbuf_reserve(struct pinbuf *pb, unsigned long nr_folios);
int pinbuf_pin_range(struct pinbuf *pb, struct file *memfd, loff_t start,
		     unsigned long nr_pages);
void pinbuf_trim(struct pinbuf *pb);
void pinbuf_free(struct pinbuf *pb);
size_t pinbuf_meta_bytes(const struct pinbuf *pb);

/* Live totals over all pinbufs, for debugfs and the tests' leak checks. */
struct pinbuf_stats {
	long buffers;
	long folios;
	long pages;
	long meta_bytes;
};

void pinbuf_stats_read(struct pinbuf_stats *stats);

/* pinbuf_sg.c: an sg table of the whole buffer for one device's limits */
int pinbuf_sg_build(const struct pinbuf *pb, struct device *dev,
		    struct sg_table *sgt);

/* pinbuf_dmabuf.c */
struct dma_buf *pinbuf_export(struct pinbuf *pb);

#endif /* DMABUF_PP_PINBUF_H */
