// SPDX-License-Identifier: GPL-2.0-only
/*
 * many_tasks N: start N threads that block on a pipe, print "ready N"
 * and wait to be killed. Enabling and disabling a scheduler then walks
 * N more tasks: the walk must let IRQs and other CPUs in as it goes.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int pipefd[2];

static void *blocker(void *arg)
{
	char c;

	(void)arg;
	if (read(pipefd[0], &c, 1) < 0)
		perror("read");
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : 0, i;
	pthread_attr_t attr;
	pthread_t t;
	int err;

	if (n <= 0) {
		fprintf(stderr, "usage: many_tasks N\n");
		return 2;
	}
	if (pipe(pipefd))
		return 1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
	for (i = 0; i < n; i++) {
		err = pthread_create(&t, &attr, blocker, NULL);
		if (err) {
			printf("thread %ld: %s\n", i, strerror(err));
			return 1;
		}
	}
	printf("ready %ld\n", n);
	fflush(stdout);
	for (;;)
		pause();
}
