// SPDX-License-Identifier: GPL-2.0-only
/*
 * sentry_genl CASE: talk to the oe_sentry family with raw generic netlink
 * and print what the kernel answered, for the suite to check.
 *
 *   state        get-state (do): prints "filemap_alloc_local=V sent=N lost=N"
 *   dump         get-state (dump): prints the same, from the dump
 *   unknown-cmd  a command the family lacks: prints the errno name
 *   extra-attr   get-state carrying an attribute it takes none of: errno
 *   old-header   get-state with a truncated genl header: errno
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/oe_sentry.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 8192

struct req {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[64];
};

static int sock;

static size_t put_attr(char *p, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)p;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(p + NLA_HDRLEN, data, len);
	return NLA_ALIGN(a->nla_len);
}

/* Send one request; return the errno of the answer (0: data came back). */
static int transact(uint16_t type, uint8_t cmd, uint16_t flags,
		    const char *attrs, size_t attrs_len, size_t genl_len,
		    char *reply, size_t *reply_len)
{
	struct req r = { 0 };
	static char buf[BUF];
	static uint32_t seq;
	struct nlmsghdr *h;
	ssize_t n;

	r.nlh.nlmsg_len = NLMSG_HDRLEN + genl_len + attrs_len;
	r.nlh.nlmsg_type = type;
	r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r.nlh.nlmsg_seq = ++seq;
	r.genl.cmd = cmd;
	r.genl.version = 1;
	memcpy((char *)&r.genl + genl_len, attrs, attrs_len);
	if (send(sock, &r, r.nlh.nlmsg_len, 0) < 0)
		return errno;
	/* Read up to the answer to this request: an error/ack or a dump's end. */
	for (;;) {
		n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0)
			return errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r.nlh.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (reply_len && !*reply_len) {
				*reply_len = h->nlmsg_len;
				memcpy(reply, h, h->nlmsg_len);
			}
		}
	}
}

static int family_id(void)
{
	char attrs[32], reply[BUF];
	size_t len = 0, alen;
	struct nlattr *a;
	int err;

	alen = put_attr(attrs, CTRL_ATTR_FAMILY_NAME, OE_SENTRY_FAMILY_NAME,
			sizeof(OE_SENTRY_FAMILY_NAME));
	err = transact(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, attrs, alen,
		       GENL_HDRLEN, reply, &len);
	if (err || !len)
		return -1;
	for (a = (struct nlattr *)(reply + NLMSG_HDRLEN + GENL_HDRLEN);
	     (char *)a < reply + len; a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((char *)a + NLA_HDRLEN);
	return -1;
}

static void print_state(const char *reply, size_t len)
{
	const struct nlattr *a;
	uint64_t v[OE_SENTRY_A_STATE_MAX + 1] = { 0 };

	for (a = (const void *)(reply + NLMSG_HDRLEN + GENL_HDRLEN);
	     (const char *)a < reply + len;
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		if (a->nla_type > OE_SENTRY_A_STATE_MAX)
			continue;
		if (a->nla_len == NLA_HDRLEN + 4)
			v[a->nla_type] = *(const uint32_t *)((const char *)a + NLA_HDRLEN);
		else if (a->nla_len == NLA_HDRLEN + 8)
			memcpy(&v[a->nla_type], (const char *)a + NLA_HDRLEN, 8);
	}
	printf("filemap_alloc_local=%llu sent=%llu lost=%llu\n",
	       (unsigned long long)v[OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL],
	       (unsigned long long)v[OE_SENTRY_A_STATE_EVENTS_SENT],
	       (unsigned long long)v[OE_SENTRY_A_STATE_EVENTS_LOST]);
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char reply[BUF], attrs[16];
	const char *c = argc == 2 ? argv[1] : "";
	size_t len = 0, alen;
	uint32_t one = 1;
	int id, err;

	sock = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("netlink");
		return 1;
	}
	id = family_id();
	if (id < 0) {
		fprintf(stderr, "no %s family\n", OE_SENTRY_FAMILY_NAME);
		return 1;
	}
	if (!strcmp(c, "state") || !strcmp(c, "dump")) {
		err = transact(id, OE_SENTRY_CMD_GET_STATE,
			       !strcmp(c, "dump") ? NLM_F_DUMP : 0, NULL, 0,
			       GENL_HDRLEN, reply, &len);
		if (err || !len) {
			printf("%s\n", err ? strerrorname_np(err) : "no data");
			return 1;
		}
		print_state(reply, len);
		return 0;
	}
	if (!strcmp(c, "unknown-cmd"))
		err = transact(id, OE_SENTRY_CMD_MAX + 1, 0, NULL, 0,
			       GENL_HDRLEN, reply, NULL);
	else if (!strcmp(c, "extra-attr")) {
		alen = put_attr(attrs, OE_SENTRY_A_STATE_FILEMAP_ALLOC_LOCAL,
				&one, sizeof(one));
		err = transact(id, OE_SENTRY_CMD_GET_STATE, 0, attrs, alen,
			       GENL_HDRLEN, reply, NULL);
	} else if (!strcmp(c, "old-header"))
		err = transact(id, OE_SENTRY_CMD_GET_STATE, 0, NULL, 0, 2,
			       reply, NULL);
	else {
		fprintf(stderr, "usage: %s state|dump|unknown-cmd|extra-attr|old-header\n",
			argv[0]);
		return 2;
	}
	printf("%s\n", err ? strerrorname_np(err) : "accepted");
	return 0;
}
