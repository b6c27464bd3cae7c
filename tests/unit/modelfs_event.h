/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the ModelFS cmocka tests: an event as the kernel would queue it.
 */
#ifndef OE_TEST_MODELFS_EVENT_H
#define OE_TEST_MODELFS_EVENT_H

#include <stdint.h>
#include <string.h>
#include <linux/modelfs.h>

static inline struct modelfs_event make_event(uint32_t type, uint64_t ino,
					      uint64_t off, uint64_t len)
{
	struct modelfs_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ino = ino;
	e.off = off;
	e.len = len;
	return e;
}

#endif /* OE_TEST_MODELFS_EVENT_H */
