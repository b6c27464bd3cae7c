// SPDX-License-Identifier: GPL-2.0-only
#include "gmem_msg.h"
#include "util.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/oe_gmem.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

int gmem_msg_build_get(struct nl_msg *msg, int family, uint8_t cmd)
{
	int flags;

	switch (cmd) {
	case OE_GMEM_CMD_GET_DEVICES:
	case OE_GMEM_CMD_GET_PROCESSES:
		flags = NLM_F_DUMP;
		break;
	case OE_GMEM_CMD_GET_STATS:
		flags = 0;
		break;
	default:
		return -EINVAL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd,
			 OE_GMEM_FAMILY_VERSION))
		return -ENOMEM;
	return 0;
}

/*
 * A u64 attribute and the member of the same name it fills: one table
 * for the parser and the JSON alike.
 */
struct u64_field {
	int type;
	const char *name;
	size_t off;
};

#define U64_FIELD(type, st, member) { type, #member, offsetof(st, member) }

static const struct u64_field device_u64s[] = {
	U64_FIELD(OE_GMEM_A_DEVICE_CAPACITY, struct gmem_device, capacity),
	U64_FIELD(OE_GMEM_A_DEVICE_RESIDENT, struct gmem_device, resident),
	U64_FIELD(OE_GMEM_A_DEVICE_FAULTS, struct gmem_device, faults),
	U64_FIELD(OE_GMEM_A_DEVICE_TO_DEV, struct gmem_device, to_dev),
	U64_FIELD(OE_GMEM_A_DEVICE_TO_HOST, struct gmem_device, to_host),
	U64_FIELD(OE_GMEM_A_DEVICE_EVICTED, struct gmem_device, evicted),
};

static const struct u64_field stats_u64s[] = {
	U64_FIELD(OE_GMEM_A_STATS_PROCESSES, struct gmem_stats, processes),
	U64_FIELD(OE_GMEM_A_STATS_PAGES_NOMAP, struct gmem_stats, pages_nomap),
	U64_FIELD(OE_GMEM_A_STATS_PAGES_CPU, struct gmem_stats, pages_cpu),
	U64_FIELD(OE_GMEM_A_STATS_PAGES_DEVICE, struct gmem_stats, pages_device),
	U64_FIELD(OE_GMEM_A_STATS_MIGRATING, struct gmem_stats, migrating),
};

static const struct u64_field process_u64s[] = {
	U64_FIELD(OE_GMEM_A_PROCESS_PAGES_CPU, struct gmem_process, pages_cpu),
	U64_FIELD(OE_GMEM_A_PROCESS_PAGES_DEVICE, struct gmem_process, pages_device),
};

/* Every field of @f into the struct at @base; the caller made sure of them. */
static void get_u64s(struct nlattr **tb, const struct u64_field *f, size_t n,
		     void *base)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v = nla_get_u64(tb[f[i].type]);

		memcpy((char *)base + f[i].off, &v, sizeof(v));
	}
}

/* Every field of @f of the struct at @base into @o. */
static void add_u64s(struct json_object *o, const struct u64_field *f, size_t n,
		     const void *base)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v;

		memcpy(&v, (const char *)base + f[i].off, sizeof(v));
		json_object_object_add(o, f[i].name, json_object_new_uint64(v));
	}
}

/* The attribute sets of oe_gmem.yaml, every attribute of each. */
static const struct nla_policy device_policy[OE_GMEM_A_DEVICE_MAX + 1] = {
	[OE_GMEM_A_DEVICE_HNID] = GENL_POLICY_U32,
	[OE_GMEM_A_DEVICE_NAME] = GENL_POLICY_STRING(GMEM_NAME_MAX),
	[OE_GMEM_A_DEVICE_CAPACITY] = GENL_POLICY_U64,
	[OE_GMEM_A_DEVICE_RESIDENT] = GENL_POLICY_U64,
	[OE_GMEM_A_DEVICE_FAULTS] = GENL_POLICY_U64,
	[OE_GMEM_A_DEVICE_TO_DEV] = GENL_POLICY_U64,
	[OE_GMEM_A_DEVICE_TO_HOST] = GENL_POLICY_U64,
	[OE_GMEM_A_DEVICE_EVICTED] = GENL_POLICY_U64,
	[OE_GMEM_A_DEVICE_PAD] = GENL_POLICY_PAD,
};

static const struct nla_policy stats_policy[OE_GMEM_A_STATS_MAX + 1] = {
	[OE_GMEM_A_STATS_PROCESSES] = GENL_POLICY_U64,
	[OE_GMEM_A_STATS_PAGES_NOMAP] = GENL_POLICY_U64,
	[OE_GMEM_A_STATS_PAGES_CPU] = GENL_POLICY_U64,
	[OE_GMEM_A_STATS_PAGES_DEVICE] = GENL_POLICY_U64,
	[OE_GMEM_A_STATS_MIGRATING] = GENL_POLICY_U64,
	[OE_GMEM_A_STATS_PAD] = GENL_POLICY_PAD,
};

static const struct nla_policy process_policy[OE_GMEM_A_PROCESS_MAX + 1] = {
	[OE_GMEM_A_PROCESS_PID] = GENL_POLICY_U32,
	[OE_GMEM_A_PROCESS_PAGES_CPU] = GENL_POLICY_U64,
	[OE_GMEM_A_PROCESS_PAGES_DEVICE] = GENL_POLICY_U64,
	[OE_GMEM_A_PROCESS_PAD] = GENL_POLICY_PAD,
};

static const struct nla_policy pressure_policy[OE_GMEM_A_PRESSURE_MAX + 1] = {
	[OE_GMEM_A_PRESSURE_SEQ] = GENL_POLICY_U64,
	[OE_GMEM_A_PRESSURE_HNID] = GENL_POLICY_U32,
	[OE_GMEM_A_PRESSURE_EVICTED] = GENL_POLICY_U32,
	[OE_GMEM_A_PRESSURE_PID] = GENL_POLICY_U32,
	[OE_GMEM_A_PRESSURE_PAD] = GENL_POLICY_PAD,
};

const struct genl_attr_set gmem_device_attrs = GENL_ATTR_SET(device_policy);
const struct genl_attr_set gmem_stats_attrs = GENL_ATTR_SET(stats_policy);
const struct genl_attr_set gmem_process_attrs = GENL_ATTR_SET(process_policy);
const struct genl_attr_set gmem_pressure_attrs = GENL_ATTR_SET(pressure_policy);

int gmem_parse_device(const struct nlmsghdr *nlh, struct gmem_device *out)
{
	struct nlattr *tb[OE_GMEM_A_DEVICE_MAX + 1];
	struct gmem_device d;
	int rc;

	if ((rc = genl_msg_parse(nlh, OE_GMEM_CMD_GET_DEVICES, tb,
				 &gmem_device_attrs)) ||
	    (rc = genl_attrs_require(tb, OE_GMEM_A_DEVICE_HNID,
				     OE_GMEM_A_DEVICE_EVICTED)))
		return rc;
	memset(&d, 0, sizeof(d));
	get_u64s(tb, device_u64s, ARRAY_SIZE(device_u64s), &d);
	d.hnid = nla_get_u32(tb[OE_GMEM_A_DEVICE_HNID]);
	nla_strlcpy(d.name, tb[OE_GMEM_A_DEVICE_NAME], sizeof(d.name));
	*out = d;
	return 0;
}

int gmem_parse_stats(const struct nlmsghdr *nlh, struct gmem_stats *out)
{
	struct nlattr *tb[OE_GMEM_A_STATS_MAX + 1];
	struct gmem_stats s;
	int rc;

	if ((rc = genl_msg_parse(nlh, OE_GMEM_CMD_GET_STATS, tb,
				 &gmem_stats_attrs)) ||
	    (rc = genl_attrs_require(tb, OE_GMEM_A_STATS_PROCESSES,
				     OE_GMEM_A_STATS_MIGRATING)))
		return rc;
	get_u64s(tb, stats_u64s, ARRAY_SIZE(stats_u64s), &s);
	*out = s;
	return 0;
}

int gmem_parse_process(const struct nlmsghdr *nlh, struct gmem_process *out)
{
	struct nlattr *tb[OE_GMEM_A_PROCESS_MAX + 1];
	struct gmem_process p;
	int rc;

	if ((rc = genl_msg_parse(nlh, OE_GMEM_CMD_GET_PROCESSES, tb,
				 &gmem_process_attrs)) ||
	    (rc = genl_attrs_require(tb, OE_GMEM_A_PROCESS_PID,
				     OE_GMEM_A_PROCESS_PAGES_DEVICE)))
		return rc;
	memset(&p, 0, sizeof(p));
	get_u64s(tb, process_u64s, ARRAY_SIZE(process_u64s), &p);
	p.pid = nla_get_u32(tb[OE_GMEM_A_PROCESS_PID]);
	*out = p;
	return 0;
}

int gmem_parse_pressure(const struct nlmsghdr *nlh, struct gmem_pressure *out)
{
	struct nlattr *tb[OE_GMEM_A_PRESSURE_MAX + 1];
	struct gmem_pressure ev;
	int rc;

	if ((rc = genl_msg_parse(nlh, OE_GMEM_CMD_PRESSURE, tb,
				 &gmem_pressure_attrs)) ||
	    (rc = genl_attrs_require(tb, OE_GMEM_A_PRESSURE_SEQ,
				     OE_GMEM_A_PRESSURE_PID)))
		return rc;
	memset(&ev, 0, sizeof(ev));
	ev.seq = nla_get_u64(tb[OE_GMEM_A_PRESSURE_SEQ]);
	ev.hnid = nla_get_u32(tb[OE_GMEM_A_PRESSURE_HNID]);
	ev.evicted = nla_get_u32(tb[OE_GMEM_A_PRESSURE_EVICTED]);
	ev.pid = nla_get_u32(tb[OE_GMEM_A_PRESSURE_PID]);
	*out = ev;
	return 0;
}

/* ---- pressure events ---- */

static struct gmem_dev_pressure *track_slot(struct gmem_track *t,
					    uint32_t hnid)
{
	for (unsigned int i = 0; i < t->ndev; i++)
		if (t->dev[i].hnid == hnid)
			return &t->dev[i];
	if (t->ndev == GMEM_TRACK_DEVS)
		return NULL;
	t->dev[t->ndev].hnid = hnid;
	t->dev[t->ndev].events = 0;
	t->dev[t->ndev].evicted = 0;
	return &t->dev[t->ndev++];
}

uint64_t gmem_track_event(struct gmem_track *t, const struct gmem_pressure *ev)
{
	struct gmem_dev_pressure *d = track_slot(t, ev->hnid);
	uint64_t missed = seq_gap_next(&t->seq, ev->seq);

	t->received++;
	t->missed += missed;
	if (d) {
		d->events++;
		d->evicted += ev->evicted;
	} else {
		t->other++;
	}
	return missed;
}

bool gmem_track_overrun(struct gmem_track *t)
{
	/* the seq stays: the next event's gap counts what was lost */
	return ++t->overruns == 1;
}

void gmem_track_forget_seq(struct gmem_track *t)
{
	t->seq.known = false;
}

const struct gmem_dev_pressure *gmem_track_dev(const struct gmem_track *t,
					       uint32_t hnid)
{
	for (unsigned int i = 0; i < t->ndev; i++)
		if (t->dev[i].hnid == hnid)
			return &t->dev[i];
	return NULL;
}

/* ---- JSON ---- */

struct json_object *gmem_device_to_json(const struct gmem_device *d,
					const struct gmem_dev_pressure *p)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "hnid", json_object_new_int64(d->hnid));
	json_object_object_add(o, "name", json_object_new_string(d->name));
	add_u64s(o, device_u64s, ARRAY_SIZE(device_u64s), d);
	json_object_object_add(o, "pressure",
			       json_object_new_uint64(p ? p->events : 0));
	json_object_object_add(o, "pressure_evicted",
			       json_object_new_uint64(p ? p->evicted : 0));
	return o;
}

void gmem_stats_to_json(const struct gmem_stats *s, struct json_object *o)
{
	add_u64s(o, stats_u64s, ARRAY_SIZE(stats_u64s), s);
}

struct json_object *gmem_process_to_json(const struct gmem_process *p)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "pid", json_object_new_int64(p->pid));
	add_u64s(o, process_u64s, ARRAY_SIZE(process_u64s), p);
	return o;
}

struct json_object *gmem_pressure_to_json(const struct gmem_pressure *ev)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "feature", json_object_new_string("gmem"));
	json_object_object_add(o, "event", json_object_new_string("pressure"));
	json_object_object_add(o, "seq", json_object_new_uint64(ev->seq));
	json_object_object_add(o, "hnid", json_object_new_int64(ev->hnid));
	json_object_object_add(o, "evicted", json_object_new_int64(ev->evicted));
	json_object_object_add(o, "pid", json_object_new_int64(ev->pid));
	return o;
}
