/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * /dev/gmem: the user API of GMem, compatible with openEuler's.
 *
 * Memory shared by the CPU and accelerators is mapped with
 * mmap(MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED); these ioctls then
 * ask where its 2 MiB logical pages should live. Devices are named by
 * their heterogeneous NUMA id (hnid); -1 means the host.
 */
#ifndef _UAPI_LINUX_GMEM_DEV_H
#define _UAPI_LINUX_GMEM_DEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define GMEM_MAGIC		0x55

/* hmadvise behaviours beside madvise(2)'s MADV_DONTNEED. */
#define MADV_PREFETCH		0x1000	/* move the range to device hnid */
#define MADV_PINNED		0x1001	/* keep it on hnid: never evicted */
#define MADV_UNPINNED		0x1002	/* evictable again */

struct gmem_hnid_arg {
	int *hnuma_id;		/* out: the hnid of the caller's device */
};

struct hmadvise_arg {
	int hnid;		/* the device; -1 (host) only with DONTNEED */
	unsigned long start;
	__kernel_size_t len_in;
	int behavior;		/* MADV_PREFETCH, MADV_DONTNEED, ... */
};

/*
 * Copy size bytes from src to dest, both inside peer-shared mappings,
 * on device hnid (its copy engine) or, with hnid -1, by the host.
 * openEuler has hmemcpy() only inside the kernel; number 3 is ours.
 */
struct hmemcpy_arg {
	int hnid;
	unsigned long dest;
	unsigned long src;
	__kernel_size_t size;
};

#define GMEM_GET_HNUMA_ID	_IOW(GMEM_MAGIC, 1, struct gmem_hnid_arg)
#define GMEM_MADVISE		_IOW(GMEM_MAGIC, 2, struct hmadvise_arg)
#define GMEM_HMEMCPY		_IOW(GMEM_MAGIC, 3, struct hmemcpy_arg)

#endif /* _UAPI_LINUX_GMEM_DEV_H */
