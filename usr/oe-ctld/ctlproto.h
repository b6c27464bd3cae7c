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

#define CTL_MSG_MAX	65536
#define CTL_PATH_MAX	4096
#define CTL_NAME_MAX	64

enum ctl_cmd {
	CTL_CMD_NONE,
	CTL_CMD_PING,		/* read-only: {"ok":true,"version":"..."} */
	CTL_CMD_STATUS,		/* read-only: {"ok":true,"features":[...]} */
	CTL_CMD_SUBSCRIBE,	/* read-only: {"ok":true}, then events */
	CTL_CMD_RECENT,		/* read-only: {"ok":true,"events":[...]} (ring) */
	CTL_CMD_RELOAD,		/* admin: reload the configuration */
	/* feature "modelfs" */
	CTL_CMD_MODELFS_MOUNTS,		/* read-only: {"ok":true,"mounts":[...]} */
	CTL_CMD_MODELFS_ATTACH,		/* admin: "mount", "policy" */
	CTL_CMD_MODELFS_DETACH,		/* admin: "mount" */
	CTL_CMD_MODELFS_TEMPLATES,	/* read-only: {"ok":true,"templates":[...]} */
	CTL_CMD_MODELFS_STATS,		/* read-only: optional "mount" */
	/* feature "sched" */
	CTL_CMD_SCHED_LIST,		/* read-only: {"ok":true,"policies":[...]} */
	CTL_CMD_SCHED_STATUS,		/* read-only: the policy and the kernel's state */
	CTL_CMD_SCHED_LOAD,		/* admin: "policy" */
	CTL_CMD_SCHED_UNLOAD,		/* admin */
	/* feature "gmem" */
	CTL_CMD_GMEM_DEVICES,		/* read-only: {"ok":true,"devices":[...]} */
	CTL_CMD_GMEM_STATS,		/* read-only: page counts, "per_process":[...] */
};

struct ctl_request {
	enum ctl_cmd cmd;
	const char *name;	/* canonical command name (static) */
	const char *feature;	/* module that answers it; NULL: the daemon */
	bool needs_admin;
	char mount[CTL_PATH_MAX];	/* "mount": an absolute path, or "" */
	char policy[CTL_NAME_MAX];	/* "policy", or "" */
};

/* Parse a request. Returns 0 or -1 with a message for the client in @err. */
int ctlproto_parse(const char *buf, size_t len, struct ctl_request *req,
		   char *err, size_t errlen);

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
