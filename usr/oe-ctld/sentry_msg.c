// SPDX-License-Identifier: GPL-2.0-only
#include "sentry_msg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/genetlink.h>
#include <linux/oe_sentry.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

/*
 * Parse the attributes after the genl header into @tb. We validate sizes
 * ourselves (attr_u32/u64/str) because libnl's policy only checks minimum
 * lengths.
 */
static int parse_attrs(const struct nlmsghdr *nlh, struct nlattr **tb,
		       int maxtype, uint8_t *cmd)
{
	const struct genlmsghdr *gh;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	gh = nlmsg_data(nlh);
	*cmd = gh->cmd;
	if (nla_parse(tb, maxtype,
		      (struct nlattr *)((char *)gh + GENL_HDRLEN),
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN),
		      NULL) < 0)
		return -EINVAL;
	return 0;
}

static int attr_u32(struct nlattr *a, uint32_t *v)
{
	if (!a)
		return -ENOENT;
	if (nla_len(a) != sizeof(uint32_t))
		return -EINVAL;
	*v = nla_get_u32(a);
	return 0;
}

static int attr_u64(struct nlattr *a, uint64_t *v)
{
	if (!a)
		return -ENOENT;
	if (nla_len(a) != sizeof(uint64_t))
		return -EINVAL;
	memcpy(v, nla_data(a), sizeof(*v));
	return 0;
}

static int attr_u16(struct nlattr *a, uint16_t *v)
{
	if (!a)
		return -ENOENT;
	if (nla_len(a) != sizeof(uint16_t))
		return -EINVAL;
	*v = nla_get_u16(a);
	return 0;
}

/* NUL-terminated string that fits in @size bytes including the NUL. */
static int attr_str(struct nlattr *a, char *buf, size_t size)
{
	const char *s;
	int len;

	if (!a)
		return -ENOENT;
	len = nla_len(a);
	s = nla_data(a);
	if (len < 1 || s[len - 1] != '\0' || strlen(s) >= size)
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

int sentry_parse_state(const struct nlmsghdr *nlh, struct sentry_state *out)
{
	struct nlattr *tb[OE_SENTRY_A_STATE_MAX + 1];
	struct sentry_state st;
	uint8_t cmd;
	int rc;

	rc = parse_attrs(nlh, tb, OE_SENTRY_A_STATE_MAX, &cmd);
	if (rc)
		return rc;
	if (cmd != OE_SENTRY_CMD_GET_STATE)
		return -EOPNOTSUPP;
	if ((rc = attr_u32(tb[OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL],
			   &st.filemap_alloc_local)) ||
	    (rc = attr_u64(tb[OE_SENTRY_A_STATE_EVENTS_SENT],
			   &st.events_sent)) ||
	    (rc = attr_u64(tb[OE_SENTRY_A_STATE_EVENTS_LOST],
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
	uint8_t cmd;
	int rc;

	rc = parse_attrs(nlh, tb, OE_SENTRY_A_EVENT_MAX, &cmd);
	if (rc)
		return rc;
	if (cmd != OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED &&
	    cmd != OE_SENTRY_CMD_OOM_KILL)
		return -EOPNOTSUPP;

	/*
	 * Validate everything before touching @out so a bad message leaves
	 * it as it was.
	 */
	rc = attr_u64(tb[OE_SENTRY_A_EVENT_SEQ], &seq);
	if (rc)
		return rc;
	if (cmd == OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED) {
		uint32_t v;

		rc = attr_u32(tb[OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL], &v);
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

		if ((rc = attr_u32(tb[OE_SENTRY_A_EVENT_PID], &pid)) ||
		    (rc = attr_u32(tb[OE_SENTRY_A_EVENT_OOM_SCOPE], &scope)) ||
		    (rc = attr_u64(tb[OE_SENTRY_A_EVENT_TOTAL_VM_KB], &vm)) ||
		    (rc = attr_u64(tb[OE_SENTRY_A_EVENT_RSS_KB], &rss)))
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
		attr_str(comm, ev->comm, sizeof(ev->comm));
		attr_str(cg, ev->cgroup, sizeof(ev->cgroup));
		return 0;
	}
}

int sentry_parse_ctrl(const struct nlmsghdr *nlh, struct ctrl_notice *out)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct ctrl_notice n;
	uint8_t cmd;
	int rc;

	rc = parse_attrs(nlh, tb, CTRL_ATTR_MAX, &cmd);
	if (rc)
		return rc;
	if (cmd != CTRL_CMD_NEWFAMILY && cmd != CTRL_CMD_DELFAMILY)
		return -EOPNOTSUPP;
	n.cmd = cmd;
	if ((rc = attr_u16(tb[CTRL_ATTR_FAMILY_ID], &n.family_id)) ||
	    (rc = attr_str(tb[CTRL_ATTR_FAMILY_NAME], n.family_name,
			   sizeof(n.family_name))))
		return rc;
	*out = n;
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

void sentry_ring_push(struct sentry_ring *r, const struct sentry_event *ev)
{
	r->ev[r->head] = *ev;
	r->head = (r->head + 1) % SENTRY_RING_SIZE;
	if (r->count < SENTRY_RING_SIZE)
		r->count++;
}

const struct sentry_event *sentry_ring_get(const struct sentry_ring *r,
					   unsigned int i)
{
	unsigned int start;

	if (i >= r->count)
		return NULL;
	start = (r->head + SENTRY_RING_SIZE - r->count) % SENTRY_RING_SIZE;
	return &r->ev[(start + i) % SENTRY_RING_SIZE];
}
