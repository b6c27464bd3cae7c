// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: oe_sentry netlink parsing against attribute buffers built
 * with libnl, as the kernel would send them.
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
#include <linux/oe_sentry.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "genl_msg.h"
#include "sentry_msg.h"
#include "util.h"

#define FAMILY 0x1c

static struct nl_msg *mk(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 1, FAMILY, 0, 0, cmd,
				    OE_SENTRY_FAMILY_VERSION));
	return m;
}

static struct nl_msg *mk_filemap(uint64_t seq, uint32_t val)
{
	struct nl_msg *m = mk(OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED);

	assert_int_equal(nla_put_u64(m, OE_SENTRY_A_EVENT_SEQ, seq), 0);
	assert_int_equal(nla_put_u32(m, OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL, val), 0);
	return m;
}

/* oom-kill with every attribute; @skip leaves one out (0: none) */
static struct nl_msg *mk_oom(int skip)
{
	struct nl_msg *m = mk(OE_SENTRY_CMD_OOM_KILL);

	if (skip != OE_SENTRY_A_EVENT_SEQ)
		nla_put_u64(m, OE_SENTRY_A_EVENT_SEQ, 5);
	if (skip != OE_SENTRY_A_EVENT_PID)
		nla_put_u32(m, OE_SENTRY_A_EVENT_PID, 123);
	if (skip != OE_SENTRY_A_EVENT_COMM)
		nla_put_string(m, OE_SENTRY_A_EVENT_COMM, "foo");
	if (skip != OE_SENTRY_A_EVENT_CGROUP)
		nla_put_string(m, OE_SENTRY_A_EVENT_CGROUP, "/test");
	if (skip != OE_SENTRY_A_EVENT_OOM_SCOPE)
		nla_put_u32(m, OE_SENTRY_A_EVENT_OOM_SCOPE, OE_SENTRY_OOM_SCOPE_MEMCG);
	if (skip != OE_SENTRY_A_EVENT_TOTAL_VM_KB)
		nla_put_u64(m, OE_SENTRY_A_EVENT_TOTAL_VM_KB, 1ULL << 33);
	if (skip != OE_SENTRY_A_EVENT_RSS_KB)
		nla_put_u64(m, OE_SENTRY_A_EVENT_RSS_KB, 4096);
	return m;
}

static struct sentry_event ev, pristine;

static void poison(void)
{
	memset(&ev, 0xa5, sizeof(ev));
	pristine = ev;
}

static void assert_untouched(void)
{
	assert_memory_equal(&ev, &pristine, sizeof(ev));
}

static void test_filemap_event(void **state)
{
	struct nl_msg *m = mk_filemap(4, 1);

	(void)state;
	poison();
	assert_int_equal(sentry_parse_event(nlmsg_hdr(m), &ev), 0);
	assert_int_equal(ev.type, SENTRY_EV_FILEMAP_LOCAL_CHANGED);
	assert_int_equal(ev.seq, 4);
	assert_int_equal(ev.filemap_alloc_local, 1);
	assert_string_equal(ev.comm, "");
	nlmsg_free(m);
}

static void test_oom_event(void **state)
{
	struct nl_msg *m = mk_oom(0);

	(void)state;
	poison();
	assert_int_equal(sentry_parse_event(nlmsg_hdr(m), &ev), 0);
	assert_int_equal(ev.type, SENTRY_EV_OOM_KILL);
	assert_int_equal(ev.seq, 5);
	assert_int_equal(ev.pid, 123);
	assert_string_equal(ev.comm, "foo");
	assert_string_equal(ev.cgroup, "/test");
	assert_int_equal(ev.oom_scope, OE_SENTRY_OOM_SCOPE_MEMCG);
	assert_int_equal(ev.total_vm_kb, 1ULL << 33);
	assert_int_equal(ev.rss_kb, 4096);
	nlmsg_free(m);
}

static void test_missing_attrs(void **state)
{
	static const int attrs[] = {
		OE_SENTRY_A_EVENT_SEQ, OE_SENTRY_A_EVENT_PID,
		OE_SENTRY_A_EVENT_COMM, OE_SENTRY_A_EVENT_CGROUP,
		OE_SENTRY_A_EVENT_OOM_SCOPE, OE_SENTRY_A_EVENT_TOTAL_VM_KB,
		OE_SENTRY_A_EVENT_RSS_KB,
	};
	struct nl_msg *m;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		m = mk_oom(attrs[i]);
		poison();
		assert_int_equal(sentry_parse_event(nlmsg_hdr(m), &ev), -ENOENT);
		assert_untouched();
		nlmsg_free(m);
	}
	/* filemap event without its value */
	m = mk(OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED);
	nla_put_u64(m, OE_SENTRY_A_EVENT_SEQ, 1);
	poison();
	assert_int_equal(sentry_parse_event(nlmsg_hdr(m), &ev), -ENOENT);
	assert_untouched();
	nlmsg_free(m);
}

/*
 * A value the policy cannot judge. Attributes of the wrong size or
 * without their NUL are test_genl_policy's, for every attribute.
 */
static void test_scope_outside_enum(void **state)
{
	struct nl_msg *m;

	(void)state;
	m = mk(OE_SENTRY_CMD_OOM_KILL);
	nla_put_u64(m, OE_SENTRY_A_EVENT_SEQ, 5);
	nla_put_u32(m, OE_SENTRY_A_EVENT_PID, 1);
	nla_put_string(m, OE_SENTRY_A_EVENT_COMM, "x");
	nla_put_string(m, OE_SENTRY_A_EVENT_CGROUP, "/");
	nla_put_u32(m, OE_SENTRY_A_EVENT_OOM_SCOPE, 7);
	nla_put_u64(m, OE_SENTRY_A_EVENT_TOTAL_VM_KB, 1);
	nla_put_u64(m, OE_SENTRY_A_EVENT_RSS_KB, 1);
	poison();
	assert_int_equal(sentry_parse_event(nlmsg_hdr(m), &ev), -EINVAL);
	assert_untouched();
	nlmsg_free(m);
}

static void test_truncated(void **state)
{
	struct nl_msg *m = mk_filemap(9, 0);
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	uint32_t full = nlh->nlmsg_len;

	(void)state;
	/* cut inside the genl header */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	poison();
	assert_int_equal(sentry_parse_event(nlh, &ev), -EBADMSG);
	assert_untouched();
	/* cut in the middle of the last attribute: it must not be seen */
	nlh->nlmsg_len = full - 2;
	assert_int_equal(sentry_parse_event(nlh, &ev), -ENOENT);
	assert_untouched();
	/* intact again */
	nlh->nlmsg_len = full;
	assert_int_equal(sentry_parse_event(nlh, &ev), 0);
	assert_int_equal(ev.seq, 9);
	nlmsg_free(m);
}

static void test_unknown_cmd(void **state)
{
	struct nl_msg *m = mk(42);
	struct sentry_state st;

	(void)state;
	nla_put_u64(m, OE_SENTRY_A_EVENT_SEQ, 1);
	poison();
	assert_int_equal(sentry_parse_event(nlmsg_hdr(m), &ev), -EOPNOTSUPP);
	assert_untouched();
	nlmsg_free(m);
	/* get-state is not an event, and an event is not a state */
	m = mk(OE_SENTRY_CMD_GET_STATE);
	assert_int_equal(sentry_parse_event(nlmsg_hdr(m), &ev), -EOPNOTSUPP);
	nlmsg_free(m);
	m = mk_filemap(1, 1);
	assert_int_equal(sentry_parse_state(nlmsg_hdr(m), &st), -EOPNOTSUPP);
	nlmsg_free(m);
}

static void test_state(void **state)
{
	struct nl_msg *m = mk(OE_SENTRY_CMD_GET_STATE);
	struct sentry_state st, before;

	(void)state;
	nla_put_u32(m, OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL, 1);
	nla_put_u64(m, OE_SENTRY_A_STATE_EVENTS_SENT, 77);
	nla_put_u64(m, OE_SENTRY_A_STATE_EVENTS_LOST, 3);
	assert_int_equal(sentry_parse_state(nlmsg_hdr(m), &st), 0);
	assert_int_equal(st.filemap_alloc_local, 1);
	assert_int_equal(st.events_sent, 77);
	assert_int_equal(st.events_lost, 3);
	nlmsg_free(m);

	m = mk(OE_SENTRY_CMD_GET_STATE);
	nla_put_u32(m, OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL, 0);
	nla_put_u64(m, OE_SENTRY_A_STATE_EVENTS_SENT, 1);
	before = st;
	assert_int_equal(sentry_parse_state(nlmsg_hdr(m), &st), -ENOENT);
	assert_memory_equal(&st, &before, sizeof(st));
	nlmsg_free(m);
}

static void test_ctrl_notice(void **state)
{
	struct nl_msg *m = nlmsg_alloc();
	struct ctrl_notice n;

	(void)state;
	genlmsg_put(m, 0, 0, GENL_ID_CTRL, 0, 0, CTRL_CMD_NEWFAMILY, 2);
	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "oe_sentry");
	nla_put_u16(m, CTRL_ATTR_FAMILY_ID, 0x23);
	assert_int_equal(genl_parse_ctrl(nlmsg_hdr(m), &n), 0);
	assert_int_equal(n.cmd, CTRL_CMD_NEWFAMILY);
	assert_int_equal(n.family_id, 0x23);
	assert_string_equal(n.family_name, "oe_sentry");
	nlmsg_free(m);

	m = nlmsg_alloc();
	genlmsg_put(m, 0, 0, GENL_ID_CTRL, 0, 0, CTRL_CMD_NEWMCAST_GRP, 2);
	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "oe_sentry");
	nla_put_u16(m, CTRL_ATTR_FAMILY_ID, 0x23);
	assert_int_equal(genl_parse_ctrl(nlmsg_hdr(m), &n), -EOPNOTSUPP);
	nlmsg_free(m);
}

static void test_event_json(void **state)
{
	struct nl_msg *m = mk_oom(0);
	struct json_object *o, *v;

	(void)state;
	assert_int_equal(sentry_parse_event(nlmsg_hdr(m), &ev), 0);
	o = sentry_event_to_json(&ev);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "event", &v));
	assert_string_equal(json_object_get_string(v), "oom-kill");
	assert_true(json_object_object_get_ex(o, "seq", &v));
	assert_int_equal(json_object_get_uint64(v), 5);
	assert_true(json_object_object_get_ex(o, "scope", &v));
	assert_string_equal(json_object_get_string(v), "memcg");
	assert_true(json_object_object_get_ex(o, "total_vm_kb", &v));
	assert_int_equal(json_object_get_uint64(v), 1ULL << 33);
	assert_true(json_object_object_get_ex(o, "cgroup", &v));
	assert_string_equal(json_object_get_string(v), "/test");
	json_object_put(o);
	nlmsg_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filemap_event),
		cmocka_unit_test(test_oom_event),
		cmocka_unit_test(test_missing_attrs),
		cmocka_unit_test(test_scope_outside_enum),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_unknown_cmd),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_ctrl_notice),
		cmocka_unit_test(test_event_json),
	};

	return cmocka_run_group_tests_name("sentry_msg", tests, NULL, NULL);
}
