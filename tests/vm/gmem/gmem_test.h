/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the gmem suite's programs share: the mmap flag, expect() (from
 * ../findings.h), /proc/gmemstat, and a 64-bit pattern whose every word
 * says where it belongs.
 */
#ifndef OE_TESTS_GMEM_TEST_H
#define OE_TESTS_GMEM_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>

#include "../findings.h"

/* In the series' asm-generic/mman-common.h; the host libc lacks it. */
#ifndef MAP_PEER_SHARED
#define MAP_PEER_SHARED 0x8000000
#endif

#define MIB (1UL << 20)
#define LPAGE (2 * MIB)	/* a logical page */
#define PEER (MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED)

/* One field of /proc/gmemstat, or -1. */
static inline long gmemstat(const char *field)
{
	char line[128], name[64];
	long val, found = -1;
	FILE *f = fopen("/proc/gmemstat", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s : %ld", name, &val) == 2 &&
		    !strcmp(name, field))
			found = val;
	if (f)
		fclose(f);
	return found;
}

/* A peer-shared mapping of @len bytes; the program ends if there is none. */
static inline void *peer_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, PEER, -1, 0);

	if (p == MAP_FAILED) {
		printf("mmap(MAP_PEER_SHARED, %zu): %s\n", len, strerror(errno));
		exit(2);
	}
	return p;
}

static inline uint64_t pat64(uint64_t seed, size_t word)
{
	uint64_t x = (word + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	return x ^ x >> 29;
}

static inline void fill64(void *p, size_t len, uint64_t seed)
{
	uint64_t *w = p;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = pat64(seed, i);
}

/* The first byte offset in [from, to) of @p off the pattern, or -1. */
static inline long check64_range(const void *p, size_t from, size_t to,
				 uint64_t seed)
{
	const uint64_t *w = p;

	for (size_t i = from / 8; i < to / 8; i++)
		if (w[i] != pat64(seed, i))
			return (long)i * 8;
	return -1;
}

static inline long check64(const void *p, size_t len, uint64_t seed)
{
	return check64_range(p, 0, len, seed);
}

#endif
