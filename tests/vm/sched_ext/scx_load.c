// SPDX-License-Identifier: GPL-2.0-only
/*
 * scx_load OBJ: load the BPF scheduler in OBJ (its one struct_ops map)
 * with liboesched and keep it until SIGINT/SIGTERM or until the kernel
 * drops it, then print what its ops.exit() recorded ("uei" in .data, if
 * it has one). For the deliberately broken schedulers of the sched_ext
 * suite, which the policy loaders do not know.
 *
 * scx_load --cycles N OBJ: load it once, then unregister and register it
 * again N times (each a full enable and disable in the kernel) and exit.
 *
 * Exit: 0 unloaded by a signal (or cycles done), 1 the kernel dropped
 * it, 2 usage, 3 it did not load, 4 a cycle failed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oesched.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static bool kernel_enabled(void)
{
	struct oesched_kstate ks;

	return !oesched_kstate_read(NULL, &ks) &&
	       !strcmp(ks.state, "enabled");
}

/* Wait (bounded only against a hang: 60 s) for the kernel to say @enabled. */
static bool wait_enabled(bool enabled)
{
	int tries = 6000;

	while (kernel_enabled() != enabled && --tries)
		usleep(10 * 1000);
	return tries > 0;
}

static int cycles(struct oesched *s, long n)
{
	char err[256];

	for (long i = 0; i < n; i++) {
		oesched_detach(s);
		if (!wait_enabled(false)) {
			fprintf(stderr, "scx_load: cycle %ld: not unloaded\n", i);
			return 4;
		}
		if (oesched_reattach(s, err, sizeof(err)) ||
		    !wait_enabled(true)) {
			fprintf(stderr, "scx_load: cycle %ld: %s\n", i, err);
			return 4;
		}
	}
	printf("%ld cycles\n", n);
	oesched_unload(s);
	return wait_enabled(false) ? 0 : 4;
}

int main(int argc, char **argv)
{
	struct oe_sched_exit ei;
	struct oesched *s;
	long nr_cycles = -1;
	char err[256], *end;
	int ret;

	if (argc == 4 && !strcmp(argv[1], "--cycles")) {
		nr_cycles = strtol(argv[2], &end, 10);
		if (*end || nr_cycles < 0) {
			fprintf(stderr, "scx_load: bad cycle count '%s'\n",
				argv[2]);
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: scx_load [--cycles N] OBJ\n");
		return 2;
	}
	ret = oesched_load_file(argv[1], &s, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "scx_load: %s\n", err);
		return 3;
	}
	printf("loaded %s\n", argv[1]);
	fflush(stdout);
	if (nr_cycles >= 0)
		return cycles(s, nr_cycles);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop && kernel_enabled() && !oesched_exit_info(s, &ei))
		usleep(100 * 1000);

	ret = stop ? 0 : 1;
	/* ops.exit() runs once the link is gone; then read its record. */
	oesched_detach(s);
	while (kernel_enabled())
		usleep(100 * 1000);
	oesched_exit_info(s, &ei);
	oesched_unload(s);
	printf("exit kind=%d code=%lld reason=%s msg=%s\n", ei.kind,
	       ei.exit_code, ei.reason, ei.msg);
	return ret;
}
