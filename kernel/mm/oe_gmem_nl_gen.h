/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/oe_gmem.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_OE_GMEM_GEN_H
#define _LINUX_OE_GMEM_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/oe_gmem.h>

/* Ops table for oe_gmem */
extern const struct genl_split_ops oe_gmem_nl_ops[3];

int oe_gmem_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
			struct genl_info *info);
int oe_gmem_nl_dump_start(struct netlink_callback *cb);

int oe_gmem_nl_get_devices_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int oe_gmem_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info);
int oe_gmem_nl_get_processes_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);

enum {
	OE_GMEM_NLGRP_EVENTS,
};

#endif /* _LINUX_OE_GMEM_GEN_H */
