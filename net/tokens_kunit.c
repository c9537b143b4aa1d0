// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the token table (tokens.c): issuing, committing and
 * returning tokens, reuse of returned slots, tokens that must be skipped
 * (0, never issued, reserved, returned twice), the 1024-token limit of one
 * return, growth, giving everything back at close, and the most tokens a
 * socket may hold.
 *
 * The netmems are made-up odd values: the table only stores and hands them
 * back, and the put callback records them instead of freeing anything.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <uapi/linux/uio.h>

#include "provider.h"

#define MANY	5000

static struct {
	unsigned int n;
	netmem_ref last;
	unsigned long sum;	/* of the indexes behind the netmems put */
} puts;

static netmem_ref fake_netmem(unsigned long i)
{
	return (__force netmem_ref)((i << 4) | 1);
}

static void record_put(const netmem_ref *netmems, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		puts.n++;
		puts.last = netmems[i];
		puts.sum += (__force unsigned long)netmems[i] >> 4;
	}
}

static struct dmabuf_pp_tokens *new_table(struct kunit *test)
{
	struct dmabuf_pp_tokens *t = dmabuf_pp_tokens_alloc();

	KUNIT_ASSERT_NOT_NULL(test, t);
	memset(&puts, 0, sizeof(puts));
	return t;
}

static int return_range(struct dmabuf_pp_tokens *t, u32 start, u32 count)
{
	struct dmabuf_token req = { .token_start = start, .token_count = count };

	return dmabuf_pp_tokens_return(t, &req, 1, record_put);
}

/* Reserve and commit @n tokens, one netmem each (index i + 1). */
static void issue(struct kunit *test, struct dmabuf_pp_tokens *t, u32 *tok,
		  unsigned int n)
{
	netmem_ref nm[16];
	unsigned int done = 0, i;

	while (done < n) {
		int got = dmabuf_pp_tokens_reserve(t, tok + done,
						  min(n - done, 16U));

		KUNIT_ASSERT_GT(test, got, 0);
		for (i = 0; i < got; i++)
			nm[i] = fake_netmem(done + i + 1);
		dmabuf_pp_tokens_commit(t, tok + done, nm, got, got);
		done += got;
	}
}

static void issue_commit_return(struct kunit *test)
{
	struct dmabuf_pp_tokens *t = new_table(test);
	netmem_ref nm[2] = { fake_netmem(7), fake_netmem(9) };
	u32 tok[3];

	/* Tokens are numbered from 1, never 0. */
	KUNIT_ASSERT_EQ(test, dmabuf_pp_tokens_reserve(t, tok, 3), 3);
	KUNIT_EXPECT_EQ(test, tok[0], 1);
	KUNIT_EXPECT_EQ(test, tok[1], 2);
	KUNIT_EXPECT_EQ(test, tok[2], 3);

	/* Reserved, not committed: not a token user space can return. */
	KUNIT_EXPECT_EQ(test, return_range(t, 1, 3), 0);

	/* Two went out in cmsgs, the third did not. */
	dmabuf_pp_tokens_commit(t, tok, nm, 2, 3);
	KUNIT_EXPECT_EQ(test, return_range(t, 3, 1), 0);
	KUNIT_EXPECT_EQ(test, return_range(t, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, return_range(t, 4, 100), 0);
	KUNIT_EXPECT_EQ(test, puts.n, 0);

	KUNIT_EXPECT_EQ(test, return_range(t, 2, 1), 1);
	KUNIT_EXPECT_EQ(test, puts.last, nm[1]);
	/* Returned twice, and a duplicate within one call: counted once. */
	KUNIT_EXPECT_EQ(test, return_range(t, 2, 1), 0);
	{
		struct dmabuf_token dup[2] = { { 1, 1 }, { 1, 1 } };

		KUNIT_EXPECT_EQ(test,
				dmabuf_pp_tokens_return(t, dup, 2, record_put), 1);
	}
	KUNIT_EXPECT_EQ(test, puts.n, 2);
	KUNIT_EXPECT_EQ(test, puts.last, nm[0]);
	dmabuf_pp_tokens_free(t);
}

static void returned_slots_reused_first(struct kunit *test)
{
	struct dmabuf_pp_tokens *t = new_table(test);
	u32 tok[8], again[3];

	issue(test, t, tok, 8);
	KUNIT_EXPECT_EQ(test, return_range(t, 3, 1), 1);
	KUNIT_EXPECT_EQ(test, return_range(t, 6, 1), 1);

	/* The last returned is the first reused; then new slots. */
	KUNIT_ASSERT_EQ(test, dmabuf_pp_tokens_reserve(t, again, 3), 3);
	KUNIT_EXPECT_EQ(test, again[0], 6);
	KUNIT_EXPECT_EQ(test, again[1], 3);
	KUNIT_EXPECT_EQ(test, again[2], 9);
	dmabuf_pp_tokens_commit(t, again, NULL, 0, 3);

	dmabuf_pp_tokens_return_all(t, record_put, true);
	KUNIT_EXPECT_EQ(test, puts.n, 8);
	dmabuf_pp_tokens_free(t);
}

static void one_return_looks_at_1024(struct kunit *test)
{
	struct dmabuf_pp_tokens *t = new_table(test);
	struct dmabuf_token span[2] = {
		{ 0x40000000, DMABUF_PP_DONTNEED_MAX }, { 1, 1 },
	};
	u32 *tok;

	tok = kunit_kmalloc_array(test, 1100, sizeof(*tok), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tok);
	issue(test, t, tok, 1100);

	/* 1024 unissued tokens use up the call: token 1 is not looked at. */
	KUNIT_EXPECT_EQ(test, dmabuf_pp_tokens_return(t, span, 2, record_put), 0);
	/* {1, 0xffffffff} stops after 1024. */
	KUNIT_EXPECT_EQ(test, return_range(t, 1, U32_MAX), 1024);
	KUNIT_EXPECT_EQ(test, puts.n, 1024);
	KUNIT_EXPECT_EQ(test, return_range(t, 1025, 1000), 1100 - 1024);

	dmabuf_pp_tokens_return_all(t, record_put, true);
	KUNIT_EXPECT_EQ(test, puts.n, 1100);
	dmabuf_pp_tokens_free(t);
}

static void grows_and_gives_all_back(struct kunit *test)
{
	struct dmabuf_pp_tokens *t = new_table(test);
	unsigned long *seen;
	unsigned int i;
	u32 *tok;

	tok = kunit_kmalloc_array(test, MANY, sizeof(*tok), GFP_KERNEL);
	seen = kunit_kcalloc(test, BITS_TO_LONGS(MANY + 1), sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tok);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	issue(test, t, tok, MANY);

	/* Every token unique, and within 1 .. MANY. */
	for (i = 0; i < MANY; i++) {
		KUNIT_ASSERT_GE(test, tok[i], 1);
		KUNIT_ASSERT_LE(test, tok[i], MANY);
		KUNIT_EXPECT_FALSE(test, test_and_set_bit(tok[i], seen));
	}

	/* Close: every netmem comes back once (sum of 1 .. MANY). */
	dmabuf_pp_tokens_return_all(t, record_put, true);
	KUNIT_EXPECT_EQ(test, puts.n, MANY);
	KUNIT_EXPECT_EQ(test, puts.sum, (unsigned long)MANY * (MANY + 1) / 2);
	KUNIT_EXPECT_EQ(test, return_range(t, 1, 1000), 0);
	dmabuf_pp_tokens_return_all(t, record_put, true);
	KUNIT_EXPECT_EQ(test, puts.n, MANY);
	dmabuf_pp_tokens_free(t);
}

/* A socket holds at most its limit; a token given back makes room. */
static void holds_at_most_the_limit(struct kunit *test)
{
	struct dmabuf_pp_tokens *t = new_table(test);
	u32 tok[40], one;

	dmabuf_pp_tokens_raise_limit(t, 30);
	dmabuf_pp_tokens_raise_limit(t, 20);	/* a smaller binding: still 30 */
	issue(test, t, tok, 30);
	KUNIT_EXPECT_EQ(test, dmabuf_pp_tokens_reserve(t, &one, 1), -ENOBUFS);

	KUNIT_EXPECT_EQ(test, return_range(t, tok[7], 1), 1);
	KUNIT_ASSERT_EQ(test, dmabuf_pp_tokens_reserve(t, tok + 30, 10), 1);
	KUNIT_EXPECT_EQ(test, tok[30], tok[7]);
	/* Reserved but not used: the room stays. */
	dmabuf_pp_tokens_commit(t, tok + 30, NULL, 0, 1);
	KUNIT_ASSERT_EQ(test, dmabuf_pp_tokens_reserve(t, &one, 1), 1);
	dmabuf_pp_tokens_commit(t, &one, (netmem_ref[]){ fake_netmem(99) },
				1, 1);
	KUNIT_EXPECT_EQ(test, dmabuf_pp_tokens_reserve(t, &one, 1), -ENOBUFS);

	dmabuf_pp_tokens_return_all(t, record_put, true);
	KUNIT_EXPECT_EQ(test, puts.n, 31);
	KUNIT_ASSERT_EQ(test, dmabuf_pp_tokens_reserve(t, tok, 40), 30);
	dmabuf_pp_tokens_commit(t, tok, NULL, 0, 30);
	dmabuf_pp_tokens_free(t);
}

static struct kunit_case dmabuf_pp_tokens_cases[] = {
	KUNIT_CASE(issue_commit_return),
	KUNIT_CASE(returned_slots_reused_first),
	KUNIT_CASE(one_return_looks_at_1024),
	KUNIT_CASE(grows_and_gives_all_back),
	KUNIT_CASE(holds_at_most_the_limit),
	{}
};

static struct kunit_suite dmabuf_pp_tokens_suite = {
	.name = "dmabuf_pp_tokens",
	.test_cases = dmabuf_pp_tokens_cases,
};

kunit_test_suite(dmabuf_pp_tokens_suite);

MODULE_DESCRIPTION("KUnit tests for the dmabuf-pp token table");
MODULE_LICENSE("GPL");
