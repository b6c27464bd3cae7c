// SPDX-License-Identifier: GPL-2.0-only
/*
 * ModelFS-K per-mount statistics: /sys/fs/modelfs/<major>:<minor>/, one
 * directory per mount (the superblock's anonymous device), read-only.
 */

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "modelfs.h"

static struct kset *modelfs_kset;

static struct modelfs_sb_info *to_sbi(struct kobject *kobj)
{
	return container_of(kobj, struct modelfs_sb_info, kobj);
}

/* A counter file: which member of struct modelfs_stats it shows. */
struct modelfs_stat_attr {
	struct kobj_attribute attr;
	size_t offset;
};

static ssize_t modelfs_stat_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct modelfs_stat_attr *sa =
		container_of(attr, struct modelfs_stat_attr, attr);
	atomic64_t *counter = (void *)&to_sbi(kobj)->stats + sa->offset;

	return sysfs_emit(buf, "%lld\n", atomic64_read(counter));
}

static struct modelfs_stat_attr modelfs_stat_attrs[] = {
	{ __ATTR(hits, 0444, modelfs_stat_show, NULL),
	  offsetof(struct modelfs_stats, hits) },
	{ __ATTR(misses, 0444, modelfs_stat_show, NULL),
	  offsetof(struct modelfs_stats, misses) },
	{ __ATTR(readahead_pages, 0444, modelfs_stat_show, NULL),
	  offsetof(struct modelfs_stats, readahead_pages) },
	{ __ATTR(prefetched_pages, 0444, modelfs_stat_show, NULL),
	  offsetof(struct modelfs_stats, prefetched_pages) },
	{ __ATTR(evicted_pages, 0444, modelfs_stat_show, NULL),
	  offsetof(struct modelfs_stats, evicted_pages) },
	{ __ATTR(wasted_pages, 0444, modelfs_stat_show, NULL),
	  offsetof(struct modelfs_stats, wasted_pages) },
	{ __ATTR(lower_bytes, 0444, modelfs_stat_show, NULL),
	  offsetof(struct modelfs_stats, lower_bytes) },
	{ __ATTR(events_dropped, 0444, modelfs_stat_show, NULL),
	  offsetof(struct modelfs_stats, events_dropped) },
};

static ssize_t policy_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", rcu_access_pointer(to_sbi(kobj)->chan) ?
			  "attached" : "none");
}

static struct kobj_attribute modelfs_attr_policy = __ATTR_RO(policy);

static ssize_t prefetch_inflight_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  atomic_read(&to_sbi(kobj)->prefetch_inflight));
}

static struct kobj_attribute modelfs_attr_prefetch_inflight =
	__ATTR_RO(prefetch_inflight);

static ssize_t lowerdir_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct dentry *root = to_sbi(kobj)->sb->s_root;
	char *path;
	int len;

	path = d_path(modelfs_lower_path(root), buf, PAGE_SIZE - 1);
	if (IS_ERR(path))
		return PTR_ERR(path);
	len = strlen(path);
	memmove(buf, path, len);
	buf[len] = '\n';
	return len + 1;
}

static struct kobj_attribute modelfs_attr_lowerdir = __ATTR_RO(lowerdir);

static struct attribute *modelfs_attrs[] = {
	&modelfs_attr_lowerdir.attr,
	&modelfs_attr_policy.attr,
	&modelfs_stat_attrs[0].attr.attr,
	&modelfs_stat_attrs[1].attr.attr,
	&modelfs_stat_attrs[2].attr.attr,
	&modelfs_stat_attrs[3].attr.attr,
	&modelfs_stat_attrs[4].attr.attr,
	&modelfs_stat_attrs[5].attr.attr,
	&modelfs_stat_attrs[6].attr.attr,
	&modelfs_stat_attrs[7].attr.attr,
	&modelfs_attr_prefetch_inflight.attr,
	NULL,
};
ATTRIBUTE_GROUPS(modelfs);

static void modelfs_sbi_release(struct kobject *kobj)
{
	kfree(to_sbi(kobj));
}

static const struct kobj_type modelfs_sbi_ktype = {
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= modelfs_groups,
	.release	= modelfs_sbi_release,
};

struct modelfs_sb_info *modelfs_sbi_alloc(struct super_block *sb)
{
	struct modelfs_sb_info *sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);

	if (!sbi)
		return NULL;
	sbi->sb = sb;
	INIT_LIST_HEAD(&sbi->node);
	sbi->kobj.kset = modelfs_kset;
	kobject_init(&sbi->kobj, &modelfs_sbi_ktype);
	return sbi;
}

/* Show the mount in sysfs; only once its root and lower path are set. */
int modelfs_sbi_publish(struct modelfs_sb_info *sbi)
{
	dev_t dev = sbi->sb->s_dev;

	int err;

	err = kobject_add(&sbi->kobj, NULL, "%u:%u", MAJOR(dev), MINOR(dev));
	if (!err)
		modelfs_netlink_add(sbi);
	return err;
}

/* Hide the mount before its root, which lowerdir reads, goes away. */
void modelfs_sbi_unpublish(struct modelfs_sb_info *sbi)
{
	if (!sbi->kobj.state_in_sysfs)
		return;
	modelfs_netlink_del(sbi);
	kobject_del(&sbi->kobj);
}

int modelfs_sysfs_init(void)
{
	modelfs_kset = kset_create_and_add("modelfs", NULL, fs_kobj);
	return modelfs_kset ? 0 : -ENOMEM;
}

void modelfs_sysfs_exit(void)
{
	kset_unregister(modelfs_kset);
}
