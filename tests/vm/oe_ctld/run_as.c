// SPDX-License-Identifier: GPL-2.0-only
/*
 * run_as UID GID COMMAND [ARG...]: drop to UID/GID (no supplementary
 * groups) and exec COMMAND, to try oe-ctl as an unprivileged user.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: %s UID GID COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	uid = (uid_t)atol(argv[1]);
	gid = (gid_t)atol(argv[2]);
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		perror("run_as");
		return 127;
	}
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
