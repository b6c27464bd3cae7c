// SPDX-License-Identifier: GPL-2.0-only
/*
 * sentry module: follows the oe_sentry generic netlink family (state and
 * the "events" multicast group) and nlctrl's "notify" group, so the family
 * is picked up when it appears after us or reappears with a new id.
 */
#include "config.h"
#include "log.h"
#include "module.h"
#include "sentry_msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <json-c/json.h>
#include <linux/genetlink.h>
#include <linux/oe_sentry.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#define SENTRY_RCVBUF	(1 << 20)
#define SENTRY_MSGBUF	(64 * 1024)

struct sentry {
	struct oe_module_inst *mi;
	struct nl_sock *ev_sk;		/* events + nlctrl notify, nonblocking */
	struct nl_sock *cmd_sk;		/* resolve and get-state, blocking */
	int ev_fd;
	int family_id;			/* -1: not present */
	int events_grp;			/* -1: not subscribed */
	int ctrl_grp;			/* -1: cannot follow nlctrl */
	bool have_state;
	struct sentry_state state;
	uint64_t received;		/* events received */
	uint64_t gaps;			/* events missed, from seq gaps */
	uint64_t overruns;		/* ENOBUFS on the event socket */
	uint64_t bad;			/* malformed messages dropped */
	uint64_t last_seq;
	bool have_seq;
	bool missing_logged;
	bool need_resync;
	struct sentry_ring ring;
	unsigned char buf[SENTRY_MSGBUF];
};

static bool sentry_enabled(const struct oectld_config *cfg)
{
	return cfg->sentry.enabled;
}

static int state_cb(struct nl_msg *msg, void *arg)
{
	struct sentry *s = arg;
	struct sentry_state st;
	int rc;

	rc = sentry_parse_state(nlmsg_hdr(msg), &st);
	if (rc) {
		log_warn("sentry: bad get-state reply: %s", strerror(-rc));
		s->bad++;
		return NL_SKIP;
	}
	s->state = st;
	s->have_state = true;
	return NL_OK;
}

/* Refresh the kernel state with a get-state dump. */
static int sentry_sync_state(struct sentry *s)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int rc;

	if (s->family_id < 0)
		return -ENOENT;
	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s->family_id, 0,
			 NLM_F_DUMP, OE_SENTRY_CMD_GET_STATE,
			 OE_SENTRY_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	rc = nl_send_auto(s->cmd_sk, msg);
	nlmsg_free(msg);
	if (rc < 0) {
		log_warn("sentry: get-state: %s", nl_geterror(rc));
		return -EIO;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, state_cb, s);
	rc = nl_recvmsgs(s->cmd_sk, cb);
	nl_cb_put(cb);
	if (rc < 0) {
		log_warn("sentry: get-state: %s", nl_geterror(rc));
		return -EIO;
	}
	return 0;
}

static void sentry_forget_family(struct sentry *s)
{
	if (s->events_grp >= 0)
		nl_socket_drop_membership(s->ev_sk, s->events_grp);
	s->events_grp = -1;
	s->family_id = -1;
	s->have_state = false;
}

/* (Re)resolve the family and its group; subscribe and sync the state. */
static void sentry_resolve(struct sentry *s)
{
	int id, grp, rc;

	sentry_forget_family(s);
	id = genl_ctrl_resolve(s->cmd_sk, OE_SENTRY_FAMILY_NAME);
	if (id < 0) {
		oe_module_set_unavailable(s->mi, "kernel has no oe_sentry family");
		if (!s->missing_logged)
			log_warn("sentry: kernel has no oe_sentry family; module unavailable");
		s->missing_logged = true;
		return;
	}
	grp = genl_ctrl_resolve_grp(s->cmd_sk, OE_SENTRY_FAMILY_NAME,
				    OE_SENTRY_MCGRP_EVENTS);
	if (grp < 0) {
		oe_module_set_unavailable(s->mi, "oe_sentry family has no \"events\" group");
		log_warn("sentry: oe_sentry family has no \"events\" multicast group; module unavailable");
		return;
	}
	rc = nl_socket_add_membership(s->ev_sk, grp);
	if (rc < 0) {
		oe_module_set_unavailable(s->mi, "cannot join the events group: %s",
					  nl_geterror(rc));
		log_warn("sentry: cannot join the events group: %s", nl_geterror(rc));
		return;
	}
	s->family_id = id;
	s->events_grp = grp;
	/* subscribed first, so no change falls between the dump and the events */
	sentry_sync_state(s);
	oe_module_set_available(s->mi);
	s->missing_logged = false;
	log_info("sentry: following oe_sentry (family %d, events group %d)",
		 id, grp);
}

static void sentry_handle_ctrl(struct sentry *s, const struct nlmsghdr *nlh)
{
	struct ctrl_notice n;

	if (sentry_parse_ctrl(nlh, &n))
		return;		/* other nlctrl notifications */
	if (strcmp(n.family_name, OE_SENTRY_FAMILY_NAME))
		return;
	if (n.cmd == CTRL_CMD_NEWFAMILY) {
		log_info("sentry: oe_sentry family registered (id %u)",
			 n.family_id);
		sentry_resolve(s);
	} else if (n.cmd == CTRL_CMD_DELFAMILY) {
		log_info("sentry: oe_sentry family unregistered");
		sentry_forget_family(s);
		oe_module_set_unavailable(s->mi, "oe_sentry family was unregistered");
		s->missing_logged = true;
	}
}

static void sentry_handle_event(struct sentry *s, const struct nlmsghdr *nlh)
{
	struct sentry_event tmp;
	struct json_object *j;
	int rc;

	rc = sentry_parse_event(nlh, &tmp);
	if (rc) {
		if (rc != -EOPNOTSUPP) {
			s->bad++;
			log_debug("sentry: dropped malformed event: %s", strerror(-rc));
		}
		return;
	}
	s->received++;
	if (s->have_seq && tmp.seq > s->last_seq + 1)
		s->gaps += tmp.seq - s->last_seq - 1;
	s->last_seq = tmp.seq;
	s->have_seq = true;
	if (tmp.type == SENTRY_EV_FILEMAP_LOCAL_CHANGED)
		s->state.filemap_alloc_local = tmp.filemap_alloc_local;
	sentry_ring_push(&s->ring, &tmp);
	j = sentry_event_to_json(&tmp);
	if (j) {
		s->mi->host_ops->emit_event(s->mi->host, s->mi, j);
		json_object_put(j);
	}
}

static void sentry_overrun(struct sentry *s)
{
	s->overruns++;
	if (s->overruns == 1)
		log_warn("sentry: event socket overrun (ENOBUFS), events were lost; resyncing state (further overruns are logged at debug level)");
	else
		log_debug("sentry: event socket overrun #%llu; resyncing",
			  (unsigned long long)s->overruns);
	s->have_seq = false;
	/*
	 * Resync once the queued (older) events are processed, so none of
	 * them overwrites the fresher state from the dump.
	 */
	s->need_resync = true;
}

static void sentry_read(struct sentry *s, int fd);

static void sentry_event(struct oe_module_inst *mi, int fd, uint32_t events)
{
	struct sentry *s = mi->priv;

	(void)events;
	sentry_read(s, fd);
	if (s->need_resync) {
		s->need_resync = false;
		sentry_sync_state(s);
	}
}

static void sentry_read(struct sentry *s, int fd)
{
	for (int round = 0; round < 64; round++) {
		struct sockaddr_nl from;
		struct iovec iov = { s->buf, sizeof(s->buf) };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		int rem;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				sentry_overrun(s);
				continue;
			}
			if (errno != EAGAIN)
				log_warn("sentry: recv: %s", strerror(errno));
			return;
		}
		if (n == 0)
			return;
		if (from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC)) {
			s->bad++;
			continue;	/* not from the kernel, or cut short */
		}
		rem = (int)n;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)s->buf;
		     NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_type == GENL_ID_CTRL)
				sentry_handle_ctrl(s, nlh);
			else if (s->family_id >= 0 &&
				 nlh->nlmsg_type == (uint16_t)s->family_id)
				sentry_handle_event(s, nlh);
		}
	}
}

static void sentry_fini(struct oe_module_inst *mi)
{
	struct sentry *s = mi->priv;

	if (!s)
		return;
	if (s->ev_fd >= 0)
		mi->host_ops->unwatch_fd(mi->host, mi, s->ev_fd);
	if (s->ev_sk)
		nl_socket_free(s->ev_sk);
	if (s->cmd_sk)
		nl_socket_free(s->cmd_sk);
	free(s);
	mi->priv = NULL;
}

static int sentry_init(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct timeval tv = { .tv_sec = 2 };
	struct sentry *s;
	int rc;

	(void)cfg;
	s = calloc(1, sizeof(*s));
	if (!s) {
		oe_module_set_unavailable(mi, "out of memory");
		return -ENOMEM;
	}
	s->mi = mi;
	s->ev_fd = -1;
	s->family_id = -1;
	s->events_grp = -1;
	s->ctrl_grp = -1;
	mi->priv = s;

	s->ev_sk = nl_socket_alloc();
	s->cmd_sk = nl_socket_alloc();
	if (!s->ev_sk || !s->cmd_sk) {
		oe_module_set_unavailable(mi, "out of memory");
		sentry_fini(mi);
		return -ENOMEM;
	}
	if ((rc = genl_connect(s->ev_sk)) < 0 ||
	    (rc = genl_connect(s->cmd_sk)) < 0) {
		oe_module_set_unavailable(mi, "cannot open a generic netlink socket: %s",
					  nl_geterror(rc));
		sentry_fini(mi);
		return -EIO;
	}
	nl_socket_disable_seq_check(s->ev_sk);
	nl_socket_set_nonblocking(s->ev_sk);
	nl_socket_set_buffer_size(s->ev_sk, SENTRY_RCVBUF, 0);
	/* never hang the event loop on a kernel that does not answer */
	setsockopt(nl_socket_get_fd(s->cmd_sk), SOL_SOCKET, SO_RCVTIMEO,
		   &tv, sizeof(tv));
	s->ev_fd = nl_socket_get_fd(s->ev_sk);

	s->ctrl_grp = genl_ctrl_resolve_grp(s->cmd_sk, "nlctrl", "notify");
	if (s->ctrl_grp < 0 ||
	    nl_socket_add_membership(s->ev_sk, s->ctrl_grp) < 0) {
		log_warn("sentry: cannot follow nlctrl notifications; a family registered later will not be seen");
		s->ctrl_grp = -1;
	}
	rc = mi->host_ops->watch_fd(mi->host, mi, s->ev_fd);
	if (rc < 0) {
		s->ev_fd = -1;
		oe_module_set_unavailable(mi, "cannot watch the event socket");
		sentry_fini(mi);
		return rc;
	}
	sentry_resolve(s);
	return 0;
}

static int sentry_reload(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct sentry *s = mi->priv;

	(void)cfg;
	/* nothing configurable yet; re-check the kernel side */
	if (s->family_id < 0)
		sentry_resolve(s);
	return 0;
}

static void sentry_status(struct oe_module_inst *mi, struct json_object *d)
{
	struct sentry *s = mi->priv;

	if (s->family_id >= 0)
		sentry_sync_state(s);
	if (s->have_state) {
		json_object_object_add(d, "filemap_alloc_local",
				       json_object_new_int64(s->state.filemap_alloc_local));
		json_object_object_add(d, "events",
				       json_object_new_uint64(s->state.events_sent));
		json_object_object_add(d, "lost",
				       json_object_new_uint64(s->state.events_lost));
	}
	json_object_object_add(d, "received", json_object_new_uint64(s->received));
	json_object_object_add(d, "missed", json_object_new_uint64(s->gaps));
	json_object_object_add(d, "overruns", json_object_new_uint64(s->overruns));
	if (s->bad)
		json_object_object_add(d, "malformed", json_object_new_uint64(s->bad));
}

static void sentry_recent(struct oe_module_inst *mi, struct json_object *arr)
{
	struct sentry *s = mi->priv;

	for (unsigned int i = 0; i < s->ring.count; i++)
		json_object_array_add(arr, sentry_event_to_json(sentry_ring_get(&s->ring, i)));
}

const struct oe_module sentry_module = {
	.name = "sentry",
	.caps = 0,
	.enabled = sentry_enabled,
	.init = sentry_init,
	.event = sentry_event,
	.reload = sentry_reload,
	.status = sentry_status,
	.recent = sentry_recent,
	.fini = sentry_fini,
};
