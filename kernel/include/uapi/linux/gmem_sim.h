/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * /dev/gmem_simN: the simulated accelerator of GMem's tests. Opening it
 * pairs the process with the device; GMEM_SIM_RUN runs a device
 * "kernel" over a range of the process's peer-shared memory, which
 * faults the range onto the device as real hardware would.
 */
#ifndef _UAPI_LINUX_GMEM_SIM_H
#define _UAPI_LINUX_GMEM_SIM_H

#include <linux/ioctl.h>
#include <linux/types.h>

enum gmem_sim_op {
	GMEM_SIM_READ,		/* copy [va, va + len) out to user buf */
	GMEM_SIM_WRITE,		/* copy user buf into [va, va + len) */
	GMEM_SIM_FILL,		/* set every byte to value */
	GMEM_SIM_CHECKSUM,	/* result: gmem_sim_checksum() of the range */
	GMEM_SIM_RESIDENT,	/* result: logical pages of it on the device */
};

struct gmem_sim_kernel {
	__u32 op;		/* enum gmem_sim_op */
	__u32 pad;		/* 0 */
	__u64 va;
	__u64 len;
	__u64 buf;		/* READ, WRITE: a user buffer (not peer-shared) */
	__u64 value;		/* FILL: the byte */
	__u64 result;		/* out */
};

struct gmem_sim_info {
	__s32 hnid;
	__u32 pad;
	__u64 capacity;		/* bytes of device memory */
	__u64 used;		/* bytes backing logical pages */
	__u64 faults;		/* device faults served */
	__u64 to_dev;		/* logical pages moved in */
	__u64 to_host;		/* and out */
	__u64 evicted;		/* moved out to make room */
};

#define GMEM_SIM_MAGIC		0xE7
#define GMEM_SIM_RUN		_IOWR(GMEM_SIM_MAGIC, 1, struct gmem_sim_kernel)
#define GMEM_SIM_INFO		_IOR(GMEM_SIM_MAGIC, 2, struct gmem_sim_info)

/*
 * The checksum: over the range as little-endian 64-bit words, from 0,
 * sum = rotate_left(sum, 1) ^ word. va and len are multiples of 8.
 */

#endif /* _UAPI_LINUX_GMEM_SIM_H */
