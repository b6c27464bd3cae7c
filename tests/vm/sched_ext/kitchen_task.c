// SPDX-License-Identifier: GPL-2.0-only
/*
 * kitchen_task ROLE [SECONDS]: a task scx_kitchen.bpf.c recognises by
 * its name, kitchen_ROLE:
 *   held   goes to nice 1 (ops.set_weight) and sleeps briefly; the
 *          scheduler holds it at the wakeup until ops.dequeue() runs for
 *          it, so it exits only after that
 *   exit   fills 256 MiB, then exits: freeing it inside do_exit() takes
 *          many of its short slices, so it is enqueued while exiting
 *   spin   spins for SECONDS (1 by default)
 *   yield  calls sched_yield() 100 times
 *   done   exits; its last stop makes the scheduler exit with its report
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define EXIT_BYTES	(256UL << 20)
#define NR_ROLES	5

static const char *const roles[NR_ROLES] = {
	"held", "exit", "spin", "yield", "done"
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char name[16];
	size_t i;

	if (argc < 2 || argc > 3)
		goto usage;
	for (i = 0; i < NR_ROLES; i++)
		if (!strcmp(argv[1], roles[i]))
			break;
	if (i == NR_ROLES)
		goto usage;

	snprintf(name, sizeof(name), "kitchen_%s", argv[1]);
	if (prctl(PR_SET_NAME, name)) {
		perror("kitchen_task: PR_SET_NAME");
		return 1;
	}

	if (!strcmp(argv[1], "held")) {
		if (nice(1) != 1) {
			perror("kitchen_task: nice");
			return 1;
		}
		usleep(10000);
	} else if (!strcmp(argv[1], "exit")) {
		char *mem = malloc(EXIT_BYTES);

		if (!mem) {
			perror("kitchen_task: malloc");
			return 1;
		}
		memset(mem, 1, EXIT_BYTES);
	} else if (!strcmp(argv[1], "spin")) {
		double end = now() + (argc == 3 ? atof(argv[2]) : 1.0);

		while (now() < end)
			;
	} else if (!strcmp(argv[1], "yield")) {
		for (i = 0; i < 100; i++)
			sched_yield();
	}
	return 0;

usage:
	fprintf(stderr, "usage: kitchen_task held|exit|spin|yield|done [SECONDS]\n");
	return 2;
}
