/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ModelFS: the channel between a mount and its userspace policy.
 *
 * MODELFS_IOC_ATTACH on any file or directory of a ModelFS mount returns
 * the mount's channel fd (one per mount; CAP_SYS_ADMIN). read() on it
 * returns whole struct modelfs_event records, write() takes exactly one
 * struct modelfs_cmd. A PREFETCH is checked in write() (errors come back
 * from it) and then carried out on a workqueue, many at a time; EVICT is
 * done before write() returns. Closing it detaches the policy; the mount
 * then behaves like its lower filesystem. Readers never wait for the policy:
 * when the event queue is full, events are dropped and counted in a
 * MODELFS_EV_OVERFLOW event.
 */
#ifndef _UAPI_LINUX_MODELFS_H
#define _UAPI_LINUX_MODELFS_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MODELFS_IOC_MAGIC	0xE6
#define MODELFS_IOC_ATTACH	_IO(MODELFS_IOC_MAGIC, 1)

enum modelfs_event_type {
	MODELFS_EV_OPEN = 1,	/* a file was opened; len: its size */
	MODELFS_EV_MISS,	/* a read found [off, off+len) not cached */
	MODELFS_EV_READAHEAD,	/* readahead is reading [off, off+len) */
	MODELFS_EV_CLOSE,	/* the last reader of a file closed it */
	MODELFS_EV_PRESSURE,	/* memory is short; len: pages asked for */
	MODELFS_EV_OVERFLOW,	/* len events were dropped before this */
	MODELFS_EV_HIT,		/* a read or mapping first used prefetched
				 * pages within [off, off+len)
				 */
	MODELFS_EV_FAULT,	/* a page fault on a mapping found the page
				 * [off, off+len) not cached
				 */
};

struct modelfs_event {
	__u32 type;		/* enum modelfs_event_type */
	__u32 reserved;		/* zero */
	__u64 ino;		/* the file's inode number (lower ino) */
	__u64 off;		/* bytes */
	__u64 len;		/* bytes, or as the type says */
};

enum modelfs_cmd_type {
	MODELFS_CMD_PREFETCH = 1,	/* read [off, off+len) into the cache */
	MODELFS_CMD_EVICT,		/* drop [off, off+len) from the cache */
	MODELFS_CMD_SET_RA,		/* readahead window: see below */
	MODELFS_CMD_DONE,		/* no MISS, READAHEAD or HIT events of
					 * ino until it is opened again; off
					 * and len must be 0
					 */
};

/*
 * MODELFS_CMD_SET_RA: off must be 0. With ino set, reads and faults of
 * that file read ahead up to len bytes from now on (len 0: the file
 * follows the mount again). With ino 0, files opened from now on start
 * with a window of len bytes (len 0: the lower device's window).
 */
#define MODELFS_SET_RA_MAX	(64U << 20)

struct modelfs_cmd {
	__u32 type;		/* enum modelfs_cmd_type */
	__u32 reserved;		/* must be zero */
	__u64 ino;		/* a file of this mount that is open or cached */
	__u64 off;		/* bytes; must be below the file's size */
	__u64 len;		/* bytes, more than zero; cut at the size */
};

#endif /* _UAPI_LINUX_MODELFS_H */
