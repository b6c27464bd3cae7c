// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem module: reads GMem's devices, page counts and per-process pages
 * from the oe_gmem generic netlink family, counts the pressure events of
 * its "events" multicast group per device, and follows nlctrl's "notify"
 * group, so the family is picked up when it appears after us or reappears
 * with a new id. The family exists only when the kernel runs with
 * gmem=on. It only reads: it needs no capability.
 */
#include "config.h"
#include "ctlproto.h"
#include "gmem_msg.h"
#include "log.h"
#include "module.h"
#include "sentry_msg.h"		/* sentry_parse_ctrl(): nlctrl notices */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <json-c/json.h>
#include <linux/genetlink.h>
#include <linux/oe_gmem.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#define GMEM_RCVBUF	(1 << 20)
#define GMEM_MSGBUF	(64 * 1024)
#define GMEM_MISSING	"kernel has no oe_gmem family"

struct gmem {
	struct oe_module_inst *mi;
	struct nl_sock *ev_sk;		/* events + nlctrl notify, nonblocking */
	struct nl_sock *cmd_sk;		/* resolve and requests, blocking */
	int ev_fd;
	int family_id;			/* -1: not present */
	int events_grp;			/* -1: not subscribed */
	int ctrl_grp;			/* -1: cannot follow nlctrl */
	bool missing_logged;
	bool need_resync;
	/* the kernel's figures as last read */
	bool have_stats;
	struct gmem_stats stats;
	bool have_devs;
	struct gmem_device *devs;
	size_t ndevs;
	bool have_procs;
	struct gmem_process *procs;
	size_t nprocs;
	uint64_t bad;			/* malformed messages dropped */
	struct gmem_track track;
	unsigned char buf[GMEM_MSGBUF];
};

static bool gmem_enabled(const struct oectld_config *cfg)
{
	return cfg->gmem.enabled;
}

/* ---- requests ---- */

struct reply {
	uint8_t cmd;
	void *v;		/* devices or processes */
	size_t n, cap, size;
	struct gmem_stats stats;
	bool have_stats;
	int err;		/* errno the kernel answered with */
	unsigned int bad;	/* replies that did not parse */
	bool oom;
};

static int reply_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	void *slot;
	int rc;

	if (r->cmd == OE_GMEM_CMD_GET_STATS) {
		rc = gmem_parse_stats(nlh, &r->stats);
		if (rc == 0)
			r->have_stats = true;
		else
			r->bad++;
		return NL_OK;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		void *nv = realloc(r->v, cap * r->size);

		if (!nv) {
			r->oom = true;
			return NL_STOP;
		}
		r->v = nv;
		r->cap = cap;
	}
	slot = (char *)r->v + r->n * r->size;
	if (r->cmd == OE_GMEM_CMD_GET_DEVICES)
		rc = gmem_parse_device(nlh, slot);
	else
		rc = gmem_parse_process(nlh, slot);
	if (rc == 0)
		r->n++;
	else
		r->bad++;
	return NL_OK;
}

static int reply_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct reply *r = arg;

	(void)nla;
	r->err = -e->error;
	return NL_STOP;
}

/* A late answer to a request that timed out is not the next one's. */
static void drain(struct gmem *g)
{
	int fd = nl_socket_get_fd(g->cmd_sk);
	char b[512];

	while (recv(fd, b, sizeof(b), MSG_DONTWAIT) > 0)
		;
}

static const char *cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case OE_GMEM_CMD_GET_DEVICES:
		return "get-devices";
	case OE_GMEM_CMD_GET_STATS:
		return "get-stats";
	default:
		return "get-processes";
	}
}

/*
 * Send @cmd and collect its replies in @r (caller frees r->v on success).
 * 0, or -1 with a message in @err.
 */
static int request(struct gmem *g, uint8_t cmd, struct reply *r, char *err,
		   size_t errlen)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int rc;

	memset(r, 0, sizeof(*r));
	r->cmd = cmd;
	r->size = cmd == OE_GMEM_CMD_GET_DEVICES ? sizeof(struct gmem_device) :
		  sizeof(struct gmem_process);
	if (g->family_id < 0) {
		snprintf(err, errlen, "%s", g->mi->reason[0] ? g->mi->reason :
			 GMEM_MISSING);
		return -1;
	}
	drain(g);
	msg = nlmsg_alloc();
	if (!msg || gmem_msg_build_get(msg, g->family_id, cmd) < 0) {
		nlmsg_free(msg);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = nl_send_auto(g->cmd_sk, msg);
	nlmsg_free(msg);
	if (rc < 0) {
		snprintf(err, errlen, "oe_gmem %s: %s", cmd_name(cmd),
			 nl_geterror(rc));
		return -1;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, reply_valid, r);
	nl_cb_err(cb, NL_CB_CUSTOM, reply_error, r);
	rc = nl_recvmsgs(g->cmd_sk, cb);
	nl_cb_put(cb);
	if (r->bad) {
		g->bad += r->bad;
		log_warn("gmem: %u malformed oe_gmem %s replies ignored", r->bad,
			 cmd_name(cmd));
	}
	if (rc < 0 || r->err || r->oom ||
	    (cmd == OE_GMEM_CMD_GET_STATS && !r->have_stats)) {
		if (r->oom)
			snprintf(err, errlen, "out of memory");
		else if (rc < 0 || r->err)
			snprintf(err, errlen, "oe_gmem %s: %s", cmd_name(cmd),
				 r->err ? strerror(r->err) : nl_geterror(rc));
		else
			snprintf(err, errlen, "oe_gmem %s: no valid reply",
				 cmd_name(cmd));
		free(r->v);
		r->v = NULL;
		return -1;
	}
	return 0;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct gmem_device *x = a, *y = b;

	return (x->hnid > y->hnid) - (x->hnid < y->hnid);
}

static int cmp_proc(const void *a, const void *b)
{
	const struct gmem_process *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int sync_devices(struct gmem *g, char *err, size_t errlen)
{
	struct reply r;

	if (request(g, OE_GMEM_CMD_GET_DEVICES, &r, err, errlen) < 0)
		return -1;
	if (r.n)
		qsort(r.v, r.n, r.size, cmp_dev);
	free(g->devs);
	g->devs = r.v;
	g->ndevs = r.n;
	g->have_devs = true;
	return 0;
}

static int sync_stats(struct gmem *g, char *err, size_t errlen)
{
	struct reply r;

	if (request(g, OE_GMEM_CMD_GET_STATS, &r, err, errlen) < 0)
		return -1;
	free(r.v);
	g->stats = r.stats;
	g->have_stats = true;
	return 0;
}

static int sync_processes(struct gmem *g, char *err, size_t errlen)
{
	struct reply r;

	if (request(g, OE_GMEM_CMD_GET_PROCESSES, &r, err, errlen) < 0)
		return -1;
	if (r.n)
		qsort(r.v, r.n, r.size, cmp_proc);
	free(g->procs);
	g->procs = r.v;
	g->nprocs = r.n;
	g->have_procs = true;
	return 0;
}

/* Read everything the kernel has: at start, and after events were lost. */
static void sync_all(struct gmem *g)
{
	char err[256];

	if (sync_devices(g, err, sizeof(err)) < 0)
		log_warn("gmem: %s", err);
	if (sync_stats(g, err, sizeof(err)) < 0)
		log_warn("gmem: %s", err);
	if (sync_processes(g, err, sizeof(err)) < 0)
		log_warn("gmem: %s", err);
}

/* ---- the family ---- */

static void forget_family(struct gmem *g)
{
	if (g->events_grp >= 0)
		nl_socket_drop_membership(g->ev_sk, g->events_grp);
	g->events_grp = -1;
	g->family_id = -1;
	g->have_stats = g->have_devs = g->have_procs = false;
	gmem_track_forget_seq(&g->track);
}

/* (Re)resolve the family and its group; subscribe and read the state. */
static void resolve(struct gmem *g)
{
	int id, grp, rc;

	forget_family(g);
	id = genl_ctrl_resolve(g->cmd_sk, OE_GMEM_FAMILY_NAME);
	if (id < 0) {
		oe_module_set_unavailable(g->mi, GMEM_MISSING);
		if (!g->missing_logged)
			log_warn("gmem: " GMEM_MISSING " (gmem=on not on the kernel command line?); module unavailable");
		g->missing_logged = true;
		return;
	}
	grp = genl_ctrl_resolve_grp(g->cmd_sk, OE_GMEM_FAMILY_NAME,
				    OE_GMEM_MCGRP_EVENTS);
	if (grp < 0) {
		oe_module_set_unavailable(g->mi, "oe_gmem family has no \"events\" group");
		log_warn("gmem: oe_gmem family has no \"events\" multicast group; module unavailable");
		return;
	}
	rc = nl_socket_add_membership(g->ev_sk, grp);
	if (rc < 0) {
		oe_module_set_unavailable(g->mi, "cannot join the events group: %s",
					  nl_geterror(rc));
		log_warn("gmem: cannot join the events group: %s", nl_geterror(rc));
		return;
	}
	g->family_id = id;
	g->events_grp = grp;
	/* subscribed first, so no change falls between the dumps and the events */
	sync_all(g);
	oe_module_set_available(g->mi);
	g->missing_logged = false;
	log_info("gmem: following oe_gmem (family %d, events group %d)", id, grp);
}

static void handle_ctrl(struct gmem *g, const struct nlmsghdr *nlh)
{
	struct ctrl_notice n;

	if (sentry_parse_ctrl(nlh, &n))
		return;		/* other nlctrl notifications */
	if (strcmp(n.family_name, OE_GMEM_FAMILY_NAME))
		return;
	if (n.cmd == CTRL_CMD_NEWFAMILY) {
		log_info("gmem: oe_gmem family registered (id %u)", n.family_id);
		resolve(g);
	} else if (n.cmd == CTRL_CMD_DELFAMILY) {
		log_info("gmem: oe_gmem family unregistered");
		forget_family(g);
		oe_module_set_unavailable(g->mi, "oe_gmem family was unregistered");
		g->missing_logged = true;
	}
}

static void handle_event(struct gmem *g, const struct nlmsghdr *nlh)
{
	struct gmem_pressure ev;
	struct json_object *j;
	uint64_t missed;
	int rc;

	rc = gmem_parse_pressure(nlh, &ev);
	if (rc) {
		if (rc != -EOPNOTSUPP) {
			g->bad++;
			log_debug("gmem: dropped malformed event: %s", strerror(-rc));
		}
		return;
	}
	missed = gmem_track_event(&g->track, &ev);
	if (missed)
		log_debug("gmem: %llu pressure events missed before seq %llu",
			  (unsigned long long)missed, (unsigned long long)ev.seq);
	j = gmem_pressure_to_json(&ev);
	if (j) {
		g->mi->host_ops->emit_event(g->mi->host, g->mi, j);
		json_object_put(j);
	}
}

static void overrun(struct gmem *g)
{
	if (gmem_track_overrun(&g->track))
		log_warn("gmem: event socket overrun (ENOBUFS), events were lost; resyncing from the kernel (further overruns are logged at debug level)");
	else
		log_debug("gmem: event socket overrun #%llu; resyncing",
			  (unsigned long long)g->track.overruns);
	/* once the queued (older) events are processed */
	g->need_resync = true;
}

static void gmem_read(struct gmem *g, int fd)
{
	for (int round = 0; round < 64; round++) {
		struct sockaddr_nl from;
		struct iovec iov = { g->buf, sizeof(g->buf) };
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
				overrun(g);
				continue;
			}
			if (errno != EAGAIN)
				log_warn("gmem: recv: %s", strerror(errno));
			return;
		}
		if (n == 0)
			return;
		if (from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC)) {
			g->bad++;
			continue;	/* not from the kernel, or cut short */
		}
		rem = (int)n;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)g->buf;
		     NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_type == GENL_ID_CTRL)
				handle_ctrl(g, nlh);
			else if (g->family_id >= 0 &&
				 nlh->nlmsg_type == (uint16_t)g->family_id)
				handle_event(g, nlh);
		}
	}
}

static void gmem_event(struct oe_module_inst *mi, int fd, uint32_t events)
{
	struct gmem *g = mi->priv;

	(void)events;
	gmem_read(g, fd);
	if (g->need_resync) {
		g->need_resync = false;
		if (g->family_id >= 0)
			sync_all(g);
	}
}

/* ---- control commands ---- */

/* The family, looked up again if it is not known (nlctrl may be missed). */
static int need_family(struct gmem *g, char *err, size_t errlen)
{
	if (g->family_id < 0)
		resolve(g);
	if (g->family_id < 0) {
		snprintf(err, errlen, "gmem is not available: %s",
			 g->mi->reason[0] ? g->mi->reason : GMEM_MISSING);
		return -1;
	}
	return 0;
}

static void add_pressure(struct gmem *g, struct json_object *reply)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "received", json_object_new_uint64(g->track.received));
	json_object_object_add(p, "missed", json_object_new_uint64(g->track.missed));
	json_object_object_add(p, "overruns", json_object_new_uint64(g->track.overruns));
	json_object_object_add(reply, "pressure", p);
}

static int cmd_devices(struct gmem *g, struct json_object *reply, char *err,
		       size_t errlen)
{
	struct json_object *arr;

	if (need_family(g, err, errlen) < 0 ||
	    sync_devices(g, err, errlen) < 0)
		return -1;
	arr = json_object_new_array();
	for (size_t i = 0; i < g->ndevs; i++)
		json_object_array_add(arr, gmem_device_to_json(&g->devs[i],
				      gmem_track_dev(&g->track, g->devs[i].hnid)));
	json_object_object_add(reply, "page_size",
			       json_object_new_uint64(GMEM_PAGE_SIZE));
	json_object_object_add(reply, "devices", arr);
	add_pressure(g, reply);
	return 0;
}

static int cmd_stats(struct gmem *g, struct json_object *reply, char *err,
		     size_t errlen)
{
	struct json_object *arr;

	if (need_family(g, err, errlen) < 0 ||
	    sync_stats(g, err, errlen) < 0 ||
	    sync_processes(g, err, errlen) < 0)
		return -1;
	json_object_object_add(reply, "page_size",
			       json_object_new_uint64(GMEM_PAGE_SIZE));
	gmem_stats_to_json(&g->stats, reply);
	arr = json_object_new_array();
	for (size_t i = 0; i < g->nprocs; i++)
		json_object_array_add(arr, gmem_process_to_json(&g->procs[i]));
	json_object_object_add(reply, "per_process", arr);
	return 0;
}

static int gmem_command(struct oe_module_inst *mi, const struct ctl_request *req,
			struct json_object *reply, char *err, size_t errlen)
{
	struct gmem *g = mi->priv;

	switch (req->cmd) {
	case CTL_CMD_GMEM_DEVICES:
		return cmd_devices(g, reply, err, errlen);
	case CTL_CMD_GMEM_STATS:
		return cmd_stats(g, reply, err, errlen);
	default:
		snprintf(err, errlen, "gmem: no command '%s'", req->name);
		return -1;
	}
}

/* ---- module ---- */

static void gmem_fini(struct oe_module_inst *mi)
{
	struct gmem *g = mi->priv;

	if (!g)
		return;
	if (g->ev_fd >= 0)
		mi->host_ops->unwatch_fd(mi->host, mi, g->ev_fd);
	if (g->ev_sk)
		nl_socket_free(g->ev_sk);
	if (g->cmd_sk)
		nl_socket_free(g->cmd_sk);
	free(g->devs);
	free(g->procs);
	free(g);
	mi->priv = NULL;
}

static int gmem_init(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct timeval tv = { .tv_sec = 2 };
	struct gmem *g;
	int rc;

	(void)cfg;
	g = calloc(1, sizeof(*g));
	if (!g) {
		oe_module_set_unavailable(mi, "out of memory");
		return -ENOMEM;
	}
	g->mi = mi;
	g->ev_fd = -1;
	g->family_id = -1;
	g->events_grp = -1;
	g->ctrl_grp = -1;
	mi->priv = g;

	g->ev_sk = nl_socket_alloc();
	g->cmd_sk = nl_socket_alloc();
	if (!g->ev_sk || !g->cmd_sk) {
		oe_module_set_unavailable(mi, "out of memory");
		gmem_fini(mi);
		return -ENOMEM;
	}
	if ((rc = genl_connect(g->ev_sk)) < 0 ||
	    (rc = genl_connect(g->cmd_sk)) < 0) {
		oe_module_set_unavailable(mi, "cannot open a generic netlink socket: %s",
					  nl_geterror(rc));
		gmem_fini(mi);
		return -EIO;
	}
	nl_socket_disable_seq_check(g->ev_sk);
	nl_socket_set_nonblocking(g->ev_sk);
	nl_socket_set_buffer_size(g->ev_sk, GMEM_RCVBUF, 0);
	/*
	 * No NLM_F_ACK: the ACK that follows get-stats' reply would stay
	 * queued and be taken for the answer to the next request.
	 */
	nl_socket_disable_auto_ack(g->cmd_sk);
	/* never hang the event loop on a kernel that does not answer */
	setsockopt(nl_socket_get_fd(g->cmd_sk), SOL_SOCKET, SO_RCVTIMEO,
		   &tv, sizeof(tv));
	g->ev_fd = nl_socket_get_fd(g->ev_sk);

	g->ctrl_grp = genl_ctrl_resolve_grp(g->cmd_sk, "nlctrl", "notify");
	if (g->ctrl_grp < 0 ||
	    nl_socket_add_membership(g->ev_sk, g->ctrl_grp) < 0) {
		log_warn("gmem: cannot follow nlctrl notifications; a family registered later is seen only by the next request or reload");
		g->ctrl_grp = -1;
	}
	rc = mi->host_ops->watch_fd(mi->host, mi, g->ev_fd);
	if (rc < 0) {
		g->ev_fd = -1;
		oe_module_set_unavailable(mi, "cannot watch the event socket");
		gmem_fini(mi);
		return rc;
	}
	resolve(g);
	return 0;
}

static int gmem_reload(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct gmem *g = mi->priv;

	(void)cfg;
	/* nothing configurable but enabled; re-check the kernel side */
	if (g->family_id < 0)
		resolve(g);
	return 0;
}

static void gmem_status(struct oe_module_inst *mi, struct json_object *d)
{
	struct gmem *g = mi->priv;
	char err[256];

	if (g->family_id >= 0 &&
	    (sync_devices(g, err, sizeof(err)) < 0 ||
	     sync_stats(g, err, sizeof(err)) < 0))
		log_debug("gmem: status: %s", err);
	if (g->have_devs)
		json_object_object_add(d, "devices", json_object_new_uint64(g->ndevs));
	if (g->have_stats) {
		json_object_object_add(d, "processes",
				       json_object_new_uint64(g->stats.processes));
		json_object_object_add(d, "pages_cpu",
				       json_object_new_uint64(g->stats.pages_cpu));
		json_object_object_add(d, "pages_device",
				       json_object_new_uint64(g->stats.pages_device));
		json_object_object_add(d, "migrating",
				       json_object_new_uint64(g->stats.migrating));
	}
	json_object_object_add(d, "pressure", json_object_new_uint64(g->track.received));
	json_object_object_add(d, "missed", json_object_new_uint64(g->track.missed));
	json_object_object_add(d, "overruns", json_object_new_uint64(g->track.overruns));
	if (g->bad)
		json_object_object_add(d, "malformed", json_object_new_uint64(g->bad));
}

static void gmem_recent(struct oe_module_inst *mi, struct json_object *arr)
{
	struct gmem *g = mi->priv;

	for (unsigned int i = 0; i < g->track.ring.count; i++)
		json_object_array_add(arr, gmem_pressure_to_json(gmem_ring_get(&g->track.ring, i)));
}

const struct oe_module gmem_module = {
	.name = "gmem",
	/* reading a genl family and joining its group need no capability */
	.caps = 0,
	.enabled = gmem_enabled,
	.init = gmem_init,
	.event = gmem_event,
	.reload = gmem_reload,
	.status = gmem_status,
	.recent = gmem_recent,
	.command = gmem_command,
	.fini = gmem_fini,
};
