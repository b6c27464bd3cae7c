/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers every part of usr/ shares. */
#ifndef OE_COMMON_UTIL_H
#define OE_COMMON_UTIL_H

/* Elements of an array (not a pointer: sizeof would lie). */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif
