// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem module: reads GMem's devices, page counts and per-process pages
 * from the oe_gmem generic netlink family, counts the pressure events of
 * its "events" multicast group per device, and follows the family with
 * genl_follow (which also follows nlctrl, so the family is picked up when
 * it appears after us or reappears with a new id). The family exists only
 * when the kernel runs with gmem=on. It only reads: it needs no capability.
 */
#include "config.h"
#include "ctlproto.h"
#include "genl_follow.h"
#include "gmem_msg.h"
#include "log.h"
#include "module.h"
#include "util.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include <linux/oe_gmem.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#define GMEM_MISSING	"kernel has no oe_gmem family"

/* A dump as last read: devices or processes, sorted. */
struct dump {
	bool have;
	void *v;
	size_t n;
};

struct gmem {
	struct genl_follow nl;
	/* the kernel's figures as last read */
	bool have_stats;
	struct gmem_stats stats;
	struct dump devs;		/* struct gmem_device, by hnid */
	struct dump procs;		/* struct gmem_process, by pid */
	struct gmem_track track;
};

/* [gmem] */
struct gmem_cfg {
	bool enabled;
};

/* on by default: it only reads */
static const struct oe_config_key gmem_keys[] = {
	OE_CONFIG_KEY("enabled", oe_config_bool, struct gmem_cfg, enabled, "yes"),
};

const struct oe_module gmem_module;

static bool gmem_enabled(const struct oectld_config *cfg)
{
	const struct gmem_cfg *c = oe_config_section(cfg, &gmem_module);

	return c->enabled;
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
	int fd = nl_socket_get_fd(g->nl.cmd_sk);
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
	if (g->nl.family_id < 0) {
		snprintf(err, errlen, "%s", g->nl.mi->reason[0] ?
			 g->nl.mi->reason : GMEM_MISSING);
		return -1;
	}
	drain(g);
	msg = nlmsg_alloc();
	if (!msg || gmem_msg_build_get(msg, g->nl.family_id, cmd) < 0) {
		nlmsg_free(msg);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = nl_send_auto(g->nl.cmd_sk, msg);
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
	rc = nl_recvmsgs(g->nl.cmd_sk, cb);
	nl_cb_put(cb);
	if (r->bad) {
		g->nl.bad += r->bad;
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

/* A dump of @cmd (get-devices or get-processes) in place of @d's. */
static int sync_dump(struct gmem *g, uint8_t cmd, struct dump *d, char *err,
		     size_t errlen)
{
	struct reply r;

	if (request(g, cmd, &r, err, errlen) < 0)
		return -1;
	if (r.n)
		qsort(r.v, r.n, r.size,
		      cmd == OE_GMEM_CMD_GET_DEVICES ? cmp_dev : cmp_proc);
	free(d->v);
	d->v = r.v;
	d->n = r.n;
	d->have = true;
	return 0;
}

static int sync_devices(struct gmem *g, char *err, size_t errlen)
{
	return sync_dump(g, OE_GMEM_CMD_GET_DEVICES, &g->devs, err, errlen);
}

static int sync_processes(struct gmem *g, char *err, size_t errlen)
{
	return sync_dump(g, OE_GMEM_CMD_GET_PROCESSES, &g->procs, err, errlen);
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

/* Read everything the kernel has: at start, and after events were lost. */
static void sync_all(void *arg)
{
	struct gmem *g = arg;
	char err[256];

	if (sync_devices(g, err, sizeof(err)) < 0)
		log_warn("gmem: %s", err);
	if (sync_stats(g, err, sizeof(err)) < 0)
		log_warn("gmem: %s", err);
	if (sync_processes(g, err, sizeof(err)) < 0)
		log_warn("gmem: %s", err);
}

/* ---- the family ---- */

static void forget(void *arg)
{
	struct gmem *g = arg;

	g->have_stats = g->devs.have = g->procs.have = false;
	gmem_track_forget_seq(&g->track);
}

static int handle_event(void *arg, const struct nlmsghdr *nlh)
{
	struct gmem *g = arg;
	struct oe_module_inst *mi = g->nl.mi;
	struct gmem_pressure ev;
	struct json_object *j;
	uint64_t missed;
	int rc;

	rc = gmem_parse_pressure(nlh, &ev);
	if (rc)
		return rc;
	missed = gmem_track_event(&g->track, &ev);
	if (missed)
		log_debug("gmem: %llu pressure events missed before seq %llu",
			  (unsigned long long)missed, (unsigned long long)ev.seq);
	j = gmem_pressure_to_json(&ev);
	if (j) {
		oe_module_emit(mi, j);
		json_object_put(j);
	}
	return 0;
}

static uint64_t overrun(void *arg)
{
	struct gmem *g = arg;

	gmem_track_overrun(&g->track);
	return g->track.overruns;
}

static const struct genl_follow_spec gmem_follow = {
	.family = OE_GMEM_FAMILY_NAME,
	.group = OE_GMEM_MCGRP_EVENTS,
	.missing_hint = " (gmem=on not on the kernel command line?)",
	.unfollowed = "a family registered later is seen only by the next request or reload",
	/*
	 * No NLM_F_ACK: the ACK that follows get-stats' reply would stay
	 * queued and be taken for the answer to the next request.
	 */
	.no_auto_ack = true,
	.sync = sync_all,
	.forget = forget,
	.message = handle_event,
	.overrun = overrun,
};

static void gmem_event(struct oe_module_inst *mi, int fd, uint32_t events)
{
	struct gmem *g = mi->priv;

	(void)fd;
	(void)events;
	genl_follow_read(&g->nl);
}

/* ---- control commands ---- */

/* The family, looked up again if it is not known (nlctrl may be missed). */
static int need_family(struct gmem *g, char *err, size_t errlen)
{
	if (g->nl.family_id < 0)
		genl_follow_resolve(&g->nl);
	if (g->nl.family_id < 0) {
		snprintf(err, errlen, "gmem is not available: %s",
			 g->nl.mi->reason[0] ? g->nl.mi->reason : GMEM_MISSING);
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

static int cmd_devices(struct oe_module_inst *mi, const struct ctl_request *req,
		       struct json_object *reply, char *err, size_t errlen)
{
	struct gmem *g = mi->priv;
	const struct gmem_device *devs;
	struct json_object *arr;

	(void)req;
	if (need_family(g, err, errlen) < 0 ||
	    sync_devices(g, err, errlen) < 0)
		return -1;
	devs = g->devs.v;
	arr = json_object_new_array();
	for (size_t i = 0; i < g->devs.n; i++)
		json_object_array_add(arr, gmem_device_to_json(&devs[i],
				      gmem_track_dev(&g->track, devs[i].hnid)));
	json_object_object_add(reply, "page_size",
			       json_object_new_uint64(GMEM_PAGE_SIZE));
	json_object_object_add(reply, "devices", arr);
	add_pressure(g, reply);
	return 0;
}

static int cmd_stats(struct oe_module_inst *mi, const struct ctl_request *req,
		     struct json_object *reply, char *err, size_t errlen)
{
	struct gmem *g = mi->priv;
	const struct gmem_process *procs;
	struct json_object *arr;

	(void)req;
	if (need_family(g, err, errlen) < 0 ||
	    sync_stats(g, err, errlen) < 0 ||
	    sync_processes(g, err, errlen) < 0)
		return -1;
	procs = g->procs.v;
	json_object_object_add(reply, "page_size",
			       json_object_new_uint64(GMEM_PAGE_SIZE));
	gmem_stats_to_json(&g->stats, reply);
	arr = json_object_new_array();
	for (size_t i = 0; i < g->procs.n; i++)
		json_object_array_add(arr, gmem_process_to_json(&procs[i]));
	json_object_object_add(reply, "per_process", arr);
	return 0;
}

static const struct oe_command gmem_commands[] = {
	{ "devices", false, 0, cmd_devices },
	{ "stats", false, 0, cmd_stats },
};

/* ---- module ---- */

static void gmem_fini(struct oe_module_inst *mi)
{
	struct gmem *g = mi->priv;

	if (!g)
		return;
	genl_follow_fini(&g->nl);
	free(g->devs.v);
	free(g->procs.v);
	free(g);
	mi->priv = NULL;
}

static int gmem_init(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct gmem *g;
	int rc;

	(void)cfg;
	g = calloc(1, sizeof(*g));
	if (!g) {
		oe_module_set_unavailable(mi, "out of memory");
		return -ENOMEM;
	}
	mi->priv = g;
	rc = genl_follow_init(&g->nl, &gmem_follow, mi, g);
	if (rc < 0)
		gmem_fini(mi);
	return rc;
}

static int gmem_reload(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct gmem *g = mi->priv;

	(void)cfg;
	/* nothing configurable but enabled; re-check the kernel side */
	if (g->nl.family_id < 0)
		genl_follow_resolve(&g->nl);
	return 0;
}

static void gmem_status(struct oe_module_inst *mi, struct json_object *d)
{
	struct gmem *g = mi->priv;
	char err[256];

	if (g->nl.family_id >= 0 &&
	    (sync_devices(g, err, sizeof(err)) < 0 ||
	     sync_stats(g, err, sizeof(err)) < 0))
		log_debug("gmem: status: %s", err);
	if (g->devs.have)
		json_object_object_add(d, "devices", json_object_new_uint64(g->devs.n));
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
	if (g->nl.bad)
		json_object_object_add(d, "malformed", json_object_new_uint64(g->nl.bad));
}

const struct oe_module gmem_module = {
	.name = "gmem",
	/* the events group names other users' pids: joining it is admin's */
	.caps = OE_CAP(CAP_NET_ADMIN),
	.keys = gmem_keys,
	.nkeys = ARRAY_SIZE(gmem_keys),
	.config_size = sizeof(struct gmem_cfg),
	.commands = gmem_commands,
	.ncommands = ARRAY_SIZE(gmem_commands),
	.enabled = gmem_enabled,
	.init = gmem_init,
	.event = gmem_event,
	.reload = gmem_reload,
	.status = gmem_status,
	.fini = gmem_fini,
};
