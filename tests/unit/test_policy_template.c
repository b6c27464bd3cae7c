// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the "template" policy, with its commands captured by a
 * fake kernel, its clock faked, and its templates in a scratch directory;
 * whole loads run against a model of the kernel's page cache.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "policy_fixture.h"
#include "template.h"
#include "template_corrupt.h"
#include "util.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define NAME "t.tmpl"

/* The running test's scratch directory, and the template's path in it. */
static char tmpl_dir[64];
static char tmpl_path[128];

static void sim_stop(struct policy_fix *f);

static uint64_t fake_ns;

static uint64_t fake_clock(void)
{
	return fake_ns;
}

static int setup(void **state)
{
	struct policy_fix *f;

	strcpy(tmpl_dir, "/tmp/oe-tmpl-policy.XXXXXX");
	if (!mkdtemp(tmpl_dir))
		return -1;
	snprintf(tmpl_path, sizeof(tmpl_path), "%s/%s", tmpl_dir, NAME);
	f = policy_fix_new("template");
	if (!f) {
		rmdir(tmpl_dir);
		return -1;
	}
	fake_ns = 1000;
	modelfs_tmpl_set_clock(fake_clock);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct policy_fix *f = *state;
	char cmd[128];

	/* the page-cache model of a load test that failed */
	if (f->answer_arg)
		sim_stop(f);
	policy_fix_free(f);
	modelfs_tmpl_set_clock(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl_dir);
	return system(cmd) != 0 ? -1 : 0;
}

/* A state on the scratch directory's template; its mode. */
static enum modelfs_template_mode start(struct policy_fix *f, uint64_t window)
{
	struct modelfs_policy_opts opts = {
		.window = window, .template_dir = tmpl_dir,
		.template_name = NAME,
	};

	assert_null(f->ps);
	assert_int_equal(f->pol->init(f->rt, &opts, &f->ps), 0);
	assert_non_null(f->ps);
	return modelfs_template_mode(f->ps);
}

static void stop(struct policy_fix *f)
{
	f->pol->exit(f->ps);
	f->ps = NULL;
}

/* Store a template of one file with these ranges (and others if given). */
static void store(const struct modelfs_tmpl_file *files, uint32_t nr,
		  uint64_t load_ns)
{
	struct modelfs_tmpl t = {
		.nr_files = nr, .load_ns = load_ns,
		.files = (struct modelfs_tmpl_file *)files,
	};

	assert_int_equal(modelfs_tmpl_save(tmpl_dir, NAME, &t), 0);
}

static void test_bad_opts(void **state)
{
	struct policy_fix *f = *state;
	char plain[128];
	const struct modelfs_policy_opts bad[] = {
		{ .template_dir = tmpl_dir },
		{ .template_dir = tmpl_dir, .template_name = "" },
		{ .template_dir = tmpl_dir, .template_name = "a/b" },
		{ .template_dir = tmpl_dir, .template_name = "/abs" },
		{ .template_dir = tmpl_dir, .template_name = "." },
		{ .template_dir = tmpl_dir, .template_name = ".." },
		{ .template_dir = "", .template_name = "x" },
		{ .template_dir = tmpl_dir, .template_name = "x",
		  .window = 4095 },
	};
	struct modelfs_policy_opts ok = { .template_dir = tmpl_dir,
					  .template_name = "x" };
	struct stat sb;
	void *ps;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ps = NULL;
		assert_int_equal(f->pol->init(f->rt, &bad[i], &ps), -EINVAL);
		assert_null(ps);
	}
	/* the template directory is a file: that error, not a recording */
	snprintf(plain, sizeof(plain), "%s/plain", tmpl_dir);
	assert_int_equal(tc_write(plain, (const unsigned char *)"x", 1), 0);
	ok.template_dir = plain;
	assert_int_equal(f->pol->init(f->rt, &ok, &ps), -ENOTDIR);

	/* fine, but nothing recorded: nothing written */
	ok.template_dir = tmpl_dir;
	ok.window = 4096;
	assert_int_equal(f->pol->init(f->rt, &ok, &ps), 0);
	assert_int_equal(modelfs_template_mode(ps), MODELFS_TEMPLATE_RECORD);
	{
		struct modelfs_event e = make_event(MODELFS_EV_OPEN, 1, 0, MiB);

		assert_int_equal(modelfs_dispatch(f->rt, f->pol, ps, &e), 0);
	}
	f->pol->exit(ps);
	snprintf(plain, sizeof(plain), "%s/x", tmpl_dir);
	assert_int_equal(stat(plain, &sb), -1);
	assert_int_equal(errno, ENOENT);
	expect_no_more(f);

	/* a missing directory is made at init, not only when saving */
	snprintf(plain, sizeof(plain), "%s/new/sub", tmpl_dir);
	ok.template_dir = plain;
	ok.window = 0;
	assert_int_equal(f->pol->init(f->rt, &ok, &ps), 0);
	assert_int_equal(stat(plain, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0755);
	f->pol->exit(ps);

	assert_string_equal(modelfs_template_mode_name(MODELFS_TEMPLATE_RECORD), "record");
	assert_string_equal(modelfs_template_mode_name(MODELFS_TEMPLATE_REPLAY), "replay");
	assert_string_equal(modelfs_template_mode_name(MODELFS_TEMPLATE_REBUILD), "rebuild");
}

static void test_record(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl t;
	const struct modelfs_tmpl_file *a, *b;

	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_RECORD);
	fake_ns = 1000;
	send_ev(f, MODELFS_EV_OPEN, 10, 0, 10 * MiB);
	fake_ns = 2000;
	send_ev(f, MODELFS_EV_MISS, 10, 0, 4 * KiB);
	send_ev(f, MODELFS_EV_READAHEAD, 10, 4 * KiB, 124 * KiB);	/* adjacent */
	send_ev(f, MODELFS_EV_READAHEAD, 10, 128 * KiB, 128 * KiB);
	send_ev(f, MODELFS_EV_MISS, 10, MiB, 4 * KiB);			/* a new run */
	send_ev(f, MODELFS_EV_READAHEAD, 10, MiB, 128 * KiB);		/* overlaps */
	send_ev(f, MODELFS_EV_MISS, 10, 0, 4 * KiB);			/* read again */
	send_ev(f, MODELFS_EV_MISS, 10, 4 * KiB, 4 * KiB);
	send_ev(f, MODELFS_EV_HIT, 10, 5 * MiB, 4 * KiB);		/* ignored */
	send_ev(f, MODELFS_EV_OPEN, 11, 0, 5000);
	send_ev(f, MODELFS_EV_READAHEAD, 11, 0, 8192);			/* cut at size */
	send_ev(f, MODELFS_EV_MISS, 11, 8192, 4 * KiB);			/* past EOF */
	send_ev(f, MODELFS_EV_MISS, 12, 0, 4 * KiB);			/* never opened */
	send_ev(f, MODELFS_EV_OPEN, 13, 0, 4096);			/* never read */
	send_ev(f, MODELFS_EV_CLOSE, 10, 0, 10 * MiB);
	fake_ns = 5000000000ULL;
	send_ev(f, MODELFS_EV_READAHEAD, 11, 0, 4096);			/* inside */
	fake_ns = 9000000000ULL;
	send_ev(f, MODELFS_EV_CLOSE, 11, 0, 5000);			/* not I/O */
	/* recording asks the kernel for nothing */
	expect_no_more(f);
	stop(f);

	assert_int_equal(modelfs_tmpl_load(tmpl_path, &t), 0);
	assert_int_equal(t.load_ns, 5000000000ULL - 1000);
	assert_int_equal(t.nr_files, 2);
	assert_int_equal(t.nr_ranges, 4);
	a = &t.files[0];
	b = &t.files[1];
	assert_int_equal(a->ino, 10);
	assert_int_equal(a->size, 10 * MiB);
	assert_int_equal(a->nr, 3);
	assert_int_equal(a->r[0].off, 0);
	assert_int_equal(a->r[0].len, 256 * KiB);
	assert_int_equal(a->r[1].off, MiB);
	assert_int_equal(a->r[1].len, 128 * KiB);
	assert_int_equal(a->r[2].off, 0);
	assert_int_equal(a->r[2].len, 8 * KiB);
	assert_int_equal(b->ino, 11);
	assert_int_equal(b->size, 5000);
	assert_int_equal(b->nr, 1);
	assert_int_equal(b->r[0].off, 0);
	assert_int_equal(b->r[0].len, 5000);
	modelfs_tmpl_free(&t);
}

/* Recorded, saved, loaded: the next load prefetches what was read. */
static void test_roundtrip(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_template_info info;

	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_RECORD);
	send_ev(f, MODELFS_EV_OPEN, 20, 0, 8 * MiB);
	send_ev(f, MODELFS_EV_READAHEAD, 20, 4 * MiB, MiB);
	send_ev(f, MODELFS_EV_READAHEAD, 20, 0, 512 * KiB);
	send_ev(f, MODELFS_EV_MISS, 20, 6 * MiB, 4 * KiB);
	send_ev(f, MODELFS_EV_OPEN, 21, 0, 3 * MiB);
	fake_ns += 1000000000ULL;
	send_ev(f, MODELFS_EV_READAHEAD, 21, 0, 3 * MiB);
	expect_no_more(f);
	stop(f);
	assert_int_equal(modelfs_template_info(tmpl_path, &info), 0);
	assert_int_equal(info.files, 2);
	assert_int_equal(info.ranges, 4);
	assert_int_equal(info.bytes, MiB + 512 * KiB + 4 * KiB + 3 * MiB);
	assert_int_equal(info.load_ns, 1000000000ULL);

	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 21, 0, 3 * MiB);
	PF(f, 21, 0, 2 * MiB);
	PF(f, 21, 2 * MiB, MiB);
	send_ev(f, MODELFS_EV_OPEN, 20, 0, 8 * MiB);
	PF(f, 20, 4 * MiB, MiB);
	PF(f, 20, 0, 512 * KiB);
	PF(f, 20, 6 * MiB, 4 * KiB);
	expect_no_more(f);
	stop(f);
}

/*
 * Prefetch within the window; evict a read's pages once the next read has
 * started, since a HIT comes as its read starts.
 */
static void test_window_and_evict(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl_range r[] = {
		{ 0, 5 * MiB }, { 32 * MiB, 3 * MiB }, { 8 * MiB, 4 * MiB },
	};
	struct modelfs_tmpl_file file = { 20, 64 * MiB, 3, r };

	store(&file, 1, 1);
	assert_int_equal(start(f, 8 * MiB), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 20, 0, 64 * MiB);
	/* 8 MiB: the first range and the second, in 2 MiB chunks */
	PF(f, 20, 0, 2 * MiB);
	PF(f, 20, 2 * MiB, 2 * MiB);
	PF(f, 20, 4 * MiB, MiB);
	PF(f, 20, 32 * MiB, 2 * MiB);
	PF(f, 20, 34 * MiB, MiB);
	expect_no_more(f);
	/* a read of the first chunk starts: the window moves, it stays */
	send_ev(f, MODELFS_EV_HIT, 20, 0, 2 * MiB);
	PF(f, 20, 8 * MiB, 2 * MiB);
	expect_no_more(f);
	/* the next read: the last one is over */
	send_ev(f, MODELFS_EV_HIT, 20, 2 * MiB, 3 * MiB);
	EV(f, 20, 0, 2 * MiB);
	PF(f, 20, 10 * MiB, 2 * MiB);
	expect_no_more(f);
	/* the reader left the first range: the rest of it goes */
	send_ev(f, MODELFS_EV_HIT, 20, 32 * MiB, MiB);
	EV(f, 20, 2 * MiB, 3 * MiB);
	expect_no_more(f);
	/* less than a chunk done in this range: kept for now */
	send_ev(f, MODELFS_EV_HIT, 20, 33 * MiB, 2 * MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_HIT, 20, 8 * MiB, 4 * MiB);
	EV(f, 20, 32 * MiB, 3 * MiB);
	expect_no_more(f);
	/* the reader still has its last read when it closes */
	send_ev(f, MODELFS_EV_CLOSE, 20, 0, 64 * MiB);
	expect_no_more(f);
	stop(f);
	/* nothing new: the template is as it was */
	{
		struct modelfs_template_info info;

		assert_int_equal(modelfs_template_info(tmpl_path, &info), 0);
		assert_int_equal(info.load_ns, 1);
	}
}

/*
 * The reader outruns the prefetch: a MISS is where it is, readahead only
 * near the prefetch says anything of it.
 */
static void test_reader_ahead(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl_range r[] = { { 0, 100 * MiB } };
	struct modelfs_tmpl_file file = { 30, 100 * MiB, 1, r };

	store(&file, 1, 1);
	assert_int_equal(start(f, 4 * MiB), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 30, 0, 100 * MiB);
	PF(f, 30, 0, 2 * MiB);
	PF(f, 30, 2 * MiB, 2 * MiB);
	expect_no_more(f);
	/* it waits for a page at 10M: done with what lies before */
	send_ev(f, MODELFS_EV_MISS, 30, 10 * MiB, 4 * KiB);
	EV(f, 30, 0, 10 * MiB);
	PF(f, 30, 10 * MiB + 4 * KiB, 2 * MiB);
	PF(f, 30, 12 * MiB + 4 * KiB, 2 * MiB);
	expect_no_more(f);
	/* far past the prefetch: readahead's overrun, nothing to go by */
	send_ev(f, MODELFS_EV_READAHEAD, 30, 20 * MiB, 512 * KiB);
	expect_no_more(f);
	/*
	 * Near it: the reader is past 15.5M, but the prefetch from 14M is
	 * not skipped: no more than the window is ahead of cons.
	 */
	send_ev(f, MODELFS_EV_READAHEAD, 30, 16 * MiB, 512 * KiB);
	PF(f, 30, 14 * MiB + 4 * KiB, 2 * MiB);
	PF(f, 30, 16 * MiB + 4 * KiB, 2 * MiB);
	expect_no_more(f);
	/* carrying on from the prefetch: the kernel reads that part */
	send_ev(f, MODELFS_EV_READAHEAD, 30, 18 * MiB + 4 * KiB, 512 * KiB);
	PF(f, 30, 18 * MiB + 516 * KiB, 2 * MiB);
	expect_no_more(f);
	stop(f);
}

/*
 * A range runs past the end of what the reader read there, where the
 * kernel's readahead stopped: that part is read later, as the start of a
 * later range's read, and only then goes.
 */
static void test_overrun_kept(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl_range r[] = {
		{ 0, 3 * MiB }, { 8 * MiB, 2 * MiB }, { 3 * MiB, 2 * MiB },
	};
	struct modelfs_tmpl_file file = { 35, 16 * MiB, 3, r };

	store(&file, 1, 1);
	assert_int_equal(start(f, 16 * MiB), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 35, 0, 16 * MiB);
	PF(f, 35, 0, 2 * MiB);
	PF(f, 35, 2 * MiB, MiB);
	PF(f, 35, 8 * MiB, 2 * MiB);
	PF(f, 35, 3 * MiB, 2 * MiB);
	expect_no_more(f);
	/* a tensor at [0, 2M), then one at [8M, 10M) */
	send_ev(f, MODELFS_EV_HIT, 35, 0, 2 * MiB);
	send_ev(f, MODELFS_EV_HIT, 35, 8 * MiB, 2 * MiB);
	EV(f, 35, 0, 2 * MiB);
	expect_no_more(f);
	/* the one at [2M, 5M): the first range's rest is its start */
	send_ev(f, MODELFS_EV_HIT, 35, 2 * MiB, 2 * MiB);
	EV(f, 35, 8 * MiB, 2 * MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_HIT, 35, 4 * MiB, MiB);
	EV(f, 35, 2 * MiB, MiB);
	expect_no_more(f);
	stop(f);
}

/* A range read again later stays until that read; pressure takes it first. */
static void test_reread_kept(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl_range r[] = {
		{ 0, MiB }, { MiB, MiB }, { 0, MiB }, { 2 * MiB, MiB },
	};
	struct modelfs_tmpl_file file = { 40, 4 * MiB, 4, r };

	store(&file, 1, 1);
	assert_int_equal(start(f, 8 * MiB), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 40, 0, 4 * MiB);
	PF(f, 40, 0, MiB);
	PF(f, 40, MiB, MiB);
	PF(f, 40, 0, MiB);
	PF(f, 40, 2 * MiB, MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_HIT, 40, 0, MiB);
	send_ev(f, MODELFS_EV_HIT, 40, MiB, MiB);
	expect_no_more(f);		/* read again later: kept */
	/* pressure: the kept range the reader has passed goes first */
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	EV(f, 40, 0, MiB);
	expect_no_more(f);
	/* the second read of it: the one before is over */
	send_ev(f, MODELFS_EV_HIT, 40, 0, MiB);
	EV(f, 40, MiB, MiB);
	/* and it was its last */
	send_ev(f, MODELFS_EV_HIT, 40, 2 * MiB, MiB);
	EV(f, 40, 0, MiB);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 100);
	expect_no_more(f);		/* open, its last read still on */
	/* closed: the whole file, once */
	send_ev(f, MODELFS_EV_CLOSE, 40, 0, 4 * MiB);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	EV(f, 40, 0, 4 * MiB);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	expect_no_more(f);
	/* opened again: replayed from the start */
	send_ev(f, MODELFS_EV_OPEN, 40, 0, 4 * MiB);
	PF(f, 40, 0, MiB);
	PF(f, 40, MiB, MiB);
	PF(f, 40, 0, MiB);
	PF(f, 40, 2 * MiB, MiB);
	/* one read of two ranges; the next reads the first again */
	send_ev(f, MODELFS_EV_HIT, 40, 0, 2 * MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_HIT, 40, 0, MiB);
	EV(f, 40, MiB, MiB);
	expect_no_more(f);
	stop(f);
}

/* PRESSURE: what open files' readers are done with first, then closed files. */
static void test_pressure_order(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl_range r[] = { { 0, 8 * MiB } };
	struct modelfs_tmpl_file files[] = {
		{ 50, 8 * MiB, 1, r }, { 51, 8 * MiB, 1, r },
	};
	int i;

	store(files, 2, 1);
	assert_int_equal(start(f, 32 * MiB), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 50, 0, 8 * MiB);
	send_ev(f, MODELFS_EV_OPEN, 51, 0, 8 * MiB);
	for (i = 0; i < 4; i++)
		PF(f, 50, i * 2 * MiB, 2 * MiB);
	for (i = 0; i < 4; i++)
		PF(f, 51, i * 2 * MiB, 2 * MiB);
	send_ev(f, MODELFS_EV_HIT, 50, 0, MiB);
	send_ev(f, MODELFS_EV_HIT, 50, MiB, 8 * KiB);
	send_ev(f, MODELFS_EV_CLOSE, 51, 0, 8 * MiB);
	expect_no_more(f);
	/* less than a chunk the reader is done with, not its current read */
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 100);
	EV(f, 50, 0, MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 300);
	EV(f, 51, 0, 8 * MiB);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1);
	expect_no_more(f);
	stop(f);
}

/* One window for all open files; the file opened first goes first. */
static void test_window_shared(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl_range r[] = { { 0, 8 * MiB } };
	struct modelfs_tmpl_file files[] = {
		{ 60, 8 * MiB, 1, r }, { 61, 8 * MiB, 1, r },
	};

	store(files, 2, 1);
	assert_int_equal(start(f, 4 * MiB), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 60, 0, 8 * MiB);
	PF(f, 60, 0, 2 * MiB);
	PF(f, 60, 2 * MiB, 2 * MiB);
	send_ev(f, MODELFS_EV_OPEN, 61, 0, 8 * MiB);
	expect_no_more(f);
	/* a closed file's prefetch no longer holds the window */
	send_ev(f, MODELFS_EV_CLOSE, 60, 0, 8 * MiB);
	PF(f, 61, 0, 2 * MiB);
	PF(f, 61, 2 * MiB, 2 * MiB);
	expect_no_more(f);
	/* back: its prefetch counts again, and it is now the later one */
	send_ev(f, MODELFS_EV_OPEN, 60, 0, 8 * MiB);
	send_ev(f, MODELFS_EV_HIT, 61, 0, 4 * MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_HIT, 60, 0, 4 * MiB);
	PF(f, 61, 4 * MiB, 2 * MiB);
	PF(f, 61, 6 * MiB, 2 * MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_CLOSE, 61, 0, 8 * MiB);
	PF(f, 60, 4 * MiB, 2 * MiB);
	PF(f, 60, 6 * MiB, 2 * MiB);
	expect_no_more(f);
	stop(f);
}

/* The default window: a quarter second of the recorded bandwidth. */
static void check_default_window(struct policy_fix *f, uint64_t bytes,
				 uint64_t load_ns, uint64_t want)
{
	struct modelfs_tmpl_range r[] = { { 0, bytes } };
	struct modelfs_tmpl_file file = { 70, GiB, 1, r };
	uint64_t off;

	store(&file, 1, load_ns);
	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 70, 0, GiB);
	for (off = 0; off < want; off += 2 * MiB)
		PF(f, 70, off, 2 * MiB);
	expect_no_more(f);
	stop(f);
}

static void test_default_window(void **state)
{
	struct policy_fix *f = *state;

	/* 64 MiB in 1 s: 16 MiB */
	check_default_window(f, 64 * MiB, 1000000000ULL, 16 * MiB);
	/* slow: at least 8 MiB */
	check_default_window(f, 64 * MiB, 100000000000ULL, 8 * MiB);
	/* fast: at most 256 MiB */
	check_default_window(f, GiB, 1000000ULL, 256 * MiB);
	check_default_window(f, GiB, 0, 256 * MiB);
	assert_int_equal(MODELFS_TEMPLATE_WINDOW_MIN, 8 * MiB);
	assert_int_equal(MODELFS_TEMPLATE_WINDOW_MAX, 256 * MiB);
}

/* A file whose size changed is recorded again; the others are kept. */
static void test_size_changed(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl_range r70[] = { { 0, 64 * KiB } };
	struct modelfs_tmpl_range r71[] = { { 0, 2 * MiB } };
	struct modelfs_tmpl_file files[] = {
		{ 70, MiB, 1, r70 }, { 71, 2 * MiB, 1, r71 },
	};
	struct modelfs_tmpl t;
	struct stat sb;

	store(files, 2, 1000);
	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 70, 0, MiB + 4 * KiB);
	expect_no_more(f);		/* not replayed */
	send_ev(f, MODELFS_EV_READAHEAD, 70, 0, 128 * KiB);
	send_ev(f, MODELFS_EV_HIT, 70, 0, 4 * KiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_OPEN, 71, 0, 2 * MiB);
	PF(f, 71, 0, 2 * MiB);
	expect_no_more(f);
	stop(f);

	assert_int_equal(modelfs_tmpl_load(tmpl_path, &t), 0);
	assert_int_equal(t.nr_files, 2);
	assert_int_equal(t.files[0].ino, 71);
	assert_int_equal(t.files[0].size, 2 * MiB);
	assert_int_equal(t.files[0].nr, 1);
	assert_int_equal(t.files[0].r[0].len, 2 * MiB);
	assert_int_equal(t.files[1].ino, 70);
	assert_int_equal(t.files[1].size, MiB + 4 * KiB);
	assert_int_equal(t.files[1].nr, 1);
	assert_int_equal(t.files[1].r[0].off, 0);
	assert_int_equal(t.files[1].r[0].len, 128 * KiB);
	/* the recorded bandwidth is kept */
	assert_int_equal(t.load_ns, (uint64_t)(1000.0 * (double)(2 * MiB + 128 * KiB) /
					       (double)(2 * MiB + 64 * KiB)));
	modelfs_tmpl_free(&t);

	/* changed and not read at all: its stale record goes */
	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 71, 0, 5);
	stop(f);
	assert_int_equal(modelfs_tmpl_load(tmpl_path, &t), 0);
	assert_int_equal(t.nr_files, 1);
	assert_int_equal(t.files[0].ino, 70);
	modelfs_tmpl_free(&t);
	/* and when nothing is left, the template goes */
	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 70, 0, 5);
	stop(f);
	assert_int_equal(stat(tmpl_path, &sb), -1);
	assert_int_equal(errno, ENOENT);
	expect_no_more(f);
}

/* Files the template does not know are recorded and added at exit. */
static void test_new_files_added(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl_range r[] = { { 0, 4 * KiB } };
	struct modelfs_tmpl_file file = { 80, MiB, 1, r };
	struct modelfs_tmpl t;
	struct stat sb;
	ino_t before;

	store(&file, 1, 1000);
	assert_int_equal(stat(tmpl_path, &sb), 0);
	before = sb.st_ino;
	/* a new file opened but not read: nothing to add, no rewrite */
	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 81, 0, MiB);
	stop(f);
	assert_int_equal(stat(tmpl_path, &sb), 0);
	assert_int_equal(sb.st_ino, before);

	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_REPLAY);
	send_ev(f, MODELFS_EV_OPEN, 81, 0, MiB);
	send_ev(f, MODELFS_EV_READAHEAD, 81, 0, 12 * KiB);
	send_ev(f, MODELFS_EV_OPEN, 80, 0, MiB);
	PF(f, 80, 0, 4 * KiB);
	expect_no_more(f);
	stop(f);
	assert_int_equal(modelfs_tmpl_load(tmpl_path, &t), 0);
	assert_int_equal(t.nr_files, 2);
	assert_int_equal(t.files[0].ino, 80);
	assert_int_equal(t.files[1].ino, 81);
	assert_int_equal(t.files[1].r[0].len, 12 * KiB);
	assert_int_equal(t.load_ns, 4000);
	modelfs_tmpl_free(&t);
}

/* Any corrupt template: recorded anew, and replaced at exit. */
static void test_corrupt_replaced(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_template_info info;
	struct modelfs_tmpl t;
	uint64_t count;
	size_t i;

	for (i = 0; i < TC_NR_KINDS; i++) {
		assert_int_equal(tc_make_corrupt(tmpl_dir, NAME, &tc_kinds[i]), 0);
		count = modelfs_template_corrupt_count();
		if (start(f, 0) != MODELFS_TEMPLATE_REBUILD)
			fail_msg("%s: not rebuilt", tc_kinds[i].name);
		assert_int_equal(modelfs_template_corrupt_count(), count + 1);
		/* ino 100 is in the good template: not replayed from a bad one */
		send_ev(f, MODELFS_EV_OPEN, 100, 0, MiB);
		send_ev(f, MODELFS_EV_READAHEAD, 100, 64 * KiB, 64 * KiB);
		expect_no_more(f);
		stop(f);
		assert_int_equal(modelfs_tmpl_load(tmpl_path, &t), 0);
		assert_int_equal(t.nr_files, 1);
		assert_int_equal(t.files[0].ino, 100);
		assert_int_equal(t.files[0].r[0].off, 64 * KiB);
		assert_int_equal(t.files[0].r[0].len, 64 * KiB);
		modelfs_tmpl_free(&t);
	}
	/* nothing recorded: the corrupt one stays, and is never used */
	assert_int_equal(tc_make_corrupt(tmpl_dir, NAME, &tc_kinds[5]), 0);
	assert_int_equal(start(f, 0), MODELFS_TEMPLATE_REBUILD);
	stop(f);
	assert_int_equal(modelfs_template_info(tmpl_path, &info), -EBADMSG);
}

/* The corruption is said once, on stderr, whatever the load does. */
static void test_corrupt_logged_once(void **state)
{
	struct policy_fix *f = *state;
	char log[128], buf[1024], *p;
	int fd, saved, n, lines = 0;

	assert_int_equal(tc_make_corrupt(tmpl_dir, NAME, &tc_kinds[6]), 0);
	snprintf(log, sizeof(log), "%s/stderr", tmpl_dir);
	fd = open(log, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	start(f, 0);
	send_ev(f, MODELFS_EV_OPEN, 100, 0, MiB);
	send_ev(f, MODELFS_EV_MISS, 100, 0, 4 * KiB);
	stop(f);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = (int)pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, "is corrupt")); p++)
		lines++;
	assert_int_equal(lines, 1);
	assert_non_null(strstr(buf, tmpl_path));
}

static void test_enoent_forgets(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_tmpl_range r[] = { { 0, 8 * MiB } };
	struct modelfs_tmpl_file file = { 110, 8 * MiB, 1, r };

	store(&file, 1, 1);
	assert_int_equal(start(f, 4 * MiB), MODELFS_TEMPLATE_REPLAY);
	f->gone[f->nr_gone++] = 110;
	send_ev(f, MODELFS_EV_OPEN, 110, 0, 8 * MiB);
	PF(f, 110, 0, 2 * MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_HIT, 110, 0, 2 * MiB);
	send_ev(f, MODELFS_EV_CLOSE, 110, 0, 8 * MiB);
	send_ev(f, MODELFS_EV_PRESSURE, 0, 0, 1000);
	expect_no_more(f);
	/* back: replayed afresh */
	f->nr_gone = 0;
	send_ev(f, MODELFS_EV_OPEN, 110, 0, 8 * MiB);
	PF(f, 110, 0, 2 * MiB);
	PF(f, 110, 2 * MiB, 2 * MiB);
	expect_no_more(f);
	send_ev(f, MODELFS_EV_HIT, 110, 0, 2 * MiB);
	PF(f, 110, 4 * MiB, 2 * MiB);
	expect_no_more(f);
	/* gone when evicted: forgotten too */
	f->gone[f->nr_gone++] = 110;
	send_ev(f, MODELFS_EV_HIT, 110, 2 * MiB, 2 * MiB);
	EV(f, 110, 0, 2 * MiB);
	send_ev(f, MODELFS_EV_HIT, 110, 4 * MiB, MiB);
	expect_no_more(f);
	stop(f);
}

/* --- whole loads against a model of the kernel's page cache ---------- */

/*
 * The kernel side of one file, page by page, as kernel/fs/modelfs does
 * it: PREFETCH is queued and filled later, by a device that keeps pace
 * with the reader at a set rate, each page flagged until a read uses it;
 * EVICT drops clean unlocked pages; a read() reports its flagged pages in
 * one HIT up front, and a page it finds missing starts the kernel's own
 * readahead (mm/readahead.c: windows of up to SIM_IO_PAGES, a marker in
 * each, the next window read when the reader reaches the marker), which
 * runs past the end of what is being read.
 */
#define SIM_PAGE 4096ULL
#define SIM_RA_PAGES 32		/* read_ahead_kb 128 */
#define SIM_IO_PAGES 320	/* max_sectors_kb 1280, as virtio-blk */
#define SIM_READ (4 * MiB)	/* the loader's pread() */
#define SIM_LAYERS 32

enum {
	PG_CACHED = 1,
	PG_FLAGGED = 2,		/* filled by PREFETCH, not used yet */
	PG_MARK = 4,		/* PG_readahead */
	PG_LOCKED = 8,		/* being read: EVICT leaves it */
	PG_READ = 16,		/* the reader has had it */
};

struct sim_range {
	uint64_t first, last;
};

struct sim {
	struct policy_fix *f;
	uint64_t ino, size, pages;
	uint8_t *pg;
	struct sim_range *q;		/* queued PREFETCHes, oldest first */
	size_t qh, qt, qcap;
	unsigned int rate_num, rate_den; /* device pages per page read */
	unsigned int credit;
	uint64_t ra_start, ra_size, ra_async; /* struct file_ra_state */
	uint64_t pf_fills, ra_fills;	/* pages read from the device */
	uint64_t evicted, wasted, early, first_early;
	uint64_t cached, peak;
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void sim_fill(struct sim *s, uint64_t p, uint8_t flags)
{
	s->pg[p] = (uint8_t)((s->pg[p] & PG_READ) | PG_CACHED | flags);
	if (++s->cached > s->peak)
		s->peak = s->cached;
}

static void sim_evict(struct sim *s, uint64_t first, uint64_t last)
{
	uint64_t p;

	for (p = first; p <= last; p++) {
		if (!(s->pg[p] & PG_CACHED) || (s->pg[p] & PG_LOCKED))
			continue;
		if (!(s->pg[p] & PG_READ) && s->early++ == 0)
			s->first_early = p;
		if (s->pg[p] & PG_FLAGGED)
			s->wasted++;
		s->pg[p] &= PG_READ;
		s->evicted++;
		s->cached--;
	}
}

/* The fake kernel's answer, from the model. */
static int sim_cmd(void *arg, const struct modelfs_cmd *c)
{
	struct sim *s = arg;
	struct sim_range *nq;
	uint64_t end;

	if (c->ino != s->ino)
		return -ENOENT;
	if (c->reserved || !c->len || c->off >= s->size)
		return -EINVAL;
	end = c->len > s->size - c->off ? s->size : c->off + c->len;
	if (c->type == MODELFS_CMD_EVICT) {
		sim_evict(s, c->off / SIM_PAGE, (end - 1) / SIM_PAGE);
		return 0;
	}
	if (c->type != MODELFS_CMD_PREFETCH)
		return -EINVAL;
	if (s->qt == s->qcap) {
		s->qcap = s->qcap ? 2 * s->qcap : 64;
		nq = realloc(s->q, s->qcap * sizeof(*nq));
		assert_non_null(nq);
		s->q = nq;
	}
	s->q[s->qt].first = c->off / SIM_PAGE;
	s->q[s->qt].last = (end - 1) / SIM_PAGE;
	s->qt++;
	return 0;
}

/* The device's share of the time the reader takes for one page. */
static void sim_device(struct sim *s)
{
	struct sim_range *r;

	s->credit += s->rate_num;
	while (s->credit >= s->rate_den && s->qh < s->qt) {
		r = &s->q[s->qh];
		/* cached pages cost no I/O: skipped, as the kernel does */
		if (!(s->pg[r->first] & PG_CACHED)) {
			sim_fill(s, r->first, PG_FLAGGED);
			s->pf_fills++;
			s->credit -= s->rate_den;
		}
		if (r->first++ == r->last)
			s->qh++;
	}
	if (s->qh == s->qt)
		s->credit = 0;
}

static void sim_emit(struct sim *s, uint32_t type, uint64_t first,
		     uint64_t pages)
{
	struct modelfs_event e = make_event(type, s->ino, first * SIM_PAGE,
					    pages * SIM_PAGE);

	assert_int_equal(modelfs_dispatch(s->f->rt, s->f->pol, s->f->ps, &e), 0);
}

/*
 * Read [start, start + nr) as page_cache_ra_unbounded() does: missing
 * pages only, one READAHEAD per run of them (emitted while they are
 * locked), the marker on page start + nr - async if it is a new one.
 */
static void sim_ra_window(struct sim *s, uint64_t start, uint64_t nr,
			  uint64_t async)
{
	uint64_t p, run, end = min_u64(start + nr, s->pages);

	s->ra_start = start;
	s->ra_size = nr;
	s->ra_async = async;
	for (p = start; p < end;) {
		if (s->pg[p] & PG_CACHED) {
			p++;
			continue;
		}
		for (run = p; run < end && !(s->pg[run] & PG_CACHED); run++)
			s->pg[run] |= PG_LOCKED;
		sim_emit(s, MODELFS_EV_READAHEAD, p, run - p);
		for (; p < run; p++) {
			sim_fill(s, p, p == start + nr - async ? PG_MARK : 0);
			s->ra_fills++;
		}
	}
}

static uint64_t sim_ra_max(uint64_t req)
{
	return req > SIM_RA_PAGES ? min_u64(req, SIM_IO_PAGES) : SIM_RA_PAGES;
}

/* get_next_ra_size() */
static uint64_t sim_ra_next(uint64_t cur, uint64_t max)
{
	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/* A read of @req more pages finds page @p missing: initial readahead. */
static void sim_sync_ra(struct sim *s, uint64_t p, uint64_t req)
{
	uint64_t max = sim_ra_max(req), size = 1, async, add;

	while (size < req)
		size <<= 1;
	if (size <= max / 32)
		size *= 4;
	else if (size <= max / 4)
		size *= 2;
	else
		size = max;
	async = size > req ? size - req : size;
	if (size == async) {
		/* the read would hit its own marker: merged now */
		add = sim_ra_next(size, max);
		if (size + add <= max) {
			async = add;
			size += add;
		} else {
			size = max;
			async = max / 2;
		}
	}
	sim_ra_window(s, p, size, async);
}

/* The reader reached the marker on @p: the next window, asynchronously. */
static void sim_async_ra(struct sim *s, uint64_t p, uint64_t req)
{
	uint64_t max = sim_ra_max(req), start, size;

	if (p == s->ra_start + s->ra_size - s->ra_async) {
		start = s->ra_start + s->ra_size;
		size = sim_ra_next(s->ra_size, max);
	} else {
		/* a marker of an older window: ramp up from the cached run */
		for (start = p + 1; start < s->pages && start - p <= max &&
		     (s->pg[start] & PG_CACHED); start++)
			;
		if (start >= s->pages || start - p > max)
			return;
		size = sim_ra_next(start - p + req, max);
	}
	if (start < s->pages)
		sim_ra_window(s, start, size, size);
}

/* One read() of [off, off + len). */
static void sim_read(struct sim *s, uint64_t off, uint64_t len)
{
	uint64_t first = off / SIM_PAGE, last = (off + len - 1) / SIM_PAGE;
	uint64_t p, lo = UINT64_MAX, hi = 0;

	/* modelfs_read_iter(): the flagged pages it is about to use */
	for (p = first; p <= last; p++) {
		if (s->pg[p] & PG_FLAGGED) {
			s->pg[p] &= (uint8_t)~PG_FLAGGED;
			lo = min_u64(lo, p);
			hi = p;
		}
	}
	if (lo != UINT64_MAX)
		sim_emit(s, MODELFS_EV_HIT, lo, hi + 1 - lo);
	/* filemap_read(): page by page, the device working meanwhile */
	for (p = first; p <= last; p++) {
		sim_device(s);
		if (!(s->pg[p] & PG_CACHED))
			sim_sync_ra(s, p, last + 1 - p);
		if (!(s->pg[p] & PG_CACHED)) {
			/* readahead's pages went again: read_folio() */
			s->pg[p] |= PG_LOCKED;
			sim_emit(s, MODELFS_EV_MISS, p, 1);
			sim_fill(s, p, 0);
			s->ra_fills++;
		}
		if (s->pg[p] & PG_MARK) {
			s->pg[p] &= (uint8_t)~PG_MARK;
			sim_async_ra(s, p, last + 1 - p);
		}
		s->pg[p] |= PG_READ;
	}
}

/* A safetensors model as tests/bench/modelfs/mkmodel.c lays it out. */
struct sim_tensor {
	char name[64];
	uint64_t off, len;
	long rank;
};

struct sim_model {
	struct sim_tensor t[1 + SIM_LAYERS * 9 + 2];
	int nr;
	uint64_t hdr_len, size;
};

static int sim_by_name(const void *a, const void *b)
{
	return strcmp(((const struct sim_tensor *)a)->name,
		      ((const struct sim_tensor *)b)->name);
}

static int sim_by_rank(const void *a, const void *b)
{
	const struct sim_tensor *x = a, *y = b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static void sim_add(struct sim_model *m, const char *name, uint64_t len,
		    long rank)
{
	struct sim_tensor *t = &m->t[m->nr++];

	snprintf(t->name, sizeof(t->name), "%s", name);
	t->len = len / SIM_PAGE * SIM_PAGE;
	if (!t->len)
		t->len = SIM_PAGE;
	t->rank = rank;
}

/*
 * Stored in name order ("layers.10" before "layers.2"), read layer by
 * layer, each layer in its forward order: the loader's order is not the
 * file's. The data starts after a header of no round size.
 */
static void sim_model_make(struct sim_model *m, uint64_t total)
{
	static const struct { const char *name; int parts; } part[] = {
		{ "input_layernorm", 0 }, { "self_attn.q_proj", 3 },
		{ "self_attn.k_proj", 2 }, { "self_attn.v_proj", 2 },
		{ "self_attn.o_proj", 3 }, { "post_attention_layernorm", 0 },
		{ "mlp.gate_proj", 18 }, { "mlp.up_proj", 18 },
		{ "mlp.down_proj", 18 },
	};
	uint64_t layer = total / (SIM_LAYERS + 1), off;
	char name[64];
	int l, i;

	memset(m, 0, sizeof(*m));
	m->hdr_len = 20000;
	sim_add(m, "model.embed_tokens", layer / 2, 0);
	for (l = 0; l < SIM_LAYERS; l++)
		for (i = 0; i < 9; i++) {
			snprintf(name, sizeof(name), "model.layers.%d.%s", l,
				 part[i].name);
			sim_add(m, name, part[i].parts ?
				layer / 64 * part[i].parts : SIM_PAGE,
				1 + l * 100L + i);
		}
	sim_add(m, "model.norm", SIM_PAGE, 1L << 40);
	sim_add(m, "lm_head", layer / 2, (1L << 40) + 1);
	qsort(m->t, m->nr, sizeof(m->t[0]), sim_by_name);
	off = 8 + m->hdr_len;
	for (i = 0; i < m->nr; i++) {
		m->t[i].off = off;
		off += m->t[i].len;
	}
	m->size = off;
	qsort(m->t, m->nr, sizeof(m->t[0]), sim_by_rank);
}

static struct sim *sim_start(struct policy_fix *f, uint64_t ino, uint64_t size,
			     unsigned int num, unsigned int den)
{
	struct sim *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->f = f;
	s->ino = ino;
	s->size = size;
	s->pages = (size + SIM_PAGE - 1) / SIM_PAGE;
	s->pg = calloc(s->pages, 1);
	assert_non_null(s->pg);
	s->rate_num = num;
	s->rate_den = den;
	f->answer = sim_cmd;
	f->answer_arg = s;
	return s;
}

static void sim_stop(struct policy_fix *f)
{
	struct sim *s = f->answer_arg;

	free(s->pg);
	free(s->q);
	free(s);
	f->answer = NULL;
	f->answer_arg = NULL;
}

/* One cold load by the loader: header, then every tensor, 4 MiB a read. */
static void sim_load(struct policy_fix *f, struct sim *s,
		     const struct sim_model *m)
{
	uint64_t off, end;
	int i;

	send_ev(f, MODELFS_EV_OPEN, s->ino, 0, s->size);
	sim_read(s, 0, 8);
	sim_read(s, 8, m->hdr_len);
	for (i = 0; i < m->nr; i++) {
		end = m->t[i].off + m->t[i].len;
		for (off = m->t[i].off; off < end; off += SIM_READ)
			sim_read(s, off, min_u64(SIM_READ, end - off));
	}
	send_ev(f, MODELFS_EV_CLOSE, s->ino, 0, s->size);
}

/*
 * A 2 GiB model loaded cold twice: recorded, then replayed with the
 * VM's window. The replay must read each page from the device about
 * once, and never evict a page before the reader has had it.
 */
static void check_replay(struct policy_fix *f, unsigned int num,
			 unsigned int den)
{
	static struct sim_model m;
	struct sim *s;
	uint64_t reads;

	sim_model_make(&m, 2 * GiB);
	assert_int_equal(start(f, 20 * MiB), MODELFS_TEMPLATE_RECORD);
	s = sim_start(f, 90, m.size, num, den);
	sim_load(f, s, &m);
	assert_int_equal(s->pf_fills, 0);
	sim_stop(f);
	stop(f);

	assert_int_equal(start(f, 20 * MiB), MODELFS_TEMPLATE_REPLAY);
	s = sim_start(f, 90, m.size, num, den);
	sim_load(f, s, &m);
	reads = s->pf_fills + s->ra_fills;
	print_message("device %u/%u: %llu pages, read %llu (prefetch %llu, readahead %llu), evicted %llu, wasted %llu, early %llu, peak %llu cached\n",
		      num, den, (unsigned long long)s->pages,
		      (unsigned long long)reads,
		      (unsigned long long)s->pf_fills,
		      (unsigned long long)s->ra_fills,
		      (unsigned long long)s->evicted,
		      (unsigned long long)s->wasted,
		      (unsigned long long)s->early,
		      (unsigned long long)s->peak);
	if (s->early)
		fail_msg("%llu pages evicted before the reader had them, the first at %llu",
			 (unsigned long long)s->early,
			 (unsigned long long)s->first_early * SIM_PAGE);
	if (reads * 10 > s->pages * 11)
		fail_msg("%llu pages read from the device for a file of %llu",
			 (unsigned long long)reads, (unsigned long long)s->pages);
	sim_stop(f);
	stop(f);
}

/* The device keeps ahead of the reader: the template does the reading. */
static void test_load_prefetch_ahead(void **state)
{
	check_replay(*state, 2, 1);
}

/* The reader catches up with the device: readahead and prefetch share. */
static void test_load_reader_catches_up(void **state)
{
	check_replay(*state, 1, 2);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_bad_opts),
		T(test_record),
		T(test_roundtrip),
		T(test_window_and_evict),
		T(test_reader_ahead),
		T(test_overrun_kept),
		T(test_reread_kept),
		T(test_pressure_order),
		T(test_window_shared),
		T(test_default_window),
		T(test_size_changed),
		T(test_new_files_added),
		T(test_corrupt_replaced),
		T(test_corrupt_logged_once),
		T(test_enoent_forgets),
		T(test_load_prefetch_ahead),
		T(test_load_reader_catches_up),
	};
#undef T

	return cmocka_run_group_tests_name("policy_template", tests, NULL, NULL);
}
