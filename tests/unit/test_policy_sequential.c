// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the decisions of the "sequential" policy, with the
 * runtime's commands captured by a fake kernel.
 */
#include <string.h>

#include "policy_fixture.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define WIN MiB

/* Started in setup(), with a window of WIN. */
static int setup(void **state)
{
	struct policy_fix *f = policy_fix_new("sequential");
	struct modelfs_policy_opts opts = { .window = WIN };

	if (!f)
		return -1;
	if (f->pol->init(f->rt, &opts, &f->ps) < 0) {
		policy_fix_free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	policy_fix_free(*state);
	return 0;
}

static void test_open_prefetches_window(void **state)
{
	struct policy_fix *f = *state;

	send_ev(f, MODELFS_EV_OPEN, 10, 0, 100 * MiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 10, 0, WIN);
	expect_no_more(f);
	/* the same open again asks for nothing new */
	send_ev(f, MODELFS_EV_OPEN, 10, 0, 100 * MiB);
	expect_no_more(f);

	/* smaller than the window: cut at the size */
	send_ev(f, MODELFS_EV_OPEN, 11, 0, 100 * KiB + 1);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 11, 0, 100 * KiB + 1);
	/* empty: nothing to prefetch */
	send_ev(f, MODELFS_EV_OPEN, 12, 0, 0);
	expect_no_more(f);
	assert_int_equal(modelfs_stats(f->rt)->prefetch_cmds, 2);
}

static void test_readahead_beyond_mark(void **state)
{
	struct policy_fix *f = *state;

	send_ev(f, MODELFS_EV_OPEN, 20, 0, 100 * MiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 20, 0, WIN);
	/* in the middle of what was prefetched: only the part beyond it */
	send_ev(f, MODELFS_EV_READAHEAD, 20, 512 * KiB, 128 * KiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 20, WIN, 512 * KiB);
	send_ev(f, MODELFS_EV_READAHEAD, 20, 600 * KiB, 128 * KiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 20, 1536 * KiB, 88 * KiB);
	/* no duplicates */
	send_ev(f, MODELFS_EV_READAHEAD, 20, 600 * KiB, 128 * KiB);
	send_ev(f, MODELFS_EV_MISS, 20, 0, 4 * KiB);
	/* a HIT is not an access that moves the window */
	send_ev(f, MODELFS_EV_HIT, 20, 1536 * KiB, 88 * KiB);
	expect_no_more(f);
	/* a jump ahead: from the miss on */
	send_ev(f, MODELFS_EV_MISS, 20, 10 * MiB, 4 * KiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 20, 10 * MiB, WIN);
	/* behind the mark: covered already */
	send_ev(f, MODELFS_EV_MISS, 20, 5 * MiB, 4 * KiB);
	send_ev(f, MODELFS_EV_READAHEAD, 20, 10 * MiB + 4 * KiB, 64 * KiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 20, 11 * MiB, 4 * KiB);
	expect_no_more(f);
	/* files are tracked apart */
	send_ev(f, MODELFS_EV_OPEN, 21, 0, 100 * MiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 21, 0, WIN);
	expect_no_more(f);
}

static void test_cut_at_size(void **state)
{
	struct policy_fix *f = *state;
	uint64_t size = WIN + 300 * KiB;

	send_ev(f, MODELFS_EV_OPEN, 30, 0, size);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 30, 0, WIN);
	send_ev(f, MODELFS_EV_READAHEAD, 30, 512 * KiB, 256 * KiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 30, WIN, 300 * KiB);
	send_ev(f, MODELFS_EV_READAHEAD, 30, WIN, 256 * KiB);
	send_ev(f, MODELFS_EV_MISS, 30, size - 1, 1);
	send_ev(f, MODELFS_EV_MISS, 30, size, 4 * KiB);
	send_ev(f, MODELFS_EV_MISS, 30, UINT64_MAX - 1, 1);
	expect_no_more(f);
}

static void test_unknown_size(void **state)
{
	struct policy_fix *f = *state;

	/* attached after the open: no size known, the kernel cuts */
	send_ev(f, MODELFS_EV_MISS, 40, 3 * MiB, 4 * KiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 40, 3 * MiB, WIN);
	/* near the end of the range: no wrap-around */
	send_ev(f, MODELFS_EV_MISS, 41, UINT64_MAX - 10, 1);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 41, UINT64_MAX - 10, 10);
	expect_no_more(f);
}

/* A state of its own with @opts; its first OPEN must ask for @want bytes. */
static void check_window(struct policy_fix *f,
			 const struct modelfs_policy_opts *opts,
			 uint64_t ino, uint64_t want)
{
	struct modelfs_event e = make_event(MODELFS_EV_OPEN, ino, 0, 100 * MiB);
	void *ps = NULL;

	assert_int_equal(f->pol->init(f->rt, opts, &ps), 0);
	assert_int_equal(modelfs_dispatch(f->rt, f->pol, ps, &e), 0);
	expect_cmd(f, MODELFS_CMD_PREFETCH, ino, 0, want);
	expect_no_more(f);
	f->pol->exit(ps);
}

static void test_window_setting(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_policy_opts opts = { .window = 2 * MiB };

	check_window(f, &opts, 1, 2 * MiB);
	/* 0: the default */
	opts.window = 0;
	check_window(f, &opts, 2, MODELFS_SEQ_WINDOW_DEFAULT);
	assert_int_equal(MODELFS_SEQ_WINDOW_DEFAULT, 8 * MiB);
	/* the fields of other policies are ignored */
	opts = (struct modelfs_policy_opts){ .streams = 7, .template_dir = "/x",
					     .template_name = "a/b" };
	check_window(f, &opts, 3, MODELFS_SEQ_WINDOW_DEFAULT);
	/* states do not share the window */
	send_ev(f, MODELFS_EV_OPEN, 4, 0, 100 * MiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 4, 0, WIN);
	expect_no_more(f);
}

/* Open @ino (size @size) and drop the prefetch command it causes. */
static void open_file(struct policy_fix *f, uint64_t ino, uint64_t size)
{
	send_ev(f, MODELFS_EV_OPEN, ino, 0, size);
	expect_cmd(f, MODELFS_CMD_PREFETCH, ino, 0, size < WIN ? size : WIN);
}

static void test_pressure_lru(void **state)
{
	struct policy_fix *f = *state;

	open_file(f, 1, MiB);		/* 256 pages each */
	open_file(f, 2, MiB);
	open_file(f, 3, MiB);
	open_file(f, 4, MiB);
	send_ev(f, MODELFS_EV_CLOSE, 2, 0, 0);
	send_ev(f, MODELFS_EV_CLOSE, 1, 0, 0);
	send_ev(f, MODELFS_EV_CLOSE, 4, 0, 0);
	/* 3 stays open */

	/* 300 pages: the two least recently closed */
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 300);
	expect_cmd(f, MODELFS_CMD_EVICT, 2, 0, MiB);
	expect_cmd(f, MODELFS_CMD_EVICT, 1, 0, MiB);
	expect_no_more(f);

	/* exactly one file's worth */
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 256);
	expect_cmd(f, MODELFS_CMD_EVICT, 4, 0, MiB);
	expect_no_more(f);

	/* more than there is: never the open file */
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 100000);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 0);
	expect_no_more(f);
	assert_int_equal(modelfs_stats(f->rt)->evict_cmds, 3);

	/* once closed it may go */
	send_ev(f, MODELFS_EV_CLOSE, 3, 0, 0);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	expect_cmd(f, MODELFS_CMD_EVICT, 3, 0, MiB);
	expect_no_more(f);
}

static void test_pressure_reopen_and_partial_pages(void **state)
{
	struct policy_fix *f = *state;

	open_file(f, 5, 4097);		/* 2 pages */
	open_file(f, 6, 3 * MiB);
	open_file(f, 7, 8192);
	send_ev(f, MODELFS_EV_CLOSE, 5, 0, 0);
	send_ev(f, MODELFS_EV_CLOSE, 6, 0, 0);
	send_ev(f, MODELFS_EV_CLOSE, 7, 0, 0);
	/* 6 is opened again: no longer a candidate, and closed last later */
	send_ev(f, MODELFS_EV_OPEN, 6, 0, 3 * MiB);
	expect_no_more(f);

	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 3);
	expect_cmd(f, MODELFS_CMD_EVICT, 5, 0, 4097);
	expect_cmd(f, MODELFS_CMD_EVICT, 7, 0, 8192);
	expect_no_more(f);

	send_ev(f, MODELFS_EV_CLOSE, 6, 0, 0);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	/* the whole file, not just what was prefetched */
	expect_cmd(f, MODELFS_CMD_EVICT, 6, 0, 3 * MiB);
	expect_no_more(f);

	/* CLOSE of a file never seen: ignored */
	send_ev(f, MODELFS_EV_CLOSE, 99, 0, 0);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	expect_no_more(f);
}

static void test_enoent_forgets(void **state)
{
	struct policy_fix *f = *state;

	/* gone when prefetched: forgotten, so its CLOSE makes no candidate */
	f->gone[f->nr_gone++] = 50;
	send_ev(f, MODELFS_EV_OPEN, 50, 0, MiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 50, 0, WIN);
	send_ev(f, MODELFS_EV_CLOSE, 50, 0, 0);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1000);
	expect_no_more(f);
	assert_int_equal(modelfs_stats(f->rt)->cmd_errors, 1);

	/* gone when evicted: skipped, the next one goes, not tried again */
	open_file(f, 51, MiB);
	open_file(f, 52, MiB);
	send_ev(f, MODELFS_EV_CLOSE, 51, 0, 0);
	send_ev(f, MODELFS_EV_CLOSE, 52, 0, 0);
	f->gone[f->nr_gone++] = 51;
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 10);
	expect_cmd(f, MODELFS_CMD_EVICT, 51, 0, MiB);
	expect_cmd(f, MODELFS_CMD_EVICT, 52, 0, MiB);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 10);
	expect_no_more(f);

	/* gone on a later prefetch: the state goes too */
	open_file(f, 53, 100 * MiB);
	f->gone[f->nr_gone++] = 53;
	send_ev(f, MODELFS_EV_READAHEAD, 53, 512 * KiB, 4 * KiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 53, WIN, 512 * KiB);
	/* back again: known afresh, no mark, from the miss on */
	f->nr_gone--;
	send_ev(f, MODELFS_EV_MISS, 53, 512 * KiB, 4 * KiB);
	expect_cmd(f, MODELFS_CMD_PREFETCH, 53, 512 * KiB, WIN);
	expect_no_more(f);
}

static void test_many_files(void **state)
{
	struct policy_fix *f = *state;
	uint64_t ino;

	/* more files than the initial table holds */
	for (ino = 1000; ino < 1040; ino++) {
		send_ev(f, MODELFS_EV_OPEN, ino, 0, 4096);
		send_ev(f, MODELFS_EV_CLOSE, ino, 0, 0);
	}
	assert_int_equal(f->nr, 40);
	f->seen = f->nr;
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 3);
	expect_cmd(f, MODELFS_CMD_EVICT, 1000, 0, 4096);
	expect_cmd(f, MODELFS_CMD_EVICT, 1001, 0, 4096);
	expect_cmd(f, MODELFS_CMD_EVICT, 1002, 0, 4096);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	expect_cmd(f, MODELFS_CMD_EVICT, 1003, 0, 4096);
	expect_no_more(f);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_prefetches_window),
		T(test_readahead_beyond_mark),
		T(test_cut_at_size),
		T(test_unknown_size),
		T(test_window_setting),
		T(test_pressure_lru),
		T(test_pressure_reopen_and_partial_pages),
		T(test_enoent_forgets),
		T(test_many_files),
	};
#undef T

	return cmocka_run_group_tests_name("policy_sequential", tests, NULL, NULL);
}
