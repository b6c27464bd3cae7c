/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libgmem: the user library of GMem. gmemGetNumaId, gmemPrefetch and
 * gmemFreeEager have openEuler libgmem's prototypes, addresses as
 * unsigned long included, so that code written for it builds unchanged.
 * The others (gmemAdvise, gmemAlloc, gmemFree, gmemPin, gmemUnpin,
 * gmemHmemcpy, gmemGetStats) are ours and take pointers.
 *
 * Memory shared by the CPU and accelerators is an anonymous mapping with
 * MAP_PEER_SHARED, managed in logical pages of GMEM_PAGE_SIZE (2 MiB).
 * Devices are named by their heterogeneous NUMA id (hnid); -1 is the
 * host. Everything needs a kernel booted with gmem=on.
 *
 * Every function but gmemAlloc and gmemGetNumaId returns 0 on success
 * and -1 with errno set on failure. Bad arguments (a NULL pointer or
 * address 0 with a size > 0, a range that wraps around the address space
 * or overflows when rounded, a NULL stats buffer) are EINVAL before any
 * system call.
 * What only the kernel can judge (hnid, behaviour, whether the range is
 * peer-shared memory, page alignment) is left to it, and its errno is
 * passed on unchanged.
 *
 * /dev/gmem is opened on first use (O_RDWR | O_CLOEXEC) and kept open;
 * that is thread-safe. If opening fails (ENOENT: the kernel runs without
 * gmem=on) the call fails with open's errno and the next call tries
 * again. All functions may be called from any thread.
 */
#ifndef LIBGMEM_H
#define LIBGMEM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Not in libc's headers; in the series' asm-generic/mman-common.h. */
#ifndef MAP_PEER_SHARED
#define MAP_PEER_SHARED		0x8000000
#endif

/* gmemAdvise() behaviours beside madvise(2)'s MADV_DONTNEED. */
#ifndef MADV_PREFETCH
#define MADV_PREFETCH		0x1000	/* move the range to device hnid */
#endif
#ifndef MADV_PINNED
#define MADV_PINNED		0x1001	/* keep it on hnid: never evicted */
#endif
#ifndef MADV_UNPINNED
#define MADV_UNPINNED		0x1002	/* evictable again */
#endif

/* GMem's logical page: mappings start and may be cut only at these. */
#define GMEM_PAGE_SIZE		(2UL << 20)

/*
 * The hnid of the calling process's device (the first device it opened),
 * or -1 with errno: ENODEV when the process has opened no device.
 */
int gmemGetNumaId(void);

/*
 * hmadvise (GMEM_MADVISE) of [addr, addr + size) on device @hnid, which
 * the process must have opened (its driver's device file): @behavior is
 * MADV_PREFETCH, MADV_PINNED, MADV_UNPINNED or MADV_DONTNEED (@hnid -1:
 * free everywhere). PREFETCH, PINNED and UNPINNED act on every logical
 * page the range touches, DONTNEED only on those wholly inside it. @addr
 * must be aligned to the CPU page size and the range must lie in one
 * peer-shared mapping; else the kernel says EINVAL. @size 0 does nothing
 * (after the kernel has checked @hnid and @behavior).
 */
int gmemAdvise(void *addr, size_t size, int hnid, int behavior);

/*
 * Move the logical pages of [addr, addr + size) to device @hnid now,
 * rather than on the device's first touch. @addr is the address as an
 * integer, (unsigned long)ptr, because openEuler's prototype has it so.
 *
 * @stream is openEuler's asynchronous stream handle. It is accepted and
 * ignored: the kernel call is synchronous, so the pages are on the
 * device when this returns.
 */
int gmemPrefetch(unsigned long addr, size_t size, int hnid, void *stream);

/*
 * Free the logical pages wholly inside [addr, addr + size) on the host
 * and every device (MADV_DONTNEED, hnid -1): they read as zeroes
 * afterwards. @stream is ignored, as for gmemPrefetch().
 */
int gmemFreeEager(unsigned long addr, size_t size, void *stream);

/*
 * Pin the logical pages touching [addr, addr + size) on device @hnid:
 * moved there and never evicted. A CPU access to a pinned page gets
 * SIGBUS until gmemUnpin() makes it evictable again.
 */
int gmemPin(void *addr, size_t size, int hnid);
int gmemUnpin(void *addr, size_t size, int hnid);

/*
 * Map @size bytes, rounded up to GMEM_PAGE_SIZE, of peer-shared memory
 * (readable and writable, zero-filled, private to this process and not
 * inherited by fork). The address is GMEM_PAGE_SIZE aligned. NULL with
 * errno on failure: EINVAL for @size 0 or too large to round; open's
 * errno when /dev/gmem cannot be opened (without GMem the kernel would
 * silently ignore MAP_PEER_SHARED); mmap's errno.
 */
void *gmemAlloc(size_t size);

/*
 * Unmap what gmemAlloc() gave: @size is rounded up as gmemAlloc()
 * rounded it, so the same @size may be passed. A part of an allocation
 * may be freed too, if it starts and ends on logical pages. @addr NULL
 * with @size 0 does nothing; @addr not GMEM_PAGE_SIZE aligned or @size
 * 0 is EINVAL.
 */
int gmemFree(void *addr, size_t size);

/*
 * Copy @size bytes from @src to @dest, both in peer-shared mappings and
 * not overlapping. @hnid -1: the host copies, faulting the pages to the
 * CPU as needed. A device hnid (one the process opened) copies on that
 * device, faulting the pages there first.
 */
int gmemHmemcpy(int hnid, void *dest, const void *src, size_t size);

/* /proc/gmemstat: system-wide counts. */
struct gmem_stats {
	unsigned long long migrating;		/* logical pages moving now */
	unsigned long long processes;		/* address spaces using GMem */
	unsigned long long pages_nomap;		/* logical pages: not backed */
	unsigned long long pages_cpu;		/* on the host */
	unsigned long long pages_device;	/* on a device */
};

/*
 * Read /proc/gmemstat into @st. Lines the library does not know are
 * skipped; a known field missing, repeated or not a decimal count, or a
 * line that is not "name : value\n", is EPROTO and leaves @st untouched.
 * fopen's errno (ENOENT: no gmem=on) or the read's errno otherwise.
 */
int gmemGetStats(struct gmem_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* LIBGMEM_H */
