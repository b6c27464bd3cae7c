// SPDX-License-Identifier: GPL-2.0-only
#include "genl_msg.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

int genl_msg_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *gh;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	gh = nlmsg_data(nlh);
	return gh->cmd;
}

int genl_msg_parse(const struct nlmsghdr *nlh, int want, struct nlattr **tb,
		   const struct genl_attr_set *set)
{
	int cmd = genl_msg_cmd(nlh);

	if (cmd < 0)
		return cmd;
	if (cmd != want)
		return -EOPNOTSUPP;
	/*
	 * libnl's nla_parse() skips the types above maxtype before it
	 * looks at the policy: that is what lets an older daemon read a
	 * newer kernel's replies. libnl 3.7 takes neither argument const.
	 */
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, set->maxtype,
			  (struct nla_policy *)set->policy) < 0)
		return -EINVAL;
	return 0;
}

int genl_attrs_require(struct nlattr *const *tb, int first, int last)
{
	for (int t = first; t <= last; t++)
		if (!tb[t])
			return -ENOENT;
	return 0;
}

static const struct nla_policy ctrl_policy[CTRL_ATTR_FAMILY_NAME + 1] = {
	[CTRL_ATTR_FAMILY_ID] = GENL_POLICY_U16,
	/* the kernel's names are shorter (GENL_NAMSIZ); our buffer bounds it */
	[CTRL_ATTR_FAMILY_NAME] =
		GENL_POLICY_STRING(sizeof(((struct ctrl_notice *)0)->family_name)),
};

/*
 * Only the attributes read: the rest of a NEWFAMILY (version, ops,
 * multicast groups...) are nlctrl's to define and ours to skip, so a
 * policy for them could only refuse a notice we need.
 */
const struct genl_attr_set genl_ctrl_attrs = GENL_ATTR_SET(ctrl_policy);

int genl_parse_ctrl(const struct nlmsghdr *nlh, struct ctrl_notice *out)
{
	struct nlattr *tb[CTRL_ATTR_FAMILY_NAME + 1];
	struct ctrl_notice n;
	int rc;

	rc = genl_msg_cmd(nlh);
	if (rc < 0)
		return rc;
	if (rc != CTRL_CMD_NEWFAMILY && rc != CTRL_CMD_DELFAMILY)
		return -EOPNOTSUPP;
	n.cmd = (uint8_t)rc;
	if ((rc = genl_msg_parse(nlh, n.cmd, tb, &genl_ctrl_attrs)) ||
	    (rc = genl_attrs_require(tb, CTRL_ATTR_FAMILY_ID,
				     CTRL_ATTR_FAMILY_NAME)))
		return rc;
	n.family_id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	nla_strlcpy(n.family_name, tb[CTRL_ATTR_FAMILY_NAME],
		    sizeof(n.family_name));
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
