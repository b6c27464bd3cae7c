// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs_mount LOWER FIRST: the lowerdir option through the mount API.
 * LOWER is a directory holding a regular file "small"; FIRST is an
 * empty directory on a filesystem of its own, which the caller unmounts
 * afterwards to show that nothing here kept it busy.
 *
 * - fsconfig() looks the lowerdir up as it is set: a missing path is
 *   ENOENT and a file ENOTDIR there, not later at FSCONFIG_CMD_CREATE;
 * - a component longer than NAME_MAX is ENAMETOOLONG (mount(2));
 * - given twice, the last lowerdir counts and the first is let go.
 *
 * Exits with the number of findings, each printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../findings.h"

static int fsopen_modelfs(void)
{
	int fc = syscall(SYS_fsopen, "modelfs", FSOPEN_CLOEXEC);

	expect(fc >= 0, "fsopen modelfs: %s", strerror(errno));
	return fc;
}

/* fsconfig(lowerdir=@dir): 0 or -errno. */
static int set_lowerdir(int fc, const char *dir)
{
	return syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING, "lowerdir", dir,
		       0) ? -errno : 0;
}

int main(int argc, char **argv)
{
	char path[4200], name[300];
	int fc, mnt, fd, err;

	if (argc != 3) {
		fprintf(stderr, "usage: modelfs_mount LOWER FIRST\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);

	fc = fsopen_modelfs();
	snprintf(path, sizeof(path), "%s/nothing", argv[1]);
	err = set_lowerdir(fc, path);
	expect(err == -ENOENT, "fsconfig lowerdir=%s: %s, not ENOENT", path,
	       strerror(-err));
	snprintf(path, sizeof(path), "%s/small", argv[1]);
	err = set_lowerdir(fc, path);
	expect(err == -ENOTDIR, "fsconfig lowerdir=%s: %s, not ENOTDIR",
	       path, strerror(-err));
	close(fc);

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	snprintf(path, sizeof(path), "lowerdir=/%s", name);
	err = mount("none", argv[2], "modelfs", MS_RDONLY, path) ? errno : 0;
	expect(err == ENAMETOOLONG, "mount lowerdir=/a{299}: %s",
	       strerror(err));

	/* Twice: the mount is of the second, the first is not held. */
	fc = fsopen_modelfs();
	expect(!set_lowerdir(fc, argv[2]), "lowerdir=%s", argv[2]);
	expect(!set_lowerdir(fc, argv[1]), "lowerdir=%s", argv[1]);
	expect(!syscall(SYS_fsconfig, fc, FSCONFIG_CMD_CREATE, NULL, NULL, 0),
	       "create: %s", strerror(errno));
	mnt = syscall(SYS_fsmount, fc, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
	expect(mnt >= 0, "fsmount: %s", strerror(errno));
	fd = openat(mnt, "small", O_RDONLY);
	expect(fd >= 0, "small through the second lowerdir: %s",
	       strerror(errno));
	if (fd >= 0)
		close(fd);
	if (mnt >= 0)
		close(mnt);
	close(fc);
	return failures;
}
