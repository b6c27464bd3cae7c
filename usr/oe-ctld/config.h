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
		char template_dir[OECTLD_MODELFS_PATH_MAX];
		struct oectld_modelfs_attach attach[OECTLD_MODELFS_ATTACH_MAX];
		unsigned int nattach;
	} modelfs;
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
