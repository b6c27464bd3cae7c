/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/oe_sentry.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_OE_SENTRY_H
#define _UAPI_LINUX_OE_SENTRY_H

#define OE_SENTRY_FAMILY_NAME		"oe_sentry"
#define OE_SENTRY_FAMILY_VERSION	1

/**
 * enum oe_sentry_oom_scope - What constrained the OOM kill.
 * @OE_SENTRY_OOM_SCOPE_GLOBAL: The whole system was out of memory.
 * @OE_SENTRY_OOM_SCOPE_MEMCG: The victim's memory cgroup reached its limit.
 */
enum oe_sentry_oom_scope {
	OE_SENTRY_OOM_SCOPE_GLOBAL,
	OE_SENTRY_OOM_SCOPE_MEMCG,
};

enum {
	OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL = 1,
	OE_SENTRY_A_STATE_EVENTS_SENT,
	OE_SENTRY_A_STATE_EVENTS_LOST,
	OE_SENTRY_A_STATE_PAD,

	__OE_SENTRY_A_STATE_MAX,
	OE_SENTRY_A_STATE_MAX = (__OE_SENTRY_A_STATE_MAX - 1)
};

enum {
	OE_SENTRY_A_EVENT_SEQ = 1,
	OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL,
	OE_SENTRY_A_EVENT_PID,
	OE_SENTRY_A_EVENT_COMM,
	OE_SENTRY_A_EVENT_CGROUP,
	OE_SENTRY_A_EVENT_OOM_SCOPE,
	OE_SENTRY_A_EVENT_TOTAL_VM_KB,
	OE_SENTRY_A_EVENT_RSS_KB,
	OE_SENTRY_A_EVENT_PAD,

	__OE_SENTRY_A_EVENT_MAX,
	OE_SENTRY_A_EVENT_MAX = (__OE_SENTRY_A_EVENT_MAX - 1)
};

enum {
	OE_SENTRY_CMD_GET_STATE = 1,
	OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED,
	OE_SENTRY_CMD_OOM_KILL,

	__OE_SENTRY_CMD_MAX,
	OE_SENTRY_CMD_MAX = (__OE_SENTRY_CMD_MAX - 1)
};

#define OE_SENTRY_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_OE_SENTRY_H */
