// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/oe_sentry.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "oe_sentry_nl_gen.h"

#include <uapi/linux/oe_sentry.h>

/* Ops table for oe_sentry */
const struct genl_split_ops oe_sentry_nl_ops[2] = {
	{
		.cmd		= OE_SENTRY_CMD_GET_STATE,
		.pre_doit	= oe_sentry_nl_pre_doit,
		.doit		= oe_sentry_nl_get_state_doit,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= OE_SENTRY_CMD_GET_STATE,
		.start	= oe_sentry_nl_dump_start,
		.dumpit	= oe_sentry_nl_get_state_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
};

static const struct genl_multicast_group oe_sentry_nl_mcgrps[] = {
	[OE_SENTRY_NLGRP_EVENTS] = { "events", },
};
