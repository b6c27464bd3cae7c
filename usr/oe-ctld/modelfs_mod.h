/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The modelfs module of oe-ctld: runs libmodelfs policies on ModelFS
 * mounts and answers the "modelfs.*" control commands. What the unit
 * tests reach beyond the struct oe_module.
 */
#ifndef OE_CTLD_MODELFS_MOD_H
#define OE_CTLD_MODELFS_MOD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "module.h"

struct modelfs_rt;
struct oectld_config;

extern const struct oe_module modelfs_module;

/* [modelfs]: paths are kept short so the config stays a plain value */
#define OECTLD_MODELFS_PATH_MAX		256
#define OECTLD_MODELFS_POLICY_MAX	32
#define OECTLD_MODELFS_ATTACH_MAX	32

/* One "MOUNTPOINT:POLICY" entry of [modelfs] attach. */
struct oectld_modelfs_attach {
	char mount[OECTLD_MODELFS_PATH_MAX];	/* absolute, normalised */
	char policy[OECTLD_MODELFS_POLICY_MAX];	/* a libmodelfs policy */
};

/* The [modelfs] section. */
struct oectld_modelfs_cfg {
	bool enabled;
	char template_dir[OECTLD_MODELFS_PATH_MAX];
	struct oectld_modelfs_attach attach[OECTLD_MODELFS_ATTACH_MAX];
	unsigned int nattach;
};

/* The [modelfs] section of @cfg. */
struct oectld_modelfs_cfg *modelfs_config(const struct oectld_config *cfg);

/*
 * Run @policy on the already attached runtime @rt as the policy of @mount
 * (device @dev), as attaching does once it holds the channel. On success
 * the module owns @rt; on failure (-1, message in @err) the caller does.
 */
int modelfs_mod_adopt(struct oe_module_inst *mi, const char *mount, dev_t dev,
		      const char *policy, struct modelfs_rt *rt,
		      bool from_config, char *err, size_t errlen);

/* Mounts the module holds, and channels it detached after they failed. */
unsigned int modelfs_mod_held(struct oe_module_inst *mi);
unsigned long long modelfs_mod_failed(struct oe_module_inst *mi);

#endif
