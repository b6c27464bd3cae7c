// SPDX-License-Identifier: GPL-2.0-only
/*
 * setpolicy POLICY PROG [ARGS...]: run PROG with scheduling policy
 * POLICY (a number: 7 is SCHED_EXT), priority 0. Exits 3 if the kernel
 * refuses the policy, with its error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sched_param param = { .sched_priority = 0 };
	char *end;
	long policy;

	if (argc < 3) {
		fprintf(stderr, "usage: setpolicy POLICY PROG [ARGS...]\n");
		return 2;
	}
	errno = 0;
	policy = strtol(argv[1], &end, 10);
	if (errno || *end || policy < 0 || policy > 1000) {
		fprintf(stderr, "setpolicy: bad policy '%s'\n", argv[1]);
		return 2;
	}
	if (sched_setscheduler(0, (int)policy, &param)) {
		fprintf(stderr, "setpolicy: policy %ld: %s\n", policy,
			strerror(errno));
		return 3;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "setpolicy: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
