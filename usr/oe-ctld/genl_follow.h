/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An oe-ctld module following one generic netlink family: resolve the
 * family and one multicast group of it, join the group, and follow
 * nlctrl's "notify" group, so the family is picked up when it appears
 * after us or reappears with a new id. The event socket is read without
 * blocking; when it overran (ENOBUFS), the module reads the family's state
 * again once the queued events are handled. Log lines and the module's
 * reason name the module and the family.
 */
#ifndef OE_CTLD_GENL_FOLLOW_H
#define OE_CTLD_GENL_FOLLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

struct nl_sock;
struct oe_module_inst;

#define GENL_FOLLOW_MSGBUF	(64 * 1024)

/* What a module follows, and what it does with it; @arg is its own. */
struct genl_follow_spec {
	const char *family;		/* e.g. "oe_gmem" */
	const char *group;		/* the multicast group, e.g. "events" */
	const char *missing_hint;	/* said after "kernel has no <family> family" */
	const char *unfollowed;		/* what not following nlctrl means */
	bool no_auto_ack;		/* requests on cmd_sk without NLM_F_ACK */
	/* Read the family's state: after joining its group, after an overrun. */
	void (*sync)(void *arg);
	/* The family is gone or looked up anew: what was read of it is stale. */
	void (*forget)(void *arg);
	/*
	 * A message of the family on the event socket: 0, -EOPNOTSUPP for one
	 * it does not handle, or another negative errno: malformed, dropped.
	 */
	int (*message)(void *arg, const struct nlmsghdr *nlh);
	/* Count an overrun (events were lost); returns the count so far. */
	uint64_t (*overrun)(void *arg);
};

struct genl_follow {
	const struct genl_follow_spec *spec;
	struct oe_module_inst *mi;
	void *arg;
	struct nl_sock *ev_sk;		/* group + nlctrl notify, nonblocking */
	struct nl_sock *cmd_sk;		/* resolve and requests, blocking */
	int ev_fd;			/* -1: not watched */
	int family_id;			/* -1: not present */
	int group_id;			/* -1: not joined */
	int ctrl_grp;			/* -1: cannot follow nlctrl */
	bool missing_logged;
	bool need_resync;
	uint64_t bad;			/* malformed messages dropped */
	unsigned char buf[GENL_FOLLOW_MSGBUF];
};

/*
 * Open the sockets, have the host watch the event socket and look the
 * family up. 0, or a negative errno with @mi's reason set. Either way
 * genl_follow_fini() undoes it.
 */
int genl_follow_init(struct genl_follow *f, const struct genl_follow_spec *spec,
		     struct oe_module_inst *mi, void *arg);
/* Look the family up (again): join its group and sync, or say why not. */
void genl_follow_resolve(struct genl_follow *f);
/* The event socket is readable: handle what is queued, resync if it overran. */
void genl_follow_read(struct genl_follow *f);
void genl_follow_fini(struct genl_follow *f);

#endif
