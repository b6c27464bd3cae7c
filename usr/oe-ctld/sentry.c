// SPDX-License-Identifier: GPL-2.0-only
/*
 * sentry module: follows the oe_sentry generic netlink family (state and
 * the "events" multicast group) with genl_follow, which also follows
 * nlctrl, so the family is picked up when it appears after us or
 * reappears with a new id.
 */
#include "config.h"
#include "genl_follow.h"
#include "genl_msg.h"
#include "log.h"
#include "module.h"
#include "sentry_msg.h"
#include "util.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/oe_sentry.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

struct sentry {
	struct genl_follow nl;
	bool have_state;
	struct sentry_state state;
	uint64_t received;		/* events received */
	uint64_t gaps;			/* events missed, from seq gaps */
	uint64_t overruns;		/* ENOBUFS on the event socket */
	struct seq_gap seq;
};

/* [sentry] */
struct sentry_cfg {
	bool enabled;
};

static const struct oe_config_key sentry_keys[] = {
	OE_CONFIG_KEY("enabled", oe_config_bool, struct sentry_cfg, enabled, "yes"),
};

const struct oe_module sentry_module;

static bool sentry_enabled(const struct oectld_config *cfg)
{
	const struct sentry_cfg *c = oe_config_section(cfg, &sentry_module);

	return c->enabled;
}

static int state_cb(struct nl_msg *msg, void *arg)
{
	struct sentry *s = arg;
	struct sentry_state st;
	int rc;

	rc = sentry_parse_state(nlmsg_hdr(msg), &st);
	if (rc) {
		log_warn("sentry: bad get-state reply: %s", strerror(-rc));
		s->nl.bad++;
		return NL_SKIP;
	}
	s->state = st;
	s->have_state = true;
	return NL_OK;
}

/* Refresh the kernel state with a get-state dump. */
static void sentry_sync_state(void *arg)
{
	struct sentry *s = arg;
	struct nl_msg *msg;
	struct nl_cb *cb;
	int rc;

	if (s->nl.family_id < 0)
		return;
	msg = nlmsg_alloc();
	if (!msg)
		return;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s->nl.family_id, 0,
			 NLM_F_DUMP, OE_SENTRY_CMD_GET_STATE,
			 OE_SENTRY_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return;
	}
	rc = nl_send_auto(s->nl.cmd_sk, msg);
	nlmsg_free(msg);
	if (rc < 0) {
		log_warn("sentry: get-state: %s", nl_geterror(rc));
		return;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, state_cb, s);
	rc = nl_recvmsgs(s->nl.cmd_sk, cb);
	nl_cb_put(cb);
	if (rc < 0)
		log_warn("sentry: get-state: %s", nl_geterror(rc));
}

static void sentry_forget(void *arg)
{
	struct sentry *s = arg;

	s->have_state = false;
}

static int sentry_message(void *arg, const struct nlmsghdr *nlh)
{
	struct sentry *s = arg;
	struct oe_module_inst *mi = s->nl.mi;
	struct sentry_event tmp;
	struct json_object *j;
	int rc;

	rc = sentry_parse_event(nlh, &tmp);
	if (rc)
		return rc;
	s->received++;
	s->gaps += seq_gap_next(&s->seq, tmp.seq);
	if (tmp.type == SENTRY_EV_FILEMAP_LOCAL_CHANGED)
		s->state.filemap_alloc_local = tmp.filemap_alloc_local;
	j = sentry_event_to_json(&tmp);
	if (j) {
		oe_module_emit(mi, j);
		json_object_put(j);
	}
	return 0;
}

static uint64_t sentry_overrun(void *arg)
{
	struct sentry *s = arg;

	/* what the overrun lost is not counted again as a seq gap */
	s->seq.known = false;
	return ++s->overruns;
}

static const struct genl_follow_spec sentry_follow = {
	.family = OE_SENTRY_FAMILY_NAME,
	.group = OE_SENTRY_MCGRP_EVENTS,
	.unfollowed = "a family registered later will not be seen",
	.sync = sentry_sync_state,
	.forget = sentry_forget,
	.message = sentry_message,
	.overrun = sentry_overrun,
};

static void sentry_event(struct oe_module_inst *mi, int fd, uint32_t events)
{
	struct sentry *s = mi->priv;

	(void)fd;
	(void)events;
	genl_follow_read(&s->nl);
}

static void sentry_fini(struct oe_module_inst *mi)
{
	struct sentry *s = mi->priv;

	if (!s)
		return;
	genl_follow_fini(&s->nl);
	free(s);
	mi->priv = NULL;
}

static int sentry_init(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct sentry *s;
	int rc;

	(void)cfg;
	s = calloc(1, sizeof(*s));
	if (!s) {
		oe_module_set_unavailable(mi, "out of memory");
		return -ENOMEM;
	}
	mi->priv = s;
	rc = genl_follow_init(&s->nl, &sentry_follow, mi, s);
	if (rc < 0)
		sentry_fini(mi);
	return rc;
}

static int sentry_reload(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct sentry *s = mi->priv;

	(void)cfg;
	/* nothing configurable yet; re-check the kernel side */
	if (s->nl.family_id < 0)
		genl_follow_resolve(&s->nl);
	return 0;
}

static void sentry_status(struct oe_module_inst *mi, struct json_object *d)
{
	struct sentry *s = mi->priv;

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
	if (s->nl.bad)
		json_object_object_add(d, "malformed", json_object_new_uint64(s->nl.bad));
}

const struct oe_module sentry_module = {
	.name = "sentry",
	/* the events group names other users' OOM kills: admin's to join */
	.caps = OE_CAP(CAP_NET_ADMIN),
	.keys = sentry_keys,
	.nkeys = ARRAY_SIZE(sentry_keys),
	.config_size = sizeof(struct sentry_cfg),
	.enabled = sentry_enabled,
	.init = sentry_init,
	.event = sentry_event,
	.reload = sentry_reload,
	.status = sentry_status,
	.fini = sentry_fini,
};
