// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem_api CASE: GMem's user API on a kernel booted with gmem=on. Each
 * case exits 0 when the kernel did what it should, and prints what it
 * saw otherwise.
 *
 *   mmap     MAP_PEER_SHARED mappings: 2 MiB aligned, "ps" in smaps;
 *            every refused combination is EINVAL and maps nothing
 *   munmap   cuts (munmap, mprotect, mlock, madvise) inside a peer-shared
 *            mapping only
 *            at 2 MiB; mremap is refused; refusals leave the data
 *   dontneed hmadvise DONTNEED (hnid -1) frees whole logical pages only
 *   ioctl    every bad /dev/gmem request gets its errno, changes nothing
 *   hmemcpy  host hmemcpy copies every byte; bad copies are refused
 *   fork     the child has the mapping but none of its contents
 *   threads  threads faulting one range at once: one logical page each
 *   touch N  map N logical pages, write them, print gmemstat, exit
 *   off      (gmem off) the flag is ignored, as v6.6 ignores it
 *
 * Counts come from /proc/gmemstat, which covers every process: the
 * suite runs nothing else that uses GMem meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/gmem_dev.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gmem_test.h"

/* Lines in /proc/self/maps: a refused mmap must not add one. */
static int nr_maps(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n;
}

/* The VmFlags line of the smaps entry that starts at @addr. */
static bool vmflags_of(void *addr, char *flags, size_t size)
{
	char line[512], want[32];
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want)))
			in = true;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, size, "%s", line + 8);
			fclose(f);
			return true;
		}
	}
	if (f)
		fclose(f);
	return false;
}

static bool has_flag(const char *flags, const char *flag)
{
	char padded[8];

	snprintf(padded, sizeof(padded), " %s ", flag);
	return strstr(flags, padded) != NULL;
}

/* Byte i of the pattern that @seed names. */
static uint8_t pat(unsigned long seed, size_t i)
{
	return (uint8_t)((i * 2654435761UL) >> 7 ^ seed);
}

static void fill(void *p, size_t len, unsigned long seed)
{
	for (size_t i = 0; i < len; i++)
		((uint8_t *)p)[i] = pat(seed, i);
}

/* Offset of the first byte in [from, to) of @p off the pattern, or -1. */
static long check_range(const void *p, size_t from, size_t to,
			unsigned long seed)
{
	for (size_t i = from; i < to; i++)
		if (((const uint8_t *)p)[i] != pat(seed, i))
			return (long)i;
	return -1;
}

static long check_pat(const void *p, size_t len, unsigned long seed)
{
	return check_range(p, 0, len, seed);
}

static bool all_zero(const void *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (((const uint8_t *)p)[i])
			return false;
	return true;
}

/* mmap that must fail with EINVAL and map nothing. */
static void refused_mmap(const char *what, void *addr, size_t len, int flags,
			 int fd)
{
	int before = nr_maps();
	void *p = mmap(addr, len, PROT_READ | PROT_WRITE, flags, fd, 0);

	expect(p == MAP_FAILED && errno == EINVAL, "%s: got %p, %s", what, p,
	       p == MAP_FAILED ? strerror(errno) : "mapped");
	if (p != MAP_FAILED)
		munmap(p, len);
	expect(nr_maps() == before, "%s: maps changed", what);
}

static int case_mmap(void)
{
	char flags[512] = "", *hole, *aligned;
	void *p, *q;
	int fd;

	p = peer_map(4 * MIB);
	expect((uintptr_t)p % LPAGE == 0, "%p is not 2 MiB aligned", p);
	expect(vmflags_of(p, flags, sizeof(flags)), "no smaps entry at %p", p);
	expect(has_flag(flags, "ps"), "VmFlags lack ps:%s", flags);
	expect(has_flag(flags, "wf"), "VmFlags lack wf:%s", flags);
	fill(p, 4 * MIB, 1);
	expect(check_pat(p, 4 * MIB, 1) < 0, "data not kept");

	/* A hint is rounded up to a logical page. */
	hole = mmap(NULL, 16 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	munmap(hole, 16 * MIB);
	aligned = (char *)(((uintptr_t)hole + LPAGE - 1) & ~(LPAGE - 1));
	q = mmap(hole + 4096, 2 * MIB, PROT_READ | PROT_WRITE, PEER,
		 -1, 0);
	expect(q != MAP_FAILED && (uintptr_t)q % LPAGE == 0,
	       "hinted mapping at %p", q);
	if (q != MAP_FAILED)
		munmap(q, 2 * MIB);

	/* MAP_FIXED at a logical page boundary works. */
	q = mmap(aligned, 2 * MIB, PROT_READ | PROT_WRITE, PEER | MAP_FIXED_NOREPLACE,
		 -1, 0);
	expect(q != MAP_FAILED, "aligned MAP_FIXED: %s", strerror(errno));
	if (q != MAP_FAILED)
		munmap(q, 2 * MIB);

	refused_mmap("length not whole 2 MiB", NULL, 2 * MIB + 4096, PEER, -1);
	refused_mmap("length 1 MiB", NULL, MIB, PEER, -1);
	refused_mmap("MAP_FIXED off 2 MiB", aligned + 4096, 2 * MIB,
		     PEER | MAP_FIXED_NOREPLACE, -1);
	refused_mmap("MAP_SHARED", NULL, 2 * MIB,
		     MAP_SHARED | MAP_ANONYMOUS | MAP_PEER_SHARED, -1);
	refused_mmap("MAP_SHARED_VALIDATE", NULL, 2 * MIB,
		     MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1);
	refused_mmap("MAP_HUGETLB", NULL, 2 * MIB, PEER | MAP_HUGETLB, -1);
	refused_mmap("MAP_GROWSDOWN", NULL, 2 * MIB, PEER | MAP_GROWSDOWN, -1);
	fd = open("/dev/zero", O_RDWR);
	refused_mmap("a file", NULL, 2 * MIB,
		     MAP_PRIVATE | MAP_PEER_SHARED, fd);
	close(fd);

	expect(check_pat(p, 4 * MIB, 1) < 0, "data changed by refusals");
	expect(!munmap(p, 4 * MIB), "munmap: %s", strerror(errno));
	return failures;
}

static int case_munmap(void)
{
	long cpu0 = gmemstat("pages_cpu");
	char *p = peer_map(6 * MIB), *q;

	fill(p, 6 * MIB, 2);
	expect(gmemstat("pages_cpu") == cpu0 + 3, "pages_cpu %ld, was %ld",
	       gmemstat("pages_cpu"), cpu0);

	expect(munmap(p + 4096, 2 * MIB) && errno == EINVAL,
	       "munmap at +4 KiB: %s", strerror(errno));
	expect(munmap(p, 4096) && errno == EINVAL,
	       "munmap of 4 KiB: %s", strerror(errno));
	expect(munmap(p - 4096, 2 * MIB + 4096) && errno == EINVAL,
	       "munmap from below, ending off 2 MiB: %s", strerror(errno));
	q = mremap(p, 6 * MIB, 8 * MIB, MREMAP_MAYMOVE);
	expect(q == MAP_FAILED && errno == EINVAL, "mremap grow: %s",
	       q == MAP_FAILED ? strerror(errno) : "moved");
	q = mremap(p, 6 * MIB, 4 * MIB + 4096, 0);
	expect(q == MAP_FAILED && errno == EINVAL, "mremap shrink off 2 MiB: %s",
	       q == MAP_FAILED ? strerror(errno) : "shrunk");
	q = mmap(p + 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_FIXED, -1, 0);
	expect(q == MAP_FAILED && errno == EINVAL, "MAP_FIXED into it: %s",
	       q == MAP_FAILED ? strerror(errno) : "mapped");
	/* A logical page lies in one VMA: no split inside one. */
	expect(mprotect(p + 4096, 4096, PROT_READ) && errno == EINVAL,
	       "mprotect of 4 KiB: %s", strerror(errno));
	expect(mlock(p + 4096, 4096) && errno == EINVAL,
	       "mlock of 4 KiB: %s", strerror(errno));
	expect(madvise(p + 4096, 4096, MADV_NOHUGEPAGE) && errno == EINVAL,
	       "MADV_NOHUGEPAGE of 4 KiB: %s", strerror(errno));
	expect(!mprotect(p + 2 * MIB, 2 * MIB, PROT_READ),
	       "mprotect of a logical page: %s", strerror(errno));
	expect(!mprotect(p + 2 * MIB, 2 * MIB, PROT_READ | PROT_WRITE),
	       "mprotect back: %s", strerror(errno));
	expect(check_pat(p, 6 * MIB, 2) < 0, "data changed by refusals");

	/* The middle logical page goes, and with it its entry. */
	expect(!munmap(p + 2 * MIB, 2 * MIB), "aligned munmap: %s",
	       strerror(errno));
	expect(gmemstat("pages_cpu") == cpu0 + 2, "pages_cpu %ld after munmap",
	       gmemstat("pages_cpu"));
	expect(check_pat(p, 2 * MIB, 2) < 0, "first page changed");
	expect(check_range(p, 4 * MIB, 6 * MIB, 2) < 0, "last page changed");
	munmap(p, 6 * MIB);
	expect(gmemstat("pages_cpu") == cpu0, "pages_cpu %ld at the end",
	       gmemstat("pages_cpu"));
	return failures;
}

static int hmadvise(int fd, int hnid, void *start, size_t len, int behavior)
{
	struct hmadvise_arg arg = {
		.hnid = hnid,
		.start = (unsigned long)start,
		.len_in = len,
		.behavior = behavior,
	};

	return ioctl(fd, GMEM_MADVISE, &arg) ? -errno : 0;
}

static int case_dontneed(void)
{
	int fd = open("/dev/gmem", O_RDWR);
	char *p = peer_map(6 * MIB);
	long cpu0 = gmemstat("pages_cpu");

	fill(p, 6 * MIB, 3);
	expect(gmemstat("pages_cpu") == cpu0 + 3, "pages_cpu %ld, was %ld",
	       gmemstat("pages_cpu"), cpu0);

	/* Rounded inward: only the middle page is wholly inside. */
	expect(!hmadvise(fd, -1, p + 4096, 4 * MIB, MADV_DONTNEED),
	       "DONTNEED failed");
	expect(check_pat(p, 2 * MIB, 3) < 0, "first page lost data");
	expect(all_zero(p + 2 * MIB, 2 * MIB), "middle page kept data");
	expect(check_range(p, 4 * MIB, 6 * MIB, 3) < 0, "last page lost data");
	/* It was forgotten, then touched again by all_zero(). */
	expect(gmemstat("pages_cpu") == cpu0 + 3, "pages_cpu %ld",
	       gmemstat("pages_cpu"));

	expect(!hmadvise(fd, -1, p, 6 * MIB, MADV_DONTNEED), "DONTNEED all");
	expect(gmemstat("pages_cpu") == cpu0, "pages_cpu %ld after all",
	       gmemstat("pages_cpu"));
	expect(all_zero(p, 6 * MIB), "data left after DONTNEED of all");
	munmap(p, 6 * MIB);
	close(fd);
	return failures;
}

/* An hmadvise that must fail with @err and leave the data alone. */
static void bad_hmadvise(int fd, const char *what, int hnid, void *start,
			 size_t len, int behavior, char *data, int err)
{
	int ret = hmadvise(fd, hnid, start, len, behavior);

	expect(ret == -err, "%s: got %d (%s)", what, ret, strerror(-ret));
	expect(check_pat(data, 4 * MIB, 4) < 0, "%s changed the data", what);
}

static int case_ioctl(void)
{
	int fd = open("/dev/gmem", O_RDWR), hnid = 7;
	struct gmem_hnid_arg ha = { .hnuma_id = &hnid };
	char *p = peer_map(4 * MIB);
	char *plain = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	expect(fd >= 0, "open /dev/gmem: %s", strerror(errno));
	fill(p, 4 * MIB, 4);
	fill(plain, 4 * MIB, 4);

	/* No device has attached to this process. */
	expect(ioctl(fd, GMEM_GET_HNUMA_ID, &ha) && errno == ENODEV,
	       "GET_HNUMA_ID: %s", strerror(errno));
	expect(hnid == 7, "GET_HNUMA_ID wrote %d", hnid);
	expect(ioctl(fd, GMEM_GET_HNUMA_ID, (void *)8) && errno == EFAULT,
	       "GET_HNUMA_ID bad pointer: %s", strerror(errno));

	bad_hmadvise(fd, "PREFETCH to the host", -1, p, 2 * MIB,
		     MADV_PREFETCH, p, EINVAL);
	bad_hmadvise(fd, "PREFETCH to a CPU node", 0, p, 2 * MIB,
		     MADV_PREFETCH, p, EINVAL);
	bad_hmadvise(fd, "PREFETCH to no device", 9, p, 2 * MIB,
		     MADV_PREFETCH, p, EINVAL);
	bad_hmadvise(fd, "PINNED on the host", -1, p, 2 * MIB, MADV_PINNED, p,
		     EINVAL);
	bad_hmadvise(fd, "UNPINNED on no device", 9, p, 2 * MIB,
		     MADV_UNPINNED, p, EINVAL);
	bad_hmadvise(fd, "DONTNEED on no device", 5, p, 2 * MIB,
		     MADV_DONTNEED, p, EINVAL);
	bad_hmadvise(fd, "hnid -2", -2, p, 2 * MIB, MADV_DONTNEED, p, EINVAL);
	bad_hmadvise(fd, "unknown behaviour", -1, p, 2 * MIB, 0x1003, p,
		     EINVAL);
	bad_hmadvise(fd, "MADV_WILLNEED", -1, p, 2 * MIB, MADV_WILLNEED, p,
		     EINVAL);
	/* Any start, as openEuler: rounded inward, this frees no page. */
	expect(!hmadvise(fd, -1, p + 1, 2 * MIB, MADV_DONTNEED),
	       "DONTNEED from a start off a page refused");
	bad_hmadvise(fd, "past the mapping", -1, p, 6 * MIB, MADV_DONTNEED,
		     p, EINVAL);
	bad_hmadvise(fd, "wrapping length", -1, p, (size_t)-4096,
		     MADV_DONTNEED, p, EINVAL);
	bad_hmadvise(fd, "a plain mapping", -1, plain, 4 * MIB,
		     MADV_DONTNEED, p, EINVAL);
	expect(check_pat(plain, 4 * MIB, 4) < 0, "plain mapping changed");
	bad_hmadvise(fd, "unmapped", -1, (void *)4096, 2 * MIB, MADV_DONTNEED,
		     p, EINVAL);
	expect(!hmadvise(fd, -1, p, 0, MADV_DONTNEED), "length 0 refused");
	expect(ioctl(fd, GMEM_MADVISE, (void *)8) && errno == EFAULT,
	       "MADVISE bad pointer: %s", strerror(errno));
	expect(ioctl(fd, _IOW(GMEM_MAGIC, 9, int), &hnid) && errno == ENOTTY,
	       "unknown ioctl: %s", strerror(errno));
	expect(check_pat(p, 4 * MIB, 4) < 0, "data changed");
	munmap(p, 4 * MIB);
	munmap(plain, 4 * MIB);
	close(fd);
	return failures;
}

static int hmemcpy(int fd, int hnid, void *dest, const void *src, size_t n)
{
	struct hmemcpy_arg arg = {
		.hnid = hnid,
		.dest = (unsigned long)dest,
		.src = (unsigned long)src,
		.size = n,
	};

	return ioctl(fd, GMEM_HMEMCPY, &arg) ? -errno : 0;
}

static int case_hmemcpy(void)
{
	int fd = open("/dev/gmem", O_RDWR), ret;
	char *a = peer_map(4 * MIB), *b = peer_map(4 * MIB);
	char *plain = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	fill(a, 4 * MIB, 5);
	fill(b, 4 * MIB, 6);
	fill(plain, 2 * MIB, 6);

	/* Odd sizes and offsets: every byte lands, nothing around it. */
	ret = hmemcpy(fd, -1, b + 12345, a + 777, 3 * MIB + 3);
	expect(!ret, "hmemcpy: %s", strerror(-ret));
	expect(!memcmp(b + 12345, a + 777, 3 * MIB + 3), "copy differs");
	expect(check_pat(b, 12345, 6) < 0, "bytes before the copy changed");
	expect(((uint8_t *)b)[12345 + 3 * MIB + 3] ==
	       pat(6, 12345 + 3 * MIB + 3), "byte after the copy changed");
	fill(b, 4 * MIB, 6);

	ret = hmemcpy(fd, 9, b, a, MIB);
	expect(ret == -EINVAL, "hnid 9: %d", ret);
	ret = hmemcpy(fd, -1, a + MIB, a, 2 * MIB);
	expect(ret == -EINVAL, "overlap: %d", ret);
	ret = hmemcpy(fd, -1, b, plain, MIB);
	expect(ret == -EINVAL, "from a plain mapping: %d", ret);
	ret = hmemcpy(fd, -1, plain, a, MIB);
	expect(ret == -EINVAL, "to a plain mapping: %d", ret);
	/* a and b may have merged into one VMA: go past the higher one. */
	ret = hmemcpy(fd, -1, (a > b ? a : b) + 3 * MIB, a < b ? a : b,
		      2 * MIB);
	expect(ret == -EINVAL, "past the end: %d", ret);
	ret = hmemcpy(fd, -1, b, (void *)-4096UL, 8192);
	expect(ret == -EINVAL, "wrapping source: %d", ret);
	ret = hmemcpy(fd, -1, b, a, 0);
	expect(!ret, "size 0: %d", ret);
	expect(check_pat(b, 4 * MIB, 6) < 0, "refused copies changed dest");
	expect(check_pat(plain, 2 * MIB, 6) < 0, "plain mapping changed");
	expect(check_pat(a, 4 * MIB, 5) < 0, "source changed");
	munmap(a, 4 * MIB);
	munmap(b, 4 * MIB);
	munmap(plain, 2 * MIB);
	close(fd);
	return failures;
}

static int case_fork(void)
{
	char *p = peer_map(4 * MIB), flags[512] = "";
	int status;
	pid_t pid;

	fill(p, 4 * MIB, 7);
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		if (!vmflags_of(p, flags, sizeof(flags)) ||
		    !has_flag(flags, "ps")) {
			printf("child: no peer-shared mapping at %p\n", p);
			bad = 1;
		}
		if (!all_zero(p, 4 * MIB)) {
			printf("child: inherited data\n");
			bad = 1;
		}
		fill(p, 4 * MIB, 8);
		if (check_pat(p, 4 * MIB, 8) >= 0)
			bad = 1;
		_exit(bad);
	}
	expect(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status), "child failed");
	expect(check_pat(p, 4 * MIB, 7) < 0, "parent data changed");
	munmap(p, 4 * MIB);
	return failures;
}

#define NR_THREADS 8
#define THREAD_PAGES 4

static char *shared;

/* Every thread writes its own bytes of every logical page. */
static void *toucher(void *arg)
{
	long t = (long)arg;

	for (size_t pg = 0; pg < THREAD_PAGES; pg++)
		for (size_t off = t * 4096; off < LPAGE;
		     off += NR_THREADS * 4096)
			memset(shared + pg * LPAGE + off, (int)(t + 1), 4096);
	return NULL;
}

static int case_threads(void)
{
	long cpu0 = gmemstat("pages_cpu");
	pthread_t th[NR_THREADS];

	shared = peer_map(THREAD_PAGES * LPAGE);
	for (long t = 0; t < NR_THREADS; t++)
		pthread_create(&th[t], NULL, toucher, (void *)t);
	for (int t = 0; t < NR_THREADS; t++)
		pthread_join(th[t], NULL);
	for (size_t i = 0; i < THREAD_PAGES * LPAGE; i += 4096) {
		int want = (int)((i % LPAGE) / 4096 % NR_THREADS) + 1;

		if (shared[i] != want || shared[i + 4095] != want) {
			expect(0, "byte %zu is %d, not %d", i, shared[i], want);
			break;
		}
	}
	expect(gmemstat("pages_cpu") == cpu0 + THREAD_PAGES,
	       "pages_cpu %ld, was %ld", gmemstat("pages_cpu"), cpu0);
	munmap(shared, THREAD_PAGES * LPAGE);
	return failures;
}

static int case_touch(long n)
{
	char *p = peer_map(n * LPAGE);

	fill(p, n * LPAGE, 9);
	printf("processes %ld pages_cpu %ld\n", gmemstat("processes"),
	       gmemstat("pages_cpu"));
	return 0;
}

/* With gmem off, MAP_PEER_SHARED means nothing, as in v6.6. */
static int case_off(void)
{
	char flags[512] = "";
	char *p = mmap(NULL, MIB + 4096, PROT_READ | PROT_WRITE, PEER, -1, 0);

	expect(p != MAP_FAILED, "mmap: %s", strerror(errno));
	if (p == MAP_FAILED)
		return failures;
	fill(p, MIB + 4096, 10);
	expect(check_pat(p, MIB + 4096, 10) < 0, "data not kept");
	expect(vmflags_of(p, flags, sizeof(flags)), "no smaps entry");
	expect(!has_flag(flags, "ps") && !has_flag(flags, "wf"),
	       "VmFlags:%s", flags);
	expect(!munmap(p + 4096, 4096), "munmap: %s", strerror(errno));
	munmap(p, MIB + 4096);
	return failures;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(c, "mmap"))
		return case_mmap();
	if (!strcmp(c, "munmap"))
		return case_munmap();
	if (!strcmp(c, "dontneed"))
		return case_dontneed();
	if (!strcmp(c, "ioctl"))
		return case_ioctl();
	if (!strcmp(c, "hmemcpy"))
		return case_hmemcpy();
	if (!strcmp(c, "fork"))
		return case_fork();
	if (!strcmp(c, "threads"))
		return case_threads();
	if (!strcmp(c, "off"))
		return case_off();
	if (!strcmp(c, "touch") && argc > 2)
		return case_touch(atol(argv[2]));
	fprintf(stderr, "usage: gmem_api CASE (see the source)\n");
	return 2;
}
