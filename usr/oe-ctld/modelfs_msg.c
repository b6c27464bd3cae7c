// SPDX-License-Identifier: GPL-2.0-only
#include "modelfs_msg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <json-c/json.h>
#include <libmount.h>
#include <linux/genetlink.h>
#include <linux/oe_modelfs.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "genl_msg.h"
#include "libmodelfs.h"
#include "util.h"

int modelfs_msg_build_get(struct nl_msg *msg, int family, bool dump,
			  uint32_t major, uint32_t minor)
{
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 dump ? NLM_F_DUMP : 0, OE_MODELFS_CMD_MOUNT_GET,
			 OE_MODELFS_FAMILY_VERSION))
		return -ENOMEM;
	if (dump)
		return 0;
	if (nla_put_u32(msg, OE_MODELFS_A_MOUNT_DEV_MAJOR, major) < 0 ||
	    nla_put_u32(msg, OE_MODELFS_A_MOUNT_DEV_MINOR, minor) < 0)
		return -ENOMEM;
	return 0;
}

/* The attribute set of oe_modelfs.yaml, every attribute. */
static const struct nla_policy mount_policy[OE_MODELFS_A_MOUNT_MAX + 1] = {
	[OE_MODELFS_A_MOUNT_DEV_MAJOR] = GENL_POLICY_U32,
	[OE_MODELFS_A_MOUNT_DEV_MINOR] = GENL_POLICY_U32,
	[OE_MODELFS_A_MOUNT_LOWERDIR] = GENL_POLICY_STRING(MODELFS_LOWERDIR_MAX),
	[OE_MODELFS_A_MOUNT_POLICY_ATTACHED] = GENL_POLICY_U8,
	[OE_MODELFS_A_MOUNT_HITS] = GENL_POLICY_U64,
	[OE_MODELFS_A_MOUNT_MISSES] = GENL_POLICY_U64,
	[OE_MODELFS_A_MOUNT_READAHEAD_PAGES] = GENL_POLICY_U64,
	[OE_MODELFS_A_MOUNT_PREFETCHED_PAGES] = GENL_POLICY_U64,
	[OE_MODELFS_A_MOUNT_EVICTED_PAGES] = GENL_POLICY_U64,
	[OE_MODELFS_A_MOUNT_WASTED_PAGES] = GENL_POLICY_U64,
	[OE_MODELFS_A_MOUNT_LOWER_BYTES] = GENL_POLICY_U64,
	[OE_MODELFS_A_MOUNT_EVENTS_DROPPED] = GENL_POLICY_U64,
	[OE_MODELFS_A_MOUNT_PREFETCH_INFLIGHT] = GENL_POLICY_U32,
	[OE_MODELFS_A_MOUNT_PAD] = GENL_POLICY_PAD,
};

const struct genl_attr_set modelfs_mount_attrs = GENL_ATTR_SET(mount_policy);

int modelfs_msg_parse_mount(const struct nlmsghdr *nlh,
			    struct modelfs_mount_info *out)
{
	static const struct {
		int type;
		size_t off;
	} counters[] = {
		{ OE_MODELFS_A_MOUNT_HITS, offsetof(struct modelfs_mount_info, hits) },
		{ OE_MODELFS_A_MOUNT_MISSES, offsetof(struct modelfs_mount_info, misses) },
		{ OE_MODELFS_A_MOUNT_READAHEAD_PAGES,
		  offsetof(struct modelfs_mount_info, readahead_pages) },
		{ OE_MODELFS_A_MOUNT_PREFETCHED_PAGES,
		  offsetof(struct modelfs_mount_info, prefetched_pages) },
		{ OE_MODELFS_A_MOUNT_EVICTED_PAGES,
		  offsetof(struct modelfs_mount_info, evicted_pages) },
		{ OE_MODELFS_A_MOUNT_WASTED_PAGES,
		  offsetof(struct modelfs_mount_info, wasted_pages) },
		{ OE_MODELFS_A_MOUNT_LOWER_BYTES,
		  offsetof(struct modelfs_mount_info, lower_bytes) },
		{ OE_MODELFS_A_MOUNT_EVENTS_DROPPED,
		  offsetof(struct modelfs_mount_info, events_dropped) },
	};
	struct nlattr *tb[OE_MODELFS_A_MOUNT_MAX + 1];
	uint8_t attached;
	int rc;

	if ((rc = genl_msg_parse(nlh, OE_MODELFS_CMD_MOUNT_GET, tb,
				 &modelfs_mount_attrs)) ||
	    (rc = genl_attrs_require(tb, OE_MODELFS_A_MOUNT_DEV_MAJOR,
				     OE_MODELFS_A_MOUNT_POLICY_ATTACHED)))
		return rc;
	/* a flag: the policy knows its size, not its values */
	attached = nla_get_u8(tb[OE_MODELFS_A_MOUNT_POLICY_ATTACHED]);
	if (attached > 1)
		return -EINVAL;

	/* all checked: from here on @out is written, and wholly */
	memset(out, 0, sizeof(*out));
	out->major = nla_get_u32(tb[OE_MODELFS_A_MOUNT_DEV_MAJOR]);
	out->minor = nla_get_u32(tb[OE_MODELFS_A_MOUNT_DEV_MINOR]);
	nla_strlcpy(out->lowerdir, tb[OE_MODELFS_A_MOUNT_LOWERDIR],
		    sizeof(out->lowerdir));
	out->policy_attached = attached;
	/* the counters: 0 when the kernel leaves one out */
	if (tb[OE_MODELFS_A_MOUNT_PREFETCH_INFLIGHT])
		out->prefetch_inflight =
			nla_get_u32(tb[OE_MODELFS_A_MOUNT_PREFETCH_INFLIGHT]);
	for (size_t i = 0; i < ARRAY_SIZE(counters); i++) {
		uint64_t v;

		if (!tb[counters[i].type])
			continue;
		v = nla_get_u64(tb[counters[i].type]);
		memcpy((char *)out + counters[i].off, &v, sizeof(v));
	}
	return 0;
}

int modelfs_mountinfo_find(struct libmnt_table *tb, uint32_t major,
			   uint32_t minor, char *buf, size_t len)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	dev_t dev = makedev(major, minor);
	struct libmnt_fs *fs;
	int rc = -ENOENT;

	if (!it)
		return -ENOMEM;
	/* a bind mount of it has the same device: the first one is its name */
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *target = mnt_fs_get_target(fs);

		if (mnt_fs_get_devno(fs) != dev ||
		    !mnt_fs_match_fstype(fs, "modelfs") || !target)
			continue;
		rc = strlen(target) < len ? 0 : -ENAMETOOLONG;
		if (!rc)
			memcpy(buf, target, strlen(target) + 1);
		break;
	}
	mnt_free_iter(it);
	return rc;
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

struct json_object *modelfs_mount_to_json(const struct modelfs_mount_info *m,
					  const char *mountpoint, bool counters)
{
	struct json_object *o = json_object_new_object(), *k;
	char dev[32];

	if (!o)
		return NULL;
	snprintf(dev, sizeof(dev), "%u:%u", m->major, m->minor);
	json_object_object_add(o, "dev", json_object_new_string(dev));
	json_object_object_add(o, "major", json_object_new_int64(m->major));
	json_object_object_add(o, "minor", json_object_new_int64(m->minor));
	json_object_object_add(o, "mountpoint",
			       mountpoint ? json_object_new_string(mountpoint) : NULL);
	json_object_object_add(o, "lowerdir", json_object_new_string(m->lowerdir));
	json_object_object_add(o, "policy_attached",
			       json_object_new_boolean(m->policy_attached));
	if (!counters)
		return o;
	k = json_object_new_object();
	add_u64(k, "hits", m->hits);
	add_u64(k, "misses", m->misses);
	add_u64(k, "readahead_pages", m->readahead_pages);
	add_u64(k, "prefetched_pages", m->prefetched_pages);
	add_u64(k, "evicted_pages", m->evicted_pages);
	add_u64(k, "wasted_pages", m->wasted_pages);
	add_u64(k, "lower_bytes", m->lower_bytes);
	add_u64(k, "events_dropped", m->events_dropped);
	add_u64(k, "prefetch_inflight", m->prefetch_inflight);
	json_object_object_add(o, "kernel", k);
	return o;
}

struct json_object *modelfs_rt_stats_to_json(const struct modelfs_stats *s)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_u64(o, "events", s->events);
	add_u64(o, "overflows", s->overflows);
	add_u64(o, "prefetch_cmds", s->prefetch_cmds);
	add_u64(o, "evict_cmds", s->evict_cmds);
	add_u64(o, "cmd_errors", s->cmd_errors);
	return o;
}

struct json_object *modelfs_template_to_json(const char *name, int rc,
					     const struct modelfs_template_info *info)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "corrupt", json_object_new_boolean(rc == -EBADMSG));
	if (rc == 0) {
		add_u64(o, "files", info->files);
		add_u64(o, "ranges", info->ranges);
		add_u64(o, "bytes", info->bytes);
		add_u64(o, "load_ns", info->load_ns);
	} else if (rc != -EBADMSG) {
		json_object_object_add(o, "error",
				       json_object_new_string(strerror(-rc)));
	}
	return o;
}
