/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libgmem's system calls go through this table so that the unit tests
 * (tests/unit/libgmem_fixture.h) can replace them with fakes: no test needs
 * a GMem kernel. Not installed; applications never touch it.
 */
#ifndef LIBGMEM_SYS_H
#define LIBGMEM_SYS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define LIBGMEM_DEV_PATH	"/dev/gmem"
#define LIBGMEM_STAT_PATH	"/proc/gmemstat"

struct libgmem_sys {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd,
		      off_t off);
	int (*munmap)(void *addr, size_t len);
	FILE *(*fopen)(const char *path, const char *mode);
};

/* The real calls unless a test swaps them. */
extern struct libgmem_sys libgmem_sys;
extern const struct libgmem_sys libgmem_sys_real;

/*
 * Tests only: close (through the table) and forget the /dev/gmem fd, so
 * that the next call opens it again. No other thread may be inside the
 * library meanwhile.
 */
void libgmem_sys_reset(void);

#endif /* LIBGMEM_SYS_H */
