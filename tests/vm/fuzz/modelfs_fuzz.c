// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs_fuzz SEED STEPS: STEPS random steps from SEED against ModelFS.
 * A tmpfs lower with files of random sizes is mounted through ModelFS;
 * two reader processes read, pread and map its files at random offsets
 * all along. The steps: random commands on the policy channel (any type,
 * reserved field, inode, offset and length, and writes of any size),
 * event reads into buffers of any size, attach and close, reclaim, and
 * a lazy unmount of the mount (sometimes of the lower as well) with the
 * channel and the readers' files still open, then a new mount. The
 * answers are not checked: the kernel console is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/modelfs.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz_rand.h"

#define LOWER	"/tmp/mfz-lower"
#define MODEL	"/tmp/mfz"
#define NFILES	4
#define NREADERS 2
#define MAX_FILE (8UL << 20)

static unsigned long long inos[NFILES];
static pid_t readers[NREADERS];
static int chan = -1;

static void file_path(char *buf, size_t n, const char *top, int i)
{
	snprintf(buf, n, "%s/f%d", top, i);
}

/* A fresh tmpfs lower with NFILES files of random sizes. */
static void lower_setup(void)
{
	static char block[65536];
	char path[64];
	struct stat st;

	mkdir(LOWER, 0755);
	if (mount("none", LOWER, "tmpfs", 0, "size=64m"))
		perror("mount " LOWER);
	for (int i = 0; i < NFILES; i++) {
		uint64_t size = fuzz_size(4096) % MAX_FILE;
		int fd;

		file_path(path, sizeof(path), LOWER, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		for (uint64_t done = 0; fd >= 0 && done < size;) {
			size_t n = size - done < sizeof(block) ?
				   size - done : sizeof(block);

			memset(block, (int)fuzz_below(256), n);
			if (write(fd, block, n) != (ssize_t)n)
				break;
			done += n;
		}
		if (fd >= 0)
			close(fd);
		inos[i] = stat(path, &st) ? 0 : st.st_ino;
	}
}

static void model_mount(void)
{
	mkdir(MODEL, 0755);
	if (mount("none", MODEL, "modelfs", MS_RDONLY, "lowerdir=" LOWER))
		perror("mount " MODEL);
}

/* Read the mount at random until killed; errors are expected. */
static void reader(uint64_t seed)
{
	char buf[16384], path[64];

	fuzz_seed(seed);
	for (;;) {
		int fd, i = fuzz_below(NFILES);
		ssize_t got;
		off_t size;
		uint8_t *p;

		file_path(path, sizeof(path), MODEL, i);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			usleep(1000);
			continue;
		}
		size = lseek(fd, 0, SEEK_END);
		switch (fuzz_below(3)) {
		case 0:
			while (read(fd, buf, sizeof(buf)) > 0 && fuzz_below(64))
				;
			break;
		case 1:
			got = pread(fd, buf, fuzz_below(sizeof(buf)),
				    size > 0 ? fuzz_below(size + 4096) : 0);
			(void)got;
			break;
		default:
			if (size <= 0)
				break;
			p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				break;
			for (int k = 0; k < 16; k++)
				(void)*(volatile uint8_t *)(p +
							    fuzz_below(size));
			munmap(p, size);
		}
		close(fd);
	}
}

static void readers_start(void)
{
	for (int i = 0; i < NREADERS; i++) {
		uint64_t seed = fuzz_u64();

		readers[i] = fork();
		if (!readers[i])
			reader(seed);
	}
}

static void readers_stop(void)
{
	for (int i = 0; i < NREADERS; i++) {
		if (readers[i] > 0) {
			kill(readers[i], SIGKILL);
			waitpid(readers[i], NULL, 0);
		}
		readers[i] = 0;
	}
}

static void chan_attach(void)
{
	int dir = open(MODEL, O_RDONLY | O_DIRECTORY);

	if (dir < 0)
		return;
	chan = ioctl(dir, MODELFS_IOC_ATTACH);
	if (chan >= 0)
		fcntl(chan, F_SETFL, O_NONBLOCK);
	close(dir);
}

static void chan_command(void)
{
	uint8_t raw[64];
	struct modelfs_cmd cmd = {
		.type = fuzz_below(6),
		.reserved = fuzz_below(8) ? 0 : (uint32_t)fuzz_u64(),
		.ino = fuzz_below(8) ? inos[fuzz_below(NFILES)] : fuzz_u64(),
		.off = fuzz_size(4096),
		.len = fuzz_size(4096),
	};
	size_t len = sizeof(cmd);

	memcpy(raw, &cmd, sizeof(cmd));
	if (!fuzz_below(8)) {
		len = fuzz_below(sizeof(raw) + 1);
		for (size_t i = sizeof(cmd); i < len; i++)
			raw[i] = fuzz_u64();
	}
	if (write(chan, raw, len) < 0 && errno == EBADF)
		chan = -1;
}

static void chan_events(void)
{
	static char buf[4096];

	if (read(chan, buf, fuzz_below(sizeof(buf) + 1)) < 0 && errno == EBADF)
		chan = -1;
}

/* Unmount lazily, with the channel and readers' files still open. */
static void remount(void)
{
	umount2(MODEL, MNT_DETACH);
	if (fuzz_below(2)) {
		umount2(LOWER, MNT_DETACH);
		lower_setup();
	}
	if (fuzz_below(2) && chan >= 0) {
		close(chan);
		chan = -1;
	}
	model_mount();
}

int main(int argc, char **argv)
{
	uint64_t seed, steps;
	int drop;

	fuzz_args(argc, argv, "ModelFS steps", &seed, &steps);
	fuzz_seed(seed);
	lower_setup();
	model_mount();
	readers_start();
	for (uint64_t s = 0; s < steps; s++) {
		uint64_t what = fuzz_below(12);

		if (what < 6 && chan < 0) {
			chan_attach();
		} else if (what < 6) {
			chan_command();
		} else if (what < 8 && chan >= 0) {
			chan_events();
		} else if (what == 8 && chan >= 0) {
			close(chan);
			chan = -1;
		} else if (what == 9) {
			drop = open("/proc/sys/vm/drop_caches", O_WRONLY);
			if (drop >= 0 && write(drop, "3", 1) != 1)
				perror("drop_caches");
			if (drop >= 0)
				close(drop);
		} else if (what == 10) {
			remount();
		} else if (what == 11) {
			readers_stop();
			readers_start();
		}
	}
	readers_stop();
	if (chan >= 0)
		close(chan);
	umount2(MODEL, MNT_DETACH);
	umount2(LOWER, MNT_DETACH);
	return 0;
}
