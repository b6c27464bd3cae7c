/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pure part of the gmem module: oe_gmem netlink messages (requests,
 * replies and pressure events), what the module keeps of the pressure
 * events (per-device counts, sequence gaps) and
 * the JSON of all that. No socket I/O, so it is tested against attribute
 * buffers built in memory.
 */
#ifndef OE_CTLD_GMEM_MSG_H
#define OE_CTLD_GMEM_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "genl_msg.h"

struct json_object;
struct nl_msg;

/* GMem's logical page: what resident, to-dev, pages-* ... count. */
#define GMEM_PAGE_SIZE		(2ULL << 20)
/* A device name longer than this is a malformed reply. */
#define GMEM_NAME_MAX		128

/* One get-devices reply. */
struct gmem_device {
	uint32_t hnid;
	char name[GMEM_NAME_MAX];
	uint64_t capacity;	/* bytes, 0: the driver does not say */
	uint64_t resident;	/* logical pages on the device */
	uint64_t faults;
	uint64_t to_dev;	/* logical pages moved */
	uint64_t to_host;
	uint64_t evicted;
};

/* The get-stats reply (GMem's logical pages, /proc/gmemstat). */
struct gmem_stats {
	uint64_t processes;
	uint64_t pages_nomap;
	uint64_t pages_cpu;
	uint64_t pages_device;
	uint64_t migrating;
};

/* One get-processes reply. */
struct gmem_process {
	uint32_t pid;
	uint64_t pages_cpu;
	uint64_t pages_device;
};

/* A pressure event: a device fault found @hnid full and evicted pages. */
struct gmem_pressure {
	uint64_t seq;
	uint32_t hnid;
	uint32_t evicted;	/* logical pages */
	uint32_t pid;
};

/*
 * Fill @msg (fresh from nlmsg_alloc()) with a request of @cmd
 * (OE_GMEM_CMD_GET_DEVICES or GET_PROCESSES: a dump; GET_STATS: a do) to
 * @family. 0, -EINVAL for another command, -ENOMEM.
 */
int gmem_msg_build_get(struct nl_msg *msg, int family, uint8_t cmd);

/*
 * All parsers return 0 on success, or a negative errno:
 *   -EBADMSG     message or genl header truncated
 *   -EOPNOTSUPP  another genl command than the parser's
 *   -ENOENT      a required attribute is missing
 *   -EINVAL      an attribute breaks its set's policy (wrong size, a
 *                string without its NUL or too long for its buffer)
 * @out is fully written on success and untouched otherwise. Every
 * attribute of the spec is required; pad attributes are ignored, and so
 * are attributes above the set's last (a newer kernel's).
 */
/* The policies the parsers check with, one per attribute set (for the tests). */
extern const struct genl_attr_set gmem_device_attrs;
extern const struct genl_attr_set gmem_stats_attrs;
extern const struct genl_attr_set gmem_process_attrs;
extern const struct genl_attr_set gmem_pressure_attrs;

int gmem_parse_device(const struct nlmsghdr *nlh, struct gmem_device *out);
int gmem_parse_stats(const struct nlmsghdr *nlh, struct gmem_stats *out);
int gmem_parse_process(const struct nlmsghdr *nlh, struct gmem_process *out);
int gmem_parse_pressure(const struct nlmsghdr *nlh, struct gmem_pressure *out);

struct gmem_dev_pressure {
	uint32_t hnid;
	uint64_t events;
	uint64_t evicted;	/* logical pages those events evicted */
};

/* Devices whose events are counted one by one; the rest add up in other. */
#define GMEM_TRACK_DEVS 64

/* What the module keeps of the pressure events. */
struct gmem_track {
	uint64_t received;	/* events received */
	uint64_t missed;	/* events not received (seq gaps) */
	uint64_t overruns;	/* ENOBUFS on the event socket */
	struct seq_gap seq;
	struct gmem_dev_pressure dev[GMEM_TRACK_DEVS];
	unsigned int ndev;
	uint64_t other;		/* events of devices beyond GMEM_TRACK_DEVS */
};

/*
 * Account a received event: its device's counts, and the events
 * between the last seq seen and its own, which the daemon missed (lost to
 * an overrun, or never sent for want of memory). Returns those. A seq not
 * above the last one starts counting afresh.
 */
uint64_t gmem_track_event(struct gmem_track *t, const struct gmem_pressure *ev);
/* The event socket overran: counted. true the first time, false after. */
bool gmem_track_overrun(struct gmem_track *t);
/* Forget the last seq (the family went away, or we joined the group anew). */
void gmem_track_forget_seq(struct gmem_track *t);
/* The counts of @hnid, NULL if no event of it was received (or counted). */
const struct gmem_dev_pressure *gmem_track_dev(const struct gmem_track *t,
					       uint32_t hnid);

/*
 * {"hnid":..,"name":..,"capacity":bytes,"resident":pages,"faults":..,
 *  "to_dev":..,"to_host":..,"evicted":..,"pressure":events seen,
 *  "pressure_evicted":pages those events evicted}; @p may be NULL.
 */
struct json_object *gmem_device_to_json(const struct gmem_device *d,
					const struct gmem_dev_pressure *p);
/* Adds "processes","pages_nomap","pages_cpu","pages_device","migrating" to @o. */
void gmem_stats_to_json(const struct gmem_stats *s, struct json_object *o);
/* {"pid":..,"pages_cpu":..,"pages_device":..} */
struct json_object *gmem_process_to_json(const struct gmem_process *p);
/* {"feature":"gmem","event":"pressure","seq":..,"hnid":..,"evicted":..,"pid":..} */
struct json_object *gmem_pressure_to_json(const struct gmem_pressure *ev);

#endif
