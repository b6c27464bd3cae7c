/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Raw generic netlink for the in-guest test programs: they check the
 * kernel's answers byte by byte, so they use no library that could hide
 * or fix up a malformed message.
 */
#ifndef OE_TESTS_GENL_RAW_H
#define OE_TESTS_GENL_RAW_H

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define GENL_BUF 16384

struct genl_req {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[64];
};

static int genl_sock = -1;

static inline size_t put_attr(char *p, uint16_t type, const void *data,
			      uint16_t len)
{
	struct nlattr *a = (struct nlattr *)p;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(p + NLA_HDRLEN, data, len);
	return NLA_ALIGN(a->nla_len);
}

/* Called with every data message of an answer. */
typedef void (*genl_msg_fn)(const struct nlmsghdr *h, void *arg);

/*
 * Send one request of @genl_len bytes of genl header (short ones test the
 * kernel) and @attrs; hand each data message of the answer to @fn (may be
 * NULL). Returns the errno of the answer, 0 when it ended well.
 */
static inline int genl_transact(uint16_t type, uint8_t cmd, uint16_t flags,
				const char *attrs, size_t attrs_len,
				size_t genl_len, genl_msg_fn fn, void *arg)
{
	struct genl_req r = { 0 };
	static char buf[GENL_BUF];
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
	if (send(genl_sock, &r, r.nlh.nlmsg_len, 0) < 0)
		return errno;
	/* Read up to the end of this answer: an error/ack or a dump's end. */
	for (;;) {
		n = recv(genl_sock, buf, sizeof(buf), 0);
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
			if (fn)
				fn(h, arg);
		}
	}
}

/* The first attribute of a genl message, and the next. */
#define genl_for_each_attr(a, h)					\
	for (a = (const struct nlattr *)((const char *)(h) + NLMSG_HDRLEN + \
					 GENL_HDRLEN);			\
	     (const char *)(a) + NLA_HDRLEN <= (const char *)(h) + (h)->nlmsg_len; \
	     a = (const struct nlattr *)((const char *)(a) + NLA_ALIGN((a)->nla_len)))

/* An attribute's payload as an unsigned number (u8, u16, u32 or u64). */
static inline uint64_t attr_uint(const struct nlattr *a)
{
	const char *p = (const char *)a + NLA_HDRLEN;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (a->nla_len - NLA_HDRLEN) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	case 8:
		memcpy(&v64, p, 8);
		return v64;
	}
	return UINT64_MAX;
}

static inline void genl_family_id_of(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *a;

	genl_for_each_attr(a, h)
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			*(int *)arg = (int)attr_uint(a);
}

/* Open and bind the socket, and resolve @name; -1 on failure. */
static inline int genl_open(const char *name)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char attrs[32];
	size_t alen;
	int id = -1;

	genl_sock = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (genl_sock < 0 || bind(genl_sock, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("netlink");
		return -1;
	}
	alen = put_attr(attrs, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	if (genl_transact(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, attrs, alen,
			  GENL_HDRLEN, genl_family_id_of, &id) || id < 0) {
		fprintf(stderr, "no %s family\n", name);
		return -1;
	}
	return id;
}

#endif
