/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pure part of the modelfs module: oe_modelfs netlink messages,
 * /proc/self/mountinfo lookups (libmount) and the JSON of replies. No socket or
 * file I/O, so it is tested against buffers built in memory.
 */
#ifndef OE_CTLD_MODELFS_MSG_H
#define OE_CTLD_MODELFS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

struct genl_attr_set;
struct json_object;
struct libmnt_table;
struct nl_msg;
struct modelfs_stats;
struct modelfs_template_info;

#define MODELFS_LOWERDIR_MAX	4096

/* One ModelFS mount as MOUNT_GET describes it. */
struct modelfs_mount_info {
	uint32_t major, minor;
	char lowerdir[MODELFS_LOWERDIR_MAX];
	bool policy_attached;
	/* counters: 0 when the kernel leaves one out */
	uint64_t hits;
	uint64_t misses;
	uint64_t readahead_pages;
	uint64_t prefetched_pages;
	uint64_t evicted_pages;
	uint64_t wasted_pages;
	uint64_t lower_bytes;
	uint64_t events_dropped;
	uint32_t prefetch_inflight;
};

/*
 * Fill @msg (fresh from nlmsg_alloc()) with a MOUNT_GET request to
 * @family: a dump of every mount if @dump, else a do for
 * @major:@minor. 0 or -ENOMEM.
 */
int modelfs_msg_build_get(struct nl_msg *msg, int family, bool dump,
			  uint32_t major, uint32_t minor);

/* The policy modelfs_msg_parse_mount() checks with (for the tests). */
extern const struct genl_attr_set modelfs_mount_attrs;

/*
 * Parse one MOUNT_GET reply. 0, or -errno: EBADMSG truncated, EOPNOTSUPP
 * another command, ENOENT dev-major, dev-minor, lowerdir or
 * policy-attached missing, EINVAL an attribute that breaks the set's
 * policy (wrong size, lowerdir without its NUL or too long) or a
 * policy-attached other than 0 or 1. Attributes above the set's last (a
 * newer kernel's) are ignored. @out is untouched on failure.
 */
int modelfs_msg_parse_mount(const struct nlmsghdr *nlh,
			    struct modelfs_mount_info *out);

/*
 * The first mountpoint of the modelfs mount with device @major:@minor in
 * @tb (libmount's table of /proc/self/mountinfo; libmount undoes its octal
 * escapes). 0, -ENOENT none, -ENAMETOOLONG @len too small, -ENOMEM.
 */
int modelfs_mountinfo_find(struct libmnt_table *tb, uint32_t major,
			   uint32_t minor, char *buf, size_t len);

/*
 * {"dev":"M:m","major":M,"minor":m,"mountpoint":path|null,"lowerdir":..,
 *  "policy_attached":bool} and, with @counters, "kernel":{...}.
 */
struct json_object *modelfs_mount_to_json(const struct modelfs_mount_info *m,
					  const char *mountpoint, bool counters);

/* {"events":..,"overflows":..,"prefetch_cmds":..,"evict_cmds":..,"cmd_errors":..} */
struct json_object *modelfs_rt_stats_to_json(const struct modelfs_stats *s);

/*
 * One template: {"name":..,"files":..,"ranges":..,"bytes":..,"load_ns":..}
 * when @rc is 0, {"name":..,"corrupt":true} for -EBADMSG, else
 * {"name":..,"error":"<strerror>"}.
 */
struct json_object *modelfs_template_to_json(const char *name, int rc,
					     const struct modelfs_template_info *info);

#endif
