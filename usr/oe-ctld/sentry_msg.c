// SPDX-License-Identifier: GPL-2.0-only
#include "sentry_msg.h"
#include "genl_msg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/oe_sentry.h>
#include <netlink/attr.h>

int sentry_parse_state(const struct nlmsghdr *nlh, struct sentry_state *out)
{
	struct nlattr *tb[OE_SENTRY_A_STATE_MAX + 1];
	struct sentry_state st;
	int rc;

	rc = genl_msg_parse(nlh, GENL_ANY_CMD, tb, OE_SENTRY_A_STATE_MAX);
	if (rc < 0)
		return rc;
	if (rc != OE_SENTRY_CMD_GET_STATE)
		return -EOPNOTSUPP;
	if ((rc = genl_attr_u32(tb[OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL],
				&st.filemap_alloc_local)) ||
	    (rc = genl_attr_u64(tb[OE_SENTRY_A_STATE_EVENTS_SENT],
				&st.events_sent)) ||
	    (rc = genl_attr_u64(tb[OE_SENTRY_A_STATE_EVENTS_LOST],
				&st.events_lost)))
		return rc;
	*out = st;
	return 0;
}

int sentry_parse_event(const struct nlmsghdr *nlh, struct sentry_event *out)
{
	struct nlattr *tb[OE_SENTRY_A_EVENT_MAX + 1];
	struct sentry_event *ev = out;
	uint64_t seq;
	int cmd, rc;

	cmd = genl_msg_parse(nlh, GENL_ANY_CMD, tb, OE_SENTRY_A_EVENT_MAX);
	if (cmd < 0)
		return cmd;
	if (cmd != OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED &&
	    cmd != OE_SENTRY_CMD_OOM_KILL)
		return -EOPNOTSUPP;

	/*
	 * Validate everything before touching @out so a bad message leaves
	 * it as it was.
	 */
	rc = genl_attr_u64(tb[OE_SENTRY_A_EVENT_SEQ], &seq);
	if (rc)
		return rc;
	if (cmd == OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED) {
		uint32_t v;

		rc = genl_attr_u32(tb[OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL], &v);
		if (rc)
			return rc;
		memset(ev, 0, offsetof(struct sentry_event, comm));
		ev->comm[0] = '\0';
		ev->cgroup[0] = '\0';
		ev->type = SENTRY_EV_FILEMAP_LOCAL_CHANGED;
		ev->seq = seq;
		ev->filemap_alloc_local = v;
		return 0;
	} else {
		uint32_t pid, scope;
		uint64_t vm, rss;
		struct nlattr *comm = tb[OE_SENTRY_A_EVENT_COMM];
		struct nlattr *cg = tb[OE_SENTRY_A_EVENT_CGROUP];

		if ((rc = genl_attr_u32(tb[OE_SENTRY_A_EVENT_PID], &pid)) ||
		    (rc = genl_attr_u32(tb[OE_SENTRY_A_EVENT_OOM_SCOPE], &scope)) ||
		    (rc = genl_attr_u64(tb[OE_SENTRY_A_EVENT_TOTAL_VM_KB], &vm)) ||
		    (rc = genl_attr_u64(tb[OE_SENTRY_A_EVENT_RSS_KB], &rss)))
			return rc;
		if (scope > OE_SENTRY_OOM_SCOPE_MEMCG)
			return -EINVAL;
		/* check the strings before writing anything */
		if (!comm || !cg)
			return -ENOENT;
		if (nla_len(comm) < 1 || nla_len(cg) < 1 ||
		    ((const char *)nla_data(comm))[nla_len(comm) - 1] ||
		    ((const char *)nla_data(cg))[nla_len(cg) - 1] ||
		    strlen(nla_data(comm)) >= SENTRY_COMM_MAX ||
		    strlen(nla_data(cg)) >= SENTRY_CGROUP_MAX)
			return -EINVAL;
		memset(ev, 0, offsetof(struct sentry_event, comm));
		ev->type = SENTRY_EV_OOM_KILL;
		ev->seq = seq;
		ev->pid = pid;
		ev->oom_scope = scope;
		ev->total_vm_kb = vm;
		ev->rss_kb = rss;
		genl_attr_str(comm, ev->comm, sizeof(ev->comm));
		genl_attr_str(cg, ev->cgroup, sizeof(ev->cgroup));
		return 0;
	}
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
