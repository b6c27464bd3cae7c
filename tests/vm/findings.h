/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Findings of an in-guest test program: each expect() that does not hold
 * is printed with its line as it comes, and the program exits with
 * their count (the suites run it under `findings`, tests/vm/lib.sh).
 */
#ifndef OE_TESTS_FINDINGS_H
#define OE_TESTS_FINDINGS_H

#include <stdio.h>

static int failures;

#define expect(cond, ...)                                                    \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("line %d: ", __LINE__);                       \
			printf(__VA_ARGS__);                                 \
			printf("\n");                                        \
			failures++;                                          \
		}                                                            \
	} while (0)

#endif
