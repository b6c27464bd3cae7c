// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/oe_modelfs.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "oe_modelfs_nl_gen.h"

#include <uapi/linux/oe_modelfs.h>

/* Integer value ranges */
static const struct netlink_range_validation oe_modelfs_a_mount_dev_minor_range = {
	.max	= 1048575ULL,
};

/* OE_MODELFS_CMD_MOUNT_GET - do */
static const struct nla_policy oe_modelfs_mount_get_nl_policy[OE_MODELFS_A_MOUNT_DEV_MINOR + 1] = {
	[OE_MODELFS_A_MOUNT_DEV_MAJOR] = NLA_POLICY_MAX(NLA_U32, 4095),
	[OE_MODELFS_A_MOUNT_DEV_MINOR] = NLA_POLICY_FULL_RANGE(NLA_U32, &oe_modelfs_a_mount_dev_minor_range),
};

/* Ops table for oe_modelfs */
const struct genl_split_ops oe_modelfs_nl_ops[2] = {
	{
		.cmd		= OE_MODELFS_CMD_MOUNT_GET,
		.doit		= oe_modelfs_nl_mount_get_doit,
		.policy		= oe_modelfs_mount_get_nl_policy,
		.maxattr	= OE_MODELFS_A_MOUNT_DEV_MINOR,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= OE_MODELFS_CMD_MOUNT_GET,
		.start	= oe_modelfs_nl_dump_start,
		.dumpit	= oe_modelfs_nl_mount_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
};
