// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/oe_gmem.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "oe_gmem_nl_gen.h"

#include <uapi/linux/oe_gmem.h>

/* Ops table for oe_gmem */
const struct genl_split_ops oe_gmem_nl_ops[3] = {
	{
		.cmd	= OE_GMEM_CMD_GET_DEVICES,
		.start	= oe_gmem_nl_dump_start,
		.dumpit	= oe_gmem_nl_get_devices_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= OE_GMEM_CMD_GET_STATS,
		.pre_doit	= oe_gmem_nl_pre_doit,
		.doit		= oe_gmem_nl_get_stats_doit,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= OE_GMEM_CMD_GET_PROCESSES,
		.start	= oe_gmem_nl_dump_start,
		.dumpit	= oe_gmem_nl_get_processes_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
};

static const struct genl_multicast_group oe_gmem_nl_mcgrps[] = {
	[OE_GMEM_NLGRP_EVENTS] = { "events", },
};
