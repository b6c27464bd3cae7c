/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Control protocol between oe-ctl and oe-ctld: one JSON object per
 * SOCK_SEQPACKET message. Request {"cmd":"<name>", ...}; reply
 * {"ok":true, ...} or {"ok":false,"error":"..."}; after "subscribe" the
 * daemon also sends event objects {"event":"...","feature":"...","seq":N,...}.
 * A feature's commands are named "<feature>.<command>" and are answered by
 * that feature's module; their arguments are further string members.
 */
#ifndef OE_CTLD_CTLPROTO_H
#define OE_CTLD_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "module.h"

#define CTL_MSG_MAX	65536
#define CTL_PATH_MAX	4096
#define CTL_NAME_MAX	64

/* The daemon's own commands; a module's are all CTL_CMD_FEATURE. */
enum ctl_cmd {
	CTL_CMD_NONE,
	CTL_CMD_PING,		/* read-only: {"ok":true,"version":"..."} */
	CTL_CMD_STATUS,		/* read-only: {"ok":true,"features":[...]} */
	CTL_CMD_SUBSCRIBE,	/* read-only: {"ok":true}, then events */
	CTL_CMD_RECENT,		/* read-only: {"ok":true,"events":[...]} (rings) */
	CTL_CMD_RELOAD,		/* admin: reload the configuration */
	CTL_CMD_FEATURE,	/* "<feature>.<command>": req->command */
};

struct ctl_request {
	enum ctl_cmd cmd;
	char name[CTL_NAME_MAX];	/* the command as the client named it */
	const char *feature;	/* module that answers it; NULL: the daemon */
	const struct oe_command *command;	/* its entry in that module */
	bool needs_admin;
	char mount[CTL_PATH_MAX];	/* "mount": an absolute path, or "" */
	char policy[CTL_NAME_MAX];	/* "policy", or "" */
};

/*
 * Parse a request; feature commands are looked up in the command tables
 * of the modules of @tab. Returns 0 or -1 with a message for the client
 * in @err.
 */
int ctlproto_parse(const char *buf, size_t len,
		   const struct oe_module *const *tab, size_t n,
		   struct ctl_request *req, char *err, size_t errlen);
/* 0 if a peer with @admin may run @req, -1 with a message otherwise. */
int ctlproto_authorize(const struct ctl_request *req, bool admin,
		       char *err, size_t errlen);

/* Peer is admin: uid 0, or @admin_gid among its primary/supplementary gids. */
bool ctlproto_peer_is_admin(uid_t uid, gid_t gid, const gid_t *groups,
			    size_t ngroups, bool have_admin_gid,
			    gid_t admin_gid);

/* Serialized {"ok":false,"error":msg}; caller frees. */
char *ctlproto_error_reply(const char *msg);

#endif
