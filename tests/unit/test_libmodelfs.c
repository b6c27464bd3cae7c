// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the libmodelfs runtime over a SOCK_SEQPACKET socketpair
 * standing in for the channel (each write/read is one record).
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>

#include "policy_fixture.h"
#include "util.h"

/* The runtime alone: the tests read its commands from the peer end. */
static int setup(void **state)
{
	struct policy_fix *f = policy_fix_new(NULL);

	if (!f)
		return -1;
	fcntl(f->peer, F_SETFL, O_NONBLOCK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	policy_fix_free(*state);
	return 0;
}

static struct modelfs_event ev(uint32_t type, uint64_t ino, uint64_t off,
			       uint64_t len)
{
	return make_event(type, ino, off, len);
}

static void peer_send(struct policy_fix *f, const struct modelfs_event *e,
		      size_t n)
{
	assert_int_equal(write(f->peer, e, n * sizeof(*e)),
			 (ssize_t)(n * sizeof(*e)));
}

/* Read one command from the peer end; asserts it is exactly one record. */
static void peer_cmd(struct policy_fix *f, struct modelfs_cmd *c)
{
	unsigned char buf[sizeof(*c) + 16];

	assert_int_equal(read(f->peer, buf, sizeof(buf)), (ssize_t)sizeof(*c));
	memcpy(c, buf, sizeof(*c));
}

static void assert_no_cmd(struct policy_fix *f)
{
	unsigned char buf[64];

	assert_int_equal(read(f->peer, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
}

static void test_init_fd(void **state)
{
	struct policy_fix *f = *state;
	int fd = modelfs_fd(f->rt);
	const struct modelfs_stats *s = modelfs_stats(f->rt);

	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(s->events, 0);
	assert_int_equal(s->cmd_errors, 0);

	errno = 0;
	assert_null(modelfs_init_fd(-1));
	assert_int_equal(errno, EBADF);
	assert_null(modelfs_init(NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(modelfs_init("/nonexistent/modelfs/mount"));
	assert_int_equal(errno, ENOENT);
	/* not a ModelFS mount: the ioctl is refused */
	assert_null(modelfs_init("/"));
	assert_true(errno == ENOTTY || errno == EINVAL);
	modelfs_exit(NULL);
}

static void test_read_empty(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_event evs[4];

	assert_int_equal(modelfs_read_events(f->rt, evs, 4), 0);
	assert_int_equal(modelfs_read_events(f->rt, evs, 0), -EINVAL);
	assert_int_equal(modelfs_read_events(f->rt, evs, -1), -EINVAL);
}

static void test_read_batches(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_event in[5], out[8];
	int i;

	for (i = 0; i < 5; i++) {
		in[i] = ev(MODELFS_EV_MISS, 100 + i, 4096 * i, 4096);
		peer_send(f, &in[i], 1);
	}
	/* a buffer smaller than the queue: only what fits */
	assert_int_equal(modelfs_read_events(f->rt, out, 3), 3);
	for (i = 0; i < 3; i++)
		assert_memory_equal(&out[i], &in[i], sizeof(in[i]));
	assert_int_equal(modelfs_read_events(f->rt, out, 8), 2);
	assert_memory_equal(&out[0], &in[3], sizeof(in[3]));
	assert_memory_equal(&out[1], &in[4], sizeof(in[4]));
	assert_int_equal(modelfs_read_events(f->rt, out, 8), 0);

	/* several records in one read, as the kernel returns them */
	in[0] = ev(MODELFS_EV_OPEN, 7, 0, 1 << 20);
	in[1] = ev(MODELFS_EV_READAHEAD, 7, 0, 128 << 10);
	in[2] = ev(MODELFS_EV_CLOSE, 7, 0, 0);
	peer_send(f, in, 3);
	assert_int_equal(modelfs_read_events(f->rt, out, 8), 3);
	assert_memory_equal(out, in, 3 * sizeof(in[0]));
	/* reading does not count events; dispatch does */
	assert_int_equal(modelfs_stats(f->rt)->events, 0);
}

static void test_read_bad_record(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_event out[2];
	char junk[10] = { 0 };

	assert_int_equal(write(f->peer, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	assert_int_equal(modelfs_read_events(f->rt, out, 2), -EPROTO);
}

static void test_read_closed(void **state)
{
	struct policy_fix *f = *state;
	struct modelfs_event e = ev(MODELFS_EV_OPEN, 1, 0, 10), out[2];

	peer_send(f, &e, 1);
	close(f->peer);
	f->peer = -1;
	/* what was queued first, then the end of the channel */
	assert_int_equal(modelfs_read_events(f->rt, out, 2), 1);
	assert_memory_equal(&out[0], &e, sizeof(e));
	assert_int_equal(modelfs_read_events(f->rt, out, 2), -EPIPE);
}

/* The next command written to the channel is exactly this one. */
static void expect_peer_cmd(struct policy_fix *f, uint32_t type, uint64_t ino,
			    uint64_t off, uint64_t len)
{
	struct modelfs_cmd c;

	memset(&c, 0xff, sizeof(c));
	peer_cmd(f, &c);
	assert_int_equal(c.type, type);
	assert_int_equal(c.reserved, 0);
	assert_int_equal(c.ino, ino);
	assert_int_equal(c.off, off);
	assert_int_equal(c.len, len);
}

static void test_cmd_encoding(void **state)
{
	struct policy_fix *f = *state;
	const struct modelfs_stats *s = modelfs_stats(f->rt);

	assert_int_equal(sizeof(struct modelfs_cmd), 32);
	assert_int_equal(modelfs_prefetch(f->rt, 0x1122334455667788ULL, 4096,
					  8 << 20), 0);
	expect_peer_cmd(f, MODELFS_CMD_PREFETCH, 0x1122334455667788ULL, 4096, 8 << 20);
	assert_int_equal(modelfs_evict(f->rt, 42, 0, 12345), 0);
	expect_peer_cmd(f, MODELFS_CMD_EVICT, 42, 0, 12345);

	/* SET_RA and DONE: no range, and 0 is a valid length */
	assert_int_equal(modelfs_set_ra(f->rt, 7, 1 << 20), 0);
	expect_peer_cmd(f, MODELFS_CMD_SET_RA, 7, 0, 1 << 20);
	assert_int_equal(modelfs_set_ra(f->rt, 0, 0), 0);
	expect_peer_cmd(f, MODELFS_CMD_SET_RA, 0, 0, 0);
	assert_int_equal(modelfs_done(f->rt, 9), 0);
	expect_peer_cmd(f, MODELFS_CMD_DONE, 9, 0, 0);
	assert_no_cmd(f);

	assert_int_equal(s->prefetch_cmds, 1);
	assert_int_equal(s->evict_cmds, 1);
	assert_int_equal(s->other_cmds, 3);
	assert_int_equal(s->cmd_errors, 0);

	/* refused before sending: empty or wrapping range */
	assert_int_equal(modelfs_prefetch(f->rt, 1, 0, 0), -EINVAL);
	assert_int_equal(modelfs_evict(f->rt, 1, UINT64_MAX, 2), -EINVAL);
	assert_no_cmd(f);
	assert_int_equal(s->cmd_errors, 2);
	assert_int_equal(s->prefetch_cmds, 1);
	assert_int_equal(s->evict_cmds, 1);
}

static void test_cmd_write_error(void **state)
{
	struct policy_fix *f = *state;
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	close(f->peer);
	f->peer = -1;
	assert_int_equal(modelfs_prefetch(f->rt, 1, 0, 4096), -EPIPE);
	assert_int_equal(modelfs_stats(f->rt)->cmd_errors, 1);
	assert_int_equal(modelfs_stats(f->rt)->prefetch_cmds, 0);
	signal(SIGPIPE, old);
}

/* A fake kernel: knows file 5 (size 1 MiB) and directory 6. */
struct fake {
	int calls;
	struct modelfs_cmd last;
};

static int fake_kernel(void *arg, const struct modelfs_cmd *c)
{
	struct fake *k = arg;

	k->calls++;
	k->last = *c;
	if (c->reserved || !c->len ||
	    (c->type != MODELFS_CMD_PREFETCH && c->type != MODELFS_CMD_EVICT))
		return -EINVAL;
	if (c->ino == 6)
		return -EISDIR;
	if (c->ino != 5)
		return -ENOENT;
	if (c->off >= (1 << 20))
		return -EINVAL;
	return 0;
}

static void test_cmd_errors(void **state)
{
	struct policy_fix *f = *state;
	const struct modelfs_stats *s = modelfs_stats(f->rt);
	struct fake k = { 0 };

	modelfs_set_cmd_hook(f->rt, fake_kernel, &k);
	assert_int_equal(modelfs_prefetch(f->rt, 5, 0, 4096), 0);
	assert_int_equal(k.last.type, MODELFS_CMD_PREFETCH);
	assert_int_equal(k.last.reserved, 0);
	assert_int_equal(modelfs_prefetch(f->rt, 9, 0, 4096), -ENOENT);
	assert_int_equal(modelfs_evict(f->rt, 5, 1 << 20, 4096), -EINVAL);
	assert_int_equal(k.last.type, MODELFS_CMD_EVICT);
	assert_int_equal(modelfs_evict(f->rt, 6, 0, 1), -EISDIR);
	assert_int_equal(modelfs_evict(f->rt, 5, 0, 1 << 20), 0);
	assert_int_equal(k.calls, 5);
	assert_int_equal(s->prefetch_cmds, 1);
	assert_int_equal(s->evict_cmds, 1);
	assert_int_equal(s->cmd_errors, 3);
	/* nothing went to the channel */
	assert_no_cmd(f);

	/* hook removed: back to the channel */
	modelfs_set_cmd_hook(f->rt, NULL, NULL);
	assert_int_equal(modelfs_prefetch(f->rt, 9, 0, 4096), 0);
	assert_int_equal(k.calls, 5);
	{
		struct modelfs_cmd c;

		peer_cmd(f, &c);
		assert_int_equal(c.ino, 9);
	}
}

struct rec {
	int init, exit, prefetch, evict;
	uint32_t last_type;
};

static void rec_prefetch(struct modelfs_rt *rt, void *state,
			 const struct modelfs_event *e)
{
	struct rec *r = state;

	assert_non_null(rt);
	r->prefetch++;
	r->last_type = e->type;
}

static void rec_evict(struct modelfs_rt *rt, void *state,
		      const struct modelfs_event *e)
{
	struct rec *r = state;

	assert_non_null(rt);
	r->evict++;
	r->last_type = e->type;
}

static const struct modelfs_policy rec_policy = {
	.name = "recorder",
	.prefetch = rec_prefetch,
	.evict = rec_evict,
};

static void test_dispatch(void **state)
{
	struct policy_fix *f = *state;
	const struct modelfs_stats *s = modelfs_stats(f->rt);
	static const uint32_t to_prefetch[] = {
		MODELFS_EV_OPEN, MODELFS_EV_MISS, MODELFS_EV_READAHEAD,
		MODELFS_EV_CLOSE, MODELFS_EV_HIT, MODELFS_EV_FAULT,
	};
	struct rec r = { 0 };
	struct modelfs_event e;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(to_prefetch); i++) {
		e = ev(to_prefetch[i], 3, 0, 4096);
		assert_int_equal(modelfs_dispatch(f->rt, &rec_policy, &r, &e), 0);
		assert_int_equal(r.prefetch, (int)i + 1);
		assert_int_equal(r.last_type, to_prefetch[i]);
	}
	assert_int_equal(r.evict, 0);

	e = ev(MODELFS_EV_PRESSURE, 0, 0, 100);
	assert_int_equal(modelfs_dispatch(f->rt, &rec_policy, &r, &e), 0);
	assert_int_equal(r.evict, 1);
	assert_int_equal(r.last_type, MODELFS_EV_PRESSURE);
	assert_int_equal(r.prefetch, 6);

	/* OVERFLOW: accounted, not passed on */
	e = ev(MODELFS_EV_OVERFLOW, 0, 0, 17);
	assert_int_equal(modelfs_dispatch(f->rt, &rec_policy, &r, &e), 0);
	e.len = 3;
	assert_int_equal(modelfs_dispatch(f->rt, &rec_policy, &r, &e), 0);
	assert_int_equal(s->overflows, 20);
	assert_int_equal(r.prefetch, 6);
	assert_int_equal(r.evict, 1);

	/* unknown types */
	e = ev(0, 0, 0, 0);
	assert_int_equal(modelfs_dispatch(f->rt, &rec_policy, &r, &e), -EINVAL);
	e = ev(MODELFS_EV_FAULT + 1, 0, 0, 5);
	assert_int_equal(modelfs_dispatch(f->rt, &rec_policy, &r, &e), -EINVAL);
	assert_int_equal(r.prefetch, 6);
	assert_int_equal(r.evict, 1);
	assert_int_equal(s->overflows, 20);
	assert_int_equal(s->events, 11);

	/* a policy without callbacks, or none at all */
	{
		static const struct modelfs_policy empty = { .name = "empty" };

		e = ev(MODELFS_EV_OPEN, 1, 0, 1);
		assert_int_equal(modelfs_dispatch(f->rt, &empty, NULL, &e), 0);
		e = ev(MODELFS_EV_PRESSURE, 0, 0, 1);
		assert_int_equal(modelfs_dispatch(f->rt, NULL, NULL, &e), 0);
	}
	assert_int_equal(s->events, 13);
	assert_no_cmd(f);
}

static void test_policy_find(void **state)
{
	(void)state;
	assert_ptr_equal(modelfs_policy_find("sequential"),
			 &modelfs_policy_sequential);
	assert_ptr_equal(modelfs_policy_find("template"),
			 &modelfs_policy_template);
	assert_ptr_equal(modelfs_policy_find("aggregate"),
			 &modelfs_policy_aggregate);
	assert_string_equal(modelfs_policy_sequential.name, "sequential");
	assert_string_equal(modelfs_policy_template.name, "template");
	assert_string_equal(modelfs_policy_aggregate.name, "aggregate");
	assert_null(modelfs_policy_find("nope"));
	assert_null(modelfs_policy_find("Template"));
	assert_null(modelfs_policy_find(""));
	assert_null(modelfs_policy_find(NULL));
	assert_ptr_equal(modelfs_policies[0], &modelfs_policy_sequential);
	assert_ptr_equal(modelfs_policies[1], &modelfs_policy_template);
	assert_ptr_equal(modelfs_policies[2], &modelfs_policy_aggregate);
	assert_null(modelfs_policies[3]);
}

/* The names for messages; a buffer too small holds what fits. */
static void test_policy_names(void **state)
{
	char buf[64];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(modelfs_policy_names(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sequential, template, aggregate");
	/* exactly: the NUL fits, one byte less and it does not */
	assert_int_equal(modelfs_policy_names(buf, 32), 0);
	assert_string_equal(buf, "sequential, template, aggregate");
	assert_int_equal(modelfs_policy_names(buf, 31), -ENAMETOOLONG);
	assert_string_equal(buf, "sequential, template, aggregat");
	assert_int_equal(modelfs_policy_names(buf, 5), -ENAMETOOLONG);
	assert_string_equal(buf, "sequ");
	assert_int_equal(modelfs_policy_names(buf, 1), -ENAMETOOLONG);
	assert_string_equal(buf, "");
	buf[0] = 'x';
	assert_int_equal(modelfs_policy_names(buf, 0), -ENAMETOOLONG);
	assert_int_equal(buf[0], 'x');
}

/* Events in through the channel, the policy's commands out of it. */
static void test_end_to_end(void **state)
{
	struct policy_fix *f = *state;
	const struct modelfs_policy *pol = modelfs_policy_find("sequential");
	struct modelfs_event in[2], out[4];
	struct modelfs_policy_opts opts = { .window = 1 << 20 };
	struct modelfs_cmd c;
	void *ps = NULL;
	int i, n;

	assert_non_null(pol);
	assert_int_equal(pol->init(f->rt, &opts, &ps), 0);
	in[0] = ev(MODELFS_EV_OPEN, 11, 0, 3 << 20);
	in[1] = ev(MODELFS_EV_READAHEAD, 11, 512 << 10, 128 << 10);
	peer_send(f, in, 2);
	n = modelfs_read_events(f->rt, out, 4);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		assert_int_equal(modelfs_dispatch(f->rt, pol, ps, &out[i]), 0);
	peer_cmd(f, &c);
	assert_int_equal(c.type, MODELFS_CMD_PREFETCH);
	assert_int_equal(c.ino, 11);
	assert_int_equal(c.off, 0);
	assert_int_equal(c.len, 1 << 20);
	peer_cmd(f, &c);
	assert_int_equal(c.type, MODELFS_CMD_PREFETCH);
	assert_int_equal(c.off, 1 << 20);
	assert_int_equal(c.len, 512 << 10);
	assert_no_cmd(f);
	assert_int_equal(modelfs_stats(f->rt)->events, 2);
	assert_int_equal(modelfs_stats(f->rt)->prefetch_cmds, 2);
	pol->exit(ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_bad_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_encoding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
		cmocka_unit_test(test_policy_find),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test_setup_teardown(test_end_to_end, setup, teardown),
	};

	return cmocka_run_group_tests_name("libmodelfs", tests, NULL, NULL);
}
