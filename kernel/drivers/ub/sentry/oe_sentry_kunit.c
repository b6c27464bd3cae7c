// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for oe_sentry: the event messages carry what the spec says.
 */

#include <kunit/test.h>
#include <net/netlink.h>
#include <uapi/linux/oe_sentry.h>

#include "sentry.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static const struct nla_policy event_policy[OE_SENTRY_A_EVENT_MAX + 1] = {
	[OE_SENTRY_A_EVENT_SEQ]			= { .type = NLA_U64 },
	[OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL]	= { .type = NLA_U32 },
	[OE_SENTRY_A_EVENT_PID]			= { .type = NLA_U32 },
	[OE_SENTRY_A_EVENT_COMM]		= { .type = NLA_NUL_STRING },
	[OE_SENTRY_A_EVENT_CGROUP]		= { .type = NLA_NUL_STRING },
	[OE_SENTRY_A_EVENT_OOM_SCOPE]		= { .type = NLA_U32 },
	[OE_SENTRY_A_EVENT_TOTAL_VM_KB]		= { .type = NLA_U64 },
	[OE_SENTRY_A_EVENT_RSS_KB]		= { .type = NLA_U64 },
	[OE_SENTRY_A_EVENT_PAD]			= { .type = NLA_UNSPEC },
};

static void parse(struct kunit *test, struct sk_buff *skb, struct nlattr **tb)
{
	int err;

	err = nla_parse(tb, OE_SENTRY_A_EVENT_MAX, (struct nlattr *)skb->data,
			skb->len, event_policy, NULL);
	KUNIT_ASSERT_EQ(test, err, 0);
}

/* A report with @comm and @cgroup, off the stack (it holds a path). */
static struct oe_sentry_oom *oom_report(struct kunit *test, const char *comm,
					const char *cgroup)
{
	struct oe_sentry_oom *oom = kunit_kzalloc(test, sizeof(*oom),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, oom);
	strscpy(oom->comm, comm, sizeof(oom->comm));
	strscpy(oom->cgroup, cgroup, sizeof(oom->cgroup));
	return oom;
}

static void oom_event_carries_victim(struct kunit *test)
{
	struct oe_sentry_oom *oom = oom_report(test, "hog", "/oe-test");
	struct nlattr *tb[OE_SENTRY_A_EVENT_MAX + 1];
	struct sk_buff *skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);

	oom->seq = 7;
	oom->pid = 4242;
	oom->memcg_oom = true;
	oom->total_vm_kb = 1ULL << 33;
	oom->rss_kb = 12345;
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, oe_sentry_fill_oom(skb, oom), 0);
	parse(test, skb, tb);
	KUNIT_ASSERT_NOT_NULL(test, tb[OE_SENTRY_A_EVENT_SEQ]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[OE_SENTRY_A_EVENT_SEQ]), 7ULL);
	KUNIT_ASSERT_NOT_NULL(test, tb[OE_SENTRY_A_EVENT_PID]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[OE_SENTRY_A_EVENT_PID]), 4242U);
	KUNIT_ASSERT_NOT_NULL(test, tb[OE_SENTRY_A_EVENT_COMM]);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(tb[OE_SENTRY_A_EVENT_COMM]),
			   "hog");
	KUNIT_ASSERT_NOT_NULL(test, tb[OE_SENTRY_A_EVENT_CGROUP]);
	KUNIT_EXPECT_STREQ(test,
			   (char *)nla_data(tb[OE_SENTRY_A_EVENT_CGROUP]),
			   "/oe-test");
	KUNIT_ASSERT_NOT_NULL(test, tb[OE_SENTRY_A_EVENT_OOM_SCOPE]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[OE_SENTRY_A_EVENT_OOM_SCOPE]),
			(u32)OE_SENTRY_OOM_SCOPE_MEMCG);
	KUNIT_ASSERT_NOT_NULL(test, tb[OE_SENTRY_A_EVENT_TOTAL_VM_KB]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[OE_SENTRY_A_EVENT_TOTAL_VM_KB]),
			1ULL << 33);
	KUNIT_ASSERT_NOT_NULL(test, tb[OE_SENTRY_A_EVENT_RSS_KB]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[OE_SENTRY_A_EVENT_RSS_KB]),
			12345ULL);
	KUNIT_EXPECT_NULL(test, tb[OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL]);
	kfree_skb(skb);
}

static void oom_event_without_cgroup(struct kunit *test)
{
	struct oe_sentry_oom *oom = oom_report(test, "x", "");
	struct nlattr *tb[OE_SENTRY_A_EVENT_MAX + 1];
	struct sk_buff *skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);

	oom->seq = 1;
	oom->pid = 1;
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, oe_sentry_fill_oom(skb, oom), 0);
	parse(test, skb, tb);
	KUNIT_EXPECT_NULL(test, tb[OE_SENTRY_A_EVENT_CGROUP]);
	KUNIT_ASSERT_NOT_NULL(test, tb[OE_SENTRY_A_EVENT_OOM_SCOPE]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[OE_SENTRY_A_EVENT_OOM_SCOPE]),
			(u32)OE_SENTRY_OOM_SCOPE_GLOBAL);
	kfree_skb(skb);
}

static void oom_event_too_big_fails(struct kunit *test)
{
	struct oe_sentry_oom *oom = oom_report(test, "x", "/a");
	struct sk_buff *skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);

	oom->pid = 1;
	KUNIT_ASSERT_NOT_NULL(test, skb);
	/* Leave room for the first attributes only. */
	skb_put(skb, skb_tailroom(skb) - 32);
	KUNIT_EXPECT_EQ(test, oe_sentry_fill_oom(skb, oom), -EMSGSIZE);
	kfree_skb(skb);
}

static void filemap_local_event_carries_value(struct kunit *test)
{
	struct nlattr *tb[OE_SENTRY_A_EVENT_MAX + 1];
	struct sk_buff *skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, oe_sentry_fill_filemap_local(skb, 1, 99), 0);
	parse(test, skb, tb);
	KUNIT_ASSERT_NOT_NULL(test, tb[OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL]);
	KUNIT_EXPECT_EQ(test,
			nla_get_u32(tb[OE_SENTRY_A_EVENT_FILEMAP_ALLOC_LOCAL]),
			1U);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[OE_SENTRY_A_EVENT_SEQ]), 99ULL);
	KUNIT_EXPECT_NULL(test, tb[OE_SENTRY_A_EVENT_PID]);
	kfree_skb(skb);
}

static struct kunit_case oe_sentry_cases[] = {
	KUNIT_CASE(oom_event_carries_victim),
	KUNIT_CASE(oom_event_without_cgroup),
	KUNIT_CASE(oom_event_too_big_fails),
	KUNIT_CASE(filemap_local_event_carries_value),
	{ }
};

static struct kunit_suite oe_sentry_suite = {
	.name = "oe_sentry",
	.test_cases = oe_sentry_cases,
};

kunit_test_suite(oe_sentry_suite);

MODULE_DESCRIPTION("KUnit tests for oe_sentry");
MODULE_LICENSE("GPL");
