// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs_idmap DIR IDMAPPED: make IDMAPPED an idmapped bind mount of DIR
 * whose user namespace maps uid and gid 0 to 1000, so that DIR's root
 * files show as owned by 1000 there. The mount holds the namespace; the
 * caller mounts ModelFS over it and checks owners and access through it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAIL(...) do { printf(__VA_ARGS__); printf("\n"); exit(1); } while (0)

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		FAIL("%s: %s", path, strerror(errno));
	close(fd);
}

/* A user namespace mapping 0 to 1000, held by a child until we have it. */
static int userns_0_to_1000(void)
{
	int ready[2], fd;
	char path[64], c;
	pid_t child;

	if (pipe(ready))
		FAIL("pipe: %s", strerror(errno));
	child = fork();
	if (!child) {
		close(ready[1]);
		if (unshare(CLONE_NEWUSER))
			_exit(1);
		/* Wait for the parent to take the namespace, then go. */
		if (read(ready[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[0]);
	/* The child's unshare is done once its ns link changes. */
	for (int i = 0; i < 1000; i++) {
		char self[64], other[64];

		snprintf(path, sizeof(path), "/proc/%d/ns/user", child);
		ssize_t a = readlink("/proc/self/ns/user", self, sizeof(self));
		ssize_t b = readlink(path, other, sizeof(other));

		if (a > 0 && b > 0 && (a != b || memcmp(self, other, a)))
			break;
		usleep(10000);
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", child);
	write_file(path, "0 1000 1");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", child);
	write_file(path, "0 1000 1");
	snprintf(path, sizeof(path), "/proc/%d/ns/user", child);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		FAIL("%s: %s", path, strerror(errno));
	close(ready[1]);
	waitpid(child, NULL, 0);
	return fd;
}

int main(int argc, char **argv)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	int tree;

	if (argc != 3) {
		fprintf(stderr, "usage: modelfs_idmap DIR IDMAPPED\n");
		return 2;
	}
	attr.userns_fd = userns_0_to_1000();
	tree = syscall(SYS_open_tree, AT_FDCWD, argv[1],
		       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		FAIL("open_tree %s: %s", argv[1], strerror(errno));
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr,
		    sizeof(attr)))
		FAIL("mount_setattr idmap: %s", strerror(errno));
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, argv[2],
		    MOVE_MOUNT_F_EMPTY_PATH))
		FAIL("move_mount to %s: %s", argv[2], strerror(errno));
	return 0;
}
