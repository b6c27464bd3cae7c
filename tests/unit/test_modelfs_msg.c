// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the modelfs module's pure part. oe_modelfs mount-get
 * requests and replies against attribute buffers built with libnl the way
 * the kernel lays them out (u64s behind PAD attributes), mountinfo
 * lookups, and the JSON of replies.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <libmount.h>
#include <linux/genetlink.h>
#include <linux/oe_modelfs.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "libmodelfs.h"
#include "modelfs_msg.h"
#include "util.h"

#define FAMILY 0x1d

static struct nl_msg *mk(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 1, FAMILY, 0, NLM_F_MULTI, cmd,
				    OE_MODELFS_FAMILY_VERSION));
	return m;
}

/* as nla_put_u64_64bit() does: a PAD attribute, then the value */
static void put_u64(struct nl_msg *m, int type, uint64_t v)
{
	assert_int_equal(nla_put(m, OE_MODELFS_A_MOUNT_PAD, 0, NULL), 0);
	assert_int_equal(nla_put_u64(m, type, v), 0);
}

/* A full mount-get reply; @skip leaves one attribute out (0: none). */
static struct nl_msg *mk_mount(int skip)
{
	struct nl_msg *m = mk(OE_MODELFS_CMD_MOUNT_GET);

	if (skip != OE_MODELFS_A_MOUNT_DEV_MAJOR)
		nla_put_u32(m, OE_MODELFS_A_MOUNT_DEV_MAJOR, 0);
	if (skip != OE_MODELFS_A_MOUNT_DEV_MINOR)
		nla_put_u32(m, OE_MODELFS_A_MOUNT_DEV_MINOR, 45);
	if (skip != OE_MODELFS_A_MOUNT_LOWERDIR)
		nla_put_string(m, OE_MODELFS_A_MOUNT_LOWERDIR, "/data/model");
	if (skip != OE_MODELFS_A_MOUNT_POLICY_ATTACHED)
		nla_put_u8(m, OE_MODELFS_A_MOUNT_POLICY_ATTACHED, 1);
	if (skip != OE_MODELFS_A_MOUNT_HITS)
		put_u64(m, OE_MODELFS_A_MOUNT_HITS, 11);
	if (skip != OE_MODELFS_A_MOUNT_MISSES)
		put_u64(m, OE_MODELFS_A_MOUNT_MISSES, 12);
	if (skip != OE_MODELFS_A_MOUNT_READAHEAD_PAGES)
		put_u64(m, OE_MODELFS_A_MOUNT_READAHEAD_PAGES, 13);
	if (skip != OE_MODELFS_A_MOUNT_PREFETCHED_PAGES)
		put_u64(m, OE_MODELFS_A_MOUNT_PREFETCHED_PAGES, 14);
	if (skip != OE_MODELFS_A_MOUNT_EVICTED_PAGES)
		put_u64(m, OE_MODELFS_A_MOUNT_EVICTED_PAGES, 15);
	if (skip != OE_MODELFS_A_MOUNT_WASTED_PAGES)
		put_u64(m, OE_MODELFS_A_MOUNT_WASTED_PAGES, 16);
	if (skip != OE_MODELFS_A_MOUNT_LOWER_BYTES)
		put_u64(m, OE_MODELFS_A_MOUNT_LOWER_BYTES, 1ULL << 40);
	if (skip != OE_MODELFS_A_MOUNT_EVENTS_DROPPED)
		put_u64(m, OE_MODELFS_A_MOUNT_EVENTS_DROPPED, 18);
	if (skip != OE_MODELFS_A_MOUNT_PREFETCH_INFLIGHT)
		nla_put_u32(m, OE_MODELFS_A_MOUNT_PREFETCH_INFLIGHT, 3);
	return m;
}

static struct modelfs_mount_info mi, pristine;

static void poison(void)
{
	memset(&mi, 0xa5, sizeof(mi));
	pristine = mi;
}

static void assert_untouched(void)
{
	assert_memory_equal(&mi, &pristine, sizeof(mi));
}

static void test_build_dump(void **state)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;

	(void)state;
	assert_int_equal(modelfs_msg_build_get(m, FAMILY, true, 7, 8), 0);
	nlh = nlmsg_hdr(m);
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_true(nlh->nlmsg_flags & NLM_F_DUMP);
	gh = nlmsg_data(nlh);
	assert_int_equal(gh->cmd, OE_MODELFS_CMD_MOUNT_GET);
	assert_int_equal(gh->version, OE_MODELFS_FAMILY_VERSION);
	/* a dump carries no attributes: the kernel's dump takes none */
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
	nlmsg_free(m);
}

static void test_build_do(void **state)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlattr *tb[OE_MODELFS_A_MOUNT_MAX + 1];
	struct nlmsghdr *nlh;

	(void)state;
	assert_int_equal(modelfs_msg_build_get(m, FAMILY, false, 259, 1048575), 0);
	nlh = nlmsg_hdr(m);
	assert_false(nlh->nlmsg_flags & NLM_F_DUMP);
	assert_int_equal(genlmsg_parse(nlh, 0, tb, OE_MODELFS_A_MOUNT_MAX, NULL), 0);
	assert_non_null(tb[OE_MODELFS_A_MOUNT_DEV_MAJOR]);
	assert_non_null(tb[OE_MODELFS_A_MOUNT_DEV_MINOR]);
	assert_int_equal(nla_len(tb[OE_MODELFS_A_MOUNT_DEV_MAJOR]), 4);
	assert_int_equal(nla_get_u32(tb[OE_MODELFS_A_MOUNT_DEV_MAJOR]), 259);
	assert_int_equal(nla_get_u32(tb[OE_MODELFS_A_MOUNT_DEV_MINOR]), 1048575);
	assert_null(tb[OE_MODELFS_A_MOUNT_LOWERDIR]);
	nlmsg_free(m);
}

static void test_parse_full(void **state)
{
	struct nl_msg *m = mk_mount(0);

	(void)state;
	poison();
	assert_int_equal(modelfs_msg_parse_mount(nlmsg_hdr(m), &mi), 0);
	assert_int_equal(mi.major, 0);
	assert_int_equal(mi.minor, 45);
	assert_string_equal(mi.lowerdir, "/data/model");
	assert_true(mi.policy_attached);
	assert_int_equal(mi.hits, 11);
	assert_int_equal(mi.misses, 12);
	assert_int_equal(mi.readahead_pages, 13);
	assert_int_equal(mi.prefetched_pages, 14);
	assert_int_equal(mi.evicted_pages, 15);
	assert_int_equal(mi.wasted_pages, 16);
	assert_int_equal(mi.lower_bytes, 1ULL << 40);
	assert_int_equal(mi.events_dropped, 18);
	assert_int_equal(mi.prefetch_inflight, 3);
	nlmsg_free(m);
}

static void test_parse_required(void **state)
{
	static const int required[] = {
		OE_MODELFS_A_MOUNT_DEV_MAJOR, OE_MODELFS_A_MOUNT_DEV_MINOR,
		OE_MODELFS_A_MOUNT_LOWERDIR, OE_MODELFS_A_MOUNT_POLICY_ATTACHED,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
		struct nl_msg *m = mk_mount(required[i]);

		poison();
		assert_int_equal(modelfs_msg_parse_mount(nlmsg_hdr(m), &mi), -ENOENT);
		assert_untouched();
		nlmsg_free(m);
	}
}

static void test_parse_counter_left_out(void **state)
{
	struct nl_msg *m = mk_mount(OE_MODELFS_A_MOUNT_WASTED_PAGES);

	(void)state;
	poison();
	assert_int_equal(modelfs_msg_parse_mount(nlmsg_hdr(m), &mi), 0);
	assert_int_equal(mi.wasted_pages, 0);
	assert_int_equal(mi.evicted_pages, 15);
	nlmsg_free(m);
	m = mk_mount(OE_MODELFS_A_MOUNT_PREFETCH_INFLIGHT);
	assert_int_equal(modelfs_msg_parse_mount(nlmsg_hdr(m), &mi), 0);
	assert_int_equal(mi.prefetch_inflight, 0);
	nlmsg_free(m);
}

/*
 * A value the policy cannot judge. Attributes of the wrong size or
 * without their NUL are test_genl_policy's, for every attribute.
 */
static void test_parse_bad_flag(void **state)
{
	struct nl_msg *m;

	(void)state;
	/* a flag that is neither 0 nor 1 */
	m = mk_mount(OE_MODELFS_A_MOUNT_POLICY_ATTACHED);
	nla_put_u8(m, OE_MODELFS_A_MOUNT_POLICY_ATTACHED, 2);
	poison();
	assert_int_equal(modelfs_msg_parse_mount(nlmsg_hdr(m), &mi), -EINVAL);
	assert_untouched();
	nlmsg_free(m);
}

static void test_parse_long_lowerdir(void **state)
{
	char *big = malloc(MODELFS_LOWERDIR_MAX + 1);
	struct nl_msg *m = nlmsg_alloc_size(2 * MODELFS_LOWERDIR_MAX);

	(void)state;
	assert_non_null(big);
	memset(big, 'a', MODELFS_LOWERDIR_MAX);
	big[0] = '/';
	big[MODELFS_LOWERDIR_MAX] = '\0';
	assert_non_null(genlmsg_put(m, 0, 1, FAMILY, 0, 0, OE_MODELFS_CMD_MOUNT_GET, 1));
	nla_put_u32(m, OE_MODELFS_A_MOUNT_DEV_MAJOR, 0);
	nla_put_u32(m, OE_MODELFS_A_MOUNT_DEV_MINOR, 1);
	nla_put_u8(m, OE_MODELFS_A_MOUNT_POLICY_ATTACHED, 0);
	assert_int_equal(nla_put_string(m, OE_MODELFS_A_MOUNT_LOWERDIR, big), 0);
	poison();
	assert_int_equal(modelfs_msg_parse_mount(nlmsg_hdr(m), &mi), -EINVAL);
	assert_untouched();
	/* one byte shorter fits */
	nlmsg_free(m);
	m = nlmsg_alloc_size(2 * MODELFS_LOWERDIR_MAX);
	big[MODELFS_LOWERDIR_MAX - 1] = '\0';
	assert_non_null(genlmsg_put(m, 0, 1, FAMILY, 0, 0, OE_MODELFS_CMD_MOUNT_GET, 1));
	nla_put_u32(m, OE_MODELFS_A_MOUNT_DEV_MAJOR, 0);
	nla_put_u32(m, OE_MODELFS_A_MOUNT_DEV_MINOR, 1);
	nla_put_u8(m, OE_MODELFS_A_MOUNT_POLICY_ATTACHED, 0);
	nla_put_string(m, OE_MODELFS_A_MOUNT_LOWERDIR, big);
	assert_int_equal(modelfs_msg_parse_mount(nlmsg_hdr(m), &mi), 0);
	assert_int_equal(strlen(mi.lowerdir), MODELFS_LOWERDIR_MAX - 1);
	assert_false(mi.policy_attached);
	nlmsg_free(m);
	free(big);
}

static void test_parse_other_cmd_and_truncated(void **state)
{
	struct nl_msg *m = mk(OE_MODELFS_CMD_MOUNT_GET + 1);
	struct nlmsghdr *nlh;
	uint32_t full;

	(void)state;
	poison();
	assert_int_equal(modelfs_msg_parse_mount(nlmsg_hdr(m), &mi), -EOPNOTSUPP);
	assert_untouched();
	nlmsg_free(m);

	m = mk_mount(0);
	nlh = nlmsg_hdr(m);
	full = nlh->nlmsg_len;
	/* cut inside the genl header */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(modelfs_msg_parse_mount(nlh, &mi), -EBADMSG);
	assert_untouched();
	/* cut after the first attributes: the required ones are gone */
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + 16;
	assert_int_equal(modelfs_msg_parse_mount(nlh, &mi), -ENOENT);
	assert_untouched();
	nlh->nlmsg_len = full;
	assert_int_equal(modelfs_msg_parse_mount(nlh, &mi), 0);
	nlmsg_free(m);
}

static const char mountinfo[] =
	"22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n"
	"30 22 0:45 / /mnt/other rw,relatime - tmpfs tmpfs rw\n"
	"31 1 7:0 / /mnt/lower rw,relatime shared:9 - ext4 /dev/ram0 rw\n"
	"40 1 0:45 / /mnt/model\\040one ro,relatime shared:12 master:3 - modelfs none ro,lowerdir=/mnt/lower\n"
	"41 1 0:45 / /mnt/bind ro,relatime - modelfs none ro,lowerdir=/mnt/lower\n"
	"42 1 0:46 / /mnt/m2 ro,relatime - modelfs none ro,lowerdir=/x\n"
	"43 1 0:47 /sub /mnt/tab\\011and\\134 ro - modelfs none ro";

/* modelfs_mountinfo_find() in @text, as libmount reads it from the file. */
static int find(const char *text, uint32_t major, uint32_t minor, char *buf,
		size_t len)
{
	struct libmnt_table *tb = mnt_new_table();
	FILE *f;
	int rc;

	assert_non_null(tb);
	if (*text) {
		f = fmemopen((void *)text, strlen(text), "r");
		assert_non_null(f);
		assert_int_equal(mnt_table_parse_stream(tb, f, "mountinfo"), 0);
		fclose(f);
	}
	rc = modelfs_mountinfo_find(tb, major, minor, buf, len);
	mnt_unref_table(tb);
	return rc;
}

static void test_mountinfo(void **state)
{
	char buf[64];

	(void)state;
	/* the first modelfs line of the device, unescaped; not the tmpfs one */
	assert_int_equal(find(mountinfo, 0, 45, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/model one");
	assert_int_equal(find(mountinfo, 0, 46, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/m2");
	/* last line without a newline, tab and backslash escapes */
	assert_int_equal(find(mountinfo, 0, 47, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/tab\tand\\");
	/* not modelfs, not there, 0:4 is no prefix of 0:45 */
	assert_int_equal(find(mountinfo, 7, 0, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(find(mountinfo, 0, 4, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(find(mountinfo, 0, 99, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(find("", 0, 45, buf, sizeof(buf)), -ENOENT);
	/* found, but the buffer is too small */
	assert_int_equal(find(mountinfo, 0, 45, buf, 5), -ENAMETOOLONG);
	/* a truncated line is no match */
	assert_int_equal(find("40 1 0:45 / /mnt/model", 0, 45,
						buf, sizeof(buf)), -ENOENT);
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_string(v);
}

static uint64_t ju64(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_uint64(v);
}

static void test_mount_json(void **state)
{
	struct nl_msg *m = mk_mount(0);
	struct json_object *o, *k, *v;

	(void)state;
	assert_int_equal(modelfs_msg_parse_mount(nlmsg_hdr(m), &mi), 0);
	nlmsg_free(m);

	o = modelfs_mount_to_json(&mi, "/mnt/model", false);
	assert_string_equal(jstr(o, "dev"), "0:45");
	assert_string_equal(jstr(o, "mountpoint"), "/mnt/model");
	assert_string_equal(jstr(o, "lowerdir"), "/data/model");
	assert_true(json_object_object_get_ex(o, "policy_attached", &v));
	assert_true(json_object_get_boolean(v));
	assert_false(json_object_object_get_ex(o, "kernel", &k));
	json_object_put(o);

	/* no mountpoint: null, not missing */
	o = modelfs_mount_to_json(&mi, NULL, true);
	assert_true(json_object_object_get_ex(o, "mountpoint", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "kernel", &k));
	assert_int_equal(ju64(k, "hits"), 11);
	assert_int_equal(ju64(k, "lower_bytes"), 1ULL << 40);
	assert_int_equal(ju64(k, "prefetch_inflight"), 3);
	assert_int_equal(json_object_object_length(k), 9);
	json_object_put(o);
}

static void test_rt_stats_json(void **state)
{
	struct modelfs_stats s = { .events = 1, .overflows = 2, .prefetch_cmds = 3,
				   .evict_cmds = 4, .cmd_errors = 5 };
	struct json_object *o = modelfs_rt_stats_to_json(&s);

	(void)state;
	assert_int_equal(ju64(o, "events"), 1);
	assert_int_equal(ju64(o, "overflows"), 2);
	assert_int_equal(ju64(o, "prefetch_cmds"), 3);
	assert_int_equal(ju64(o, "evict_cmds"), 4);
	assert_int_equal(ju64(o, "cmd_errors"), 5);
	json_object_put(o);
}

static void test_template_json(void **state)
{
	struct modelfs_template_info info = {
		.files = 3, .ranges = 120, .bytes = 1ULL << 32, .load_ns = 4500000000ULL,
	};
	struct json_object *o, *v;

	(void)state;
	o = modelfs_template_to_json("abc", 0, &info);
	assert_string_equal(jstr(o, "name"), "abc");
	assert_true(json_object_object_get_ex(o, "corrupt", &v));
	assert_false(json_object_get_boolean(v));
	assert_int_equal(ju64(o, "files"), 3);
	assert_int_equal(ju64(o, "ranges"), 120);
	assert_int_equal(ju64(o, "bytes"), 1ULL << 32);
	assert_int_equal(ju64(o, "load_ns"), 4500000000ULL);
	json_object_put(o);

	/* corrupt: flagged, and no figures from a file we do not trust */
	o = modelfs_template_to_json("bad", -EBADMSG, &info);
	assert_true(json_object_object_get_ex(o, "corrupt", &v));
	assert_true(json_object_get_boolean(v));
	assert_false(json_object_object_get_ex(o, "files", &v));
	assert_false(json_object_object_get_ex(o, "error", &v));
	json_object_put(o);

	o = modelfs_template_to_json("locked", -EACCES, &info);
	assert_true(json_object_object_get_ex(o, "corrupt", &v));
	assert_false(json_object_get_boolean(v));
	assert_string_equal(jstr(o, "error"), "Permission denied");
	assert_false(json_object_object_get_ex(o, "bytes", &v));
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_dump),
		cmocka_unit_test(test_build_do),
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_required),
		cmocka_unit_test(test_parse_counter_left_out),
		cmocka_unit_test(test_parse_bad_flag),
		cmocka_unit_test(test_parse_long_lowerdir),
		cmocka_unit_test(test_parse_other_cmd_and_truncated),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_mount_json),
		cmocka_unit_test(test_rt_stats_json),
		cmocka_unit_test(test_template_json),
	};

	return cmocka_run_group_tests_name("modelfs_msg", tests, NULL, NULL);
}
