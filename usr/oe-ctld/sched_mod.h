/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sched module of oe-ctld: loads an OE sched_ext policy with
 * liboesched, watches it, and answers the "sched.*" control commands.
 * What the unit tests reach beyond the struct oe_module.
 */
#ifndef OE_CTLD_SCHED_MOD_H
#define OE_CTLD_SCHED_MOD_H

#include <stdbool.h>

#include "module.h"

struct oectld_config;

extern const struct oe_module sched_module;

/*
 * [sched]: the sched_ext policy oe-ctld loads with liboesched. The list
 * limits are well below the policies' map sizes (OE_QOS_MAX_CGROUPS,
 * OE_DOMAIN_MAX_CGROUPS).
 */
#define OECTLD_SCHED_POLICY_MAX		32
#define OECTLD_SCHED_PATH_MAX		256
#define OECTLD_SCHED_CGROUPS_MAX	64
#define OECTLD_SCHED_DOMAINS		64	/* OE_DOMAIN_MAX of oe_sched.h */
#define OECTLD_SCHED_TIMEOUT_MAX	30000	/* the kernel's watchdog maximum */

/* One "PATH" or "PATH=DOMAIN" word of [sched] domain_cgroups. */
struct oectld_sched_domain {
	char cgroup[OECTLD_SCHED_PATH_MAX];	/* absolute, normalised */
	int domain;				/* -1: the next domain */
};

/* The [sched] section; policy is one of liboesched's oesched_policies[]. */
struct oectld_sched_cfg {
	bool enabled;
	char policy[OECTLD_SCHED_POLICY_MAX];	/* "" loads nothing */
	bool partial;				/* SCX_OPS_SWITCH_PARTIAL */
	unsigned int timeout_ms;		/* 0: the kernel's */
	char bpf_dir[OECTLD_SCHED_PATH_MAX];	/* "": liboesched's */
	char ls_cgroups[OECTLD_SCHED_CGROUPS_MAX][OECTLD_SCHED_PATH_MAX];
	unsigned int nls;
	char be_cgroups[OECTLD_SCHED_CGROUPS_MAX][OECTLD_SCHED_PATH_MAX];
	unsigned int nbe;
	struct oectld_sched_domain domains[OECTLD_SCHED_CGROUPS_MAX];
	unsigned int ndomains;
};

/* The [sched] section of @cfg. */
struct oectld_sched_cfg *sched_config(const struct oectld_config *cfg);

/*
 * The directory standing for /sys/kernel/sched_ext (the module is
 * unavailable without it; it is handed to oesched_kstate_read()). NULL
 * restores the real one. Takes effect at the next init.
 */
void sched_mod_set_sysfs(const char *root);

#endif
