// SPDX-License-Identifier: GPL-2.0-only
/*
 * pi_boost SECONDS: for SECONDS, a thread of the caller's policy (run it
 * under setpolicy 7: SCHED_EXT) takes a priority-inheritance mutex again
 * and again, and a SCHED_FIFO thread keeps wanting it, so the first is
 * boosted to the RT class and back all the time. Exits 0 once both have
 * stopped; 1 if a thread could not be set up.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m;
static atomic_bool done;

static void spin_us(long us)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000 +
	       (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

static void *holder(void *arg)
{
	(void)arg;
	while (!done) {
		pthread_mutex_lock(&m);
		spin_us(1000);
		pthread_mutex_unlock(&m);
		usleep(100);
	}
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	while (!done) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
		usleep(300);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sched_param rt = { .sched_priority = 10 };
	int secs = argc == 2 ? atoi(argv[1]) : 0, err;
	pthread_mutexattr_t ma;
	pthread_attr_t fifo;
	pthread_t h, w;

	if (secs <= 0) {
		fprintf(stderr, "usage: pi_boost SECONDS\n");
		return 2;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&m, &ma);
	pthread_attr_init(&fifo);
	pthread_attr_setinheritsched(&fifo, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&fifo, SCHED_FIFO);
	pthread_attr_setschedparam(&fifo, &rt);
	err = pthread_create(&h, NULL, holder, NULL);
	if (!err)
		err = pthread_create(&w, &fifo, waiter, NULL);
	if (err) {
		printf("pi_boost: threads: %s\n", strerror(err));
		return 1;
	}
	sleep(secs);
	done = true;
	pthread_join(h, NULL);
	pthread_join(w, NULL);
	return 0;
}
