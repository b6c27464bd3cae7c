// SPDX-License-Identifier: GPL-2.0-only
/*
 * sentry_genl CASE: talk to the oe_sentry family with raw generic netlink
 * and print what the kernel answered, for the suite to check.
 *
 *   state        get-state (do): prints "filemap_alloc_local=V sent=N lost=N"
 *   dump         get-state (dump): prints the same, from the dump
 *   unknown-cmd  a command the family lacks: prints the errno name
 *   extra-attr   get-state carrying an attribute it takes none of: errno
 *   dump-attr    the same as a dump
 *   old-header   get-state with a truncated genl header: errno
 */
#define _GNU_SOURCE
#include <linux/oe_sentry.h>
#include <stdio.h>
#include <string.h>

#include "../genl_raw.h"

static void print_state(const struct nlmsghdr *h, void *done)
{
	uint64_t v[OE_SENTRY_A_STATE_MAX + 1] = { 0 };
	const struct nlattr *a;

	if (*(int *)done)
		return;
	genl_for_each_attr(a, h)
		if (a->nla_type <= OE_SENTRY_A_STATE_MAX)
			v[a->nla_type] = attr_uint(a);
	printf("filemap_alloc_local=%llu sent=%llu lost=%llu\n",
	       (unsigned long long)v[OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL],
	       (unsigned long long)v[OE_SENTRY_A_STATE_EVENTS_SENT],
	       (unsigned long long)v[OE_SENTRY_A_STATE_EVENTS_LOST]);
	*(int *)done = 1;
}

int main(int argc, char **argv)
{
	const char *c = argc == 2 ? argv[1] : "";
	uint32_t one = 1;
	int id, err, done = 0;
	char attrs[16];
	size_t alen;

	id = genl_open(OE_SENTRY_FAMILY_NAME);
	if (id < 0)
		return 1;
	if (!strcmp(c, "state") || !strcmp(c, "dump")) {
		err = genl_transact(id, OE_SENTRY_CMD_GET_STATE,
				    !strcmp(c, "dump") ? NLM_F_DUMP : 0, NULL, 0,
				    GENL_HDRLEN, print_state, &done);
		if (err || !done) {
			printf("%s\n", err ? strerrorname_np(err) : "no data");
			return 1;
		}
		return 0;
	}
	if (!strcmp(c, "unknown-cmd"))
		err = genl_transact(id, OE_SENTRY_CMD_MAX + 1, 0, NULL, 0,
				    GENL_HDRLEN, NULL, NULL);
	else if (!strcmp(c, "extra-attr")) {
		alen = put_attr(attrs, OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL,
				&one, sizeof(one));
		err = genl_transact(id, OE_SENTRY_CMD_GET_STATE, 0, attrs, alen,
				    GENL_HDRLEN, NULL, NULL);
	} else if (!strcmp(c, "dump-attr")) {
		alen = put_attr(attrs, OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL,
				&one, sizeof(one));
		err = genl_transact(id, OE_SENTRY_CMD_GET_STATE, NLM_F_DUMP,
				    attrs, alen, GENL_HDRLEN, NULL, NULL);
	} else if (!strcmp(c, "old-header"))
		err = genl_transact(id, OE_SENTRY_CMD_GET_STATE, 0, NULL, 0, 2,
				    NULL, NULL);
	else {
		fprintf(stderr, "usage: %s state|dump|unknown-cmd|extra-attr|dump-attr|old-header\n",
			argv[0]);
		return 2;
	}
	printf("%s\n", err ? strerrorname_np(err) : "accepted");
	return 0;
}
