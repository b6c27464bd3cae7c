/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sched module of oe-ctld: loads an OE sched_ext policy with
 * liboesched, watches it, and answers the "sched.*" control commands.
 * What the unit tests reach beyond the struct oe_module.
 */
#ifndef OE_CTLD_SCHED_MOD_H
#define OE_CTLD_SCHED_MOD_H

#include "module.h"

extern const struct oe_module sched_module;

/*
 * The directory standing for /sys/kernel/sched_ext (the module is
 * unavailable without it; it is handed to oesched_kstate_read()). NULL
 * restores the real one. Takes effect at the next init.
 */
void sched_mod_set_sysfs(const char *root);

#endif
