// SPDX-License-Identifier: GPL-2.0-only
/*
 * ModelFS-K: the oe_modelfs generic netlink family, per-mount statistics
 * for oe-ctld and scripts (Documentation/netlink/specs/oe_modelfs.yaml).
 * The same counters are in sysfs; netlink gives all mounts in one dump.
 */

#include <linux/dcache.h>
#include <linux/kdev_t.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "modelfs.h"
#include "oe_modelfs_nl_gen.h"

/* The published mounts; an entry's root and lower path stay while listed. */
/* Mounts in the order of their ids, which a dump resumes after. */
static LIST_HEAD(modelfs_mounts);
static DEFINE_MUTEX(modelfs_mounts_lock);
static u64 modelfs_mounts_last_id;	/* under modelfs_mounts_lock */

static struct genl_family modelfs_nl_family;

void modelfs_netlink_add(struct modelfs_sb_info *sbi)
{
	mutex_lock(&modelfs_mounts_lock);
	sbi->nl_id = ++modelfs_mounts_last_id;
	list_add_tail(&sbi->node, &modelfs_mounts);
	mutex_unlock(&modelfs_mounts_lock);
}

void modelfs_netlink_del(struct modelfs_sb_info *sbi)
{
	mutex_lock(&modelfs_mounts_lock);
	list_del_init(&sbi->node);
	mutex_unlock(&modelfs_mounts_lock);
}

static int modelfs_nl_put_u64(struct sk_buff *skb, int type, atomic64_t *v)
{
	return nla_put_u64_64bit(skb, type, atomic64_read(v),
				 OE_MODELFS_A_MOUNT_PAD);
}

/* One mount-get message for @sbi; called with modelfs_mounts_lock held. */
static int modelfs_nl_fill(struct sk_buff *skb, struct modelfs_sb_info *sbi,
			   u32 portid, u32 seq, int flags)
{
	struct modelfs_stats *st = &sbi->stats;
	dev_t dev = sbi->sb->s_dev;
	char *buf, *path;
	void *hdr;
	int err = -EMSGSIZE;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	path = d_path(modelfs_lower_path(sbi->sb->s_root), buf, PATH_MAX);
	if (IS_ERR(path)) {
		err = PTR_ERR(path);
		goto out;
	}
	hdr = genlmsg_put(skb, portid, seq, &modelfs_nl_family, flags,
			  OE_MODELFS_CMD_MOUNT_GET);
	if (!hdr)
		goto out;
	if (nla_put_u32(skb, OE_MODELFS_A_MOUNT_DEV_MAJOR, MAJOR(dev)) ||
	    nla_put_u32(skb, OE_MODELFS_A_MOUNT_DEV_MINOR, MINOR(dev)) ||
	    nla_put_string(skb, OE_MODELFS_A_MOUNT_LOWERDIR, path) ||
	    nla_put_u8(skb, OE_MODELFS_A_MOUNT_POLICY_ATTACHED,
		       !!rcu_access_pointer(sbi->chan)) ||
	    modelfs_nl_put_u64(skb, OE_MODELFS_A_MOUNT_HITS, &st->hits) ||
	    modelfs_nl_put_u64(skb, OE_MODELFS_A_MOUNT_MISSES, &st->misses) ||
	    modelfs_nl_put_u64(skb, OE_MODELFS_A_MOUNT_READAHEAD_PAGES,
			       &st->readahead_pages) ||
	    modelfs_nl_put_u64(skb, OE_MODELFS_A_MOUNT_PREFETCHED_PAGES,
			       &st->prefetched_pages) ||
	    modelfs_nl_put_u64(skb, OE_MODELFS_A_MOUNT_EVICTED_PAGES,
			       &st->evicted_pages) ||
	    modelfs_nl_put_u64(skb, OE_MODELFS_A_MOUNT_WASTED_PAGES,
			       &st->wasted_pages) ||
	    modelfs_nl_put_u64(skb, OE_MODELFS_A_MOUNT_LOWER_BYTES,
			       &st->lower_bytes) ||
	    modelfs_nl_put_u64(skb, OE_MODELFS_A_MOUNT_EVENTS_DROPPED,
			       &st->events_dropped) ||
	    nla_put_u32(skb, OE_MODELFS_A_MOUNT_PREFETCH_INFLIGHT,
			atomic_read(&sbi->prefetch_inflight))) {
		genlmsg_cancel(skb, hdr);
		goto out;
	}
	genlmsg_end(skb, hdr);
	err = 0;
out:
	kfree(buf);
	return err;
}

int oe_modelfs_nl_mount_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct modelfs_sb_info *sbi, *found = NULL;
	struct sk_buff *msg;
	dev_t dev;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, OE_MODELFS_A_MOUNT_DEV_MAJOR) ||
	    GENL_REQ_ATTR_CHECK(info, OE_MODELFS_A_MOUNT_DEV_MINOR))
		return -EINVAL;
	dev = MKDEV(nla_get_u32(info->attrs[OE_MODELFS_A_MOUNT_DEV_MAJOR]),
		    nla_get_u32(info->attrs[OE_MODELFS_A_MOUNT_DEV_MINOR]));

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE + PATH_MAX, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&modelfs_mounts_lock);
	list_for_each_entry(sbi, &modelfs_mounts, node) {
		if (sbi->sb->s_dev == dev) {
			found = sbi;
			break;
		}
	}
	if (found)
		err = modelfs_nl_fill(msg, found, info->snd_portid,
				      info->snd_seq, 0);
	mutex_unlock(&modelfs_mounts_lock);
	if (!found) {
		NL_SET_ERR_MSG(info->extack, "no ModelFS mount has this device");
		err = -ENODEV;
	}
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * cb->args[0]: the id of the last mount sent. Mounts come and go between
 * the parts of a dump; none is sent twice or skipped.
 */
int oe_modelfs_nl_mount_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct modelfs_sb_info *sbi;
	int err = 0;

	mutex_lock(&modelfs_mounts_lock);
	list_for_each_entry(sbi, &modelfs_mounts, node) {
		if (sbi->nl_id <= (u64)cb->args[0])
			continue;
		err = modelfs_nl_fill(skb, sbi, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
		cb->args[0] = sbi->nl_id;
	}
	mutex_unlock(&modelfs_mounts_lock);
	/* A full skb ends this part; the next one resumes after it. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

/*
 * A mount's message carries a lowerdir of up to PATH_MAX bytes, more than
 * the default dump skb holds: one that did not fit would end every dump
 * there with EMSGSIZE. A dump takes no attributes: without a policy,
 * 6.6's genetlink would leave them unparsed and the dump would go on.
 */
int oe_modelfs_nl_dump_start(struct netlink_callback *cb)
{
	if (nlmsg_attrlen(cb->nlh, GENL_HDRLEN)) {
		NL_SET_ERR_MSG(cb->extack, "a dump takes no attributes");
		return -EINVAL;
	}
	cb->min_dump_alloc = NLMSG_DEFAULT_SIZE + PATH_MAX;
	return 0;
}

/*
 * Not netnsok: mounts are not a network namespace's, and lowerdir names
 * a path in the mounter's view. The operations and the request policy
 * (the bounds of a dev_t) are generated from the spec.
 */
static struct genl_family modelfs_nl_family __ro_after_init = {
	.name		= OE_MODELFS_FAMILY_NAME,
	.version	= OE_MODELFS_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.split_ops	= oe_modelfs_nl_ops,
	.n_split_ops	= ARRAY_SIZE(oe_modelfs_nl_ops),
};

int modelfs_netlink_init(void)
{
	return genl_register_family(&modelfs_nl_family);
}

void modelfs_netlink_exit(void)
{
	genl_unregister_family(&modelfs_nl_family);
}
