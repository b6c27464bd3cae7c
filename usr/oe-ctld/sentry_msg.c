// SPDX-License-Identifier: GPL-2.0-only
#include "sentry_msg.h"
#include "genl_msg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/oe_sentry.h>
#include <netlink/attr.h>

/* The attribute sets of oe_sentry.yaml, every attribute of each. */
static const struct nla_policy state_policy[OE_SENTRY_A_STATE_MAX + 1] = {
	[OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL] = GENL_POLICY_U32,
	[OE_SENTRY_A_STATE_EVENTS_SENT] = GENL_POLICY_U64,
	[OE_SENTRY_A_STATE_EVENTS_LOST] = GENL_POLICY_U64,
	[OE_SENTRY_A_STATE_PAD] = GENL_POLICY_PAD,
};

static const struct nla_policy event_policy[OE_SENTRY_A_EVENT_MAX + 1] = {
	[OE_SENTRY_A_EVENT_SEQ] = GENL_POLICY_U64,
	[OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL] = GENL_POLICY_U32,
	[OE_SENTRY_A_EVENT_PID] = GENL_POLICY_U32,
	[OE_SENTRY_A_EVENT_COMM] = GENL_POLICY_STRING(SENTRY_COMM_MAX),
	[OE_SENTRY_A_EVENT_CGROUP] = GENL_POLICY_STRING(SENTRY_CGROUP_MAX),
	[OE_SENTRY_A_EVENT_OOM_SCOPE] = GENL_POLICY_U32,
	[OE_SENTRY_A_EVENT_TOTAL_VM_KB] = GENL_POLICY_U64,
	[OE_SENTRY_A_EVENT_RSS_KB] = GENL_POLICY_U64,
	[OE_SENTRY_A_EVENT_PAD] = GENL_POLICY_PAD,
};

const struct genl_attr_set sentry_state_attrs = GENL_ATTR_SET(state_policy);
const struct genl_attr_set sentry_event_attrs = GENL_ATTR_SET(event_policy);

int sentry_parse_state(const struct nlmsghdr *nlh, struct sentry_state *out)
{
	struct nlattr *tb[OE_SENTRY_A_STATE_MAX + 1];
	struct sentry_state st;
	int rc;

	if ((rc = genl_msg_parse(nlh, OE_SENTRY_CMD_GET_STATE, tb,
				 &sentry_state_attrs)) ||
	    (rc = genl_attrs_require(tb, OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL,
				     OE_SENTRY_A_STATE_EVENTS_LOST)))
		return rc;
	st.filemap_alloc_local =
		nla_get_u32(tb[OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL]);
	st.events_sent = nla_get_u64(tb[OE_SENTRY_A_STATE_EVENTS_SENT]);
	st.events_lost = nla_get_u64(tb[OE_SENTRY_A_STATE_EVENTS_LOST]);
	*out = st;
	return 0;
}

int sentry_parse_event(const struct nlmsghdr *nlh, struct sentry_event *out)
{
	struct nlattr *tb[OE_SENTRY_A_EVENT_MAX + 1];
	struct sentry_event *ev = out;
	uint32_t scope;
	int cmd, rc;

	/* two events share the set: the command first, then the policy */
	cmd = genl_msg_cmd(nlh);
	if (cmd < 0)
		return cmd;
	if (cmd != OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED &&
	    cmd != OE_SENTRY_CMD_OOM_KILL)
		return -EOPNOTSUPP;
	rc = genl_msg_parse(nlh, cmd, tb, &sentry_event_attrs);
	if (rc)
		return rc;

	/*
	 * Everything is checked before @out is touched, so a bad message
	 * leaves it as it was.
	 */
	if (cmd == OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED) {
		rc = genl_attrs_require(tb, OE_SENTRY_A_EVENT_SEQ,
					OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL);
		if (rc)
			return rc;
		memset(ev, 0, offsetof(struct sentry_event, comm));
		ev->comm[0] = '\0';
		ev->cgroup[0] = '\0';
		ev->type = SENTRY_EV_FILEMAP_LOCAL_CHANGED;
		ev->seq = nla_get_u64(tb[OE_SENTRY_A_EVENT_SEQ]);
		ev->filemap_alloc_local =
			nla_get_u32(tb[OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL]);
		return 0;
	}
	if ((rc = genl_attrs_require(tb, OE_SENTRY_A_EVENT_SEQ,
				     OE_SENTRY_A_EVENT_SEQ)) ||
	    (rc = genl_attrs_require(tb, OE_SENTRY_A_EVENT_PID,
				     OE_SENTRY_A_EVENT_RSS_KB)))
		return rc;
	/* the enum of the spec: a policy knows sizes, not values */
	scope = nla_get_u32(tb[OE_SENTRY_A_EVENT_OOM_SCOPE]);
	if (scope > OE_SENTRY_OOM_SCOPE_MEMCG)
		return -EINVAL;
	memset(ev, 0, offsetof(struct sentry_event, comm));
	ev->type = SENTRY_EV_OOM_KILL;
	ev->seq = nla_get_u64(tb[OE_SENTRY_A_EVENT_SEQ]);
	ev->pid = nla_get_u32(tb[OE_SENTRY_A_EVENT_PID]);
	ev->oom_scope = scope;
	ev->total_vm_kb = nla_get_u64(tb[OE_SENTRY_A_EVENT_TOTAL_VM_KB]);
	ev->rss_kb = nla_get_u64(tb[OE_SENTRY_A_EVENT_RSS_KB]);
	nla_strlcpy(ev->comm, tb[OE_SENTRY_A_EVENT_COMM], sizeof(ev->comm));
	nla_strlcpy(ev->cgroup, tb[OE_SENTRY_A_EVENT_CGROUP], sizeof(ev->cgroup));
	return 0;
}

const char *sentry_event_name(enum sentry_event_type t)
{
	switch (t) {
	case SENTRY_EV_FILEMAP_LOCAL_CHANGED:
		return "filemap-local-changed";
	case SENTRY_EV_OOM_KILL:
		return "oom-kill";
	}
	return "unknown";
}

const char *sentry_oom_scope_name(uint32_t scope)
{
	switch (scope) {
	case OE_SENTRY_OOM_SCOPE_GLOBAL:
		return "global";
	case OE_SENTRY_OOM_SCOPE_MEMCG:
		return "memcg";
	}
	return "unknown";
}

struct json_object *sentry_event_to_json(const struct sentry_event *ev)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "feature", json_object_new_string("sentry"));
	json_object_object_add(o, "event",
			       json_object_new_string(sentry_event_name(ev->type)));
	json_object_object_add(o, "seq", json_object_new_uint64(ev->seq));
	if (ev->type == SENTRY_EV_FILEMAP_LOCAL_CHANGED) {
		json_object_object_add(o, "filemap_alloc_local",
				       json_object_new_int64(ev->filemap_alloc_local));
	} else {
		json_object_object_add(o, "pid", json_object_new_int64(ev->pid));
		json_object_object_add(o, "comm", json_object_new_string(ev->comm));
		json_object_object_add(o, "cgroup",
				       json_object_new_string(ev->cgroup));
		json_object_object_add(o, "scope",
				       json_object_new_string(sentry_oom_scope_name(ev->oom_scope)));
		json_object_object_add(o, "total_vm_kb",
				       json_object_new_uint64(ev->total_vm_kb));
		json_object_object_add(o, "rss_kb",
				       json_object_new_uint64(ev->rss_kb));
	}
	return o;
}
