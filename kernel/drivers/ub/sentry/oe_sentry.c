// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe_sentry: health and placement events of the OE extensions over
 * generic netlink. See Documentation/netlink/specs/oe_sentry.yaml.
 *
 * Producers call in from their own context. The OOM killer runs with
 * oom_lock held and memory short, so its events are recorded without
 * allocating and sent later from a work item (see oe_sentry_oom_kill()).
 */

#include <linux/atomic.h>
#include <linux/cgroup.h>
#include <linux/filemap_local.h>
#include <linux/init.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/notifier.h>
#include <linux/oe_sentry.h>
#include <linux/oom.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <kunit/visibility.h>

#include "oe_sentry_nl_gen.h"
#include "sentry.h"

static atomic64_t oe_sentry_seq = ATOMIC64_INIT(0);
static atomic64_t oe_sentry_sent = ATOMIC64_INIT(0);
static atomic64_t oe_sentry_lost = ATOMIC64_INIT(0);

static struct genl_family oe_sentry_family;

VISIBLE_IF_KUNIT int oe_sentry_fill_oom(struct sk_buff *skb,
					const struct oe_sentry_oom *oom)
{
	u32 scope = oom->memcg_oom ? OE_SENTRY_OOM_SCOPE_MEMCG :
				     OE_SENTRY_OOM_SCOPE_GLOBAL;

	if (nla_put_u64_64bit(skb, OE_SENTRY_A_EVENT_SEQ, oom->seq,
			      OE_SENTRY_A_EVENT_PAD) ||
	    nla_put_u32(skb, OE_SENTRY_A_EVENT_PID, oom->pid) ||
	    nla_put_string(skb, OE_SENTRY_A_EVENT_COMM, oom->comm) ||
	    (oom->cgroup[0] &&
	     nla_put_string(skb, OE_SENTRY_A_EVENT_CGROUP, oom->cgroup)) ||
	    nla_put_u32(skb, OE_SENTRY_A_EVENT_OOM_SCOPE, scope) ||
	    nla_put_u64_64bit(skb, OE_SENTRY_A_EVENT_TOTAL_VM_KB,
			      oom->total_vm_kb, OE_SENTRY_A_EVENT_PAD) ||
	    nla_put_u64_64bit(skb, OE_SENTRY_A_EVENT_RSS_KB, oom->rss_kb,
			      OE_SENTRY_A_EVENT_PAD))
		return -EMSGSIZE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(oe_sentry_fill_oom);

VISIBLE_IF_KUNIT int oe_sentry_fill_filemap_local(struct sk_buff *skb,
						  unsigned int val, u64 seq)
{
	if (nla_put_u64_64bit(skb, OE_SENTRY_A_EVENT_SEQ, seq,
			      OE_SENTRY_A_EVENT_PAD) ||
	    nla_put_u32(skb, OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL, val))
		return -EMSGSIZE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(oe_sentry_fill_filemap_local);

static bool oe_sentry_listened(void)
{
	return genl_has_listeners(&oe_sentry_family, &init_net,
				  OE_SENTRY_NLGRP_EVENTS);
}

/*
 * Build and multicast one event. Every event took a sequence number when
 * it happened, listened to or not, so a listener can tell from a gap
 * that it missed some.
 */
static void oe_sentry_send(u8 cmd, const void *data,
			   int (*fill)(struct sk_buff *skb, const void *data))
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto lost;
	hdr = genlmsg_put(skb, 0, 0, &oe_sentry_family, 0, cmd);
	if (!hdr || fill(skb, data)) {
		nlmsg_free(skb);
		goto lost;
	}
	genlmsg_end(skb, hdr);
	err = genlmsg_multicast(&oe_sentry_family, skb, 0,
				OE_SENTRY_NLGRP_EVENTS, GFP_KERNEL);
	/* -ESRCH: the last listener left meanwhile; nothing was lost. */
	if (err && err != -ESRCH)
		goto lost;
	atomic64_inc(&oe_sentry_sent);
	return;
lost:
	atomic64_inc(&oe_sentry_lost);
}

/*
 * OOM kills are recorded in a small ring without allocating and sent
 * from a work item: under a global OOM no allocation succeeds until the
 * victim has given its memory back, and the OOM killer must not wait.
 */
#define OE_SENTRY_OOM_RING	16

static struct oe_sentry_oom oe_sentry_oom_ring[OE_SENTRY_OOM_RING];
static unsigned int oe_sentry_oom_head, oe_sentry_oom_tail;
static DEFINE_SPINLOCK(oe_sentry_oom_lock);

static int oe_sentry_fill_oom_cb(struct sk_buff *skb, const void *data)
{
	return oe_sentry_fill_oom(skb, data);
}

/*
 * Only this work item reads the ring, and a work item never runs on two
 * CPUs at once: one copy, off the stack (it holds a cgroup path).
 */
static struct oe_sentry_oom oe_sentry_oom_sending;

static void oe_sentry_oom_workfn(struct work_struct *work)
{
	struct oe_sentry_oom *oom = &oe_sentry_oom_sending;

	for (;;) {
		spin_lock(&oe_sentry_oom_lock);
		if (oe_sentry_oom_tail == oe_sentry_oom_head) {
			spin_unlock(&oe_sentry_oom_lock);
			return;
		}
		*oom = oe_sentry_oom_ring[oe_sentry_oom_tail % OE_SENTRY_OOM_RING];
		oe_sentry_oom_tail++;
		spin_unlock(&oe_sentry_oom_lock);
		oe_sentry_send(OE_SENTRY_CMD_OOM_KILL, oom,
			       oe_sentry_fill_oom_cb);
	}
}

static DECLARE_WORK(oe_sentry_oom_work, oe_sentry_oom_workfn);

static void oe_sentry_memcg_path(struct mem_cgroup *memcg, char *buf,
				 size_t len)
{
#ifdef CONFIG_MEMCG
	if (memcg && cgroup_path(memcg->css.cgroup, buf, len) >= 0)
		return;
#endif
	buf[0] = '\0';
}

/**
 * oe_sentry_oom_kill - report that the OOM killer chose @victim
 * @victim: the task about to be killed (its reference is the caller's)
 * @memcg_oom: the OOM was constrained by a memory cgroup
 *
 * Called from oom_kill_process() with oom_lock held; does not allocate.
 * The report is built in a buffer of its own, which oom_lock guards: the
 * OOM killer runs deep in some allocation, with little stack left.
 */
void oe_sentry_oom_kill(struct task_struct *victim, bool memcg_oom)
{
	static struct oe_sentry_oom report;
	struct oe_sentry_oom *oom = &report;
	struct mem_cgroup *memcg = NULL;
	struct task_struct *p;
	bool queued = false;

	lockdep_assert_held(&oom_lock);
	memset(oom, 0, sizeof(*oom));
	oom->memcg_oom = memcg_oom;
	oom->seq = atomic64_inc_return(&oe_sentry_seq);
	if (!oe_sentry_listened())
		return;

	oom->pid = task_pid_nr(victim);
	get_task_comm(oom->comm, victim);
	p = find_lock_task_mm(victim);
	if (p) {
		struct mm_struct *mm = p->mm;

		oom->total_vm_kb = mm->total_vm << (PAGE_SHIFT - 10);
		oom->rss_kb = get_mm_rss(mm) << (PAGE_SHIFT - 10);
		memcg = get_mem_cgroup_from_mm(mm);
		task_unlock(p);
	}
	oe_sentry_memcg_path(memcg, oom->cgroup, sizeof(oom->cgroup));
	mem_cgroup_put(memcg);

	spin_lock(&oe_sentry_oom_lock);
	if (oe_sentry_oom_head - oe_sentry_oom_tail < OE_SENTRY_OOM_RING) {
		oe_sentry_oom_ring[oe_sentry_oom_head % OE_SENTRY_OOM_RING] = *oom;
		oe_sentry_oom_head++;
		queued = true;
	}
	spin_unlock(&oe_sentry_oom_lock);

	if (queued)
		schedule_work(&oe_sentry_oom_work);
	else
		atomic64_inc(&oe_sentry_lost);
}

struct oe_sentry_filemap_local {
	unsigned int val;
	u64 seq;
};

static int oe_sentry_fill_filemap_local_cb(struct sk_buff *skb,
					   const void *data)
{
	const struct oe_sentry_filemap_local *ev = data;

	return oe_sentry_fill_filemap_local(skb, ev->val, ev->seq);
}

static int oe_sentry_filemap_local_event(struct notifier_block *nb,
					 unsigned long val, void *unused)
{
	struct oe_sentry_filemap_local ev = {
		.val = val,
		.seq = atomic64_inc_return(&oe_sentry_seq),
	};

	if (oe_sentry_listened())
		oe_sentry_send(OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED, &ev,
			       oe_sentry_fill_filemap_local_cb);
	return NOTIFY_OK;
}

static struct notifier_block oe_sentry_filemap_local_nb = {
	.notifier_call = oe_sentry_filemap_local_event,
};

/*
 * No request of the family takes attributes. 6.6's genetlink leaves those
 * of a split op without a policy unparsed, and the request would succeed
 * regardless: these hooks (the spec's "pre") refuse them.
 */
int oe_sentry_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
			  struct genl_info *info)
{
	if (!genlmsg_len(info->genlhdr))
		return 0;
	NL_SET_ERR_MSG(info->extack, "this request takes no attributes");
	return -EINVAL;
}

int oe_sentry_nl_dump_start(struct netlink_callback *cb)
{
	if (!nlmsg_attrlen(cb->nlh, GENL_HDRLEN))
		return 0;
	NL_SET_ERR_MSG(cb->extack, "this request takes no attributes");
	return -EINVAL;
}

static int oe_sentry_fill_state(struct sk_buff *skb, u32 portid, u32 seq,
				int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &oe_sentry_family, flags,
			  OE_SENTRY_CMD_GET_STATE);
	if (!hdr)
		return -EMSGSIZE;
	if ((IS_ENABLED(CONFIG_OE_FILEMAP_ALLOC_LOCAL) &&
	     nla_put_u32(skb, OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL,
			 filemap_alloc_local_get())) ||
	    nla_put_u64_64bit(skb, OE_SENTRY_A_STATE_EVENTS_SENT,
			      atomic64_read(&oe_sentry_sent),
			      OE_SENTRY_A_STATE_PAD) ||
	    nla_put_u64_64bit(skb, OE_SENTRY_A_STATE_EVENTS_LOST,
			      atomic64_read(&oe_sentry_lost),
			      OE_SENTRY_A_STATE_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int oe_sentry_nl_get_state_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = oe_sentry_fill_state(msg, info->snd_portid, info->snd_seq, 0);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int oe_sentry_nl_get_state_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	int err;

	/* The state is one message; args[0] says it was sent. */
	if (cb->args[0])
		return 0;
	err = oe_sentry_fill_state(skb, NETLINK_CB(cb->skb).portid,
				   cb->nlh->nlmsg_seq, NLM_F_MULTI);
	if (err)
		return err;
	cb->args[0] = 1;
	return skb->len;
}

/*
 * OOM kills name other users' tasks and cgroups: admins only. The group
 * table is ours, not the generated one: ynl-gen-c leaves out a group's
 * flags.
 */
static const struct genl_multicast_group oe_sentry_mcgrps[] = {
	[OE_SENTRY_NLGRP_EVENTS] = {
		.name	= OE_SENTRY_MCGRP_EVENTS,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

/*
 * Not netnsok: OOM kills and vm sysctls are the host's. The operations
 * are generated from the spec; requests carry no attributes, and with no
 * policy genetlink refuses any.
 */
static struct genl_family oe_sentry_family __ro_after_init = {
	.name		= OE_SENTRY_FAMILY_NAME,
	.version	= OE_SENTRY_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.split_ops	= oe_sentry_nl_ops,
	.n_split_ops	= ARRAY_SIZE(oe_sentry_nl_ops),
	.mcgrps		= oe_sentry_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(oe_sentry_mcgrps),
};

static int __init oe_sentry_init(void)
{
	int err;

	err = genl_register_family(&oe_sentry_family);
	if (err)
		return err;
	if (IS_ENABLED(CONFIG_OE_FILEMAP_ALLOC_LOCAL))
		filemap_alloc_local_register_notifier(&oe_sentry_filemap_local_nb);
	return 0;
}
device_initcall(oe_sentry_init);
