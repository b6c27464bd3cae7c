/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fake system calls for libgmem's unit tests. The library calls through
 * libgmem_sys (libgmem_sys.h); setup() puts the fakes below in it, so
 * what reaches the "kernel" (ioctl numbers, argument structs, mmap and
 * munmap lengths, the files opened) is recorded in fk, and the kernel's
 * answers, errors included, are whatever the test sets in fk. Included
 * after <cmocka.h>.
 */
#ifndef LIBGMEM_FIXTURE_H
#define LIBGMEM_FIXTURE_H

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/gmem_dev.h>

#include "libgmem.h"
#include "libgmem_sys.h"

#define MIB		(1UL << 20)
#define LP		(2 * MIB)
#define FAKE_FD		42
#define FAKE_HNID	3
/* An address the fakes hand out; never dereferenced. */
#define FAKE_ADDR	0x7f0000000000UL
#define FAKE_VA		((void *)FAKE_ADDR)

/* The threads test calls open and ioctl from many threads. */
static pthread_mutex_t fk_lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
	int open_calls, open_flags, open_errno, open_delay_ms;
	char open_path[64];
	int close_calls, close_fd;

	int ioctl_calls, ioctl_fd, ioctl_errno, hnid;
	unsigned long ioctl_req;
	union {
		struct gmem_hnid_arg h;
		struct hmadvise_arg a;
		struct hmemcpy_arg c;
	} arg;

	int mmap_calls, mmap_errno, prot, flags, mmap_fd;
	void *mmap_addr, *mmap_ret;
	size_t mmap_len;
	off_t off;

	int munmap_calls, munmap_errno;
	void *munmap_addr;
	size_t munmap_len;

	int fopen_calls, fopen_errno;
	char fopen_path[64], fopen_mode[8];
	const char *stat_text;	/* what /proc/gmemstat holds */
	size_t stat_len;	/* its length: it may hold a NUL */
	const char *stat_file;	/* or a real file to read instead */
} fk;

static int fake_open(const char *path, int flags)
{
	int ret;

	if (fk.open_delay_ms)
		nanosleep(&(struct timespec){ 0, fk.open_delay_ms * 1000000L },
			  NULL);
	pthread_mutex_lock(&fk_lock);
	fk.open_calls++;
	snprintf(fk.open_path, sizeof(fk.open_path), "%s", path);
	fk.open_flags = flags;
	ret = fk.open_errno ? -1 : FAKE_FD;
	pthread_mutex_unlock(&fk_lock);
	if (ret < 0)
		errno = fk.open_errno;
	return ret;
}

static int fake_close(int fd)
{
	fk.close_calls++;
	fk.close_fd = fd;
	return 0;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	int ret = 0;

	pthread_mutex_lock(&fk_lock);
	fk.ioctl_calls++;
	fk.ioctl_fd = fd;
	fk.ioctl_req = req;
	memset(&fk.arg, 0, sizeof(fk.arg));
	if (_IOC_SIZE(req) <= sizeof(fk.arg))
		memcpy(&fk.arg, arg, _IOC_SIZE(req));
	if (fk.ioctl_errno)
		ret = -1;
	else if (req == GMEM_GET_HNUMA_ID)
		*((struct gmem_hnid_arg *)arg)->hnuma_id = fk.hnid;
	pthread_mutex_unlock(&fk_lock);
	if (ret)
		errno = fk.ioctl_errno;
	return ret;
}

static void *fake_mmap(void *addr, size_t len, int prot, int flags, int fd,
		       off_t off)
{
	fk.mmap_calls++;
	fk.mmap_addr = addr;
	fk.mmap_len = len;
	fk.prot = prot;
	fk.flags = flags;
	fk.mmap_fd = fd;
	fk.off = off;
	if (fk.mmap_errno) {
		errno = fk.mmap_errno;
		return MAP_FAILED;
	}
	return fk.mmap_ret;
}

static int fake_munmap(void *addr, size_t len)
{
	fk.munmap_calls++;
	fk.munmap_addr = addr;
	fk.munmap_len = len;
	if (fk.munmap_errno) {
		errno = fk.munmap_errno;
		return -1;
	}
	return 0;
}

static FILE *fake_fopen(const char *path, const char *mode)
{
	fk.fopen_calls++;
	snprintf(fk.fopen_path, sizeof(fk.fopen_path), "%s", path);
	snprintf(fk.fopen_mode, sizeof(fk.fopen_mode), "%s", mode);
	if (fk.fopen_errno) {
		errno = fk.fopen_errno;
		return NULL;
	}
	if (fk.stat_file)
		return fopen(fk.stat_file, "r");
	if (!fk.stat_len)
		return fopen("/dev/null", "r");
	return fmemopen((void *)fk.stat_text, fk.stat_len, "r");
}

static int setup(void **state)
{
	(void)state;
	libgmem_sys_reset();
	memset(&fk, 0, sizeof(fk));
	fk.hnid = FAKE_HNID;
	fk.mmap_ret = FAKE_VA;
	libgmem_sys = (struct libgmem_sys){
		.open = fake_open, .close = fake_close, .ioctl = fake_ioctl,
		.mmap = fake_mmap, .munmap = fake_munmap, .fopen = fake_fopen,
	};
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	libgmem_sys_reset();
	libgmem_sys = libgmem_sys_real;
	return 0;
}

/* @expr fails with errno @e. */
#define assert_fails(expr, e)                                                \
	do {                                                                 \
		errno = 0;                                                   \
		assert_int_equal((expr), -1);                                \
		assert_int_equal(errno, (e));                                \
	} while (0)

/* The last ioctl was the hmadvise of [start, start + size). */
static inline void assert_madvise(unsigned long start, size_t size, int hnid,
				  int behavior)
{
	assert_int_equal(fk.ioctl_req, GMEM_MADVISE);
	assert_int_equal(fk.ioctl_fd, FAKE_FD);
	assert_int_equal(fk.arg.a.hnid, hnid);
	assert_int_equal(fk.arg.a.start, start);
	assert_int_equal(fk.arg.a.len_in, size);
	assert_int_equal(fk.arg.a.behavior, behavior);
}

#endif /* LIBGMEM_FIXTURE_H */
