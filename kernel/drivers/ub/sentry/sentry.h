/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oe_sentry internals shared with its KUnit suite.
 */
#ifndef _DRIVERS_UB_SENTRY_H
#define _DRIVERS_UB_SENTRY_H

#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/types.h>

/* What an OOM kill event reports, gathered before the message is built. */
struct oe_sentry_oom {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	const char *cgroup;	/* NULL when unknown */
	bool memcg_oom;
	u64 total_vm_kb;
	u64 rss_kb;
};

#if IS_ENABLED(CONFIG_KUNIT)
int oe_sentry_fill_oom(struct sk_buff *skb, const struct oe_sentry_oom *oom,
		       u64 seq);
int oe_sentry_fill_filemap_local(struct sk_buff *skb, unsigned int val,
				 u64 seq);
#endif

#endif /* _DRIVERS_UB_SENTRY_H */
