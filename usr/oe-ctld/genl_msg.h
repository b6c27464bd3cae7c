/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the message code of the generic netlink modules (sentry_msg,
 * gmem_msg, modelfs_msg) shares, free of socket I/O: the one parser of
 * the attributes after the genl header, which checks them against a
 * libnl policy, nlctrl's family notices, and the bookkeeping of a
 * numbered event stream (seq gaps; the host keeps the last events, see
 * module.h).
 */
#ifndef OE_CTLD_GENL_MSG_H
#define OE_CTLD_GENL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include <netlink/attr.h>

#include "util.h"

/*
 * One attribute set of a family (a reply's or an event's, as in its
 * YAML spec): libnl's policy for types 0..maxtype, maxtype + 1 entries.
 * The policy of a set is next to its family's parser.
 */
struct genl_attr_set {
	const struct nla_policy *policy;
	int maxtype;
};

#define GENL_ATTR_SET(pol) \
	{ .policy = (pol), .maxtype = (int)ARRAY_SIZE(pol) - 1 }

/*
 * Policy entries. libnl's validate_nla() takes an integer type's size as
 * the least length only: .maxlen makes it the exact one, so a u64 sent
 * for a u32 is refused as a u16 is. .minlen is spelt out so as not to
 * rest on libnl's table of them (a string needs one byte: its NUL).
 * NLA_STRING wants the NUL as the last byte; .maxlen is the buffer the
 * string is copied into, NUL included. A pad attribute (the alignment
 * nla_put_u64_64bit() puts before a u64) is NLA_UNSPEC: any length, and
 * nothing reads it.
 */
#define GENL_POLICY_INT(t, size) \
	{ .type = (t), .minlen = (size), .maxlen = (size) }
#define GENL_POLICY_U8		GENL_POLICY_INT(NLA_U8, sizeof(uint8_t))
#define GENL_POLICY_U16		GENL_POLICY_INT(NLA_U16, sizeof(uint16_t))
#define GENL_POLICY_U32		GENL_POLICY_INT(NLA_U32, sizeof(uint32_t))
#define GENL_POLICY_U64		GENL_POLICY_INT(NLA_U64, sizeof(uint64_t))
#define GENL_POLICY_STRING(size) \
	{ .type = NLA_STRING, .minlen = 1, .maxlen = (size) }
#define GENL_POLICY_PAD		{ .type = NLA_UNSPEC }

/* The genl command of @nlh, or -EBADMSG (truncated in its headers). */
int genl_msg_cmd(const struct nlmsghdr *nlh);

/*
 * The one parser of the replies and events: the attributes after the genl
 * header into @tb (@set->maxtype + 1 entries), each checked against
 * @set's policy. A message of another command than @want is -EOPNOTSUPP,
 * before its attributes are looked at (they would be another set's).
 * Attributes above @set->maxtype are skipped, not refused: a newer
 * kernel may add some. Returns 0, -EBADMSG (truncated) or -EINVAL (an
 * attribute that does not parse or breaks the policy).
 */
int genl_msg_parse(const struct nlmsghdr *nlh, int want, struct nlattr **tb,
		   const struct genl_attr_set *set);

/* 0, or -ENOENT if an attribute of type @first to @last is not in @tb. */
int genl_attrs_require(struct nlattr *const *tb, int first, int last);

/* nlctrl family notification relevant to us. */
struct ctrl_notice {
	uint8_t cmd;			/* CTRL_CMD_NEWFAMILY / DELFAMILY */
	uint16_t family_id;
	char family_name[32];
};

/* The nlctrl attributes genl_parse_ctrl() reads. */
extern const struct genl_attr_set genl_ctrl_attrs;

/*
 * 0, or a negative errno as genl_msg_parse() and genl_attrs_require();
 * -EOPNOTSUPP for other notifications than a family's coming and going.
 * @out is written only on success.
 */
int genl_parse_ctrl(const struct nlmsghdr *nlh, struct ctrl_notice *out);

/* The last seq of a numbered event stream, to count the events missed. */
struct seq_gap {
	uint64_t last;
	bool known;
};

/*
 * @seq came: returns how many events between the last seq and it never
 * came. A seq not above the last one starts counting afresh.
 */
uint64_t seq_gap_next(struct seq_gap *g, uint64_t seq);

#endif
