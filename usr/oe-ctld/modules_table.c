// SPDX-License-Identifier: GPL-2.0-only
/* The feature modules oe-ctld runs, in start order. */
#include "module.h"
#include "util.h"

extern const struct oe_module sentry_module;
extern const struct oe_module gmem_module;
extern const struct oe_module modelfs_module;
extern const struct oe_module sched_module;

const struct oe_module *const oe_module_table[] = {
	&sentry_module,
	&gmem_module,
	&modelfs_module,
	&sched_module,
};

const size_t oe_module_count = ARRAY_SIZE(oe_module_table);
