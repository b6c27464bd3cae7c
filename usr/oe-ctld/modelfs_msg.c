// SPDX-License-Identifier: GPL-2.0-only
#include "modelfs_msg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <json-c/json.h>
#include <libmount.h>
#include <linux/genetlink.h>
#include <linux/oe_modelfs.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

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

/* Exactly @size bytes of payload, or absent (then *v stays as it is). */
static int attr_fixed(const struct nlattr *a, void *v, int size, bool required)
{
	if (!a)
		return required ? -ENOENT : 0;
	if (nla_len(a) != size)
		return -EINVAL;
	memcpy(v, nla_data(a), (size_t)size);
	return 0;
}

int modelfs_msg_parse_mount(const struct nlmsghdr *nlh,
			    struct modelfs_mount_info *out)
{
	struct nlattr *tb[OE_MODELFS_A_MOUNT_MAX + 1];
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
	struct modelfs_mount_info *m;
	const struct genlmsghdr *gh;
	struct nlattr *ld;
	uint8_t attached = 0;
	int rc;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	gh = nlmsg_data(nlh);
	if (gh->cmd != OE_MODELFS_CMD_MOUNT_GET)
		return -EOPNOTSUPP;
	if (nla_parse(tb, OE_MODELFS_A_MOUNT_MAX,
		      (struct nlattr *)((char *)gh + GENL_HDRLEN),
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN),
		      NULL) < 0)
		return -EINVAL;

	/* built aside, so a bad message leaves @out as it was */
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	rc = attr_fixed(tb[OE_MODELFS_A_MOUNT_DEV_MAJOR], &m->major, 4, true);
	if (!rc)
		rc = attr_fixed(tb[OE_MODELFS_A_MOUNT_DEV_MINOR], &m->minor, 4, true);
	if (!rc)
		rc = attr_fixed(tb[OE_MODELFS_A_MOUNT_POLICY_ATTACHED], &attached,
				1, true);
	if (!rc)
		rc = attr_fixed(tb[OE_MODELFS_A_MOUNT_PREFETCH_INFLIGHT],
				&m->prefetch_inflight, 4, false);
	for (size_t i = 0; !rc && i < ARRAY_SIZE(counters); i++)
		rc = attr_fixed(tb[counters[i].type], (char *)m + counters[i].off,
				8, false);
	ld = tb[OE_MODELFS_A_MOUNT_LOWERDIR];
	if (!rc && !ld)
		rc = -ENOENT;
	if (!rc) {
		const char *s = nla_data(ld);
		int len = nla_len(ld);

		if (len < 1 || s[len - 1] || strlen(s) >= sizeof(m->lowerdir))
			rc = -EINVAL;
		else
			memcpy(m->lowerdir, s, strlen(s) + 1);
	}
	if (!rc && attached > 1)
		rc = -EINVAL;
	if (!rc) {
		m->policy_attached = attached;
		memcpy(out, m, sizeof(*m));
	}
	free(m);
	return rc;
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
