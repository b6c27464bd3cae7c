/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OE_CTLD_PRIVS_H
#define OE_CTLD_PRIVS_H

#include "module.h"

/* Format @mask as "cap_a,cap_b" or "none" into @buf. */
void oe_capmask_format(oe_capmask mask, char *buf, size_t len);

/*
 * Keep only @keep in the effective and permitted sets, clear inheritable
 * and ambient, shrink the bounding set to @keep (when we hold
 * CAP_SETPCAP) and set NO_NEW_PRIVS. Returns 0, or -1 if the process
 * still holds a capability outside @keep.
 */
int oe_drop_privileges(oe_capmask keep);

#endif
