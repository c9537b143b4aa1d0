// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of freelist.c: cutting a mapped table into net_iovs of every
 * buffer size (DMA addresses and dma-buf offsets), the alignment rules a
 * table must meet and the message that names the first range breaking
 * them, and the free stack (order, exhaustion, reuse).
 *
 * The tables are built by hand: only sg_dma_address() and sg_dma_len() are
 * set, which is all the provider may read of an imported table. Nothing is
 * mapped and no device is involved.
 */
#include <kunit/test.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>
#include <net/page_pool/helpers.h>

#include "provider.h"

struct dma_range {
	dma_addr_t addr;
	unsigned int len;
};

/* A binding whose table holds @n ranges; freed with the test. */
static struct dmabuf_pp_binding *
fake_binding(struct kunit *test, const struct dma_range *r, unsigned int n)
{
	struct dmabuf_pp_binding *binding;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;

	binding = kunit_kzalloc(test, sizeof(*binding), GFP_KERNEL);
	sgt = kunit_kzalloc(test, sizeof(*sgt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, binding);
	KUNIT_ASSERT_NOT_NULL(test, sgt);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(sgt, n, GFP_KERNEL), 0);
	for_each_sgtable_sg(sgt, sg, i) {
		sg_dma_address(sg) = r[i].addr;
		sg_dma_len(sg) = r[i].len;
	}
	spin_lock_init(&binding->free_lock);
	binding->sgt = sgt;
	return binding;
}

static void free_binding(struct dmabuf_pp_binding *binding)
{
	sg_free_table(binding->sgt);
}

static dma_addr_t niov_dma(struct net_iov *niov)
{
	return page_pool_get_dma_addr_netmem(net_iov_to_netmem(niov));
}

/* Buffer i of the dma-buf: its offset, and the DMA address it came from. */
static void expect_buffers(struct kunit *test,
			   struct dmabuf_pp_binding *binding,
			   const struct dma_range *r, unsigned int n,
			   unsigned int shift)
{
	unsigned long offset = 0;
	unsigned int i, b = 0;

	for (i = 0; i < n; i++) {
		unsigned int off;

		for (off = 0; off < r[i].len; off += 1U << shift, b++) {
			struct net_iov *niov = &binding->area.niovs[b];

			KUNIT_EXPECT_EQ(test, niov_dma(niov), r[i].addr + off);
			KUNIT_EXPECT_EQ(test, net_iov_virtual_addr(niov),
					offset + off);
			KUNIT_EXPECT_PTR_EQ(test, niov->pp_area->binding,
					    binding);
		}
		offset += r[i].len;
	}
	KUNIT_EXPECT_EQ(test, binding->nr_niovs, b);
	KUNIT_EXPECT_EQ(test, binding->nr_free, b);
}

static void carve_and_check(struct kunit *test, const struct dma_range *r,
			    unsigned int n, unsigned int shift)
{
	struct dmabuf_pp_binding *binding = fake_binding(test, r, n);
	struct netlink_ext_ack extack = {};

	KUNIT_ASSERT_EQ(test, dmabuf_pp_carve(binding, shift, &extack), 0);
	KUNIT_EXPECT_EQ(test, binding->area.buf_shift, shift);
	expect_buffers(test, binding, r, n, shift);
	dmabuf_pp_uncarve(binding);
	free_binding(binding);
}

static void carve_pages(struct kunit *test)
{
	/* Scattered pages and a merged run, as a shmem udmabuf maps */
	const struct dma_range r[] = {
		{ 0x7f000, 0x1000 }, { 0x200000, 0x3000 }, { 0x11000, 0x1000 },
	};

	carve_and_check(test, r, ARRAY_SIZE(r), PAGE_SHIFT);
}

static void carve_large_buffers(struct kunit *test)
{
	/* Two 2 MiB huge pages, out of order: 32 buffers of 64 KiB each */
	const struct dma_range r[] = {
		{ 0x40000000, 0x200000 }, { 0x10200000, 0x200000 },
	};
	unsigned int shift;

	for (shift = PAGE_SHIFT; shift <= 16; shift++)
		carve_and_check(test, r, ARRAY_SIZE(r), shift);
}

/* A table that cannot be cut: the error, and the message naming where. */
static void expect_refused(struct kunit *test, const struct dma_range *r,
			   unsigned int n, unsigned int shift, int err,
			   const char *msg)
{
	struct dmabuf_pp_binding *binding = fake_binding(test, r, n);
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test, dmabuf_pp_carve(binding, shift, &extack), err);
	KUNIT_ASSERT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_STREQ(test, extack._msg, msg);
	KUNIT_EXPECT_NULL(test, binding->area.niovs);
	free_binding(binding);
}

static void refuse_misaligned(struct kunit *test)
{
	const struct dma_range addr[] = {
		{ 0x100000, 0x10000 }, { 0x211000, 0x10000 },
	};
	const struct dma_range len[] = {
		{ 0x100000, 0x11000 },
	};
	const struct dma_range empty[] = {
		{ 0x100000, 0 },
	};

	/* Fine for pages, not for 64 KiB: the second range is at 64 KiB */
	expect_refused(test, addr, ARRAY_SIZE(addr), 16, -EINVAL,
		       "mapped range at offset 65536 is not 65536-byte aligned");
	expect_refused(test, len, ARRAY_SIZE(len), 16, -EINVAL,
		       "mapped range at offset 0 is not 65536-byte aligned");
	expect_refused(test, len, ARRAY_SIZE(len), 13, -EINVAL,
		       "mapped range at offset 0 is not 8192-byte aligned");
	expect_refused(test, empty, ARRAY_SIZE(empty), PAGE_SHIFT, -EINVAL,
		       "mapped range at offset 0 is not 4096-byte aligned");
}

static void stack_order_exhaustion_reuse(struct kunit *test)
{
	const struct dma_range r[] = { { 0x100000, 0x8000 } };
	struct dmabuf_pp_binding *binding = fake_binding(test, r, 1);
	struct netlink_ext_ack extack = {};
	struct net_iov *out[8], *again;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, dmabuf_pp_carve(binding, PAGE_SHIFT, &extack), 0);
	KUNIT_ASSERT_EQ(test, binding->nr_niovs, ARRAY_SIZE(out));

	/* A fresh binding hands its buffers out in dma-buf order. */
	for (i = 0; i < ARRAY_SIZE(out); i++) {
		out[i] = dmabuf_pp_niov_get(binding);
		KUNIT_ASSERT_PTR_EQ(test, out[i], &binding->area.niovs[i]);
	}
	KUNIT_EXPECT_EQ(test, binding->nr_free, 0);
	KUNIT_EXPECT_NULL(test, dmabuf_pp_niov_get(binding));
	KUNIT_EXPECT_NULL(test, dmabuf_pp_niov_get(binding));

	/* The last one given back is the next one taken. */
	dmabuf_pp_niov_put(out[5]);
	dmabuf_pp_niov_put(out[2]);
	KUNIT_EXPECT_EQ(test, binding->nr_free, 2);
	again = dmabuf_pp_niov_get(binding);
	KUNIT_EXPECT_PTR_EQ(test, again, out[2]);
	again = dmabuf_pp_niov_get(binding);
	KUNIT_EXPECT_PTR_EQ(test, again, out[5]);
	KUNIT_EXPECT_NULL(test, dmabuf_pp_niov_get(binding));

	for (i = 0; i < ARRAY_SIZE(out); i++)
		dmabuf_pp_niov_put(out[i]);
	KUNIT_EXPECT_EQ(test, binding->nr_free, binding->nr_niovs);

	/* Every buffer can go out again, each exactly once. */
	for (i = 0; i < ARRAY_SIZE(out); i++)
		KUNIT_EXPECT_NOT_NULL(test, dmabuf_pp_niov_get(binding));
	KUNIT_EXPECT_NULL(test, dmabuf_pp_niov_get(binding));
	for (i = 0; i < ARRAY_SIZE(out); i++)
		dmabuf_pp_niov_put(out[i]);

	dmabuf_pp_uncarve(binding);
	free_binding(binding);
}

/* A buffer given back twice goes on the stack once, and out once. */
static void double_release_refused(struct kunit *test)
{
	const struct dma_range r[] = { { 0x100000, 0x4000 } };
	struct dmabuf_pp_binding *binding = fake_binding(test, r, 1);
	struct netlink_ext_ack extack = {};
	struct net_iov *a, *b;

	KUNIT_ASSERT_EQ(test, dmabuf_pp_carve(binding, PAGE_SHIFT, &extack), 0);
	/* Never taken: already free. */
	KUNIT_EXPECT_FALSE(test, dmabuf_pp_niov_put(&binding->area.niovs[3]));
	KUNIT_EXPECT_EQ(test, binding->nr_free, 4);

	a = dmabuf_pp_niov_get(binding);
	b = dmabuf_pp_niov_get(binding);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_TRUE(test, dmabuf_pp_niov_put(a));
	KUNIT_EXPECT_FALSE(test, dmabuf_pp_niov_put(a));
	KUNIT_EXPECT_EQ(test, binding->nr_free, 3);

	/* The three free buffers go out once each, and b is not among them. */
	KUNIT_EXPECT_PTR_EQ(test, dmabuf_pp_niov_get(binding), a);
	KUNIT_EXPECT_PTR_NE(test, dmabuf_pp_niov_get(binding), b);
	KUNIT_EXPECT_PTR_NE(test, dmabuf_pp_niov_get(binding), a);
	KUNIT_EXPECT_NULL(test, dmabuf_pp_niov_get(binding));

	/* Everything back, each once: the stack is exactly full. */
	for (unsigned int i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test,
				  dmabuf_pp_niov_put(&binding->area.niovs[i]));
	KUNIT_EXPECT_EQ(test, binding->nr_free, binding->nr_niovs);
	dmabuf_pp_uncarve(binding);
	free_binding(binding);
}

static struct kunit_case dmabuf_pp_freelist_cases[] = {
	KUNIT_CASE(carve_pages),
	KUNIT_CASE(carve_large_buffers),
	KUNIT_CASE(refuse_misaligned),
	KUNIT_CASE(stack_order_exhaustion_reuse),
	KUNIT_CASE(double_release_refused),
	{}
};

static struct kunit_suite dmabuf_pp_freelist_suite = {
	.name = "dmabuf_pp_freelist",
	.test_cases = dmabuf_pp_freelist_cases,
};

kunit_test_suite(dmabuf_pp_freelist_suite);

MODULE_DESCRIPTION("KUnit tests for the dmabuf-pp provider's buffers");
MODULE_LICENSE("GPL");
