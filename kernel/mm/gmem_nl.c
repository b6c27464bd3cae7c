// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe_gmem: GMem's generic netlink family. Devices, page counts and the
 * logical pages of each process, on request; a pressure event each time
 * a device fault had to evict pages. Described by
 * Documentation/netlink/specs/oe_gmem.yaml.
 */
#define pr_fmt(fmt) "gmem: " fmt

#include <linux/gmem.h>
#include <linux/numa.h>
#include <net/genetlink.h>

#include "oe_gmem_nl_gen.h"

static struct genl_family oe_gmem_family;
static atomic64_t oe_gmem_pressure_seq;

/*
 * No request of the family takes attributes. 6.6's genetlink leaves those
 * of a split op without a policy unparsed, and the request would succeed
 * regardless: these hooks (the spec's "pre") refuse them.
 */
int oe_gmem_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
			struct genl_info *info)
{
	if (!genlmsg_len(info->genlhdr))
		return 0;
	NL_SET_ERR_MSG(info->extack, "this request takes no attributes");
	return -EINVAL;
}

int oe_gmem_nl_dump_start(struct netlink_callback *cb)
{
	if (!nlmsg_attrlen(cb->nlh, GENL_HDRLEN))
		return 0;
	NL_SET_ERR_MSG(cb->extack, "this request takes no attributes");
	return -EINVAL;
}

static int oe_gmem_fill_device(struct sk_buff *skb, struct gm_dev *dev)
{
	if (nla_put_u32(skb, OE_GMEM_A_DEVICE_HNID, dev->hnid) ||
	    nla_put_string(skb, OE_GMEM_A_DEVICE_NAME, dev->name) ||
	    nla_put_u64_64bit(skb, OE_GMEM_A_DEVICE_CAPACITY, dev->capacity,
			      OE_GMEM_A_DEVICE_PAD) ||
	    nla_put_u64_64bit(skb, OE_GMEM_A_DEVICE_RESIDENT,
			      READ_ONCE(dev->lru.nr), OE_GMEM_A_DEVICE_PAD) ||
	    nla_put_u64_64bit(skb, OE_GMEM_A_DEVICE_FAULTS,
			      atomic_long_read(&dev->nr_faults),
			      OE_GMEM_A_DEVICE_PAD) ||
	    nla_put_u64_64bit(skb, OE_GMEM_A_DEVICE_TO_DEV,
			      atomic_long_read(&dev->nr_to_dev),
			      OE_GMEM_A_DEVICE_PAD) ||
	    nla_put_u64_64bit(skb, OE_GMEM_A_DEVICE_TO_HOST,
			      atomic_long_read(&dev->nr_to_host),
			      OE_GMEM_A_DEVICE_PAD) ||
	    nla_put_u64_64bit(skb, OE_GMEM_A_DEVICE_EVICTED,
			      atomic_long_read(&dev->nr_evicted),
			      OE_GMEM_A_DEVICE_PAD))
		return -EMSGSIZE;
	return 0;
}

/* One message per device, in hnid order; args[0] is the next hnid. */
int oe_gmem_nl_get_devices_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct gm_dev *dev;
	void *hdr;
	int hnid, err;

	for (hnid = cb->args[0]; hnid < MAX_NUMNODES; hnid++) {
		dev = gm_dev_get_by_hnid(hnid);
		if (!dev)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &oe_gmem_family,
				  NLM_F_MULTI, OE_GMEM_CMD_GET_DEVICES);
		err = hdr ? oe_gmem_fill_device(skb, dev) : -EMSGSIZE;
		gm_dev_put(dev);
		if (err) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = hnid;
	return skb->len;
}

int oe_gmem_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct gm_stats st;
	struct sk_buff *msg;
	void *hdr;

	gm_stats_read(&st);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &oe_gmem_family, 0,
				OE_GMEM_CMD_GET_STATS);
	if (!hdr ||
	    nla_put_u64_64bit(msg, OE_GMEM_A_STATS_PROCESSES,
			      st.address_spaces, OE_GMEM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, OE_GMEM_A_STATS_PAGES_NOMAP,
			      st.pages[GM_MAPPING_NOMAP], OE_GMEM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, OE_GMEM_A_STATS_PAGES_CPU,
			      st.pages[GM_MAPPING_CPU], OE_GMEM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, OE_GMEM_A_STATS_PAGES_DEVICE,
			      st.pages[GM_MAPPING_DEVICE],
			      OE_GMEM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, OE_GMEM_A_STATS_MIGRATING, st.migrating,
			      OE_GMEM_A_STATS_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

struct oe_gmem_proc_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int oe_gmem_fill_process(const struct gm_as_usage *u, void *arg)
{
	struct oe_gmem_proc_dump *d = arg;
	void *hdr;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &oe_gmem_family, NLM_F_MULTI,
			  OE_GMEM_CMD_GET_PROCESSES);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(d->skb, OE_GMEM_A_PROCESS_PID, u->tgid) ||
	    nla_put_u64_64bit(d->skb, OE_GMEM_A_PROCESS_PAGES_CPU,
			      u->pages[GM_MAPPING_CPU],
			      OE_GMEM_A_PROCESS_PAD) ||
	    nla_put_u64_64bit(d->skb, OE_GMEM_A_PROCESS_PAGES_DEVICE,
			      u->pages[GM_MAPPING_DEVICE],
			      OE_GMEM_A_PROCESS_PAD)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

/* args[0] is the id of the last address space sent. */
int oe_gmem_nl_get_processes_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct oe_gmem_proc_dump d = { .skb = skb, .cb = cb };
	u64 last_id = cb->args[0];

	gm_as_walk_usage(oe_gmem_fill_process, &d, &last_id);
	cb->args[0] = last_id;
	return skb->len;
}

/* A fault of @pid on @dev evicted @evicted logical pages. */
void gmem_nl_pressure(struct gm_dev *dev, unsigned int evicted, pid_t pid)
{
	u64 seq = atomic64_inc_return(&oe_gmem_pressure_seq);
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&oe_gmem_family, &init_net,
				OE_GMEM_NLGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &oe_gmem_family, 0, OE_GMEM_CMD_PRESSURE);
	if (!hdr ||
	    nla_put_u64_64bit(skb, OE_GMEM_A_PRESSURE_SEQ, seq,
			      OE_GMEM_A_PRESSURE_PAD) ||
	    nla_put_u32(skb, OE_GMEM_A_PRESSURE_HNID, dev->hnid) ||
	    nla_put_u32(skb, OE_GMEM_A_PRESSURE_EVICTED, evicted) ||
	    nla_put_u32(skb, OE_GMEM_A_PRESSURE_PID, pid)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&oe_gmem_family, skb, 0, OE_GMEM_NLGRP_EVENTS,
			  GFP_KERNEL);
}

/*
 * Pressure events name the pids of every user's processes. The group
 * table is ours, not the generated one: ynl-gen-c leaves out a group's
 * flags.
 */
static const struct genl_multicast_group oe_gmem_mcgrps[] = {
	[OE_GMEM_NLGRP_EVENTS] = {
		.name	= OE_GMEM_MCGRP_EVENTS,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

/*
 * Not netnsok: devices and their pressure are the host's, not a network
 * namespace's. The operations are generated from the spec; requests
 * carry no attributes, and with no policy genetlink refuses any.
 */
static struct genl_family oe_gmem_family __ro_after_init = {
	.name		= OE_GMEM_FAMILY_NAME,
	.version	= OE_GMEM_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.split_ops	= oe_gmem_nl_ops,
	.n_split_ops	= ARRAY_SIZE(oe_gmem_nl_ops),
	.mcgrps		= oe_gmem_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(oe_gmem_mcgrps),
};

int __init gmem_nl_init(void)
{
	return genl_register_family(&oe_gmem_family);
}
