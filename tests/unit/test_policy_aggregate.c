// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the "aggregate" policy, with its commands captured by a
 * fake kernel.
 */
#include <string.h>

#include "policy_fixture.h"
#include "util.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static int setup(void **state)
{
	*state = policy_fix_new("aggregate");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	policy_fix_free(*state);
	return 0;
}

static void start(struct policy_fix *f, uint64_t window, unsigned int streams)
{
	struct modelfs_policy_opts opts = { .window = window, .streams = streams };

	assert_int_equal(f->pol->init(f->rt, &opts, &f->ps), 0);
}

static void test_bad_opts(void **state)
{
	struct policy_fix *f = *state;
	const struct modelfs_policy_opts bad[] = {
		{ .streams = MODELFS_AGG_STREAMS_MAX + 1 },
		{ .streams = 100000 },
		{ .window = 4 * 4096 - 1 },		/* 4 streams */
		{ .window = 1, .streams = 1 },
		{ .window = 8 * 4096, .streams = 9 },
	};
	struct modelfs_policy_opts ok = { .window = 4 * 4096 };
	void *ps;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ps = NULL;
		assert_int_equal(f->pol->init(f->rt, &bad[i], &ps), -EINVAL);
		assert_null(ps);
	}
	assert_int_equal(f->pol->init(f->rt, &ok, &ps), 0);
	f->pol->exit(ps);
	ok.streams = MODELFS_AGG_STREAMS_MAX;
	ok.window = MODELFS_AGG_STREAMS_MAX * 4096;
	assert_int_equal(f->pol->init(f->rt, &ok, &ps), 0);
	f->pol->exit(ps);
	/* the template's fields mean nothing here */
	ok = (struct modelfs_policy_opts){ .template_name = "a/b" };
	assert_int_equal(f->pol->init(f->rt, &ok, &ps), 0);
	f->pol->exit(ps);
	expect_no_more(f);
}

/* The defaults: 4 stripes, 32 MiB, 2 MiB chunks taking turns. */
static void test_round_robin(void **state)
{
	struct policy_fix *f = *state;
	uint64_t round, s;

	start(f, 0, 0);
	send_ev(f, MODELFS_EV_OPEN, 1, 0, GiB);
	for (round = 0; round < 4; round++)
		for (s = 0; s < 4; s++)
			PF(f, 1, s * 256 * MiB + round * 2 * MiB, 2 * MiB);
	expect_no_more(f);
	assert_int_equal(MODELFS_AGG_STREAMS_DEFAULT, 4);
	assert_int_equal(MODELFS_AGG_WINDOW_DEFAULT, 32 * MiB);
}

/* Each stripe's window moves with the reader in that stripe. */
static void test_window_moves(void **state)
{
	struct policy_fix *f = *state;

	start(f, 8 * MiB, 2);	/* 4 MiB per stripe */
	send_ev(f, MODELFS_EV_OPEN, 2, 0, 100 * MiB);
	PF(f, 2, 0, 2 * MiB);
	PF(f, 2, 50 * MiB, 2 * MiB);
	PF(f, 2, 2 * MiB, 2 * MiB);
	PF(f, 2, 52 * MiB, 2 * MiB);
	expect_no_more(f);
	/* the reader used 1 MiB of stripe 0: not a chunk's room yet */
	send_ev(f, MODELFS_EV_HIT, 2, 0, MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_HIT, 2, MiB, MiB);
	PF(f, 2, 4 * MiB, 2 * MiB);
	expect_no_more(f);
	/* a reader in stripe 1 moves stripe 1 only */
	send_ev(f, MODELFS_EV_HIT, 2, 50 * MiB, 4 * MiB);
	PF(f, 2, 54 * MiB, 2 * MiB);
	PF(f, 2, 56 * MiB, 2 * MiB);
	expect_no_more(f);
	/* a jump ahead: from the miss on */
	send_ev(f, MODELFS_EV_MISS, 2, 20 * MiB, 4 * KiB);
	PF(f, 2, 20 * MiB + 4 * KiB, 2 * MiB);
	PF(f, 2, 22 * MiB + 4 * KiB, 2 * MiB);
	expect_no_more(f);
	/* behind: nothing */
	send_ev(f, MODELFS_EV_MISS, 2, 10 * MiB, 4 * KiB);
	send_ev(f, MODELFS_EV_HIT, 2, 0, 4 * KiB);
	expect_no_more(f);
	/* an access across the stripe boundary moves both */
	send_ev(f, MODELFS_EV_HIT, 2, 48 * MiB, 12 * MiB);
	PF(f, 2, 60 * MiB, 2 * MiB);
	PF(f, 2, 62 * MiB, 2 * MiB);
	expect_no_more(f);
	/* up to the end of a stripe, and not past it */
	send_ev(f, MODELFS_EV_HIT, 2, 97 * MiB, MiB);
	PF(f, 2, 98 * MiB, 2 * MiB);
	send_ev(f, MODELFS_EV_HIT, 2, 98 * MiB, 2 * MiB);
	expect_no_more(f);
}

/* READAHEAD: the kernel reads that part itself; prefetch goes beyond. */
static void test_readahead(void **state)
{
	struct policy_fix *f = *state;

	start(f, 4 * MiB, 1);
	send_ev(f, MODELFS_EV_OPEN, 3, 0, 100 * MiB);
	PF(f, 3, 0, 2 * MiB);
	PF(f, 3, 2 * MiB, 2 * MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_READAHEAD, 3, 10 * MiB, 512 * KiB);
	PF(f, 3, 10 * MiB + 512 * KiB, 2 * MiB);
	expect_no_more(f);
	/* the reader is a little further: the window moves */
	send_ev(f, MODELFS_EV_READAHEAD, 3, 11 * MiB, 512 * KiB);
	PF(f, 3, 12 * MiB + 512 * KiB, 2 * MiB);
	/* the same again, inside what was prefetched: nothing new */
	send_ev(f, MODELFS_EV_READAHEAD, 3, 11 * MiB, 512 * KiB);
	expect_no_more(f);
}

static void test_small_files(void **state)
{
	struct policy_fix *f = *state;

	start(f, 0, 0);
	/* 3 pages: 3 stripes of a page */
	send_ev(f, MODELFS_EV_OPEN, 4, 0, 10000);
	PF(f, 4, 0, 4096);
	PF(f, 4, 4096, 4096);
	PF(f, 4, 8192, 10000 - 8192);
	send_ev(f, MODELFS_EV_OPEN, 5, 0, 0);
	send_ev(f, MODELFS_EV_MISS, 5, 0, 4096);
	/* 9 pages over 4 stripes: 3 pages each, 3 stripes */
	send_ev(f, MODELFS_EV_OPEN, 6, 0, 9 * 4096);
	PF(f, 6, 0, 3 * 4096);
	PF(f, 6, 3 * 4096, 3 * 4096);
	PF(f, 6, 6 * 4096, 3 * 4096);
	expect_no_more(f);
	/* beyond the end, or a file never opened: nothing */
	send_ev(f, MODELFS_EV_MISS, 6, 9 * 4096, 4096);
	send_ev(f, MODELFS_EV_MISS, 7, 0, 4096);
	send_ev(f, MODELFS_EV_HIT, 6, 0, 0);
	expect_no_more(f);
}

static void test_close_and_reopen(void **state)
{
	struct policy_fix *f = *state;

	start(f, 4 * MiB, 1);
	send_ev(f, MODELFS_EV_OPEN, 8, 0, 16 * MiB);
	PF(f, 8, 0, 2 * MiB);
	PF(f, 8, 2 * MiB, 2 * MiB);
	send_ev(f, MODELFS_EV_CLOSE, 8, 0, 16 * MiB);
	/* closed: nothing is asked for; the reader's position still counts */
	send_ev(f, MODELFS_EV_HIT, 8, 0, 4 * MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_OPEN, 8, 0, 16 * MiB);
	PF(f, 8, 4 * MiB, 2 * MiB);
	PF(f, 8, 6 * MiB, 2 * MiB);
	expect_no_more(f);
	/* a new size: split anew */
	send_ev(f, MODELFS_EV_OPEN, 8, 0, 3 * MiB);
	PF(f, 8, 0, 2 * MiB);
	PF(f, 8, 2 * MiB, MiB);
	expect_no_more(f);
}

/* PRESSURE: closed files (least recently closed first), then passed pages. */
static void test_pressure(void **state)
{
	struct policy_fix *f = *state;

	start(f, 4 * MiB, 2);
	send_ev(f, MODELFS_EV_OPEN, 10, 0, 8 * MiB);
	send_ev(f, MODELFS_EV_OPEN, 11, 0, MiB);
	send_ev(f, MODELFS_EV_OPEN, 12, 0, MiB);
	f->seen = f->nr;
	send_ev(f, MODELFS_EV_CLOSE, 12, 0, MiB);
	send_ev(f, MODELFS_EV_CLOSE, 11, 0, MiB);
	send_ev(f, MODELFS_EV_HIT, 10, 0, MiB + 6 * KiB);
	send_ev(f, MODELFS_EV_HIT, 10, 4 * MiB, 2 * MiB);
	f->seen = f->nr;
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 300);
	EV(f, 12, 0, MiB);
	EV(f, 11, 0, MiB);
	expect_no_more(f);
	/* then whole pages the readers passed, stripe by stripe */
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1000);
	EV(f, 10, 0, MiB + 4 * KiB);
	EV(f, 10, 4 * MiB, 2 * MiB);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1000);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_CLOSE, 10, 0, 8 * MiB);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	EV(f, 10, 0, 8 * MiB);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	expect_no_more(f);
}

static void test_enoent_forgets(void **state)
{
	struct policy_fix *f = *state;

	start(f, 8 * MiB, 2);
	f->gone[f->nr_gone++] = 20;
	send_ev(f, MODELFS_EV_OPEN, 20, 0, 100 * MiB);
	PF(f, 20, 0, 2 * MiB);
	send_ev(f, MODELFS_EV_HIT, 20, 0, 4 * MiB);
	send_ev(f, MODELFS_EV_CLOSE, 20, 0, 0);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 10);
	expect_no_more(f);
	f->nr_gone = 0;
	send_ev(f, MODELFS_EV_OPEN, 20, 0, 8 * MiB);
	PF(f, 20, 0, 2 * MiB);
	PF(f, 20, 4 * MiB, 2 * MiB);
	PF(f, 20, 2 * MiB, 2 * MiB);
	PF(f, 20, 6 * MiB, 2 * MiB);
	expect_no_more(f);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_bad_opts),
		T(test_round_robin),
		T(test_window_moves),
		T(test_readahead),
		T(test_small_files),
		T(test_close_and_reopen),
		T(test_pressure),
		T(test_enoent_forgets),
	};
#undef T

	return cmocka_run_group_tests_name("policy_aggregate", tests, NULL, NULL);
}
