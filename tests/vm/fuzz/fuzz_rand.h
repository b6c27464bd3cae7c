/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fuzz programs' random numbers: xorshift64*, seeded from the command
 * line, so that a run that found something runs again the same way.
 */
#ifndef OE_TESTS_FUZZ_RAND_H
#define OE_TESTS_FUZZ_RAND_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t fuzz_state = 0x9e3779b97f4a7c15ULL;

static inline void fuzz_seed(uint64_t seed)
{
	fuzz_state = seed * 0x2545f4914f6cdd1dULL + 0x9e3779b97f4a7c15ULL;
	if (!fuzz_state)
		fuzz_state = 1;
}

static inline uint64_t fuzz_u64(void)
{
	fuzz_state ^= fuzz_state >> 12;
	fuzz_state ^= fuzz_state << 25;
	fuzz_state ^= fuzz_state >> 27;
	return fuzz_state * 0x2545f4914f6cdd1dULL;
}

/* A number below @n (n > 0). */
static inline uint64_t fuzz_below(uint64_t n)
{
	return fuzz_u64() % n;
}

/*
 * A length or offset as an attacker picks one: small, near a boundary
 * of @unit, or anything at all.
 */
static inline uint64_t fuzz_size(uint64_t unit)
{
	switch (fuzz_below(6)) {
	case 0:
		return fuzz_below(64);
	case 1:
		return unit * fuzz_below(8);
	case 2:
		return unit * fuzz_below(8) + fuzz_below(3) - 1;
	case 3:
		return UINT64_MAX - fuzz_below(3 * unit);
	case 4:
		return 1ULL << fuzz_below(64);
	default:
		return fuzz_u64();
	}
}

/*
 * PROGRAM SEED COUNT: both numbers, or the usage on stderr and exit 2.
 * What the run will do is printed first, so a log names its seed.
 */
static inline void fuzz_args(int argc, char **argv, const char *what,
			     uint64_t *seed, uint64_t *count)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s SEED COUNT\n", argv[0]);
		exit(2);
	}
	*seed = strtoull(argv[1], NULL, 0);
	*count = strtoull(argv[2], NULL, 0);
	printf("%s: seed %llu, %llu %s\n", argv[0],
	       (unsigned long long)*seed, (unsigned long long)*count, what);
	fflush(stdout);
}

#endif
