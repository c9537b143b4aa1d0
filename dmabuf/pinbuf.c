// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pinning memfd ranges into a pinbuf, and letting them go.
 *
 * Every folio pointer in pinbuf::folios below nr_folios holds exactly one
 * FOLL_PIN reference, taken by memfd_pin_folios(); pinbuf_free() drops
 * them all, so a partly built pinbuf is released by the same call as a
 * finished one.
 */
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "pinbuf.h"

static atomic_long_t live_buffers, live_folios, live_pages, live_meta;

struct pinbuf *pinbuf_alloc(unsigned int nr_ranges)
{
	struct pinbuf *pb;

	pb = kzalloc(sizeof(*pb), GFP_KERNEL);
	if (!pb)
		return ERR_PTR(-ENOMEM);

	pb->ranges = kcalloc(nr_ranges, sizeof(*pb->ranges), GFP_KERNEL);
	if (!pb->ranges) {
		kfree(pb);
		return ERR_PTR(-ENOMEM);
	}
	pb->range_slots = nr_ranges;

	atomic_long_inc(&live_buffers);
	atomic_long_add(pinbuf_meta_bytes(pb), &live_meta);
	return pb;
}

/*
 * Move the folio pointers to a new array of @slots entries. Not
 * kvrealloc(): it keeps a vmalloc'ed array at its old size when shrinking.
 */
static int resize_folios(struct pinbuf *pb, unsigned long slots)
{
	size_t before = pinbuf_meta_bytes(pb);
	struct folio **folios;

	folios = kvmalloc_array(slots, sizeof(*folios), GFP_KERNEL);
	if (!folios)
		return -ENOMEM;
	if (pb->nr_folios)
		memcpy(folios, pb->folios, pb->nr_folios * sizeof(*folios));
	kvfree(pb->folios);
	pb->folios = folios;
	pb->folio_slots = slots;
	atomic_long_add((long)pinbuf_meta_bytes(pb) - (long)before, &live_meta);
	return 0;
}

/**
 * pinbuf_reserve() - make room for @nr_folios more folios
 * @pb: the buffer being built
 * @nr_folios: the most folios the next range can pin
 *
 * Grows geometrically, so a list of many small ranges costs linear time;
 * pinbuf_trim() gives the slack back once the buffer is complete.
 *
 * Return: 0 or -ENOMEM.
 */
int pinbuf_reserve(struct pinbuf *pb, unsigned long nr_folios)
{
	unsigned long need = pb->nr_folios + nr_folios;

	if (need <= pb->folio_slots)
		return 0;
	if (need < pb->nr_folios || need > UINT_MAX)
		return -ENOMEM;
	return resize_folios(pb, max(need, min(2 * pb->folio_slots,
					       (unsigned long)UINT_MAX)));
}

/**
 * pinbuf_pin_range() - append @nr_pages pages of @memfd from @start
 * @pb: the buffer being built, with a free range slot and, through
 *	pinbuf_reserve(), folio slots for the worst case of this range
 * @memfd: a shmem or hugetlbfs file, its seals already checked
 * @start: page-aligned file offset
 * @nr_pages: pages to add, at least one, all below the end of the file
 *
 * Pages missing from the file are allocated. On failure nothing new stays
 * pinned and @pb is unchanged.
 *
 * Return: 0 or a negative errno.
 */
int pinbuf_pin_range(struct pinbuf *pb, struct file *memfd, loff_t start,
		     unsigned long nr_pages)
{
	unsigned long covered = 0, i, slots;
	struct pinbuf_range *range;
	pgoff_t skip_bytes = 0;
	loff_t last;
	long n;

	if (WARN_ON_ONCE(pb->nr_ranges >= pb->range_slots))
		return -EINVAL;

	last = start + ((loff_t)nr_pages << PAGE_SHIFT) - 1;
	slots = pb->folio_slots - pb->nr_folios;
	n = memfd_pin_folios(memfd, start, last, pb->folios + pb->nr_folios,
			     slots, &skip_bytes);
	if (n < 0)
		return n;
	if (n == 0)
		return -EINVAL;

	/* The slots were reserved for the worst case; folios that still do
	 * not cover the range mean the range is not in the file.
	 */
	for (i = 0; i < n; i++)
		covered += folio_nr_pages(pb->folios[pb->nr_folios + i]);
	if (covered - (skip_bytes >> PAGE_SHIFT) < nr_pages) {
		unpin_folios(pb->folios + pb->nr_folios, n);
		return -EINVAL;
	}

	range = &pb->ranges[pb->nr_ranges++];
	range->first = pb->nr_folios;
	range->nr_pages = nr_pages;
	range->skip = skip_bytes >> PAGE_SHIFT;
	pb->nr_folios += n;
	pb->nr_pages += nr_pages;
	atomic_long_add(n, &live_folios);
	atomic_long_add(nr_pages, &live_pages);
	return 0;
}

/*
 * Give back folio slots the memfds did not need. Keeping the larger array
 * is harmless when the smaller one cannot be allocated.
 */
void pinbuf_trim(struct pinbuf *pb)
{
	if (pb->nr_folios && pb->nr_folios < pb->folio_slots)
		resize_folios(pb, pb->nr_folios);
}

void pinbuf_free(struct pinbuf *pb)
{
	WARN_ON_ONCE(pb->vaddr);

	unpin_folios(pb->folios, pb->nr_folios);
	atomic_long_sub(pb->nr_folios, &live_folios);
	atomic_long_sub(pb->nr_pages, &live_pages);
	atomic_long_sub(pinbuf_meta_bytes(pb), &live_meta);
	atomic_long_dec(&live_buffers);

	kvfree(pb->folios);
	kfree(pb->ranges);
	kfree(pb);
}

/**
 * pinbuf_meta_bytes() - memory @pb keeps for as long as it lives
 * @pb: the buffer
 *
 * Counts what was allocated, not what is used: the folio and range arrays
 * at their allocated lengths, and the pinbuf itself.
 *
 * Return: bytes.
 */
size_t pinbuf_meta_bytes(const struct pinbuf *pb)
{
	return sizeof(*pb) + pb->folio_slots * sizeof(*pb->folios) +
	       pb->range_slots * sizeof(*pb->ranges);
}

void pinbuf_stats_read(struct pinbuf_stats *stats)
{
	stats->buffers = atomic_long_read(&live_buffers);
	stats->folios = atomic_long_read(&live_folios);
	stats->pages = atomic_long_read(&live_pages);
	stats->meta_bytes = atomic_long_read(&live_meta);
}
