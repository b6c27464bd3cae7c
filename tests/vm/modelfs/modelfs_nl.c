// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs_nl CASE [MOUNT]: ask the oe_modelfs family about ModelFS mounts
 * with raw generic netlink and print the answer for the suite to check.
 *
 *   get MOUNT     mount-get (do) for MOUNT's device: one "key=value" line
 *   dump          mount-get (dump): one line per mount
 *   bad-dev       mount-get for a device no mount has: the errno name
 *   missing-dev   mount-get without the device attributes: the errno name
 *   unknown-cmd   a command the family lacks: the errno name
 *   wide-major MOUNT  mount-get for MOUNT's device with 4096 added to the
 *                 major (the same dev_t once shifted): the errno name
 *   wide-minor MOUNT  the same with a minor past 20 bits
 *   extra-attr MOUNT  mount-get for MOUNT with an attribute the family
 *                 does not define: the errno name
 */
#define _GNU_SOURCE
#include <linux/oe_modelfs.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../genl_raw.h"

static const char *const names[OE_MODELFS_A_MOUNT_MAX + 1] = {
	[OE_MODELFS_A_MOUNT_POLICY_ATTACHED] = "policy_attached",
	[OE_MODELFS_A_MOUNT_HITS] = "hits",
	[OE_MODELFS_A_MOUNT_MISSES] = "misses",
	[OE_MODELFS_A_MOUNT_READAHEAD_PAGES] = "readahead_pages",
	[OE_MODELFS_A_MOUNT_PREFETCHED_PAGES] = "prefetched_pages",
	[OE_MODELFS_A_MOUNT_EVICTED_PAGES] = "evicted_pages",
	[OE_MODELFS_A_MOUNT_WASTED_PAGES] = "wasted_pages",
	[OE_MODELFS_A_MOUNT_LOWER_BYTES] = "lower_bytes",
	[OE_MODELFS_A_MOUNT_EVENTS_DROPPED] = "events_dropped",
	[OE_MODELFS_A_MOUNT_PREFETCH_INFLIGHT] = "prefetch_inflight",
};

/* "dev=MAJ:MIN lowerdir=DIR name=value ..." in attribute order. */
static void print_mount(const struct nlmsghdr *h, void *count)
{
	unsigned long long major = 0, minor = 0;
	const char *lowerdir = "?";
	const struct nlattr *a;

	genl_for_each_attr(a, h) {
		if (a->nla_type == OE_MODELFS_A_MOUNT_DEV_MAJOR)
			major = attr_uint(a);
		else if (a->nla_type == OE_MODELFS_A_MOUNT_DEV_MINOR)
			minor = attr_uint(a);
		else if (a->nla_type == OE_MODELFS_A_MOUNT_LOWERDIR)
			lowerdir = (const char *)a + NLA_HDRLEN;
	}
	printf("dev=%llu:%llu lowerdir=%s", major, minor, lowerdir);
	genl_for_each_attr(a, h)
		if (a->nla_type <= OE_MODELFS_A_MOUNT_MAX && names[a->nla_type])
			printf(" %s=%llu", names[a->nla_type],
			       (unsigned long long)attr_uint(a));
	printf("\n");
	++*(int *)count;
}

static int get(int id, uint32_t major, uint32_t minor, int *count)
{
	char attrs[32];
	size_t alen;

	alen = put_attr(attrs, OE_MODELFS_A_MOUNT_DEV_MAJOR, &major, 4);
	alen += put_attr(attrs + alen, OE_MODELFS_A_MOUNT_DEV_MINOR, &minor, 4);
	return genl_transact(id, OE_MODELFS_CMD_MOUNT_GET, 0, attrs, alen,
			     GENL_HDRLEN, print_mount, count);
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	int id, err, count = 0;
	struct stat st;

	id = genl_open(OE_MODELFS_FAMILY_NAME);
	if (id < 0)
		return 1;
	if (!strcmp(c, "get") && argc == 3) {
		if (stat(argv[2], &st)) {
			perror(argv[2]);
			return 1;
		}
		err = get(id, major(st.st_dev), minor(st.st_dev), &count);
	} else if (!strcmp(c, "dump")) {
		err = genl_transact(id, OE_MODELFS_CMD_MOUNT_GET, NLM_F_DUMP,
				    NULL, 0, GENL_HDRLEN, print_mount, &count);
	} else if (!strcmp(c, "bad-dev")) {
		err = get(id, 4095, 1048575, &count);
	} else if (!strcmp(c, "missing-dev")) {
		err = genl_transact(id, OE_MODELFS_CMD_MOUNT_GET, 0, NULL, 0,
				    GENL_HDRLEN, print_mount, &count);
	} else if (!strcmp(c, "wide-major") && argc == 3 && !stat(argv[2], &st)) {
		err = get(id, major(st.st_dev) + 4096, minor(st.st_dev), &count);
	} else if (!strcmp(c, "wide-minor") && argc == 3 && !stat(argv[2], &st)) {
		err = get(id, major(st.st_dev), minor(st.st_dev) | 1U << 20,
			  &count);
	} else if (!strcmp(c, "extra-attr") && argc == 3 && !stat(argv[2], &st)) {
		uint32_t v[3] = { major(st.st_dev), minor(st.st_dev), 1 };
		char attrs[48];
		size_t alen;

		alen = put_attr(attrs, OE_MODELFS_A_MOUNT_DEV_MAJOR, &v[0], 4);
		alen += put_attr(attrs + alen, OE_MODELFS_A_MOUNT_DEV_MINOR,
				 &v[1], 4);
		alen += put_attr(attrs + alen, 200, &v[2], 4);
		err = genl_transact(id, OE_MODELFS_CMD_MOUNT_GET, 0, attrs,
				    alen, GENL_HDRLEN, print_mount, &count);
	} else if (!strcmp(c, "dump-attr")) {
		uint32_t v = 1;
		char attrs[8];
		size_t alen = put_attr(attrs, OE_MODELFS_A_MOUNT_DEV_MAJOR,
				       &v, 4);

		err = genl_transact(id, OE_MODELFS_CMD_MOUNT_GET, NLM_F_DUMP,
				    attrs, alen, GENL_HDRLEN, print_mount,
				    &count);
	} else if (!strcmp(c, "unknown-cmd")) {
		err = genl_transact(id, OE_MODELFS_CMD_MAX + 1, 0, NULL, 0,
				    GENL_HDRLEN, print_mount, &count);
	} else {
		fprintf(stderr, "usage: %s get MOUNT|dump|dump-attr|bad-dev|missing-dev|unknown-cmd\n",
			argv[0]);
		return 2;
	}
	if (err) {
		printf("%s\n", strerrorname_np(err));
		return 1;
	}
	if (!count && strcmp(c, "dump"))
		printf("no data\n");
	return 0;
}
