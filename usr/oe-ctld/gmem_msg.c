// SPDX-License-Identifier: GPL-2.0-only
#include "gmem_msg.h"

#include <errno.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/genetlink.h>
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
 * The attributes after the genl header of a message of command @want into
 * @tb. Sizes are checked by attr_u32/u64/str: libnl's policy only checks
 * minimum lengths.
 */
static int parse_attrs(const struct nlmsghdr *nlh, uint8_t want,
		       struct nlattr **tb, int maxtype)
{
	const struct genlmsghdr *gh;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	gh = nlmsg_data(nlh);
	if (gh->cmd != want)
		return -EOPNOTSUPP;
	if (nla_parse(tb, maxtype, (struct nlattr *)((char *)gh + GENL_HDRLEN),
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN),
		      NULL) < 0)
		return -EINVAL;
	return 0;
}

static int attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a)
		return -ENOENT;
	if (nla_len(a) != sizeof(uint32_t))
		return -EINVAL;
	memcpy(v, nla_data(a), sizeof(*v));
	return 0;
}

static int attr_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a)
		return -ENOENT;
	if (nla_len(a) != sizeof(uint64_t))
		return -EINVAL;
	memcpy(v, nla_data(a), sizeof(*v));
	return 0;
}

/* NUL-terminated and fits in @size bytes with its NUL. */
static int attr_str(const struct nlattr *a, char *buf, size_t size)
{
	const char *s;
	size_t len;
	int n;

	if (!a)
		return -ENOENT;
	n = nla_len(a);
	s = nla_data(a);
	if (n < 1 || s[n - 1] != '\0')
		return -EINVAL;
	len = strlen(s);
	if (len >= size)
		return -EINVAL;
	memcpy(buf, s, len + 1);
	return 0;
}

struct u64_field {
	int type;
	size_t off;
};

/* Every field of @f into the struct at @base. */
static int get_u64s(struct nlattr **tb, const struct u64_field *f, size_t n,
		    void *base)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		int rc = attr_u64(tb[f[i].type], &v);

		if (rc)
			return rc;
		memcpy((char *)base + f[i].off, &v, sizeof(v));
	}
	return 0;
}

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

int gmem_parse_device(const struct nlmsghdr *nlh, struct gmem_device *out)
{
	static const struct u64_field f[] = {
		{ OE_GMEM_A_DEVICE_CAPACITY, offsetof(struct gmem_device, capacity) },
		{ OE_GMEM_A_DEVICE_RESIDENT, offsetof(struct gmem_device, resident) },
		{ OE_GMEM_A_DEVICE_FAULTS, offsetof(struct gmem_device, faults) },
		{ OE_GMEM_A_DEVICE_TO_DEV, offsetof(struct gmem_device, to_dev) },
		{ OE_GMEM_A_DEVICE_TO_HOST, offsetof(struct gmem_device, to_host) },
		{ OE_GMEM_A_DEVICE_EVICTED, offsetof(struct gmem_device, evicted) },
	};
	struct nlattr *tb[OE_GMEM_A_DEVICE_MAX + 1];
	struct gmem_device d;
	int rc;

	memset(&d, 0, sizeof(d));
	if ((rc = parse_attrs(nlh, OE_GMEM_CMD_GET_DEVICES, tb,
			      OE_GMEM_A_DEVICE_MAX)) ||
	    (rc = attr_u32(tb[OE_GMEM_A_DEVICE_HNID], &d.hnid)) ||
	    (rc = attr_str(tb[OE_GMEM_A_DEVICE_NAME], d.name, sizeof(d.name))) ||
	    (rc = get_u64s(tb, f, NFIELDS(f), &d)))
		return rc;
	*out = d;
	return 0;
}

int gmem_parse_stats(const struct nlmsghdr *nlh, struct gmem_stats *out)
{
	static const struct u64_field f[] = {
		{ OE_GMEM_A_STATS_PROCESSES, offsetof(struct gmem_stats, processes) },
		{ OE_GMEM_A_STATS_PAGES_NOMAP, offsetof(struct gmem_stats, pages_nomap) },
		{ OE_GMEM_A_STATS_PAGES_CPU, offsetof(struct gmem_stats, pages_cpu) },
		{ OE_GMEM_A_STATS_PAGES_DEVICE, offsetof(struct gmem_stats, pages_device) },
		{ OE_GMEM_A_STATS_MIGRATING, offsetof(struct gmem_stats, migrating) },
	};
	struct nlattr *tb[OE_GMEM_A_STATS_MAX + 1];
	struct gmem_stats s;
	int rc;

	if ((rc = parse_attrs(nlh, OE_GMEM_CMD_GET_STATS, tb,
			      OE_GMEM_A_STATS_MAX)) ||
	    (rc = get_u64s(tb, f, NFIELDS(f), &s)))
		return rc;
	*out = s;
	return 0;
}

int gmem_parse_process(const struct nlmsghdr *nlh, struct gmem_process *out)
{
	static const struct u64_field f[] = {
		{ OE_GMEM_A_PROCESS_PAGES_CPU, offsetof(struct gmem_process, pages_cpu) },
		{ OE_GMEM_A_PROCESS_PAGES_DEVICE,
		  offsetof(struct gmem_process, pages_device) },
	};
	struct nlattr *tb[OE_GMEM_A_PROCESS_MAX + 1];
	struct gmem_process p;
	int rc;

	memset(&p, 0, sizeof(p));
	if ((rc = parse_attrs(nlh, OE_GMEM_CMD_GET_PROCESSES, tb,
			      OE_GMEM_A_PROCESS_MAX)) ||
	    (rc = attr_u32(tb[OE_GMEM_A_PROCESS_PID], &p.pid)) ||
	    (rc = get_u64s(tb, f, NFIELDS(f), &p)))
		return rc;
	*out = p;
	return 0;
}

int gmem_parse_pressure(const struct nlmsghdr *nlh, struct gmem_pressure *out)
{
	struct nlattr *tb[OE_GMEM_A_PRESSURE_MAX + 1];
	struct gmem_pressure ev;
	int rc;

	memset(&ev, 0, sizeof(ev));
	if ((rc = parse_attrs(nlh, OE_GMEM_CMD_PRESSURE, tb,
			      OE_GMEM_A_PRESSURE_MAX)) ||
	    (rc = attr_u64(tb[OE_GMEM_A_PRESSURE_SEQ], &ev.seq)) ||
	    (rc = attr_u32(tb[OE_GMEM_A_PRESSURE_HNID], &ev.hnid)) ||
	    (rc = attr_u32(tb[OE_GMEM_A_PRESSURE_EVICTED], &ev.evicted)) ||
	    (rc = attr_u32(tb[OE_GMEM_A_PRESSURE_PID], &ev.pid)))
		return rc;
	*out = ev;
	return 0;
}

/* ---- pressure events ---- */

void gmem_ring_push(struct gmem_ring *r, const struct gmem_pressure *ev)
{
	r->ev[r->head] = *ev;
	r->head = (r->head + 1) % GMEM_RING_SIZE;
	if (r->count < GMEM_RING_SIZE)
		r->count++;
}

const struct gmem_pressure *gmem_ring_get(const struct gmem_ring *r,
					  unsigned int i)
{
	unsigned int start;

	if (i >= r->count)
		return NULL;
	start = (r->head + GMEM_RING_SIZE - r->count) % GMEM_RING_SIZE;
	return &r->ev[(start + i) % GMEM_RING_SIZE];
}

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
	uint64_t missed = 0;

	t->received++;
	if (t->have_seq && ev->seq > t->last_seq)
		missed = ev->seq - t->last_seq - 1;
	t->missed += missed;
	t->last_seq = ev->seq;
	t->have_seq = true;
	if (d) {
		d->events++;
		d->evicted += ev->evicted;
	} else {
		t->other++;
	}
	gmem_ring_push(&t->ring, ev);
	return missed;
}

bool gmem_track_overrun(struct gmem_track *t)
{
	/* the seq stays: the next event's gap counts what was lost */
	return ++t->overruns == 1;
}

void gmem_track_forget_seq(struct gmem_track *t)
{
	t->have_seq = false;
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
	json_object_object_add(o, "capacity", json_object_new_uint64(d->capacity));
	json_object_object_add(o, "resident", json_object_new_uint64(d->resident));
	json_object_object_add(o, "faults", json_object_new_uint64(d->faults));
	json_object_object_add(o, "to_dev", json_object_new_uint64(d->to_dev));
	json_object_object_add(o, "to_host", json_object_new_uint64(d->to_host));
	json_object_object_add(o, "evicted", json_object_new_uint64(d->evicted));
	json_object_object_add(o, "pressure",
			       json_object_new_uint64(p ? p->events : 0));
	json_object_object_add(o, "pressure_evicted",
			       json_object_new_uint64(p ? p->evicted : 0));
	return o;
}

void gmem_stats_to_json(const struct gmem_stats *s, struct json_object *o)
{
	json_object_object_add(o, "processes", json_object_new_uint64(s->processes));
	json_object_object_add(o, "pages_nomap",
			       json_object_new_uint64(s->pages_nomap));
	json_object_object_add(o, "pages_cpu", json_object_new_uint64(s->pages_cpu));
	json_object_object_add(o, "pages_device",
			       json_object_new_uint64(s->pages_device));
	json_object_object_add(o, "migrating", json_object_new_uint64(s->migrating));
}

struct json_object *gmem_process_to_json(const struct gmem_process *p)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "pid", json_object_new_int64(p->pid));
	json_object_object_add(o, "pages_cpu", json_object_new_uint64(p->pages_cpu));
	json_object_object_add(o, "pages_device",
			       json_object_new_uint64(p->pages_device));
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
