/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oe_sentry internals shared with its KUnit suite.
 */
#ifndef _DRIVERS_UB_SENTRY_H
#define _DRIVERS_UB_SENTRY_H

#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/types.h>

/* Longer memory cgroup paths are cut to this length in events. */
#define OE_SENTRY_CGROUP_LEN	256

/* What an OOM kill event reports, recorded when the kill happens. */
struct oe_sentry_oom {
	u64 seq;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	char cgroup[OE_SENTRY_CGROUP_LEN];	/* "" when unknown */
	bool memcg_oom;
	u64 total_vm_kb;
	u64 rss_kb;
};

#if IS_ENABLED(CONFIG_KUNIT)
int oe_sentry_fill_oom(struct sk_buff *skb, const struct oe_sentry_oom *oom);
int oe_sentry_fill_filemap_local(struct sk_buff *skb, unsigned int val,
				 u64 seq);
#endif

#endif /* _DRIVERS_UB_SENTRY_H */
