// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for ModelFS-K: the channel's event ring and the checks on
 * the commands a policy writes.
 */

#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/slab.h>

#include "modelfs.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static struct modelfs_event ev_of(u64 ino)
{
	return (struct modelfs_event){ .type = MODELFS_EV_MISS, .ino = ino };
}

static void ring_keeps_order(struct kunit *test)
{
	struct modelfs_ring *ring = kunit_kzalloc(test, sizeof(*ring),
						  GFP_KERNEL);
	struct modelfs_event ev;
	u64 i;

	KUNIT_ASSERT_NOT_NULL(test, ring);
	for (i = 1; i <= 3; i++) {
		ev = ev_of(i);
		KUNIT_EXPECT_TRUE(test, modelfs_ring_push(ring, &ev));
	}
	for (i = 1; i <= 3; i++) {
		KUNIT_ASSERT_TRUE(test, modelfs_ring_pop(ring, &ev));
		KUNIT_EXPECT_EQ(test, ev.ino, i);
	}
	KUNIT_EXPECT_FALSE(test, modelfs_ring_pop(ring, &ev));
}

static void ring_full_counts_drops_then_reports_them(struct kunit *test)
{
	struct modelfs_ring *ring = kunit_kzalloc(test, sizeof(*ring),
						  GFP_KERNEL);
	struct modelfs_event ev;
	u64 i;

	KUNIT_ASSERT_NOT_NULL(test, ring);
	for (i = 0; i < MODELFS_RING; i++) {
		ev = ev_of(i);
		KUNIT_ASSERT_TRUE(test, modelfs_ring_push(ring, &ev));
	}
	for (i = 0; i < 5; i++) {
		ev = ev_of(1000000 + i);
		KUNIT_EXPECT_FALSE(test, modelfs_ring_push(ring, &ev));
	}
	KUNIT_ASSERT_TRUE(test, modelfs_ring_pop(ring, &ev));
	KUNIT_EXPECT_EQ(test, ev.type, (u32)MODELFS_EV_OVERFLOW);
	KUNIT_EXPECT_EQ(test, ev.len, 5ULL);
	/* Then the queued events, the oldest first, none of the dropped. */
	KUNIT_ASSERT_TRUE(test, modelfs_ring_pop(ring, &ev));
	KUNIT_EXPECT_EQ(test, ev.ino, 0ULL);
}

static void ring_survives_index_wrap(struct kunit *test)
{
	struct modelfs_ring *ring = kunit_kzalloc(test, sizeof(*ring),
						  GFP_KERNEL);
	struct modelfs_event ev;
	u64 i;

	KUNIT_ASSERT_NOT_NULL(test, ring);
	ring->head = UINT_MAX - 1;
	ring->tail = UINT_MAX - 1;
	for (i = 0; i < 4; i++) {
		ev = ev_of(i);
		KUNIT_ASSERT_TRUE(test, modelfs_ring_push(ring, &ev));
	}
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_TRUE(test, modelfs_ring_pop(ring, &ev));
		KUNIT_EXPECT_EQ(test, ev.ino, i);
	}
	KUNIT_EXPECT_FALSE(test, modelfs_ring_pop(ring, &ev));
}

struct range_case {
	u32 type, reserved;
	u64 off, len;
	loff_t size;
	int err;
	pgoff_t first, last;
};

static const struct range_case range_cases[] = {
	/* whole file, cut at the size */
	{ MODELFS_CMD_PREFETCH, 0, 0, 1 << 20, 10000, 0, 0, 2 },
	/* one byte at a page boundary */
	{ MODELFS_CMD_EVICT, 0, 4096, 1, 10000, 0, 1, 1 },
	/* two pages exactly */
	{ MODELFS_CMD_EVICT, 0, 4096, 8192, 1 << 20, 0, 1, 2 },
	/* off + len wraps: still to the end of the file */
	{ MODELFS_CMD_PREFETCH, 0, 4096, U64_MAX, 3 * 4096, 0, 1, 2 },
	/* at the end of the file */
	{ MODELFS_CMD_PREFETCH, 0, 10000, 1, 10000, -EINVAL },
	/* past it */
	{ MODELFS_CMD_PREFETCH, 0, U64_MAX, 1, 10000, -EINVAL },
	/* empty file */
	{ MODELFS_CMD_PREFETCH, 0, 0, 1, 0, -EINVAL },
	{ MODELFS_CMD_PREFETCH, 0, 0, 0, 10000, -EINVAL },
	{ MODELFS_CMD_PREFETCH, 1, 0, 1, 10000, -EINVAL },
	{ 0, 0, 0, 1, 10000, -EINVAL },
	{ 99, 0, 0, 1, 10000, -EINVAL },
};

static void cmd_range_checks(struct kunit *test)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(range_cases); i++) {
		const struct range_case *c = &range_cases[i];
		struct modelfs_cmd cmd = { .type = c->type,
					   .reserved = c->reserved,
					   .off = c->off, .len = c->len };
		pgoff_t first = ~0UL, last = ~0UL;
		int err = modelfs_cmd_range(&cmd, c->size, &first, &last);

		KUNIT_EXPECT_EQ_MSG(test, err, c->err, "case %d", i);
		if (!c->err && !err) {
			KUNIT_EXPECT_EQ_MSG(test, first, c->first, "case %d", i);
			KUNIT_EXPECT_EQ_MSG(test, last, c->last, "case %d", i);
		}
	}
}

struct ra_case {
	u32 type, reserved;
	u64 off, len;
	int err;
	unsigned int pages;
};

static const struct ra_case ra_cases[] = {
	/* back to the default */
	{ MODELFS_CMD_SET_RA, 0, 0, 0, 0, 0 },
	/* a part of a page is a page */
	{ MODELFS_CMD_SET_RA, 0, 0, 1, 0, 1 },
	{ MODELFS_CMD_SET_RA, 0, 0, 4097, 0, 2 },
	/* the largest window, and one byte more */
	{ MODELFS_CMD_SET_RA, 0, 0, MODELFS_SET_RA_MAX, 0,
	  MODELFS_SET_RA_MAX / PAGE_SIZE },
	{ MODELFS_CMD_SET_RA, 0, 0, MODELFS_SET_RA_MAX + 1ULL, -EINVAL },
	/* a length that would overflow the page count */
	{ MODELFS_CMD_SET_RA, 0, 0, U64_MAX, -EINVAL },
	{ MODELFS_CMD_SET_RA, 0, 4096, 4096, -EINVAL },
	{ MODELFS_CMD_SET_RA, 1, 0, 4096, -EINVAL },
	{ MODELFS_CMD_PREFETCH, 0, 0, 4096, -EINVAL },
};

static void cmd_ra_checks(struct kunit *test)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ra_cases); i++) {
		const struct ra_case *c = &ra_cases[i];
		struct modelfs_cmd cmd = { .type = c->type,
					   .reserved = c->reserved,
					   .off = c->off, .len = c->len };
		unsigned int pages = ~0U;
		int err = modelfs_cmd_ra_pages(&cmd, &pages);

		KUNIT_EXPECT_EQ_MSG(test, err, c->err, "case %d", i);
		if (!c->err && !err)
			KUNIT_EXPECT_EQ_MSG(test, pages, c->pages, "case %d", i);
	}
}

static struct kunit_case modelfs_channel_cases[] = {
	KUNIT_CASE(ring_keeps_order),
	KUNIT_CASE(ring_full_counts_drops_then_reports_them),
	KUNIT_CASE(ring_survives_index_wrap),
	KUNIT_CASE(cmd_range_checks),
	KUNIT_CASE(cmd_ra_checks),
	{ }
};

static struct kunit_suite modelfs_channel_suite = {
	.name = "modelfs_channel",
	.test_cases = modelfs_channel_cases,
};

kunit_test_suite(modelfs_channel_suite);

MODULE_DESCRIPTION("KUnit tests for ModelFS-K");
MODULE_LICENSE("GPL");
