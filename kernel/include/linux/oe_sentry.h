/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oe_sentry: the producers' side of the oe_sentry generic netlink family.
 */
#ifndef _LINUX_OE_SENTRY_H
#define _LINUX_OE_SENTRY_H

#include <linux/types.h>

struct task_struct;

#ifdef CONFIG_OE_SENTRY
void oe_sentry_oom_kill(struct task_struct *victim, bool memcg_oom);
#else
static inline void oe_sentry_oom_kill(struct task_struct *victim,
				      bool memcg_oom)
{
}
#endif

#endif /* _LINUX_OE_SENTRY_H */
