// SPDX-License-Identifier: GPL-2.0-only
#include "genl_msg.h"

#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

int genl_msg_parse(const struct nlmsghdr *nlh, int want, struct nlattr **tb,
		   int maxtype)
{
	const struct genlmsghdr *gh;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	gh = nlmsg_data(nlh);
	if (want != GENL_ANY_CMD && gh->cmd != want)
		return -EOPNOTSUPP;
	if (nla_parse(tb, maxtype, (struct nlattr *)((char *)gh + GENL_HDRLEN),
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN),
		      NULL) < 0)
		return -EINVAL;
	return gh->cmd;
}

/* An attribute of exactly @size bytes into @v. */
static int attr_fixed(const struct nlattr *a, void *v, size_t size)
{
	if (!a)
		return -ENOENT;
	if (nla_len(a) != (int)size)
		return -EINVAL;
	memcpy(v, nla_data(a), size);
	return 0;
}

int genl_attr_u16(const struct nlattr *a, uint16_t *v)
{
	return attr_fixed(a, v, sizeof(*v));
}

int genl_attr_u32(const struct nlattr *a, uint32_t *v)
{
	return attr_fixed(a, v, sizeof(*v));
}

int genl_attr_u64(const struct nlattr *a, uint64_t *v)
{
	return attr_fixed(a, v, sizeof(*v));
}

int genl_attr_str(const struct nlattr *a, char *buf, size_t size)
{
	const char *s;
	size_t len;
	int n;

	if (!a)
		return -ENOENT;
	n = nla_len(a);
	s = nla_data(a);
	if (n < 1 || s[n - 1] != '\0')
		return -EINVAL;
	len = strlen(s);
	if (len >= size)
		return -EINVAL;
	memcpy(buf, s, len + 1);
	return 0;
}

int genl_parse_ctrl(const struct nlmsghdr *nlh, struct ctrl_notice *out)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct ctrl_notice n;
	int rc;

	rc = genl_msg_parse(nlh, GENL_ANY_CMD, tb, CTRL_ATTR_MAX);
	if (rc < 0)
		return rc;
	if (rc != CTRL_CMD_NEWFAMILY && rc != CTRL_CMD_DELFAMILY)
		return -EOPNOTSUPP;
	n.cmd = (uint8_t)rc;
	if ((rc = genl_attr_u16(tb[CTRL_ATTR_FAMILY_ID], &n.family_id)) ||
	    (rc = genl_attr_str(tb[CTRL_ATTR_FAMILY_NAME], n.family_name,
				sizeof(n.family_name))))
		return rc;
	*out = n;
	return 0;
}

uint64_t seq_gap_next(struct seq_gap *g, uint64_t seq)
{
	uint64_t missed = 0;

	if (g->known && seq > g->last)
		missed = seq - g->last - 1;
	g->last = seq;
	g->known = true;
	return missed;
}
