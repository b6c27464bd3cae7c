// SPDX-License-Identifier: GPL-2.0-only
#include "privs.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

void oe_capmask_format(oe_capmask mask, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int c = 0; c < 64; c++) {
		char *name;

		if (!(mask & OE_CAP(c)))
			continue;
		name = cap_to_name((cap_value_t)c);
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					"%s%s", off ? "," : "",
					name ? name : "?");
		cap_free(name);
	}
	if (!off)
		snprintf(buf, len, "none");
}

int oe_drop_privileges(oe_capmask keep)
{
	cap_value_t max = cap_max_bits();
	cap_value_t list[64];
	int nlist = 0, rc = 0, nbound = 0;
	char kept[512];
	cap_t caps;

	for (cap_value_t c = 0; c < max && c < 64; c++)
		if (keep & OE_CAP(c))
			list[nlist++] = c;

	/* bounding set first: it needs CAP_SETPCAP, which we drop below */
	if (CAP_IS_SUPPORTED(CAP_SETPCAP)) {
		for (cap_value_t c = 0; c < max; c++) {
			if (c < 64 && (keep & OE_CAP(c)))
				continue;
			if (cap_get_bound(c) <= 0)
				continue;
			if (cap_drop_bound(c) == 0)
				nbound++;
			else if (errno != EPERM)
				log_debug("privileges: cannot drop %d from the bounding set: %s",
					  (int)c, strerror(errno));
		}
	}
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		log_debug("privileges: cannot clear ambient set: %s", strerror(errno));

	caps = cap_init();	/* all clear */
	if (!caps)
		return -1;
	if (nlist && (cap_set_flag(caps, CAP_EFFECTIVE, nlist, list, CAP_SET) ||
		      cap_set_flag(caps, CAP_PERMITTED, nlist, list, CAP_SET))) {
		cap_free(caps);
		return -1;
	}
	if (cap_set_proc(caps) < 0) {
		log_err("privileges: cap_set_proc: %s", strerror(errno));
		rc = -1;
	}
	cap_free(caps);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		log_warn("privileges: cannot set no_new_privs: %s", strerror(errno));

	/* verify */
	caps = cap_get_proc();
	if (caps) {
		for (cap_value_t c = 0; c < max; c++) {
			cap_flag_value_t e = CAP_CLEAR, p = CAP_CLEAR, i = CAP_CLEAR;

			if (c < 64 && (keep & OE_CAP(c)))
				continue;
			cap_get_flag(caps, c, CAP_EFFECTIVE, &e);
			cap_get_flag(caps, c, CAP_PERMITTED, &p);
			cap_get_flag(caps, c, CAP_INHERITABLE, &i);
			if (e || p || i) {
				log_err("privileges: capability %d still held", (int)c);
				rc = -1;
			}
		}
		cap_free(caps);
	}
	oe_capmask_format(keep, kept, sizeof(kept));
	log_info("privileges: kept capabilities: %s (bounding set: %d dropped%s)",
		 kept, nbound, nbound ? "" : ", not permitted or already minimal");
	return rc;
}
