/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oe_sentry netlink message parsing, kept free of socket I/O so it can be
 * tested against attribute buffers built in memory.
 */
#ifndef OE_CTLD_SENTRY_MSG_H
#define OE_CTLD_SENTRY_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

struct json_object;

struct sentry_state {
	uint32_t filemap_alloc_local;
	uint64_t events_sent;
	uint64_t events_lost;
};

enum sentry_event_type {
	SENTRY_EV_FILEMAP_LOCAL_CHANGED,
	SENTRY_EV_OOM_KILL,
};

#define SENTRY_COMM_MAX		64
#define SENTRY_CGROUP_MAX	4096

struct sentry_event {
	enum sentry_event_type type;
	uint64_t seq;
	/* filemap-local-changed */
	uint32_t filemap_alloc_local;
	/* oom-kill */
	uint32_t pid;
	uint32_t oom_scope;
	uint64_t total_vm_kb;
	uint64_t rss_kb;
	char comm[SENTRY_COMM_MAX];
	char cgroup[SENTRY_CGROUP_MAX];
};

/*
 * All parsers return 0 on success, or a negative errno:
 *   -EBADMSG     message or genl header truncated
 *   -EOPNOTSUPP  a genl command this parser does not handle
 *   -ENOENT      a required attribute is missing
 *   -EINVAL      an attribute breaks its set's policy (wrong size, a
 *                string without its NUL or too long for its buffer),
 *                or a value outside its enum
 * @out is fully written on success and untouched otherwise. Attributes
 * above the set's last (a newer kernel's) are ignored.
 */
struct genl_attr_set;

/* The policies the parsers check with, one per attribute set (for the tests). */
extern const struct genl_attr_set sentry_state_attrs;
extern const struct genl_attr_set sentry_event_attrs;

int sentry_parse_state(const struct nlmsghdr *nlh, struct sentry_state *out);
int sentry_parse_event(const struct nlmsghdr *nlh, struct sentry_event *out);

const char *sentry_event_name(enum sentry_event_type t);
const char *sentry_oom_scope_name(uint32_t scope);

/* {"feature":"sentry","event":"...","seq":N,...}; caller owns the result. */
struct json_object *sentry_event_to_json(const struct sentry_event *ev);

#endif
