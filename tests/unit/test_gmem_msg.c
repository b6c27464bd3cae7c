// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: oe_gmem netlink parsing against attribute buffers built
 * with libnl, as the kernel would send them (u64s with and without the
 * pad attribute nla_put_u64_64bit() puts before them where alignment
 * needs it), and what the gmem module keeps of the pressure events.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <linux/genetlink.h>
#include <linux/oe_gmem.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "gmem_msg.h"
#include "util.h"

#define FAMILY 0x2a

static struct nl_msg *mk(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 1, FAMILY, 0, 0, cmd,
				    OE_GMEM_FAMILY_VERSION));
	return m;
}

/* A u64 as nla_put_u64_64bit() sends it where the arch needs the pad. */
static void put_u64_padded(struct nl_msg *m, int type, uint64_t v, int pad)
{
	assert_int_equal(nla_put(m, pad, 0, NULL), 0);
	assert_int_equal(nla_put_u64(m, type, v), 0);
}

/* get-devices reply with every attribute; @skip leaves one out (0: none). */
static struct nl_msg *mk_device(int skip, bool pad)
{
	struct nl_msg *m = mk(OE_GMEM_CMD_GET_DEVICES);
	static const struct {
		int type;
		uint64_t v;
	} u64s[] = {
		{ OE_GMEM_A_DEVICE_CAPACITY, 1ULL << 32 },
		{ OE_GMEM_A_DEVICE_RESIDENT, 300 },
		{ OE_GMEM_A_DEVICE_FAULTS, 1000 },
		{ OE_GMEM_A_DEVICE_TO_DEV, 400 },
		{ OE_GMEM_A_DEVICE_TO_HOST, 100 },
		{ OE_GMEM_A_DEVICE_EVICTED, 60 },
	};

	if (skip != OE_GMEM_A_DEVICE_HNID)
		assert_int_equal(nla_put_u32(m, OE_GMEM_A_DEVICE_HNID, 3), 0);
	if (skip != OE_GMEM_A_DEVICE_NAME)
		assert_int_equal(nla_put_string(m, OE_GMEM_A_DEVICE_NAME, "gmem_sim"), 0);
	for (size_t i = 0; i < ARRAY_SIZE(u64s); i++) {
		if (skip == u64s[i].type)
			continue;
		if (pad)
			put_u64_padded(m, u64s[i].type, u64s[i].v, OE_GMEM_A_DEVICE_PAD);
		else
			assert_int_equal(nla_put_u64(m, u64s[i].type, u64s[i].v), 0);
	}
	return m;
}

static struct nl_msg *mk_stats(int skip, bool pad)
{
	struct nl_msg *m = mk(OE_GMEM_CMD_GET_STATS);

	for (int t = OE_GMEM_A_STATS_PROCESSES; t <= OE_GMEM_A_STATS_MIGRATING; t++) {
		if (t == skip)
			continue;
		/* processes=11, pages-nomap=12, ... */
		if (pad)
			put_u64_padded(m, t, 10 + (uint64_t)t, OE_GMEM_A_STATS_PAD);
		else
			assert_int_equal(nla_put_u64(m, t, 10 + (uint64_t)t), 0);
	}
	return m;
}

static struct nl_msg *mk_process(int skip, uint32_t pid)
{
	struct nl_msg *m = mk(OE_GMEM_CMD_GET_PROCESSES);

	if (skip != OE_GMEM_A_PROCESS_PID)
		nla_put_u32(m, OE_GMEM_A_PROCESS_PID, pid);
	if (skip != OE_GMEM_A_PROCESS_PAGES_CPU)
		put_u64_padded(m, OE_GMEM_A_PROCESS_PAGES_CPU, 7, OE_GMEM_A_PROCESS_PAD);
	if (skip != OE_GMEM_A_PROCESS_PAGES_DEVICE)
		nla_put_u64(m, OE_GMEM_A_PROCESS_PAGES_DEVICE, 5);
	return m;
}

static struct nl_msg *mk_pressure(int skip, uint64_t seq)
{
	struct nl_msg *m = mk(OE_GMEM_CMD_PRESSURE);

	if (skip != OE_GMEM_A_PRESSURE_SEQ)
		put_u64_padded(m, OE_GMEM_A_PRESSURE_SEQ, seq, OE_GMEM_A_PRESSURE_PAD);
	if (skip != OE_GMEM_A_PRESSURE_HNID)
		nla_put_u32(m, OE_GMEM_A_PRESSURE_HNID, 2);
	if (skip != OE_GMEM_A_PRESSURE_EVICTED)
		nla_put_u32(m, OE_GMEM_A_PRESSURE_EVICTED, 4);
	if (skip != OE_GMEM_A_PRESSURE_PID)
		nla_put_u32(m, OE_GMEM_A_PRESSURE_PID, 4242);
	return m;
}

static struct gmem_device dev, dev_pristine;
static struct gmem_stats st, st_pristine;
static struct gmem_process proc, proc_pristine;
static struct gmem_pressure pr, pr_pristine;

static void poison(void)
{
	memset(&dev, 0xa5, sizeof(dev));
	memset(&st, 0xa5, sizeof(st));
	memset(&proc, 0xa5, sizeof(proc));
	memset(&pr, 0xa5, sizeof(pr));
	dev_pristine = dev;
	st_pristine = st;
	proc_pristine = proc;
	pr_pristine = pr;
}

static void assert_untouched(void)
{
	assert_memory_equal(&dev, &dev_pristine, sizeof(dev));
	assert_memory_equal(&st, &st_pristine, sizeof(st));
	assert_memory_equal(&proc, &proc_pristine, sizeof(proc));
	assert_memory_equal(&pr, &pr_pristine, sizeof(pr));
}

static void test_device(void **state)
{
	(void)state;
	for (int pad = 0; pad < 2; pad++) {
		struct nl_msg *m = mk_device(0, pad);

		poison();
		assert_int_equal(gmem_parse_device(nlmsg_hdr(m), &dev), 0);
		assert_int_equal(dev.hnid, 3);
		assert_string_equal(dev.name, "gmem_sim");
		assert_int_equal(dev.capacity, 1ULL << 32);
		assert_int_equal(dev.resident, 300);
		assert_int_equal(dev.faults, 1000);
		assert_int_equal(dev.to_dev, 400);
		assert_int_equal(dev.to_host, 100);
		assert_int_equal(dev.evicted, 60);
		nlmsg_free(m);
	}
}

static void test_stats(void **state)
{
	(void)state;
	for (int pad = 0; pad < 2; pad++) {
		struct nl_msg *m = mk_stats(0, pad);

		poison();
		assert_int_equal(gmem_parse_stats(nlmsg_hdr(m), &st), 0);
		assert_int_equal(st.processes, 11);
		assert_int_equal(st.pages_nomap, 12);
		assert_int_equal(st.pages_cpu, 13);
		assert_int_equal(st.pages_device, 14);
		assert_int_equal(st.migrating, 15);
		nlmsg_free(m);
	}
}

static void test_process(void **state)
{
	struct nl_msg *m = mk_process(0, 1234);

	(void)state;
	poison();
	assert_int_equal(gmem_parse_process(nlmsg_hdr(m), &proc), 0);
	assert_int_equal(proc.pid, 1234);
	assert_int_equal(proc.pages_cpu, 7);
	assert_int_equal(proc.pages_device, 5);
	nlmsg_free(m);
}

static void test_pressure(void **state)
{
	struct nl_msg *m = mk_pressure(0, 1ULL << 40);

	(void)state;
	poison();
	assert_int_equal(gmem_parse_pressure(nlmsg_hdr(m), &pr), 0);
	assert_int_equal(pr.seq, 1ULL << 40);
	assert_int_equal(pr.hnid, 2);
	assert_int_equal(pr.evicted, 4);
	assert_int_equal(pr.pid, 4242);
	nlmsg_free(m);
}

static void test_missing_attrs(void **state)
{
	struct nl_msg *m;

	(void)state;
	for (int t = OE_GMEM_A_DEVICE_HNID; t <= OE_GMEM_A_DEVICE_EVICTED; t++) {
		m = mk_device(t, t & 1);
		poison();
		assert_int_equal(gmem_parse_device(nlmsg_hdr(m), &dev), -ENOENT);
		assert_untouched();
		nlmsg_free(m);
	}
	for (int t = OE_GMEM_A_STATS_PROCESSES; t <= OE_GMEM_A_STATS_MIGRATING; t++) {
		m = mk_stats(t, t & 1);
		poison();
		assert_int_equal(gmem_parse_stats(nlmsg_hdr(m), &st), -ENOENT);
		assert_untouched();
		nlmsg_free(m);
	}
	for (int t = OE_GMEM_A_PROCESS_PID; t <= OE_GMEM_A_PROCESS_PAGES_DEVICE; t++) {
		m = mk_process(t, 1);
		poison();
		assert_int_equal(gmem_parse_process(nlmsg_hdr(m), &proc), -ENOENT);
		assert_untouched();
		nlmsg_free(m);
	}
	for (int t = OE_GMEM_A_PRESSURE_SEQ; t <= OE_GMEM_A_PRESSURE_PID; t++) {
		m = mk_pressure(t, 1);
		poison();
		assert_int_equal(gmem_parse_pressure(nlmsg_hdr(m), &pr), -ENOENT);
		assert_untouched();
		nlmsg_free(m);
	}
	/* only a pad where the u64 should be */
	m = mk(OE_GMEM_CMD_GET_PROCESSES);
	nla_put_u32(m, OE_GMEM_A_PROCESS_PID, 1);
	nla_put(m, OE_GMEM_A_PROCESS_PAD, 0, NULL);
	nla_put_u64(m, OE_GMEM_A_PROCESS_PAGES_DEVICE, 1);
	poison();
	assert_int_equal(gmem_parse_process(nlmsg_hdr(m), &proc), -ENOENT);
	assert_untouched();
	nlmsg_free(m);
}

/*
 * The name's bound is its buffer, GMEM_NAME_MAX with the NUL. Attributes
 * of the wrong size or without their NUL are test_genl_policy's, for
 * every attribute.
 */
static void test_name_length(void **state)
{
	char longname[GMEM_NAME_MAX + 1];
	struct nl_msg *m;

	(void)state;
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	m = mk_device(OE_GMEM_A_DEVICE_NAME, false);
	nla_put_string(m, OE_GMEM_A_DEVICE_NAME, longname);
	poison();
	assert_int_equal(gmem_parse_device(nlmsg_hdr(m), &dev), -EINVAL);
	assert_untouched();
	nlmsg_free(m);
	/* one shorter fits */
	longname[GMEM_NAME_MAX - 1] = '\0';
	m = mk_device(OE_GMEM_A_DEVICE_NAME, false);
	nla_put_string(m, OE_GMEM_A_DEVICE_NAME, longname);
	assert_int_equal(gmem_parse_device(nlmsg_hdr(m), &dev), 0);
	assert_int_equal(strlen(dev.name), GMEM_NAME_MAX - 1);
	nlmsg_free(m);
}

/* Attributes of a newer kernel, beyond the ones known, are ignored. */
static void test_unknown_attrs_ignored(void **state)
{
	struct nl_msg *m = mk_pressure(0, 9);

	(void)state;
	nla_put_u32(m, OE_GMEM_A_PRESSURE_MAX + 1, 77);
	nla_put_string(m, OE_GMEM_A_PRESSURE_MAX + 5, "later");
	poison();
	assert_int_equal(gmem_parse_pressure(nlmsg_hdr(m), &pr), 0);
	assert_int_equal(pr.seq, 9);
	nlmsg_free(m);
}

static void test_truncated(void **state)
{
	struct nl_msg *m = mk_pressure(0, 9);
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	uint32_t full = nlh->nlmsg_len;

	(void)state;
	/* cut inside the genl header */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	poison();
	assert_int_equal(gmem_parse_pressure(nlh, &pr), -EBADMSG);
	assert_untouched();
	/* cut in the middle of the last attribute: it must not be seen */
	nlh->nlmsg_len = full - 2;
	assert_int_equal(gmem_parse_pressure(nlh, &pr), -ENOENT);
	assert_untouched();
	/* intact again */
	nlh->nlmsg_len = full;
	assert_int_equal(gmem_parse_pressure(nlh, &pr), 0);
	assert_int_equal(pr.seq, 9);
	nlmsg_free(m);

	/* a device cut inside its name */
	m = mk(OE_GMEM_CMD_GET_DEVICES);
	nla_put_u32(m, OE_GMEM_A_DEVICE_HNID, 1);
	for (int t = OE_GMEM_A_DEVICE_CAPACITY; t <= OE_GMEM_A_DEVICE_EVICTED; t++)
		nla_put_u64(m, t, 1);
	nla_put_string(m, OE_GMEM_A_DEVICE_NAME, "a-rather-long-device-name");
	nlh = nlmsg_hdr(m);
	nlh->nlmsg_len -= 12;
	poison();
	assert_int_equal(gmem_parse_device(nlh, &dev), -ENOENT);
	assert_untouched();
	nlmsg_free(m);

	/* stats with no attribute at all */
	m = mk(OE_GMEM_CMD_GET_STATS);
	poison();
	assert_int_equal(gmem_parse_stats(nlmsg_hdr(m), &st), -ENOENT);
	assert_untouched();
	nlmsg_free(m);
}

static void test_wrong_command(void **state)
{
	struct nl_msg *m;

	(void)state;
	/* each parser takes its own command only */
	m = mk_pressure(0, 1);
	poison();
	assert_int_equal(gmem_parse_device(nlmsg_hdr(m), &dev), -EOPNOTSUPP);
	assert_int_equal(gmem_parse_stats(nlmsg_hdr(m), &st), -EOPNOTSUPP);
	assert_int_equal(gmem_parse_process(nlmsg_hdr(m), &proc), -EOPNOTSUPP);
	assert_untouched();
	nlmsg_free(m);
	m = mk_device(0, false);
	assert_int_equal(gmem_parse_pressure(nlmsg_hdr(m), &pr), -EOPNOTSUPP);
	assert_int_equal(gmem_parse_stats(nlmsg_hdr(m), &st), -EOPNOTSUPP);
	assert_untouched();
	nlmsg_free(m);
	m = mk(42);
	nla_put_u64(m, OE_GMEM_A_PRESSURE_SEQ, 1);
	assert_int_equal(gmem_parse_pressure(nlmsg_hdr(m), &pr), -EOPNOTSUPP);
	assert_untouched();
	nlmsg_free(m);
}

static void test_build_get(void **state)
{
	static const struct {
		uint8_t cmd;
		uint16_t flags;
	} c[] = {
		{ OE_GMEM_CMD_GET_DEVICES, NLM_F_DUMP },
		{ OE_GMEM_CMD_GET_STATS, 0 },
		{ OE_GMEM_CMD_GET_PROCESSES, NLM_F_DUMP },
	};
	struct nl_msg *m;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		struct nlmsghdr *nlh;
		struct genlmsghdr *gh;

		m = nlmsg_alloc();
		assert_int_equal(gmem_msg_build_get(m, FAMILY, c[i].cmd), 0);
		nlh = nlmsg_hdr(m);
		gh = nlmsg_data(nlh);
		assert_int_equal(nlh->nlmsg_type, FAMILY);
		assert_int_equal(nlh->nlmsg_flags & NLM_F_DUMP, c[i].flags);
		assert_int_equal(gh->cmd, c[i].cmd);
		assert_int_equal(gh->version, OE_GMEM_FAMILY_VERSION);
		/* no attributes: the requests take none */
		assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
		nlmsg_free(m);
	}
	m = nlmsg_alloc();
	assert_int_equal(gmem_msg_build_get(m, FAMILY, OE_GMEM_CMD_PRESSURE), -EINVAL);
	assert_int_equal(gmem_msg_build_get(m, FAMILY, 0), -EINVAL);
	nlmsg_free(m);
}

static struct gmem_pressure ev_of(uint64_t seq, uint32_t hnid, uint32_t evicted)
{
	struct gmem_pressure e = { .seq = seq, .hnid = hnid, .evicted = evicted,
				   .pid = 100 };

	return e;
}

static void test_track_gaps(void **state)
{
	static struct gmem_track t;
	struct gmem_pressure e;

	(void)state;
	/* the first event seen: the kernel counts from boot, nothing missed */
	e = ev_of(41, 1, 2);
	assert_int_equal(gmem_track_event(&t, &e), 0);
	e = ev_of(42, 1, 2);
	assert_int_equal(gmem_track_event(&t, &e), 0);
	assert_int_equal(t.missed, 0);
	/* 43..45 did not come */
	e = ev_of(46, 2, 1);
	assert_int_equal(gmem_track_event(&t, &e), 3);
	assert_int_equal(t.missed, 3);
	assert_int_equal(t.received, 3);
	/* the same seq again, or one going back: no gap, counting starts afresh */
	e = ev_of(46, 2, 1);
	assert_int_equal(gmem_track_event(&t, &e), 0);
	e = ev_of(10, 2, 1);
	assert_int_equal(gmem_track_event(&t, &e), 0);
	e = ev_of(12, 2, 1);
	assert_int_equal(gmem_track_event(&t, &e), 1);
	assert_int_equal(t.missed, 4);

	/* an overrun keeps the seq: the next gap counts what it lost */
	assert_true(gmem_track_overrun(&t));
	assert_false(gmem_track_overrun(&t));
	assert_int_equal(t.overruns, 2);
	e = ev_of(20, 1, 1);
	assert_int_equal(gmem_track_event(&t, &e), 7);
	assert_int_equal(t.missed, 11);

	/* once the family is gone, the next seq is a new start */
	gmem_track_forget_seq(&t);
	e = ev_of(5000, 1, 1);
	assert_int_equal(gmem_track_event(&t, &e), 0);
	assert_int_equal(t.missed, 11);
	assert_int_equal(t.received, 8);
}

static void test_track_devices(void **state)
{
	static struct gmem_track t;
	const struct gmem_dev_pressure *d;
	struct gmem_pressure e;
	uint64_t seq = 1;

	(void)state;
	assert_null(gmem_track_dev(&t, 1));
	for (int i = 0; i < 3; i++) {
		e = ev_of(seq++, 1, 4);
		gmem_track_event(&t, &e);
	}
	e = ev_of(seq++, 7, 9);
	gmem_track_event(&t, &e);
	d = gmem_track_dev(&t, 1);
	assert_non_null(d);
	assert_int_equal(d->events, 3);
	assert_int_equal(d->evicted, 12);
	d = gmem_track_dev(&t, 7);
	assert_non_null(d);
	assert_int_equal(d->events, 1);
	assert_int_equal(d->evicted, 9);
	assert_null(gmem_track_dev(&t, 2));
	/* hnid 0 is a device like any other */
	e = ev_of(seq++, 0, 1);
	gmem_track_event(&t, &e);
	assert_non_null(gmem_track_dev(&t, 0));
	assert_int_equal(gmem_track_dev(&t, 0)->events, 1);

	/* more devices than the table holds: the rest add up in "other" */
	for (uint32_t h = 100; h < 100 + GMEM_TRACK_DEVS; h++) {
		e = ev_of(seq++, h, 1);
		gmem_track_event(&t, &e);
	}
	assert_int_equal(t.ndev, GMEM_TRACK_DEVS);
	assert_int_equal(t.other, 3);
	assert_null(gmem_track_dev(&t, 100 + GMEM_TRACK_DEVS - 1));
	/* the devices in the table still count */
	e = ev_of(seq++, 7, 1);
	gmem_track_event(&t, &e);
	assert_int_equal(gmem_track_dev(&t, 7)->events, 2);
	assert_int_equal(t.received, 5 + GMEM_TRACK_DEVS + 1);
	assert_int_equal(t.missed, 0);
}

static uint64_t member_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_uint64(v);
}

static void test_json(void **state)
{
	struct gmem_dev_pressure p = { .hnid = 3, .events = 5, .evicted = 20 };
	struct json_object *o, *v;
	struct nl_msg *m;

	(void)state;
	m = mk_device(0, true);
	assert_int_equal(gmem_parse_device(nlmsg_hdr(m), &dev), 0);
	nlmsg_free(m);
	o = gmem_device_to_json(&dev, &p);
	assert_non_null(o);
	assert_int_equal(member_u64(o, "hnid"), 3);
	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), "gmem_sim");
	assert_int_equal(member_u64(o, "capacity"), 1ULL << 32);
	assert_int_equal(member_u64(o, "resident"), 300);
	assert_int_equal(member_u64(o, "faults"), 1000);
	assert_int_equal(member_u64(o, "to_dev"), 400);
	assert_int_equal(member_u64(o, "to_host"), 100);
	assert_int_equal(member_u64(o, "evicted"), 60);
	assert_int_equal(member_u64(o, "pressure"), 5);
	assert_int_equal(member_u64(o, "pressure_evicted"), 20);
	json_object_put(o);
	/* no event seen for it */
	o = gmem_device_to_json(&dev, NULL);
	assert_int_equal(member_u64(o, "pressure"), 0);
	assert_int_equal(member_u64(o, "pressure_evicted"), 0);
	json_object_put(o);

	m = mk_stats(0, false);
	assert_int_equal(gmem_parse_stats(nlmsg_hdr(m), &st), 0);
	nlmsg_free(m);
	o = json_object_new_object();
	gmem_stats_to_json(&st, o);
	assert_int_equal(member_u64(o, "processes"), 11);
	assert_int_equal(member_u64(o, "pages_nomap"), 12);
	assert_int_equal(member_u64(o, "pages_cpu"), 13);
	assert_int_equal(member_u64(o, "pages_device"), 14);
	assert_int_equal(member_u64(o, "migrating"), 15);
	json_object_put(o);

	proc = (struct gmem_process){ .pid = 4000000, .pages_cpu = 1, .pages_device = 2 };
	o = gmem_process_to_json(&proc);
	assert_int_equal(member_u64(o, "pid"), 4000000);
	assert_int_equal(member_u64(o, "pages_cpu"), 1);
	assert_int_equal(member_u64(o, "pages_device"), 2);
	json_object_put(o);

	pr = (struct gmem_pressure){ .seq = 1ULL << 63, .hnid = 2, .evicted = 4,
				     .pid = 4242 };
	o = gmem_pressure_to_json(&pr);
	assert_true(json_object_object_get_ex(o, "feature", &v));
	assert_string_equal(json_object_get_string(v), "gmem");
	assert_true(json_object_object_get_ex(o, "event", &v));
	assert_string_equal(json_object_get_string(v), "pressure");
	assert_true(member_u64(o, "seq") == 1ULL << 63);
	assert_int_equal(member_u64(o, "hnid"), 2);
	assert_int_equal(member_u64(o, "evicted"), 4);
	assert_int_equal(member_u64(o, "pid"), 4242);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_process),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_missing_attrs),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_unknown_attrs_ignored),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_wrong_command),
		cmocka_unit_test(test_build_get),
		cmocka_unit_test(test_track_gaps),
		cmocka_unit_test(test_track_devices),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests_name("gmem_msg", tests, NULL, NULL);
}
