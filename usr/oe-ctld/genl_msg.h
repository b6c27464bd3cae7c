/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the message code of the generic netlink modules (sentry_msg,
 * gmem_msg) shares, free of socket I/O: the attributes after the genl
 * header with their sizes checked, nlctrl's family notices, and the
 * bookkeeping of a numbered event stream (seq gaps; the host keeps the
 * last events, see module.h).
 */
#ifndef OE_CTLD_GENL_MSG_H
#define OE_CTLD_GENL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

struct nlattr;

/* genl_msg_parse()'s @want for a caller that checks the command itself */
#define GENL_ANY_CMD	(-1)

/*
 * The attributes after the genl header into @tb (@maxtype + 1 entries).
 * A message of another command than @want is -EOPNOTSUPP, before its
 * attributes are looked at. Returns the command, or -EBADMSG (truncated),
 * -EINVAL (attributes that do not parse).
 */
int genl_msg_parse(const struct nlmsghdr *nlh, int want, struct nlattr **tb,
		   int maxtype);

/*
 * One attribute, exactly its type's size (libnl's policies only check a
 * minimum); a string NUL-terminated and fitting in @size with its NUL.
 * 0, -ENOENT (@a is NULL) or -EINVAL; the value is written only on success.
 */
int genl_attr_u16(const struct nlattr *a, uint16_t *v);
int genl_attr_u32(const struct nlattr *a, uint32_t *v);
int genl_attr_u64(const struct nlattr *a, uint64_t *v);
int genl_attr_str(const struct nlattr *a, char *buf, size_t size);

/* nlctrl family notification relevant to us. */
struct ctrl_notice {
	uint8_t cmd;			/* CTRL_CMD_NEWFAMILY / DELFAMILY */
	uint16_t family_id;
	char family_name[32];
};

/*
 * 0, or a negative errno as genl_msg_parse() and genl_attr_*();
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
