/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the ModelFS cmocka tests: a libmodelfs runtime on one end of a
 * SOCK_SEQPACKET socketpair standing in for the channel, and a fake
 * kernel that keeps the commands a policy sends, for the test to check
 * them in order.
 */
#ifndef OE_TEST_POLICY_FIXTURE_H
#define OE_TEST_POLICY_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libmodelfs.h"
#include "modelfs_event.h"

#define POLICY_FIX_CMDS 512	/* commands kept; later ones only counted */
#define POLICY_FIX_GONE 8

struct policy_fix {
	struct modelfs_rt *rt;
	int peer;			/* the channel's other end, or -1 */
	const struct modelfs_policy *pol;
	void *ps;			/* the policy's state once started */
	struct modelfs_cmd cmds[POLICY_FIX_CMDS];
	int nr, seen;			/* commands sent; checked */
	uint64_t gone[POLICY_FIX_GONE];	/* inos answered ENOENT */
	int nr_gone;
	/* the kernel's answer to the other commands if set, else 0 */
	int (*answer)(void *arg, const struct modelfs_cmd *c);
	void *answer_arg;
};

/* The fake kernel, as the runtime's command hook. */
static inline int policy_fix_kernel(void *arg, const struct modelfs_cmd *c)
{
	struct policy_fix *f = arg;
	int i;

	if (f->nr < POLICY_FIX_CMDS)
		f->cmds[f->nr] = *c;
	f->nr++;
	for (i = 0; i < f->nr_gone; i++)
		if (f->gone[i] == c->ino)
			return -ENOENT;
	return f->answer ? f->answer(f->answer_arg, c) : 0;
}

/* For a teardown(): the policy's state if started, the runtime, the peer. */
static inline void policy_fix_free(struct policy_fix *f)
{
	if (f->ps && f->pol->exit)
		f->pol->exit(f->ps);
	modelfs_exit(f->rt);
	if (f->peer >= 0)
		close(f->peer);
	free(f);
}

/*
 * For a setup(): the runtime on a fresh socketpair and, given a built-in
 * @policy's name, the fake kernel and that policy, not started yet. NULL
 * if any of it fails.
 */
static inline struct policy_fix *policy_fix_new(const char *policy)
{
	struct policy_fix *f = calloc(1, sizeof(*f));
	int sv[2];

	if (!f)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		free(f);
		return NULL;
	}
	f->rt = modelfs_init_fd(sv[0]);
	if (!f->rt) {
		close(sv[0]);
		close(sv[1]);
		free(f);
		return NULL;
	}
	f->peer = sv[1];
	if (!policy)
		return f;
	modelfs_set_cmd_hook(f->rt, policy_fix_kernel, f);
	f->pol = modelfs_policy_find(policy);
	if (!f->pol) {
		policy_fix_free(f);
		return NULL;
	}
	return f;
}

static inline void send_ev(struct policy_fix *f, uint32_t type, uint64_t ino,
			   uint64_t off, uint64_t len)
{
	struct modelfs_event e = make_event(type, ino, off, len);

	assert_int_equal(modelfs_dispatch(f->rt, f->pol, f->ps, &e), 0);
}

static inline const char *policy_fix_cmd_name(uint32_t type)
{
	switch (type) {
	case MODELFS_CMD_PREFETCH:
		return "PREFETCH";
	case MODELFS_CMD_EVICT:
		return "EVICT";
	}
	return "command";
}

/* The next command must be exactly this one. */
static inline void expect_cmd(struct policy_fix *f, uint32_t type,
			      uint64_t ino, uint64_t off, uint64_t len)
{
	const struct modelfs_cmd *c;

	if (f->seen >= f->nr)
		fail_msg("expected %s ino %llu [%llu, +%llu), got no command",
			 policy_fix_cmd_name(type), (unsigned long long)ino,
			 (unsigned long long)off, (unsigned long long)len);
	if (f->seen >= POLICY_FIX_CMDS)
		fail_msg("more than %d commands: not kept", POLICY_FIX_CMDS);
	c = &f->cmds[f->seen++];
	if (c->type != type || c->ino != ino || c->off != off || c->len != len)
		fail_msg("expected %s ino %llu [%llu, +%llu), got %s ino %llu [%llu, +%llu)",
			 policy_fix_cmd_name(type), (unsigned long long)ino,
			 (unsigned long long)off, (unsigned long long)len,
			 policy_fix_cmd_name(c->type),
			 (unsigned long long)c->ino, (unsigned long long)c->off,
			 (unsigned long long)c->len);
	assert_int_equal(c->reserved, 0);
}

#define PF(f, ino, off, len) expect_cmd(f, MODELFS_CMD_PREFETCH, ino, off, len)
#define EV(f, ino, off, len) expect_cmd(f, MODELFS_CMD_EVICT, ino, off, len)

static inline void expect_no_more(struct policy_fix *f)
{
	const struct modelfs_cmd *c;

	if (f->nr == f->seen)
		return;
	if (f->seen >= POLICY_FIX_CMDS)
		fail_msg("%d more command(s)", f->nr - f->seen);
	c = &f->cmds[f->seen];
	fail_msg("%d more command(s), the next: %s ino %llu [%llu, +%llu)",
		 f->nr - f->seen, policy_fix_cmd_name(c->type),
		 (unsigned long long)c->ino, (unsigned long long)c->off,
		 (unsigned long long)c->len);
}

#endif /* OE_TEST_POLICY_FIXTURE_H */
