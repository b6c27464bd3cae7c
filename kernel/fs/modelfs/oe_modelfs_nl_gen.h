/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/oe_modelfs.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_OE_MODELFS_GEN_H
#define _LINUX_OE_MODELFS_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/oe_modelfs.h>

/* Ops table for oe_modelfs */
extern const struct genl_split_ops oe_modelfs_nl_ops[2];

int oe_modelfs_nl_dump_start(struct netlink_callback *cb);

int oe_modelfs_nl_mount_get_doit(struct sk_buff *skb, struct genl_info *info);
int oe_modelfs_nl_mount_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb);

#endif /* _LINUX_OE_MODELFS_GEN_H */
