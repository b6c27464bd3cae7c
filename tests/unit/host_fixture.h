/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fds a module under test asks its (fake) oe-ctld host to watch:
 * host_watch/host_unwatch for its host ops table, watched[] and
 * nwatched for the checks. Included after <cmocka.h>; a test's setup
 * sets nwatched to 0.
 */
#ifndef HOST_FIXTURE_H
#define HOST_FIXTURE_H

#include <stdbool.h>

struct oe_module_inst;

#define MAX_FDS 16

static int watched[MAX_FDS];
static int nwatched;

static int host_watch(void *host, struct oe_module_inst *mi, int fd)
{
	(void)host;
	(void)mi;
	assert_true(nwatched < MAX_FDS);
	watched[nwatched++] = fd;
	return 0;
}

static void host_unwatch(void *host, struct oe_module_inst *mi, int fd)
{
	(void)host;
	(void)mi;
	for (int i = 0; i < nwatched; i++) {
		if (watched[i] == fd) {
			watched[i] = watched[--nwatched];
			return;
		}
	}
	fail_msg("unwatch of fd %d that is not watched", fd);
}

static inline bool is_watched(int fd)
{
	for (int i = 0; i < nwatched; i++)
		if (watched[i] == fd)
			return true;
	return false;
}

#endif /* HOST_FIXTURE_H */
