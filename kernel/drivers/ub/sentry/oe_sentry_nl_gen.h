/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/oe_sentry.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_OE_SENTRY_GEN_H
#define _LINUX_OE_SENTRY_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/oe_sentry.h>

/* Ops table for oe_sentry */
extern const struct genl_split_ops oe_sentry_nl_ops[2];

int oe_sentry_nl_pre_doit(const struct genl_split_ops *ops,
			  struct sk_buff *skb, struct genl_info *info);
int oe_sentry_nl_dump_start(struct netlink_callback *cb);

int oe_sentry_nl_get_state_doit(struct sk_buff *skb, struct genl_info *info);
int oe_sentry_nl_get_state_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);

enum {
	OE_SENTRY_NLGRP_EVENTS,
};

#endif /* _LINUX_OE_SENTRY_GEN_H */
