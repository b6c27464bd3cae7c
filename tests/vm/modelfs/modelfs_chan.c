// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs_chan CASE MOUNT [FILE]: exercise a ModelFS mount's policy
 * channel. Each case exits 0 when the kernel did what it should and
 * prints what it saw otherwise.
 *
 *   attach    MOUNT       attach works once; a second attach is EBUSY
 *   events    MOUNT FILE  open/read/close FILE: OPEN, READAHEAD|MISS, CLOSE
 *   commands  MOUNT FILE  EVICT empties the cache, PREFETCH fills it
 *   bad       MOUNT FILE  bad commands get their errno and change nothing
 *   overflow  MOUNT FILE  a full queue never blocks and reports OVERFLOW
 *   pressure  MOUNT FILE  drop_caches=2 (slab reclaim) gives PRESSURE
 *   hit       MOUNT FILE  the first read or mapping of prefetched pages
 *                         gives one HIT; a second use gives none
 *   wasted    MOUNT FILE  prefetched pages evicted unread count as wasted,
 *                         read ones as hits
 *   setra     MOUNT FILE  SET_RA widens readahead of FILE, then of the
 *                         mount; bad SET_RA commands are refused
 *   fault     MOUNT FILE  a fault on an uncached page of a mapping of
 *                         FILE gives FAULT; one on a cached page none
 *   done      MOUNT FILE  after DONE, reading FILE gives no read events
 *                         until it is opened again; bad DONE refused
 *   umount    MOUNT FILE  queue a prefetch of all of FILE, unmount MOUNT
 *                         and detach while it is in flight
 *   hold      MOUNT       attach, say so, and wait to be killed
 *   race      MOUNT       eight processes attach at once: one gets the
 *                         channel, seven EBUSY; then a new one attaches
 *   passfd    MOUNT FILE  the channel, passed over SCM_RIGHTS to a
 *                         process that dropped to nobody, works there (it
 *                         is the policy's capability); nobody cannot
 *                         attach a channel of its own once it is closed
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/modelfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FAIL(...) do { printf(__VA_ARGS__); printf("\n"); exit(1); } while (0)

static int attach(const char *mnt)
{
	int dir = open(mnt, O_RDONLY | O_DIRECTORY), fd;

	if (dir < 0)
		FAIL("open %s: %s", mnt, strerror(errno));
	fd = ioctl(dir, MODELFS_IOC_ATTACH);
	close(dir);
	return fd < 0 ? -errno : fd;
}

static void drop_caches(const char *what)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd < 0 || write(fd, what, 1) != 1)
		FAIL("drop_caches: %s", strerror(errno));
	close(fd);
}

static void read_all(const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

/* Pages of FILE in the page cache, by mincore on a fresh mapping. */
static long resident(const char *path, long *total)
{
	long page = sysconf(_SC_PAGESIZE), n, i, count = 0;
	int fd = open(path, O_RDONLY);
	unsigned char *vec;
	struct stat st;
	void *map;

	if (fd < 0 || fstat(fd, &st))
		FAIL("open %s: %s", path, strerror(errno));
	n = (st.st_size + page - 1) / page;
	map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	vec = malloc(n);
	if (map == MAP_FAILED || !vec || mincore(map, st.st_size, vec))
		FAIL("mincore: %s", strerror(errno));
	for (i = 0; i < n; i++)
		count += vec[i] & 1;
	munmap(map, st.st_size);
	close(fd);
	free(vec);
	*total = n;
	return count;
}

static int cmd(int chan, __u32 type, __u64 ino, __u64 off, __u64 len)
{
	struct modelfs_cmd c = { .type = type, .ino = ino, .off = off,
				 .len = len };

	return write(chan, &c, sizeof(c)) == sizeof(c) ? 0 : -errno;
}

/* Read every queued event without waiting; return how many. */
static int drain(int chan, struct modelfs_event *evs, int max)
{
	ssize_t n = read(chan, evs, max * sizeof(*evs));

	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0 || n % sizeof(*evs))
		FAIL("read events: %zd (%s)", n, strerror(errno));
	return n / sizeof(*evs);
}

static struct stat stat_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		FAIL("stat %s: %s", path, strerror(errno));
	return st;
}

/* A counter of MOUNT in /sys/fs/modelfs/<major>:<minor>/. */
static long long sysfs_stat(const char *mnt, const char *name)
{
	struct stat st = stat_of(mnt);
	char path[128];
	long long v;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/fs/modelfs/%u:%u/%s",
		 major(st.st_dev), minor(st.st_dev), name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lld", &v) != 1)
		FAIL("%s: %s", path, strerror(errno));
	fclose(f);
	return v;
}

/* Wait until no PREFETCH of MOUNT is queued or running (at most a minute). */
static void wait_prefetched(const char *mnt)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 6000; i++) {
		if (!sysfs_stat(mnt, "prefetch_inflight"))
			return;
		nanosleep(&tick, NULL);
	}
	FAIL("prefetch still in flight after a minute");
}

/* Find a HIT of @ino in @evs covering byte @off. */
static int hit_at(const struct modelfs_event *evs, int n, __u64 ino, __u64 off)
{
	int i;

	for (i = 0; i < n; i++)
		if (evs[i].type == MODELFS_EV_HIT && evs[i].ino == ino &&
		    evs[i].off <= off && off < evs[i].off + evs[i].len)
			return 1;
	return 0;
}

/* Read FILE cold and return the longest READAHEAD it caused. */
static __u64 widest_readahead(int chan, const char *file,
			      struct modelfs_event *evs)
{
	__u64 widest = 0;
	int i, got;

	drop_caches("1");
	drain(chan, evs, 4096);
	read_all(file);
	got = drain(chan, evs, 4096);
	for (i = 0; i < got; i++)
		if (evs[i].type == MODELFS_EV_READAHEAD && evs[i].len > widest)
			widest = evs[i].len;
	return widest;
}

#define RACERS 8

/* Attach at once from RACERS processes; exits with the count of findings. */
static int attach_race(const char *mnt)
{
	int go[2], result[2], release[2], won = 0, busy = 0, bad = 0;
	char r;

	if (pipe(go) || pipe(result) || pipe(release))
		FAIL("pipe: %s", strerror(errno));
	for (int i = 0; i < RACERS; i++) {
		if (fork())
			continue;
		close(go[1]);
		close(release[1]);
		/* All start when the parent closes go. */
		if (read(go[0], &r, 1) < 0)
			_exit(3);
		int chan = attach(mnt);

		r = chan >= 0 ? 'w' : chan == -EBUSY ? 'b' : 'x';
		if (write(result[1], &r, 1) != 1)
			_exit(3);
		/* The winner holds the channel until every racer answered. */
		if (read(release[0], &r, 1) < 0)
			_exit(3);
		_exit(0);
	}
	close(go[1]);
	close(release[0]);
	for (int i = 0; i < RACERS; i++) {
		if (read(result[0], &r, 1) != 1)
			FAIL("racer %d gave no answer", i);
		won += r == 'w';
		busy += r == 'b';
		bad += r == 'x';
	}
	close(release[1]);
	while (wait(NULL) > 0)
		;
	if (won != 1 || busy != RACERS - 1 || bad)
		FAIL("%d attached, %d EBUSY, %d other errors", won, busy, bad);
	int chan = attach(mnt);

	if (chan < 0)
		FAIL("attach after the race: %s", strerror(-chan));
	return 0;
}

static void send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 'f';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		FAIL("sendmsg: %s", strerror(errno));
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* The nobody side of passfd: exits 0 when all went as it should. */
static int passfd_nobody(int sock, const char *mnt, const struct stat *st)
{
	int chan, r;

	if (setgid(65534) || setuid(65534))
		FAIL("drop to nobody: %s", strerror(errno));
	chan = recv_fd(sock);
	if (chan < 0)
		FAIL("no channel received");
	if ((r = cmd(chan, MODELFS_CMD_EVICT, st->st_ino, 0, st->st_size)))
		FAIL("EVICT on the passed channel: %s", strerror(-r));
	close(chan);
	/* The channel is gone with its last fd: nobody may not attach. */
	if ((r = attach(mnt)) != -EPERM)
		FAIL("nobody attached a channel: %d", r);
	return 0;
}

static int passfd(const char *mnt, const char *file)
{
	struct stat st = stat_of(file);
	int sv[2], chan, status;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		FAIL("socketpair: %s", strerror(errno));
	child = fork();
	if (!child)
		_exit(passfd_nobody(sv[1], mnt, &st));
	chan = attach(mnt);
	if (chan < 0)
		FAIL("attach: %s", strerror(-chan));
	send_fd(sv[0], chan);
	close(chan);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		FAIL("the nobody side failed");
	return 0;
}

int main(int argc, char **argv)
{
	static struct modelfs_event evs[4096];
	const char *c = argc > 2 ? argv[1] : "", *mnt = argv[2];
	const char *file = argc > 3 ? argv[3] : NULL;
	long total, n;
	int chan, i, got;

	if (!strcmp(c, "attach")) {
		chan = attach(mnt);
		if (chan < 0)
			FAIL("attach: %s", strerror(-chan));
		i = attach(mnt);
		if (i != -EBUSY)
			FAIL("second attach: %d, wanted -EBUSY", i);
		return 0;
	}
	if (!strcmp(c, "race"))
		return attach_race(mnt);
	if (!strcmp(c, "passfd") && file)
		return passfd(mnt, file);
	if (!strcmp(c, "hold")) {
		chan = attach(mnt);
		if (chan < 0)
			FAIL("attach: %s", strerror(-chan));
		printf("attached\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	if (!file) {
		fprintf(stderr, "usage: %s CASE MOUNT [FILE]\n", argv[0]);
		return 2;
	}
	chan = attach(mnt);
	if (chan < 0)
		FAIL("attach: %s", strerror(-chan));
	fcntl(chan, F_SETFL, O_NONBLOCK);
	struct stat st = stat_of(file);

	if (!strcmp(c, "events")) {
		int open_ok = 0, read_ok = 0, close_ok = 0;

		drop_caches("1");
		drain(chan, evs, 4096);
		read_all(file);
		got = drain(chan, evs, 4096);
		for (i = 0; i < got; i++) {
			if (evs[i].ino != (__u64)st.st_ino)
				continue;
			if (evs[i].type == MODELFS_EV_OPEN &&
			    evs[i].len == (__u64)st.st_size)
				open_ok = 1;
			if ((evs[i].type == MODELFS_EV_READAHEAD ||
			     evs[i].type == MODELFS_EV_MISS) && evs[i].off == 0)
				read_ok = 1;
			if (evs[i].type == MODELFS_EV_CLOSE && open_ok)
				close_ok = 1;
		}
		if (!open_ok || !read_ok || !close_ok)
			FAIL("%d events: open %d, read at 0 %d, close %d", got,
			     open_ok, read_ok, close_ok);
		return 0;
	}
	if (!strcmp(c, "commands")) {
		int keep = open(file, O_RDONLY);	/* keeps the inode cached */

		read_all(file);
		if (cmd(chan, MODELFS_CMD_EVICT, st.st_ino, 0, st.st_size))
			FAIL("evict: %s", strerror(errno));
		n = resident(file, &total);
		if (n != 0)
			FAIL("after EVICT %ld of %ld pages cached", n, total);
		if (cmd(chan, MODELFS_CMD_PREFETCH, st.st_ino, 0, st.st_size))
			FAIL("prefetch: %s", strerror(errno));
		wait_prefetched(mnt);
		n = resident(file, &total);
		if (n != total)
			FAIL("after PREFETCH %ld of %ld pages cached", n, total);
		if (cmd(chan, MODELFS_CMD_EVICT, st.st_ino, 4096, 8192))
			FAIL("evict part: %s", strerror(errno));
		n = resident(file, &total);
		if (n != total - 2)
			FAIL("after EVICT of 2 pages %ld of %ld cached", n, total);
		close(keep);
		return 0;
	}
	if (!strcmp(c, "bad")) {
		struct modelfs_cmd bad = { .type = MODELFS_CMD_PREFETCH,
					   .ino = st.st_ino, .len = 1,
					   .reserved = 1 };
		int keep = open(file, O_RDONLY), r;
		struct stat dir = stat_of(mnt);

		read_all(file);
		n = resident(file, &total);
		if ((r = cmd(chan, MODELFS_CMD_PREFETCH, 987654321, 0, 4096)) != -ENOENT)
			FAIL("unknown ino: %d, wanted -ENOENT", r);
		if ((r = cmd(chan, MODELFS_CMD_EVICT, st.st_ino, st.st_size, 4096)) != -EINVAL)
			FAIL("past EOF: %d, wanted -EINVAL", r);
		if ((r = cmd(chan, MODELFS_CMD_EVICT, st.st_ino, 0, 0)) != -EINVAL)
			FAIL("zero length: %d, wanted -EINVAL", r);
		if ((r = cmd(chan, 99, st.st_ino, 0, 4096)) != -EINVAL)
			FAIL("unknown command: %d, wanted -EINVAL", r);
		if ((r = cmd(chan, MODELFS_CMD_EVICT, dir.st_ino, 0, 4096)) != -EISDIR)
			FAIL("directory: %d, wanted -EISDIR", r);
		if (write(chan, &bad, sizeof(bad)) != -1 || errno != EINVAL)
			FAIL("reserved bits: accepted");
		if (write(chan, &bad, sizeof(bad) - 1) != -1 || errno != EINVAL)
			FAIL("short command: accepted");
		if (resident(file, &total) != n)
			FAIL("a refused command changed the cache");
		close(keep);
		return 0;
	}
	if (!strcmp(c, "overflow")) {
		int overflow = 0;

		drain(chan, evs, 4096);
		for (i = 0; i < 2000; i++)
			close(open(file, O_RDONLY));
		got = drain(chan, evs, 4096);
		for (i = 0; i < got; i++)
			if (evs[i].type == MODELFS_EV_OVERFLOW && evs[i].len > 0)
				overflow = 1;
		if (!overflow)
			FAIL("%d events, no OVERFLOW after 4000 events", got);
		return 0;
	}
	if (!strcmp(c, "pressure")) {
		int keep = open(file, O_RDONLY), pressure = 0;

		read_all(file);
		drain(chan, evs, 4096);
		drop_caches("2");
		got = drain(chan, evs, 4096);
		for (i = 0; i < got; i++)
			if (evs[i].type == MODELFS_EV_PRESSURE && evs[i].len > 0)
				pressure = 1;
		close(keep);
		if (!pressure)
			FAIL("%d events, no PRESSURE after slab reclaim", got);
		return 0;
	}
	if (!strcmp(c, "hit")) {
		int keep = open(file, O_RDONLY);
		char buf[4096];
		char *map;

		if (cmd(chan, MODELFS_CMD_EVICT, st.st_ino, 0, st.st_size) ||
		    cmd(chan, MODELFS_CMD_PREFETCH, st.st_ino, 0, 131072))
			FAIL("evict/prefetch: %s", strerror(errno));
		wait_prefetched(mnt);
		drain(chan, evs, 4096);
		if (pread(keep, buf, sizeof(buf), 8192) != sizeof(buf))
			FAIL("pread: %s", strerror(errno));
		got = drain(chan, evs, 4096);
		if (!hit_at(evs, got, st.st_ino, 8192))
			FAIL("%d events, no HIT at 8192 after reading it", got);
		if (pread(keep, buf, sizeof(buf), 8192) != sizeof(buf))
			FAIL("pread: %s", strerror(errno));
		got = drain(chan, evs, 4096);
		if (hit_at(evs, got, st.st_ino, 8192))
			FAIL("a second read of the page gave another HIT");
		map = mmap(NULL, 131072, PROT_READ, MAP_SHARED, keep, 0);
		if (map == MAP_FAILED)
			FAIL("mmap: %s", strerror(errno));
		buf[0] = *(volatile char *)(map + 65536);
		got = drain(chan, evs, 4096);
		if (!hit_at(evs, got, st.st_ino, 65536))
			FAIL("%d events, no HIT at 65536 after touching its mapping", got);
		munmap(map, 131072);
		close(keep);
		return 0;
	}
	if (!strcmp(c, "wasted")) {
		int keep = open(file, O_RDONLY);
		long long wasted, hits, d_wasted, d_hits;
		char buf[16384];

		if (cmd(chan, MODELFS_CMD_EVICT, st.st_ino, 0, st.st_size) ||
		    cmd(chan, MODELFS_CMD_PREFETCH, st.st_ino, 0, 65536))
			FAIL("evict/prefetch: %s", strerror(errno));
		wait_prefetched(mnt);
		wasted = sysfs_stat(mnt, "wasted_pages");
		hits = sysfs_stat(mnt, "hits");
		/* 4 of the 16 prefetched pages are read, 12 go unread. */
		if (pread(keep, buf, sizeof(buf), 0) != sizeof(buf))
			FAIL("pread: %s", strerror(errno));
		if (cmd(chan, MODELFS_CMD_EVICT, st.st_ino, 0, 65536))
			FAIL("evict: %s", strerror(errno));
		d_wasted = sysfs_stat(mnt, "wasted_pages") - wasted;
		d_hits = sysfs_stat(mnt, "hits") - hits;
		close(keep);
		if (d_wasted != 12 || d_hits != 4)
			FAIL("wasted +%lld (wanted 12), hits +%lld (wanted 4)",
			     d_wasted, d_hits);
		return 0;
	}
	if (!strcmp(c, "setra")) {
		struct stat dir = stat_of(mnt);
		__u64 widest;
		int r;

		if ((r = cmd(chan, MODELFS_CMD_SET_RA, st.st_ino, 4096, 1 << 20)) != -EINVAL)
			FAIL("SET_RA with an offset: %d, wanted -EINVAL", r);
		if ((r = cmd(chan, MODELFS_CMD_SET_RA, st.st_ino, 0,
			     MODELFS_SET_RA_MAX + 1ULL)) != -EINVAL)
			FAIL("SET_RA over the maximum: %d, wanted -EINVAL", r);
		if ((r = cmd(chan, MODELFS_CMD_SET_RA, 987654321, 0, 1 << 20)) != -ENOENT)
			FAIL("SET_RA of an unknown ino: %d, wanted -ENOENT", r);
		if ((r = cmd(chan, MODELFS_CMD_SET_RA, dir.st_ino, 0, 1 << 20)) != -EISDIR)
			FAIL("SET_RA of a directory: %d, wanted -EISDIR", r);

		/* The lower is a ramdisk with the default 128 KiB window. */
		widest = widest_readahead(chan, file, evs);
		if (widest > 131072)
			FAIL("readahead of %llu bytes before any SET_RA",
			     (unsigned long long)widest);
		if (cmd(chan, MODELFS_CMD_SET_RA, st.st_ino, 0, 1 << 20))
			FAIL("SET_RA of the file: %s", strerror(errno));
		widest = widest_readahead(chan, file, evs);
		if (widest <= 131072 || widest > 1 << 20)
			FAIL("widest readahead %llu after SET_RA of 1 MiB",
			     (unsigned long long)widest);
		/* The file follows the mount again; the mount reads 2 MiB. */
		if (cmd(chan, MODELFS_CMD_SET_RA, st.st_ino, 0, 0) ||
		    cmd(chan, MODELFS_CMD_SET_RA, 0, 0, 2 << 20))
			FAIL("SET_RA back: %s", strerror(errno));
		widest = widest_readahead(chan, file, evs);
		cmd(chan, MODELFS_CMD_SET_RA, 0, 0, 0);
		if (widest <= 1 << 20 || widest > 2 << 20)
			FAIL("widest readahead %llu after SET_RA of the mount to 2 MiB",
			     (unsigned long long)widest);
		if (widest_readahead(chan, file, evs) > 131072)
			FAIL("the mount's window did not come back");
		return 0;
	}
	if (!strcmp(c, "fault")) {
		int keep = open(file, O_RDONLY), faults = 0;
		long page = sysconf(_SC_PAGESIZE);
		char *map;

		drop_caches("1");
		map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, keep, 0);
		if (map == MAP_FAILED)
			FAIL("mmap: %s", strerror(errno));
		drain(chan, evs, 4096);
		(void)*(volatile char *)(map + 2 * page);
		got = drain(chan, evs, 4096);
		for (i = 0; i < got; i++)
			if (evs[i].type == MODELFS_EV_FAULT &&
			    evs[i].ino == (__u64)st.st_ino &&
			    evs[i].off == (__u64)(2 * page) && evs[i].len == (__u64)page)
				faults++;
		munmap(map, st.st_size);
		if (faults != 1)
			FAIL("%d events, %d FAULT at page 2 (wanted 1)", got, faults);
		/* Mapped again, the page is cached: no FAULT. */
		map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, keep, 0);
		if (map == MAP_FAILED)
			FAIL("mmap: %s", strerror(errno));
		(void)*(volatile char *)(map + 2 * page);
		got = drain(chan, evs, 4096);
		for (i = 0; i < got; i++)
			if (evs[i].type == MODELFS_EV_FAULT)
				FAIL("FAULT at %llu on a cached page",
				     (unsigned long long)evs[i].off);
		munmap(map, st.st_size);
		close(keep);
		return 0;
	}
	if (!strcmp(c, "done")) {
		int keep = open(file, O_RDONLY), r, reads;
		char buf[65536];

		if ((r = cmd(chan, MODELFS_CMD_DONE, st.st_ino, 0, 4096)) != -EINVAL)
			FAIL("DONE with a length: %d, wanted -EINVAL", r);
		if ((r = cmd(chan, MODELFS_CMD_DONE, 987654321, 0, 0)) != -ENOENT)
			FAIL("DONE of an unknown ino: %d, wanted -ENOENT", r);
		if (cmd(chan, MODELFS_CMD_DONE, st.st_ino, 0, 0))
			FAIL("DONE: %s", strerror(errno));
		drop_caches("1");
		drain(chan, evs, 4096);
		while (read(keep, buf, sizeof(buf)) > 0)
			;
		got = drain(chan, evs, 4096);
		for (i = 0; i < got; i++)
			if (evs[i].ino == (__u64)st.st_ino)
				FAIL("event %u of the file after DONE", evs[i].type);
		close(keep);
		/* Opened again: its events come back. */
		drop_caches("1");
		read_all(file);
		got = drain(chan, evs, 4096);
		for (i = reads = 0; i < got; i++)
			if (evs[i].ino == (__u64)st.st_ino &&
			    (evs[i].type == MODELFS_EV_READAHEAD ||
			     evs[i].type == MODELFS_EV_MISS))
				reads++;
		if (!reads)
			FAIL("%d events, no read events after the file was opened again", got);
		return 0;
	}
	if (!strcmp(c, "umount")) {
		long long inflight;
		__u64 off;

		drop_caches("1");
		for (off = 0; off < (__u64)st.st_size; off += 1 << 20)
			if (cmd(chan, MODELFS_CMD_PREFETCH, st.st_ino, off, 1 << 20))
				FAIL("prefetch at %llu: %s", (unsigned long long)off,
				     strerror(errno));
		inflight = sysfs_stat(mnt, "prefetch_inflight");
		if (umount(mnt))
			FAIL("umount: %s", strerror(errno));
		/* The last reference to the superblock: kill_sb runs here. */
		close(chan);
		printf("prefetches in flight at umount: %lld\n", inflight);
		return 0;
	}
	fprintf(stderr, "unknown case %s\n", c);
	return 2;
}
