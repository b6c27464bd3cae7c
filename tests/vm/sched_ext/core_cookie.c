// SPDX-License-Identifier: GPL-2.0-only
/*
 * core_cookie PROG [ARGS...]: give this process a core scheduling cookie
 * of its own (PR_SCHED_CORE_CREATE), then run PROG, which inherits it.
 * Exits 3 if the kernel refuses the cookie, with its error: ENODEV means
 * the CPUs have no SMT siblings, EINVAL a kernel without SCHED_CORE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SCHED_CORE
#define PR_SCHED_CORE		62
#define PR_SCHED_CORE_CREATE	1
#endif
#define PIDTYPE_TGID		1

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: core_cookie PROG [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 0, PIDTYPE_TGID, 0)) {
		fprintf(stderr, "core_cookie: PR_SCHED_CORE_CREATE: %s\n",
			strerror(errno));
		return 3;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "core_cookie: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
