/* SPDX-License-Identifier: GPL-2.0-only */
/* oe-ctld configuration: INI file parsed with libinih. */
#ifndef OE_CTLD_CONFIG_H
#define OE_CTLD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#define OECTLD_DEFAULT_CONFIG	"/etc/oe-ctld/oe-ctld.conf"
#define OECTLD_DEFAULT_SOCKET	"/run/oe-ctld/ctl.sock"
#define OECTLD_DEFAULT_GROUP	"oe-admin"

#define OECTLD_SOCKET_MAX	(sizeof(((struct sockaddr_un *)0)->sun_path))
#define OECTLD_GROUP_MAX	64

/* [modelfs]: paths are kept short so the config stays a plain value */
#define OECTLD_MODELFS_PATH_MAX		256
#define OECTLD_MODELFS_POLICY_MAX	32
#define OECTLD_MODELFS_ATTACH_MAX	32

/* One "MOUNTPOINT:POLICY" entry of [modelfs] attach. */
struct oectld_modelfs_attach {
	char mount[OECTLD_MODELFS_PATH_MAX];	/* absolute, normalised */
	char policy[OECTLD_MODELFS_POLICY_MAX];	/* a libmodelfs policy */
};

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

/* The policies [sched] policy may name (liboesched's oesched_policies[]). */
extern const char *const oectld_sched_policies[];

struct oectld_config {
	struct {
		int log_level;				/* syslog LOG_* */
		char socket[OECTLD_SOCKET_MAX];
		char admin_group[OECTLD_GROUP_MAX];
		bool watchdog;
	} daemon;
	struct {
		bool enabled;
	} sentry;
	struct {
		bool enabled;
	} gmem;
	struct {
		bool enabled;
		char template_dir[OECTLD_MODELFS_PATH_MAX];
		struct oectld_modelfs_attach attach[OECTLD_MODELFS_ATTACH_MAX];
		unsigned int nattach;
	} modelfs;
	struct oectld_sched_cfg sched;
};

void oectld_config_defaults(struct oectld_config *cfg);

/*
 * Parse @path into @out. @out is only written on success. On failure
 * returns -1 and leaves "file:line: message" (or "file: message" when the
 * file cannot be read) in @err; errno is ENOENT when the file is missing.
 */
int oectld_config_load(const char *path, struct oectld_config *out,
		       char *err, size_t errlen);

/* Same, from an in-memory string; @name is used in error messages. */
int oectld_config_load_string(const char *name, const char *text,
			      struct oectld_config *out,
			      char *err, size_t errlen);

#endif
