// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the one genl parser (genl_msg_parse()) and the policy of
 * every attribute set it is given, table-driven. Each attribute of each
 * set is sent malformed the ways its type can be (an integer one byte
 * too short or too long and more, a string without its NUL, empty, or
 * one byte past its buffer) in an otherwise valid message: genl_msg_parse()
 * and the family's parser must refuse it with -EINVAL, and the parser
 * leave its output as it was. The valid messages are made from the
 * policies themselves, so the family tests keep what is particular to a
 * family (values, missing attributes, buffer sizes).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/genetlink.h>
#include <linux/oe_gmem.h>
#include <linux/oe_modelfs.h>
#include <linux/oe_sentry.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "genl_msg.h"
#include "gmem_msg.h"
#include "modelfs_msg.h"
#include "sentry_msg.h"
#include "util.h"

#define FAMILY 0x20
/* room for the longest string refused (a 4 KiB buffer and a byte) and the rest */
#define MSG_SIZE (4 * 4096)

/* The family parsers, each into its own struct: one signature for the table. */
#define ANY_OUT(fn, type)						\
	static int fn##_any(const struct nlmsghdr *nlh, void *out)	\
	{								\
		return fn(nlh, (type *)out);				\
	}
ANY_OUT(gmem_parse_device, struct gmem_device)
ANY_OUT(gmem_parse_stats, struct gmem_stats)
ANY_OUT(gmem_parse_process, struct gmem_process)
ANY_OUT(gmem_parse_pressure, struct gmem_pressure)
ANY_OUT(sentry_parse_state, struct sentry_state)
ANY_OUT(sentry_parse_event, struct sentry_event)
ANY_OUT(modelfs_msg_parse_mount, struct modelfs_mount_info)
ANY_OUT(genl_parse_ctrl, struct ctrl_notice)

/* A reply or event: its command, the set it carries and who parses it. */
struct set_case {
	const char *name;
	const struct genl_attr_set *set;
	int max;	/* the set's last type in the generated uapi header */
	int pad;	/* its pad attribute, 0: none */
	uint8_t cmd;
	int (*parse)(const struct nlmsghdr *nlh, void *out);
	size_t out_size;
};

static const struct set_case cases[] = {
	{ "gmem device", &gmem_device_attrs, OE_GMEM_A_DEVICE_MAX,
	  OE_GMEM_A_DEVICE_PAD, OE_GMEM_CMD_GET_DEVICES,
	  gmem_parse_device_any, sizeof(struct gmem_device) },
	{ "gmem stats", &gmem_stats_attrs, OE_GMEM_A_STATS_MAX,
	  OE_GMEM_A_STATS_PAD, OE_GMEM_CMD_GET_STATS,
	  gmem_parse_stats_any, sizeof(struct gmem_stats) },
	{ "gmem process", &gmem_process_attrs, OE_GMEM_A_PROCESS_MAX,
	  OE_GMEM_A_PROCESS_PAD, OE_GMEM_CMD_GET_PROCESSES,
	  gmem_parse_process_any, sizeof(struct gmem_process) },
	{ "gmem pressure", &gmem_pressure_attrs, OE_GMEM_A_PRESSURE_MAX,
	  OE_GMEM_A_PRESSURE_PAD, OE_GMEM_CMD_PRESSURE,
	  gmem_parse_pressure_any, sizeof(struct gmem_pressure) },
	{ "sentry state", &sentry_state_attrs, OE_SENTRY_A_STATE_MAX,
	  OE_SENTRY_A_STATE_PAD, OE_SENTRY_CMD_GET_STATE,
	  sentry_parse_state_any, sizeof(struct sentry_state) },
	/* the two events share one set */
	{ "sentry filemap-local-changed", &sentry_event_attrs,
	  OE_SENTRY_A_EVENT_MAX, OE_SENTRY_A_EVENT_PAD,
	  OE_SENTRY_CMD_FILEMAP_LOCAL_CHANGED,
	  sentry_parse_event_any, sizeof(struct sentry_event) },
	{ "sentry oom-kill", &sentry_event_attrs, OE_SENTRY_A_EVENT_MAX,
	  OE_SENTRY_A_EVENT_PAD, OE_SENTRY_CMD_OOM_KILL,
	  sentry_parse_event_any, sizeof(struct sentry_event) },
	{ "modelfs mount", &modelfs_mount_attrs, OE_MODELFS_A_MOUNT_MAX,
	  OE_MODELFS_A_MOUNT_PAD, OE_MODELFS_CMD_MOUNT_GET,
	  modelfs_msg_parse_mount_any, sizeof(struct modelfs_mount_info) },
	/* nlctrl's set is not ours: only the two attributes read */
	{ "nlctrl family", &genl_ctrl_attrs, CTRL_ATTR_FAMILY_NAME, 0,
	  CTRL_CMD_NEWFAMILY, genl_parse_ctrl_any, sizeof(struct ctrl_notice) },
};

#define member_size(type, member) sizeof(((type *)0)->member)

/*
 * Every string of the sets and the buffer its parser copies it into: the
 * policy's bound must be that buffer, NUL included.
 */
static const struct {
	const struct genl_attr_set *set;
	int type;
	size_t size;
} strings[] = {
	{ &gmem_device_attrs, OE_GMEM_A_DEVICE_NAME,
	  member_size(struct gmem_device, name) },
	{ &sentry_event_attrs, OE_SENTRY_A_EVENT_COMM,
	  member_size(struct sentry_event, comm) },
	{ &sentry_event_attrs, OE_SENTRY_A_EVENT_CGROUP,
	  member_size(struct sentry_event, cgroup) },
	{ &modelfs_mount_attrs, OE_MODELFS_A_MOUNT_LOWERDIR,
	  member_size(struct modelfs_mount_info, lowerdir) },
	{ &genl_ctrl_attrs, CTRL_ATTR_FAMILY_NAME,
	  member_size(struct ctrl_notice, family_name) },
};

/* The buffer of string @t of @set, 0 if the table above lacks it. */
static size_t string_size(const struct genl_attr_set *set, int t)
{
	for (size_t i = 0; i < ARRAY_SIZE(strings); i++)
		if (strings[i].set == set && strings[i].type == t)
			return strings[i].size;
	return 0;
}

/*
 * The size of an integer type, from the type alone: what the policy's
 * lengths must come to, checked rather than taken from them.
 */
static int int_size(uint16_t type)
{
	switch (type) {
	case NLA_U8:
		return 1;
	case NLA_U16:
		return 2;
	case NLA_U32:
		return 4;
	case NLA_U64:
		return 8;
	}
	return 0;
}

static const char bytes[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
/* what a value of the right size holds: 0 is in range for every one */
static const char zeroes[8];

/* A payload the policy of @t takes: zeroes, a short string, an empty pad. */
static void put_valid(struct nl_msg *m, const struct genl_attr_set *set, int t)
{
	const struct nla_policy *p = &set->policy[t];

	if (p->type == NLA_STRING)
		assert_int_equal(nla_put_string(m, t, "x"), 0);
	else if (p->type == NLA_UNSPEC)
		assert_int_equal(nla_put(m, t, 0, NULL), 0);
	else
		assert_int_equal(nla_put(m, t, int_size(p->type), zeroes), 0);
}

/* @c's message with every attribute of its set valid, but @skip left out. */
static struct nl_msg *mk_full(const struct set_case *c, int skip)
{
	struct nl_msg *m = nlmsg_alloc_size(MSG_SIZE);

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 1, FAMILY, 0, 0, c->cmd, 1));
	for (int t = 1; t <= c->set->maxtype; t++)
		if (t != skip)
			put_valid(m, c->set, t);
	return m;
}

/* @c's message with only attribute @t, @len bytes of @data. */
static struct nl_msg *mk_one(const struct set_case *c, int t, int len,
			     const void *data)
{
	struct nl_msg *m = nlmsg_alloc_size(MSG_SIZE);

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 1, FAMILY, 0, 0, c->cmd, 1));
	assert_int_equal(nla_put(m, t, len, data), 0);
	return m;
}

static unsigned char out[8192], pristine[8192];

/* Parse @m with @c's parser into a poisoned @out; its result. */
static int parse(const struct set_case *c, struct nl_msg *m)
{
	assert_true(c->out_size <= sizeof(out));
	memset(out, 0xa5, sizeof(out));
	memcpy(pristine, out, sizeof(out));
	return c->parse(nlmsg_hdr(m), out);
}

/* The one parser on @m against @c's set. */
static int parse_set(const struct set_case *c, struct nl_msg *m)
{
	struct nlattr *tb[c->set->maxtype + 1];

	return genl_msg_parse(nlmsg_hdr(m), c->cmd, tb, c->set);
}

/*
 * Attribute @t of @c sent as @len bytes of @data (then freed): refused by
 * the one parser alone, and by the family's parser among the others,
 * with its output untouched.
 */
static void assert_refused(const struct set_case *c, int t, int len,
			   const void *data)
{
	struct nl_msg *m = mk_one(c, t, len, data);

	if (parse_set(c, m) != -EINVAL)
		fail_msg("%s: type %d of %d bytes taken", c->name, t, len);
	nlmsg_free(m);
	m = mk_full(c, t);
	assert_int_equal(nla_put(m, t, len, data), 0);
	if (parse(c, m) != -EINVAL)
		fail_msg("%s: type %d of %d bytes taken by its parser", c->name,
			 t, len);
	assert_memory_equal(out, pristine, sizeof(out));
	nlmsg_free(m);
}

/* Attribute @t of @c sent as @len bytes of @data: taken, by both. */
static void assert_taken(const struct set_case *c, int t, int len,
			 const void *data)
{
	struct nl_msg *m = mk_one(c, t, len, data);

	if (parse_set(c, m) != 0)
		fail_msg("%s: type %d of %d bytes refused", c->name, t, len);
	nlmsg_free(m);
	m = mk_full(c, t);
	assert_int_equal(nla_put(m, t, len, data), 0);
	if (parse(c, m) != 0)
		fail_msg("%s: type %d of %d bytes refused by its parser",
			 c->name, t, len);
	nlmsg_free(m);
}

/*
 * Each set's policy is as long as the generated header's enum and has an
 * entry for each attribute: a type of the specs (u8, u16, u32, u64, or
 * a string bounded by its buffer), or the pad. And the messages built
 * from it parse.
 */
static void test_policies_cover_sets(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct set_case *c = &cases[i];
		struct nl_msg *m;

		assert_int_equal(c->set->maxtype, c->max);
		for (int t = 1; t <= c->max; t++) {
			const struct nla_policy *p = &c->set->policy[t];

			if (t == c->pad) {
				assert_int_equal(p->type, NLA_UNSPEC);
				continue;
			}
			if (p->type == NLA_STRING) {
				if (p->maxlen != string_size(c->set, t))
					fail_msg("%s: string %d bound %u, not its buffer's %zu",
						 c->name, t, p->maxlen,
						 string_size(c->set, t));
				continue;
			}
			if (!int_size(p->type))
				fail_msg("%s: type %d has no policy", c->name, t);
		}
		m = mk_full(c, 0);
		assert_int_equal(parse_set(c, m), 0);
		assert_int_equal(parse(c, m), 0);
		nlmsg_free(m);
	}
}

/* An integer of any other length than its own: too short, too long. */
static void check_int(const struct set_case *c, int t, int size)
{
	for (int len = 0; len <= 2 * size + 4; len++) {
		if (len == size)
			assert_taken(c, t, len, zeroes);
		else
			assert_refused(c, t, len, bytes);
	}
}

/* A string: its NUL last, and no longer than its buffer. */
static void check_string(const struct set_case *c, int t, int size)
{
	char *s = malloc((size_t)size + 1);

	assert_non_null(s);
	/* empty payload, not even the NUL; unterminated; NUL not last */
	assert_refused(c, t, 0, NULL);
	assert_refused(c, t, 3, "abc");
	assert_refused(c, t, 4, "ab\0c");
	assert_taken(c, t, 1, "");
	/* the buffer's size, NUL included, fits; a byte more does not */
	memset(s, 's', (size_t)size);
	s[size - 1] = '\0';
	assert_taken(c, t, size, s);
	s[size - 1] = 's';
	s[size] = '\0';
	assert_refused(c, t, size + 1, s);
	assert_refused(c, t, size, s);
	free(s);
}

static void test_malformed_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct set_case *c = &cases[i];

		for (int t = 1; t <= c->max; t++) {
			const struct nla_policy *p = &c->set->policy[t];

			if (t == c->pad)
				continue;
			if (p->type == NLA_STRING)
				check_string(c, t, p->maxlen);
			else
				check_int(c, t, int_size(p->type));
		}
	}
}

/* A pad is taken whatever it holds, where it stands, and read by nobody. */
static void test_pad_ignored(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct set_case *c = &cases[i];

		if (!c->pad)
			continue;
		assert_taken(c, c->pad, 0, NULL);
		assert_taken(c, c->pad, 3, bytes);
		assert_taken(c, c->pad, 12, bytes);
	}
}

/*
 * Types above the set's last are a newer kernel's: skipped, whatever
 * they hold, as before the policies (nla_parse() skips them first).
 */
static void test_unknown_types_skipped(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct set_case *c = &cases[i];
		struct nl_msg *m = mk_full(c, 0);

		assert_int_equal(nla_put(m, c->max + 1, 3, "abc"), 0);
		assert_int_equal(nla_put(m, c->max + 2, 0, NULL), 0);
		assert_int_equal(nla_put(m, c->max + 9, 12, bytes), 0);
		assert_int_equal(parse_set(c, m), 0);
		assert_int_equal(parse(c, m), 0);
		nlmsg_free(m);
	}
}

/* Another command than the set's: -EOPNOTSUPP before any attribute is read. */
static void test_other_command(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct set_case *c = &cases[i];
		struct nl_msg *m = nlmsg_alloc();
		struct nlattr *tb[c->set->maxtype + 1];

		assert_non_null(genlmsg_put(m, 0, 1, FAMILY, 0, 0, 200, 1));
		/* malformed for every set: it must not be looked at */
		assert_int_equal(nla_put(m, 1, 3, "abc"), 0);
		assert_int_equal(genl_msg_parse(nlmsg_hdr(m), c->cmd, tb, c->set),
				 -EOPNOTSUPP);
		assert_int_equal(parse(c, m), -EOPNOTSUPP);
		assert_memory_equal(out, pristine, sizeof(out));
		nlmsg_free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policies_cover_sets),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_pad_ignored),
		cmocka_unit_test(test_unknown_types_skipped),
		cmocka_unit_test(test_other_command),
	};

	return cmocka_run_group_tests_name("genl_policy", tests, NULL, NULL);
}
