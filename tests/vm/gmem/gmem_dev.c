// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem_dev CASE: GMem with a device, gmem_sim's /dev/gmem_sim0. Each
 * case exits 0 when every byte and every count is right, and prints
 * what it saw otherwise.
 *
 *   info       the device has an hnid outside the CPU nodes, and
 *              GET_HNUMA_ID gives it to a process that opened it
 *   pingpong   CPU and device take turns writing chunks of every size
 *              from 1 byte to 3 logical pages; every byte survives
 *   states     NOMAP, CPU, DEVICE, pinned, prefetched and freed pages,
 *              seen from both sides (a CPU touch of a pinned page is
 *              SIGBUS)
 *   oversub N  N times the device memory, written by the CPU, summed
 *              and rewritten by the device, checked by the CPU
 *   lru        eviction takes the coldest page, not a re-used one
 *   munmap     a range unmapped while a device kernel works on it
 *   kill       a process killed while its device kernel runs gives
 *              its device memory back
 *   two        two processes on one device, sharing it 2x over
 *   threads    threads of one process fault one range from both sides
 *   fork       a child has none of the parent's device data, and
 *              cannot use the parent's open device
 *   bad        every bad device kernel and request is refused
 *   hmemcpy    the device copies, across logical pages, every byte;
 *              not for a process that did not open it
 *   pinclose   a pinned page comes home when its process closes the
 *              device; its slot, given to another process, stays that
 *              process's after the first one unmaps
 *   pinlimit   pinned device memory counts in VmPin, within
 *              RLIMIT_MEMLOCK for a process without CAP_IPC_LOCK
 *   memcg      GMem's page table is charged to the memory cgroup of the
 *              process that faults it
 *   prefetch   a PREFETCH of 1 TiB (each step evicting) ends on SIGKILL
 *   fillers    what fills page tables without GMem's fault hook is kept
 *              off peer-shared memory: MADV_COLLAPSE (and so
 *              khugepaged), userfaultfd, MADV_KEEPONFORK; 4 KiB faults
 *              (MADV_NOHUGEPAGE, THP "never") take a device page's data;
 *              a page pinned for DMA (io_uring fixed buffer) stays put
 *   unload     (tests/modules) pin one page and prefetch another, close
 *              the device, print "ready", wait for a line on stdin
 *              (gmem_sim is unloaded meanwhile): the data is all there,
 *              and the gone device's hnid is refused
 *   devices2   (tests/modules, gmem_sim devices=2) a page moves from one
 *              device to the other and back with its data; a page pinned
 *              on one is EBUSY to the other; each counts only its own
 *   remote     /proc/PID/mem and process_vm_readv read a device page's
 *              data; a pinned device page is an error, not zeroes
 *   swap       pages the CPU wrote and the kernel swapped out reach the
 *              device intact (needs a kernel with CONFIG_SWAP and swap
 *              on; the suite does not run it, see tests/vm/gmem/run)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/gmem_dev.h>
#include <linux/gmem_sim.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>

#include "gmem_test.h"

static int sim_open(void)
{
	int fd = open("/dev/gmem_sim0", O_RDWR);

	if (fd < 0) {
		printf("open /dev/gmem_sim0: %s\n", strerror(errno));
		exit(2);
	}
	return fd;
}

static struct gmem_sim_info sim_info(int fd)
{
	struct gmem_sim_info info = { 0 };

	if (ioctl(fd, GMEM_SIM_INFO, &info))
		printf("GMEM_SIM_INFO: %s\n", strerror(errno));
	return info;
}

/* Run a device kernel; its result, or -errno in *err. */
static uint64_t run(int fd, int op, void *va, size_t len, void *buf,
		    uint64_t value, int *err)
{
	struct gmem_sim_kernel k = {
		.op = op, .va = (uintptr_t)va, .len = len,
		.buf = (uintptr_t)buf, .value = value,
	};

	*err = ioctl(fd, GMEM_SIM_RUN, &k) ? -errno : 0;
	return k.result;
}

static int run_ok(int fd, int op, void *va, size_t len, void *buf,
		  uint64_t value)
{
	int err;

	run(fd, op, va, len, buf, value, &err);
	if (err)
		printf("device op %d over %zu at %p: %s\n", op, len, va,
		       strerror(-err));
	return err;
}

static uint64_t dev_sum(int fd, void *va, size_t len)
{
	int err;
	uint64_t sum = run(fd, GMEM_SIM_CHECKSUM, va, len, NULL, 0, &err);

	expect(!err, "checksum: %s", strerror(-err));
	return sum;
}

static uint64_t resident(int fd, void *va, size_t len)
{
	int err;

	return run(fd, GMEM_SIM_RESIDENT, va, len, NULL, 0, &err);
}

/* The device's checksum, computed by the CPU. */
static uint64_t cpu_sum(const void *p, size_t len)
{
	const uint64_t *w = p;
	uint64_t sum = 0;

	for (size_t i = 0; i < len / 8; i++)
		sum = (sum << 1 | sum >> 63) ^ w[i];
	return sum;
}

/* The same, of pattern @seed, without touching any mapping. */
static uint64_t cpu_sum_pat(uint64_t seed, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len / 8; i++)
		sum = (sum << 1 | sum >> 63) ^ pat64(seed, i);
	return sum;
}

static int hmadvise(int hnid, void *start, size_t len, int behavior)
{
	static int gfd = -1;
	struct hmadvise_arg arg = {
		.hnid = hnid, .start = (uintptr_t)start, .len_in = len,
		.behavior = behavior,
	};

	if (gfd < 0)
		gfd = open("/dev/gmem", O_RDWR);
	return ioctl(gfd, GMEM_MADVISE, &arg) ? -errno : 0;
}

static int case_info(void)
{
	int gfd = open("/dev/gmem", O_RDWR), hnid = -7, fd;
	struct gmem_hnid_arg ha = { .hnuma_id = &hnid };
	struct gmem_sim_info info;
	char possible[32] = "";
	FILE *f;

	expect(ioctl(gfd, GMEM_GET_HNUMA_ID, &ha) && errno == ENODEV,
	       "GET_HNUMA_ID before opening a device: %s", strerror(errno));
	fd = sim_open();
	info = sim_info(fd);
	f = fopen("/sys/devices/system/node/possible", "r");
	if (f && fgets(possible, sizeof(possible), f))
		possible[strcspn(possible, "\n")] = 0;
	if (f)
		fclose(f);
	/* The VM's nodes are 0-2: the device comes after them. */
	expect(!strcmp(possible, "0-2") && info.hnid == 3,
	       "nodes %s, device hnid %d", possible, info.hnid);
	expect(info.capacity >= LPAGE && info.capacity % LPAGE == 0,
	       "capacity %llu", (unsigned long long)info.capacity);
	expect(!ioctl(gfd, GMEM_GET_HNUMA_ID, &ha) && hnid == info.hnid,
	       "GET_HNUMA_ID: %d (%s)", hnid, strerror(errno));
	printf("hnid %d capacity %llu MiB\n", info.hnid,
	       (unsigned long long)info.capacity >> 20);
	close(fd);
	expect(ioctl(gfd, GMEM_GET_HNUMA_ID, &ha) && errno == ENODEV,
	       "GET_HNUMA_ID after closing: %s", strerror(errno));
	return failures;
}

/*
 * Chunks of @g bytes, in turn written by the device (even chunks) and
 * the CPU (odd ones), over 3 logical pages: every chunk size makes the
 * logical pages move back and forth.
 */
static void pingpong(int fd, uint8_t *p, uint8_t *want, size_t len, size_t g)
{
	uint8_t *buf = malloc(g);
	size_t off, n, k = 0;

	for (off = 0; off < len; off += g, k++) {
		n = g < len - off ? g : len - off;
		for (size_t i = 0; i < n; i++)
			want[off + i] = (uint8_t)(off + i + g + k * 131);
		if (k % 2) {
			memcpy(p + off, want + off, n);
		} else {
			memcpy(buf, want + off, n);
			if (run_ok(fd, GMEM_SIM_WRITE, p + off, n, buf, 0))
				failures++;
		}
		/* Bounded: at most 48 turns per chunk size. */
		if (k == 47 && off + g < len) {
			off += g;
			memcpy(p + off, want + off, len - off);
			break;
		}
	}
	for (size_t i = 0; i < len; i++)
		if (p[i] != want[i]) {
			expect(0, "chunk %zu: byte %zu is %d, not %d", g, i,
			       p[i], want[i]);
			break;
		}
	expect(dev_sum(fd, p, len) == cpu_sum(want, len),
	       "chunk %zu: device checksum differs", g);
	free(buf);
}

static int case_pingpong(void)
{
	static const size_t sizes[] = {
		1, 7, 4096, 3 * 4096 + 5, 65536, LPAGE - 1, LPAGE,
		LPAGE + 1, 3 * LPAGE,
	};
	size_t len = 3 * LPAGE;
	int fd = sim_open();
	uint8_t *p = peer_map(len), *want = malloc(len);
	struct gmem_sim_info before = sim_info(fd), after;

	/* Device reads of pages nobody wrote are zeroes. */
	memset(want, 0, len);
	expect(dev_sum(fd, p, len) == 0, "fresh pages not zero on device");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		pingpong(fd, p, want, len, sizes[i]);
	after = sim_info(fd);
	printf("moves to device %llu, to host %llu\n",
	       (unsigned long long)(after.to_dev - before.to_dev),
	       (unsigned long long)(after.to_host - before.to_host));
	expect(after.to_dev - before.to_dev >= 20 &&
	       after.to_host - before.to_host >= 20, "pages did not move");
	munmap(p, len);
	close(fd);
	return failures;
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, sig);
}

/* Does a CPU read of @p get SIGBUS? */
static bool cpu_read_faults(volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool bus = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1))
		bus = true;
	else
		(void)*p;
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

static int case_states(void)
{
	int fd = sim_open(), hnid = sim_info(fd).hnid;
	size_t len = 4 * LPAGE;
	uint8_t *p = peer_map(len);

	/* NOMAP: the device sees zeroes, and so does the CPU after it. */
	expect(dev_sum(fd, p, LPAGE) == 0, "NOMAP page not zero");
	expect(resident(fd, p, len) == 1, "resident %llu, not 1",
	       (unsigned long long)resident(fd, p, len));
	expect(p[12345] == 0, "device-zeroed page not zero on CPU");
	expect(resident(fd, p, len) == 0, "CPU touch left it on the device");

	/* CPU -> DEVICE -> CPU keeps data. */
	fill64(p, len, 11);
	expect(!hmadvise(hnid, p + 4096, LPAGE, MADV_PREFETCH),
	       "PREFETCH failed");
	/* Rounded outward: two logical pages. */
	expect(resident(fd, p, len) == 2, "prefetched %llu, not 2",
	       (unsigned long long)resident(fd, p, len));
	expect(check64(p, len, 11) < 0, "data lost by prefetch and back");
	expect(resident(fd, p, len) == 0, "CPU reads left pages on device");

	/* Pinned pages stay: the CPU gets SIGBUS, the data is kept. */
	expect(!hmadvise(hnid, p, LPAGE, MADV_PINNED), "PINNED failed");
	expect(resident(fd, p, LPAGE) == 1, "pinned page not on device");
	expect(cpu_read_faults(p + 100), "CPU read of pinned page worked");
	expect(!hmadvise(hnid, p, LPAGE, MADV_UNPINNED), "UNPINNED failed");
	expect(!cpu_read_faults(p + 100), "CPU read after unpin faulted");
	expect(check64(p, len, 11) < 0, "data lost by pinning");

	/* DONTNEED on the device drops only the device's copy. */
	expect(!hmadvise(hnid, p, 2 * LPAGE, MADV_PREFETCH), "PREFETCH 2");
	expect(!hmadvise(hnid, p, LPAGE, MADV_DONTNEED), "DONTNEED on dev");
	expect(resident(fd, p, len) == 1, "device copy not dropped");
	expect(p[0] == 0 && p[LPAGE - 1] == 0, "dropped page not zero");
	expect(check64_range(p, LPAGE, 2 * LPAGE, 11) < 0,
	       "the page beside it lost data");
	/* DONTNEED -1 frees it everywhere. */
	expect(!hmadvise(-1, p, len, MADV_DONTNEED), "DONTNEED -1");
	expect(resident(fd, p, len) == 0, "pages left on device");
	expect(dev_sum(fd, p, len) == 0, "freed pages not zero");
	expect(sim_info(fd).used == len, "device holds %llu, not all 4",
	       (unsigned long long)sim_info(fd).used);
	munmap(p, len);
	expect(sim_info(fd).used == 0, "munmap left %llu on device",
	       (unsigned long long)sim_info(fd).used);
	close(fd);
	return failures;
}

static int case_oversub(int factor)
{
	int fd = sim_open();
	struct gmem_sim_info info = sim_info(fd), after;
	size_t len = info.capacity * factor;
	uint8_t *p = peer_map(len);
	long bad;

	fill64(p, len, 21);
	expect(dev_sum(fd, p, len) == cpu_sum(p, len),
	       "device checksum of CPU data differs");
	/* The device rewrites all of it, page by page, evicting as it goes. */
	for (size_t off = 0; off < len; off += LPAGE)
		if (run_ok(fd, GMEM_SIM_FILL, p + off, LPAGE, NULL,
			   (off / LPAGE) & 0xff))
			failures++;
	for (size_t off = 0; off < len; off += LPAGE) {
		for (size_t i = 0; i < LPAGE; i += 4096)
			if (p[off + i] != ((off / LPAGE) & 0xff) ||
			    p[off + i + 4095] != ((off / LPAGE) & 0xff)) {
				expect(0, "page %zu byte %zu: %d", off / LPAGE,
				       i, p[off + i]);
				off = len;
				break;
			}
	}
	/* And the CPU's rewrite goes to the device and back again. */
	fill64(p, len, 22);
	expect(dev_sum(fd, p, len) == cpu_sum(p, len),
	       "second device checksum differs");
	bad = check64(p, len, 22);
	expect(bad < 0, "byte %ld lost", bad);
	after = sim_info(fd);
	printf("%dx: %zu MiB over %llu MiB: %llu evictions\n", factor,
	       len >> 20, (unsigned long long)info.capacity >> 20,
	       (unsigned long long)(after.evicted - info.evicted));
	expect(after.evicted - info.evicted >= len / LPAGE,
	       "too few evictions");
	munmap(p, len);
	close(fd);
	return failures;
}

static int case_lru(void)
{
	int fd = sim_open(), hnid = sim_info(fd).hnid;
	size_t cap = sim_info(fd).capacity / LPAGE, len = (cap + 1) * LPAGE;
	uint8_t *p = peer_map(len);

	/* Fill the device in order: page 0 is the coldest... */
	for (size_t i = 0; i < cap; i++)
		dev_sum(fd, p + i * LPAGE, 8);
	expect(resident(fd, p, len) == cap, "resident %llu of %zu",
	       (unsigned long long)resident(fd, p, len), cap);
	/* ...until it is used again; page 1 is the coldest then. */
	expect(!hmadvise(hnid, p, LPAGE, MADV_PREFETCH), "PREFETCH");
	dev_sum(fd, p + cap * LPAGE, 8);
	expect(resident(fd, p, LPAGE) == 1, "re-used page 0 was evicted");
	expect(resident(fd, p + LPAGE, LPAGE) == 0, "page 1 was kept");
	expect(resident(fd, p + cap * LPAGE, LPAGE) == 1, "new page absent");
	/* A pinned page is never the victim. */
	expect(!hmadvise(hnid, p + 2 * LPAGE, LPAGE, MADV_PINNED), "PINNED");
	dev_sum(fd, p + LPAGE, 8);
	expect(resident(fd, p + 2 * LPAGE, LPAGE) == 1, "pinned page went");
	expect(resident(fd, p + 3 * LPAGE, LPAGE) == 0, "page 3 was kept");
	munmap(p, len);
	close(fd);
	return failures;
}

struct worker {
	int fd;
	uint8_t *p;
	size_t len;
	int err;
};

static void *filler(void *arg)
{
	struct worker *w = arg;

	/* Until the range is gone: each round moves every page. */
	for (int round = 0; round < 50 && !w->err; round++)
		run(w->fd, GMEM_SIM_FILL, w->p, w->len, NULL, round, &w->err);
	return NULL;
}

static int case_munmap(void)
{
	int fd = sim_open();
	struct worker w = { .fd = fd };
	pthread_t th;

	w.len = 2 * sim_info(fd).capacity;
	w.p = peer_map(w.len);
	pthread_create(&th, NULL, filler, &w);
	/* Wait until the device has started, then pull the range away. */
	while (!resident(fd, w.p, w.len) && !w.err)
		usleep(1000);
	expect(!munmap(w.p, w.len), "munmap: %s", strerror(errno));
	pthread_join(th, NULL);
	expect(w.err == -EFAULT, "device kernel ended with %d", w.err);
	expect(sim_info(fd).used == 0, "device holds %llu after munmap",
	       (unsigned long long)sim_info(fd).used);
	close(fd);
	return failures;
}

static int case_kill(void)
{
	int fd = sim_open(), status;
	pid_t pid = fork();

	if (pid == 0) {
		int cfd = sim_open(), err = 0;
		size_t len = 3 * sim_info(cfd).capacity;
		uint8_t *p = peer_map(len);

		for (;;)
			run(cfd, GMEM_SIM_FILL, p, len, NULL, 1, &err);
	}
	/* Let it work with the device full, then kill it mid-kernel. */
	while (sim_info(fd).used < sim_info(fd).capacity)
		usleep(1000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	expect(WIFSIGNALED(status), "child was not killed");
	expect(sim_info(fd).used == 0, "device holds %llu after the kill",
	       (unsigned long long)sim_info(fd).used);
	close(fd);
	return failures;
}

static int case_two(void)
{
	int fd = sim_open(), status[2];
	size_t len = sim_info(fd).capacity;
	pid_t pid[2];

	close(fd);
	/* Each process alone fills the device; together they share it. */
	for (int c = 0; c < 2; c++) {
		pid[c] = fork();
		if (pid[c] == 0) {
			int cfd = sim_open();
			uint64_t *buf = malloc(len);
			uint8_t *p = peer_map(len);
			long bad;

			for (int round = 0; round < 3; round++) {
				fill64(buf, len, 100 + c * 10 + round);
				if (run_ok(cfd, GMEM_SIM_WRITE, p, len, buf, 0))
					_exit(1);
				bad = check64(p, len, 100 + c * 10 + round);
				if (bad >= 0) {
					printf("process %d round %d: byte %ld\n",
					       c, round, bad);
					_exit(1);
				}
			}
			_exit(0);
		}
	}
	for (int c = 0; c < 2; c++) {
		waitpid(pid[c], &status[c], 0);
		expect(WIFEXITED(status[c]) && !WEXITSTATUS(status[c]),
		       "process %d failed", c);
	}
	fd = sim_open();
	expect(sim_info(fd).used == 0, "device holds %llu after both",
	       (unsigned long long)sim_info(fd).used);
	close(fd);
	return failures;
}

#define NR_THREADS 6
#define BLOCK 8192

static uint8_t *shared;
static size_t shared_len;
static int shared_fd;

/* Thread t owns every NR_THREADS-th block: device and CPU by turns. */
static void *fault_thread(void *arg)
{
	long t = (long)arg;
	uint8_t buf[BLOCK];
	int err = 0, k = 0;

	for (size_t off = t * BLOCK; off < shared_len;
	     off += NR_THREADS * BLOCK, k++) {
		memset(buf, (int)(t + 1), BLOCK);
		if (k % 2)
			memcpy(shared + off, buf, BLOCK);
		else
			run(shared_fd, GMEM_SIM_WRITE, shared + off, BLOCK,
			    buf, 0, &err);
		if (err)
			return (void *)(long)err;
	}
	return NULL;
}

static int case_threads(void)
{
	pthread_t th[NR_THREADS];
	void *ret;

	shared_fd = sim_open();
	shared_len = 4 * LPAGE;
	shared = peer_map(shared_len);
	for (long t = 0; t < NR_THREADS; t++)
		pthread_create(&th[t], NULL, fault_thread, (void *)t);
	for (int t = 0; t < NR_THREADS; t++) {
		pthread_join(th[t], &ret);
		expect(!ret, "thread %d: %s", t, strerror(-(int)(long)ret));
	}
	for (size_t off = 0; off < shared_len; off += BLOCK) {
		int want = (int)(off / BLOCK % NR_THREADS) + 1;

		if (shared[off] != want || shared[off + BLOCK - 1] != want) {
			expect(0, "block at %zu is %d, not %d", off,
			       shared[off], want);
			break;
		}
	}
	munmap(shared, shared_len);
	close(shared_fd);
	return failures;
}

static int case_fork(void)
{
	int fd = sim_open(), status;
	size_t len = 2 * LPAGE;
	uint8_t *p = peer_map(len);
	pid_t pid;

	fill64(p, len, 31);
	expect(!run_ok(fd, GMEM_SIM_FILL, p, LPAGE, NULL, 0x5a), "fill");
	pid = fork();
	if (pid == 0) {
		int err, cfd;

		/* The parent's device is not the child's. */
		run(fd, GMEM_SIM_FILL, p, LPAGE, NULL, 1, &err);
		if (err != -EINVAL) {
			printf("child used the parent's fd: %d\n", err);
			_exit(1);
		}
		cfd = sim_open();
		for (size_t i = 0; i < len; i += 4096)
			if (p[i]) {
				printf("child inherited byte %zu\n", i);
				_exit(1);
			}
		if (dev_sum(cfd, p, len) != 0)
			_exit(1);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	expect(WIFEXITED(status) && !WEXITSTATUS(status), "child failed");
	expect(p[0] == 0x5a && p[LPAGE - 1] == 0x5a, "parent device data lost");
	expect(check64_range(p, LPAGE, len, 31) < 0, "parent host data lost");
	munmap(p, len);
	close(fd);
	return failures;
}

static void bad_run(int fd, const char *what, struct gmem_sim_kernel k,
		    int want)
{
	int got = ioctl(fd, GMEM_SIM_RUN, &k) ? errno : 0;

	expect(got == want, "%s: %s, not %s", what, strerror(got),
	       strerror(want));
}

static int case_bad(void)
{
	int fd = sim_open(), hnid = sim_info(fd).hnid, gfd, status;
	uint8_t *p = peer_map(LPAGE);
	uint8_t *plain = mmap(NULL, LPAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gmem_sim_kernel ok = {
		.op = GMEM_SIM_FILL, .va = (uintptr_t)p, .len = 4096,
	}, k;
	struct hmemcpy_arg hc = {
		.hnid = hnid, .dest = (uintptr_t)p, .src = (uintptr_t)p + MIB,
		.size = 4096,
	};

	fill64(p, LPAGE, 41);
	k = ok, k.op = 99;
	bad_run(fd, "unknown op", k, EINVAL);
	k = ok, k.pad = 1;
	bad_run(fd, "pad set", k, EINVAL);
	k = ok, k.len = 0;
	bad_run(fd, "length 0", k, EINVAL);
	k = ok, k.len = UINT64_MAX;
	bad_run(fd, "wrapping length", k, EINVAL);
	k = ok, k.value = 256;
	bad_run(fd, "fill value 256", k, EINVAL);
	k = ok, k.op = GMEM_SIM_CHECKSUM, k.va += 3;
	bad_run(fd, "unaligned checksum", k, EINVAL);
	k = ok, k.va = (uintptr_t)plain;
	bad_run(fd, "a plain mapping", k, EFAULT);
	k = ok, k.va = 4096;
	bad_run(fd, "unmapped", k, EFAULT);
	k = ok, k.op = GMEM_SIM_WRITE, k.buf = 8;
	bad_run(fd, "write from a bad buffer", k, EFAULT);
	/* Copying it would move the page it works on, back and forth. */
	k = ok, k.op = GMEM_SIM_WRITE, k.buf = k.va + LPAGE / 2;
	bad_run(fd, "write from the logical page written", k, EINVAL);
	k.op = GMEM_SIM_READ;
	bad_run(fd, "read into the logical page read", k, EINVAL);
	k.buf = UINT64_MAX - 16;
	bad_run(fd, "a wrapping buffer", k, EINVAL);
	expect(ioctl(fd, GMEM_SIM_RUN, (void *)8) && errno == EFAULT,
	       "RUN bad pointer: %s", strerror(errno));
	expect(ioctl(fd, GMEM_SIM_INFO, (void *)8) && errno == EFAULT,
	       "INFO bad pointer: %s", strerror(errno));
	expect(ioctl(fd, _IO(GMEM_SIM_MAGIC, 9)) && errno == ENOTTY,
	       "unknown ioctl: %s", strerror(errno));
	expect(hmadvise(hnid, plain, LPAGE, MADV_PREFETCH) == -EINVAL,
	       "PREFETCH of a plain mapping");
	expect(hmadvise(hnid + 1, p, LPAGE, MADV_PREFETCH) == -EINVAL,
	       "PREFETCH to no device");
	/* A device the process has not opened is not its device. */
	if (fork() == 0)
		_exit(hmadvise(hnid, p, LPAGE, MADV_PREFETCH) != -EINVAL);
	expect(wait(&status) > 0 && WIFEXITED(status) && !WEXITSTATUS(status),
	       "PREFETCH to a device not opened");
	hc.hnid = hnid + 1;
	gfd = open("/dev/gmem", O_RDWR);
	expect(ioctl(gfd, GMEM_HMEMCPY, &hc) && errno == EINVAL,
	       "hmemcpy on no device: %s", strerror(errno));
	close(gfd);
	expect(resident(fd, p, LPAGE) == 0, "refusals moved data");
	/* Reading faults the page in before the copy out fails. */
	k = ok, k.op = GMEM_SIM_READ, k.buf = 8;
	bad_run(fd, "read to a bad buffer", k, EFAULT);
	expect(check64(p, LPAGE, 41) < 0, "refusals changed data");
	/* The whole address space, and its last logical page: no wrap. */
	expect(!hmadvise(hnid, p, LPAGE, MADV_PREFETCH), "PREFETCH failed");
	k = ok, k.op = GMEM_SIM_RESIDENT, k.va = 0, k.len = UINT64_MAX;
	expect(!ioctl(fd, GMEM_SIM_RUN, &k) && k.result == 1,
	       "RESIDENT over everything: %s, %llu", strerror(errno),
	       (unsigned long long)k.result);
	k.va = UINT64_MAX - LPAGE + 1, k.len = LPAGE - 1;
	expect(!ioctl(fd, GMEM_SIM_RUN, &k) && k.result == 0,
	       "RESIDENT of the last page: %s, %llu", strerror(errno),
	       (unsigned long long)k.result);
	/* Any start, as openEuler: the logical page holding it moves. */
	munmap(p, LPAGE);
	p = peer_map(LPAGE);
	expect(!hmadvise(hnid, p + 12345, 100, MADV_PREFETCH) &&
	       resident(fd, p, LPAGE) == 1, "PREFETCH from an unaligned start");
	munmap(p, LPAGE);
	munmap(plain, LPAGE);
	close(fd);
	return failures;
}

/* A "Vm*" field of /proc/self/status (@field with its colon), in KiB. */
static long status_kb(const char *field)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	size_t n = strlen(field);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n))
			sscanf(line + n, "%ld kB", &kb);
	if (f)
		fclose(f);
	return kb;
}

/* The pinned memory of this process (VmPin), in KiB. */
#define vm_pin()	status_kb("VmPin:")

/* Wait for one byte on @fd (the other side got this far). */
static void sync_wait(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		exit(3);
}

static void sync_post(int fd)
{
	if (write(fd, "x", 1) != 1)
		exit(3);
}

/*
 * A pins a page and closes the device; V gets the device slot A's page
 * had; A unmaps its page. V's page must stay V's, and A's data must be
 * back on the host, readable.
 */
static int case_pinclose(void)
{
	int fd = sim_open(), hnid = sim_info(fd).hnid, to_v[2], to_a[2];
	uint8_t *p = peer_map(LPAGE);
	int status;
	pid_t v;

	fill64(p, LPAGE, 61);
	expect(!hmadvise(hnid, p, LPAGE, MADV_PINNED), "PINNED failed");
	expect(resident(fd, p, LPAGE) == 1, "the pinned page is not on the device");
	close(fd);
	fd = sim_open();
	expect(sim_info(fd).used == 0, "closing left %llu bytes on the device",
	       (unsigned long long)sim_info(fd).used);
	if (pipe(to_v) || pipe(to_a))
		return 2;
	v = fork();
	if (v == 0) {
		int vfd = sim_open();
		uint8_t *q = peer_map(LPAGE);

		fill64(q, LPAGE, 62);
		if (hmadvise(hnid, q, LPAGE, MADV_PREFETCH) ||
		    resident(vfd, q, LPAGE) != 1)
			_exit(4);
		sync_post(to_a[1]);
		sync_wait(to_v[0]);
		/* Still on the device, with V's data, seen by both sides. */
		if (resident(vfd, q, LPAGE) != 1)
			_exit(5);
		if (dev_sum(vfd, q, LPAGE) != cpu_sum_pat(62, LPAGE))
			_exit(6);
		_exit(check64(q, LPAGE, 62) < 0 ? 0 : 7);
	}
	sync_wait(to_a[0]);
	munmap(p, LPAGE);
	sync_post(to_v[1]);
	expect(waitpid(v, &status, 0) == v && WIFEXITED(status) &&
	       !WEXITSTATUS(status), "the other process's page: status %#x",
	       status);
	p = peer_map(LPAGE);
	fill64(p, LPAGE, 63);
	expect(!hmadvise(hnid, p, LPAGE, MADV_PINNED), "PINNED again failed");
	close(fd);
	/* Back on the host, the data intact: no SIGBUS, no other's bytes. */
	expect(check64(p, LPAGE, 63) < 0, "data lost on closing");
	munmap(p, LPAGE);
	return failures;
}

/*
 * A user without CAP_IPC_LOCK pins within RLIMIT_MEMLOCK; pinned pages
 * count in VmPin until unpinned or freed.
 */
static int case_pinlimit(void)
{
	struct rlimit rl = { .rlim_cur = LPAGE, .rlim_max = LPAGE };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd, hnid;
		uint8_t *p;

		if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(65534) ||
		    setuid(65534)) {
			printf("cannot become nobody: %s\n", strerror(errno));
			_exit(2);
		}
		fd = sim_open();
		hnid = sim_info(fd).hnid;
		p = peer_map(3 * LPAGE);
		fill64(p, 3 * LPAGE, 64);
		expect(!hmadvise(hnid, p, LPAGE, MADV_PINNED), "first PINNED");
		expect(vm_pin() == LPAGE / 1024, "VmPin %ld kB", vm_pin());
		expect(hmadvise(hnid, p + LPAGE, LPAGE, MADV_PINNED) == -ENOMEM,
		       "a second pinned page past RLIMIT_MEMLOCK");
		expect(hmadvise(hnid, p, LPAGE, MADV_PINNED) == 0,
		       "pinning the pinned page again");
		expect(vm_pin() == LPAGE / 1024, "VmPin %ld kB after repin",
		       vm_pin());
		expect(!hmadvise(hnid, p, LPAGE, MADV_UNPINNED), "UNPINNED");
		expect(vm_pin() == 0, "VmPin %ld kB unpinned", vm_pin());
		expect(!hmadvise(hnid, p + LPAGE, LPAGE, MADV_PINNED),
		       "pinning once the first is unpinned");
		/* Freeing a pinned page gives its share back. */
		expect(!hmadvise(-1, p + LPAGE, LPAGE, MADV_DONTNEED),
		       "DONTNEED of a pinned page");
		expect(vm_pin() == 0, "VmPin %ld kB freed", vm_pin());
		expect(!hmadvise(hnid, p + 2 * LPAGE, LPAGE, MADV_PINNED),
		       "pinning once the second is freed");
		munmap(p, 3 * LPAGE);
		expect(vm_pin() == 0, "VmPin %ld kB unmapped", vm_pin());
		close(fd);
		_exit(failures);
	}
	expect(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status), "as nobody: status %#x", status);
	return failures;
}

/* memory.current of the cgroup at @dir, or -1. */
static long memcg_current(const char *dir)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static bool write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fputs(s, f) >= 0;

	return f && !fclose(f) && ok;
}

/*
 * In a memory cgroup of its own, a process faults N logical pages and
 * drops their data each time (MADV_DONTNEED keeps the logical page):
 * what stays is GMem's page table, which its cgroup must pay for.
 */
static int case_memcg(void)
{
	const char *cg = "/sys/fs/cgroup/gmem-memcg";
	const size_t n = 1000;
	char pid[32];
	long before, after;
	uint8_t *p;

	mkdir(cg, 0755);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (!write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory") ||
	    !write_file("/sys/fs/cgroup/gmem-memcg/cgroup.procs", pid)) {
		printf("cannot join %s: %s\n", cg, strerror(errno));
		return 2;
	}
	p = mmap(NULL, n * LPAGE, PROT_READ | PROT_WRITE,
		 PEER | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	before = memcg_current(cg);
	for (size_t i = 0; i < n; i++) {
		p[i * LPAGE] = 1;
		madvise(p + i * LPAGE, LPAGE, MADV_DONTNEED);
	}
	after = memcg_current(cg);
	printf("memory.current %ld -> %ld for %zu logical pages\n", before,
	       after, n);
	/* A gm_mapping is over 100 bytes; its xarray slot comes on top. */
	expect(after - before >= (long)(n * 100),
	       "GMem's page table is not charged to the cgroup");
	munmap(p, n * LPAGE);
	write_file("/sys/fs/cgroup/cgroup.procs", pid);
	rmdir(cg);
	return failures;
}

/*
 * PREFETCH of 1 TiB: each step past the device's memory evicts. A
 * SIGKILL ends it (the bound only guards the suite against a hang).
 */
static int case_prefetch(void)
{
	int fd = sim_open(), status = 0, to_p[2];
	pid_t pid;
	int tries;

	if (pipe(to_p))
		return 2;
	pid = fork();
	if (pid == 0) {
		int cfd = sim_open(), hnid = sim_info(cfd).hnid;
		size_t len = 1UL << 40;
		uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  PEER | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			_exit(2);
		sync_post(to_p[1]);
		hmadvise(hnid, p, len, MADV_PREFETCH);
		_exit(3);
	}
	sync_wait(to_p[0]);
	/* Once the device is full, every step of the prefetch evicts. */
	while (sim_info(fd).used < sim_info(fd).capacity &&
	       waitpid(pid, &status, WNOHANG) == 0)
		usleep(1000);
	kill(pid, SIGKILL);
	for (tries = 0; tries < 1200; tries++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100 * 1000);
	}
	expect(tries < 1200, "a SIGKILLed PREFETCH did not end");
	expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "the prefetching child ended with status %#x", status);
	expect(sim_info(fd).used == 0, "device holds %llu after the kill",
	       (unsigned long long)sim_info(fd).used);
	close(fd);
	return failures;
}

static int dev_hmemcpy(int hnid, void *dest, const void *src, size_t n)
{
	static int gfd = -1;
	struct hmemcpy_arg arg = {
		.hnid = hnid, .dest = (uintptr_t)dest, .src = (uintptr_t)src,
		.size = n,
	};

	if (gfd < 0)
		gfd = open("/dev/gmem", O_RDWR);
	return ioctl(gfd, GMEM_HMEMCPY, &arg) ? -errno : 0;
}

static int case_hmemcpy(void)
{
	int fd = sim_open(), hnid = sim_info(fd).hnid, ret, status;
	size_t len = 4 * LPAGE, off = 12345, n = 2 * LPAGE + 777;
	uint8_t *a = peer_map(len), *b = peer_map(len);
	uint8_t *want = malloc(len);

	fill64(a, len, 61);
	fill64(b, len, 62);
	fill64(want, len, 62);
	/* Odd offsets and size: the pieces cross logical pages unevenly. */
	memcpy(want + off + 4096, a + off, n);
	ret = dev_hmemcpy(hnid, b + off + 4096, a + off, n);
	expect(!ret, "device hmemcpy: %s", strerror(-ret));
	expect(resident(fd, b + off + 4096, n) >= 2, "copy not on device");
	expect(!memcmp(b, want, len), "device copy differs");
	expect(check64(a, len, 61) < 0, "source changed");
	expect(dev_hmemcpy(hnid, a + LPAGE, a, 2 * LPAGE) == -EINVAL,
	       "overlapping device copy");
	/* A device serves only the processes that opened it. */
	if (fork() == 0)
		_exit(dev_hmemcpy(hnid, a, b, 4096) != -EINVAL);
	expect(wait(&status) > 0 && WIFEXITED(status) && !WEXITSTATUS(status),
	       "device copy by a process that did not open it");
	munmap(a, len);
	munmap(b, len);
	close(fd);
	return failures;
}


static int case_swap(void)
{
	int fd = sim_open();
	size_t len = 4 * LPAGE;
	uint8_t *p = peer_map(len);
	void *want = malloc(len);

	fill64(p, len, 51);
	fill64(want, len, 51);
	expect(!madvise(p, len, MADV_PAGEOUT), "MADV_PAGEOUT: %s",
	       strerror(errno));
	/* Without this the test would prove nothing. */
	expect(status_kb("VmSwap:") >= 1024, "only %ld KiB swapped out",
	       status_kb("VmSwap:"));
	expect(dev_sum(fd, p, len) == cpu_sum(want, len),
	       "swapped-out data reached the device wrong");
	expect(check64(p, len, 51) < 0, "data lost on the way back");
	munmap(p, len);
	close(fd);
	return failures;
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

/* userfaultfd's MISSING registration of [p, p + len): 0 or -errno. */
static int uffd_register(void *p, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)p, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	int ret;

	if (uffd < 0)
		return -errno;
	ret = ioctl(uffd, UFFDIO_API, &api) ||
	      ioctl(uffd, UFFDIO_REGISTER, &reg) ? -errno : 0;
	close(uffd);
	return ret;
}

/* An io_uring with [p, p + len) pinned as its fixed buffer, or -errno. */
static int uring_pin(void *p, size_t len)
{
	struct io_uring_params params = { 0 };
	struct iovec iov = { .iov_base = p, .iov_len = len };
	int ring = syscall(__NR_io_uring_setup, 4, &params);

	if (ring < 0)
		return -errno;
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		    &iov, 1)) {
		int err = -errno;

		close(ring);
		return err;
	}
	return ring;
}

static int case_fillers(void)
{
	int fd = sim_open(), hnid = sim_info(fd).hnid, err, ring;
	char thp[64] = "", *mode, *end;
	size_t len = 2 * LPAGE;
	uint8_t *p = peer_map(len), *anon;
	FILE *f;

	/*
	 * A device round trip, then one 4 KiB fault: the other 511 base
	 * pages' data waits in host pages for their faults. A collapse
	 * would map zeroes over it.
	 */
	fill64(p, len, 61);
	expect(!hmadvise(hnid, p, len, MADV_PREFETCH), "PREFETCH");
	expect(!madvise(p, len, MADV_NOHUGEPAGE), "NOHUGEPAGE: %s",
	       strerror(errno));
	expect(check64_range(p, 4096, 8192, 61) < 0, "4 KiB fault lost data");
	expect(!madvise(p, len, MADV_HUGEPAGE), "HUGEPAGE: %s",
	       strerror(errno));
	expect(madvise(p, len, MADV_COLLAPSE) && errno == EINVAL,
	       "MADV_COLLAPSE of peer-shared memory not EINVAL (%s)",
	       strerror(errno));
	expect(check64(p, len, 61) < 0, "data lost after MADV_COLLAPSE");

	/* THP off: every fault is 4 KiB, each takes its part. */
	f = fopen(THP_ENABLED, "r");
	mode = f && fgets(thp, sizeof(thp), f) ? strchr(thp, '[') : NULL;
	end = mode ? strchr(mode, ']') : NULL;
	if (f)
		fclose(f);
	expect(end, "no THP mode in " THP_ENABLED);
	if (end) {
		*end = 0;
		expect(write_file(THP_ENABLED, "never"), "THP never");
		expect(!hmadvise(hnid, p, len, MADV_PREFETCH), "PREFETCH 2");
		expect(check64(p, len, 61) < 0, "data lost with THP never");
		expect(write_file(THP_ENABLED, mode + 1), "THP back to %s",
		       mode + 1);
	}

	/* userfaultfd works on plain memory, not on peer-shared memory. */
	anon = mmap(NULL, LPAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	err = uffd_register(anon, LPAGE);
	expect(!err, "userfaultfd on plain memory: %s", strerror(-err));
	err = uffd_register(p, len);
	expect(err == -EINVAL, "userfaultfd on peer-shared memory: %s",
	       strerror(-err));

	/* The child's copy would miss what GMem holds off the PTEs. */
	expect(madvise(p, len, MADV_KEEPONFORK) && errno == EINVAL,
	       "MADV_KEEPONFORK not EINVAL (%s)", strerror(errno));
	expect(!madvise(anon, LPAGE, MADV_KEEPONFORK), "KEEPONFORK plain");
	expect(!madvise(p, len, MADV_WIPEONFORK), "WIPEONFORK: %s",
	       strerror(errno));

	/* A fixed buffer is DMA-pinned: its pages stay where the DMA is. */
	ring = uring_pin(p, LPAGE);
	expect(ring >= 0, "io_uring fixed buffer: %s", strerror(-ring));
	if (ring >= 0) {
		expect(hmadvise(hnid, p, LPAGE, MADV_PREFETCH) == -EBUSY,
		       "PREFETCH of a DMA-pinned page not EBUSY");
		run(fd, GMEM_SIM_CHECKSUM, p, LPAGE, NULL, 0, &err);
		expect(err == -EBUSY, "device fault on a DMA-pinned page: %s",
		       strerror(-err));
		expect(resident(fd, p, len) == 0, "DMA-pinned page moved");
		/* The page beside it is free to go. */
		expect(!hmadvise(hnid, p + LPAGE, LPAGE, MADV_PREFETCH),
		       "PREFETCH beside a pinned page");
		expect(!syscall(__NR_io_uring_register, ring,
				IORING_UNREGISTER_BUFFERS, NULL, 0),
		       "unregister: %s", strerror(errno));
		expect(!hmadvise(hnid, p, LPAGE, MADV_PREFETCH),
		       "PREFETCH after the unpin");
		expect(resident(fd, p, len) == 2, "unpinned page did not move");
		close(ring);
	}
	expect(check64(p, len, 61) < 0, "data lost around the DMA pin");
	munmap(anon, LPAGE);
	munmap(p, len);
	close(fd);
	return failures;
}

static int case_remote(void)
{
	int fd = sim_open(), hnid = sim_info(fd).hnid, mem;
	size_t len = LPAGE;
	uint8_t *p = peer_map(len), *buf = malloc(len);
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = p, .iov_len = len };
	ssize_t n;

	fill64(p, len, 71);
	mem = open("/proc/self/mem", O_RDONLY);
	expect(mem >= 0, "/proc/self/mem: %s", strerror(errno));

	expect(!hmadvise(hnid, p, len, MADV_PREFETCH), "PREFETCH");
	memset(buf, 0, len);
	n = pread(mem, buf, len, (off_t)(uintptr_t)p);
	expect(n == (ssize_t)len, "/proc/self/mem read %zd", n);
	expect(check64(buf, len, 71) < 0, "/proc/self/mem data wrong");

	expect(!hmadvise(hnid, p, len, MADV_PREFETCH), "PREFETCH 2");
	memset(buf, 0, len);
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	expect(n == (ssize_t)len, "process_vm_readv %zd (%s)", n,
	       strerror(errno));
	expect(check64(buf, len, 71) < 0, "process_vm_readv data wrong");

	/* Pinned on the device: the CPU side cannot have it. */
	expect(!hmadvise(hnid, p, len, MADV_PINNED), "PINNED");
	n = pread(mem, buf, 4096, (off_t)(uintptr_t)p);
	expect(n < 0 && errno == EIO, "pinned page via /proc/self/mem: %zd",
	       n);
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	expect(n < 0 && errno == EFAULT,
	       "pinned page via process_vm_readv: %zd", n);
	expect(!hmadvise(hnid, p, len, MADV_UNPINNED), "UNPINNED");
	expect(check64(p, len, 71) < 0, "data lost after remote reads");
	close(mem);
	free(buf);
	munmap(p, len);
	close(fd);
	return failures;
}

static int case_devices2(void)
{
	int fd0 = sim_open(), fd1 = open("/dev/gmem_sim1", O_RDWR), err;
	int hnid0 = sim_info(fd0).hnid, hnid1;
	size_t len = 2 * LPAGE;
	uint8_t *p = peer_map(len);

	if (fd1 < 0) {
		printf("open /dev/gmem_sim1: %s\n", strerror(errno));
		return 1;
	}
	hnid1 = sim_info(fd1).hnid;
	expect(hnid0 != hnid1, "both devices are hnid %d", hnid0);
	fill64(p, len, 91);
	expect(!hmadvise(hnid0, p, len, MADV_PREFETCH), "PREFETCH to 0");
	expect(resident(fd0, p, len) == 2, "not on device 0");
	/* Device 1's fault takes the page from device 0. */
	expect(dev_sum(fd1, p, LPAGE) == cpu_sum_pat(91, LPAGE),
	       "device 1 read device 0's page wrong");
	expect(resident(fd0, p, len) == 1 && resident(fd1, p, len) == 1,
	       "device 0 has %llu, device 1 %llu, not 1 and 1",
	       (unsigned long long)resident(fd0, p, len),
	       (unsigned long long)resident(fd1, p, len));
	expect(!hmadvise(hnid1, p + LPAGE, LPAGE, MADV_PREFETCH),
	       "PREFETCH from 0 to 1");
	expect(resident(fd1, p, len) == 2, "not both on device 1");
	expect(!hmadvise(hnid0, p, LPAGE, MADV_PINNED), "PINNED on 0");
	run(fd1, GMEM_SIM_CHECKSUM, p, LPAGE, NULL, 0, &err);
	expect(err == -EBUSY, "device 1 took a page pinned on 0: %s",
	       strerror(-err));
	expect(hmadvise(hnid1, p, LPAGE, MADV_PREFETCH) == -EBUSY,
	       "PREFETCH of a page pinned on the other device");
	expect(!hmadvise(hnid0, p, LPAGE, MADV_UNPINNED), "UNPINNED");
	expect(check64(p, len, 91) < 0, "data lost between devices");
	expect(resident(fd0, p, len) + resident(fd1, p, len) == 0,
	       "CPU reads left pages on a device");
	munmap(p, len);
	expect(sim_info(fd0).used == 0 && sim_info(fd1).used == 0,
	       "munmap left device memory in use");
	close(fd1);
	close(fd0);
	return failures;
}

static int case_unload(void)
{
	int fd = sim_open(), hnid = sim_info(fd).hnid;
	size_t len = 2 * LPAGE;
	uint8_t *p = peer_map(len);
	char line[16];

	fill64(p, len, 81);
	expect(!hmadvise(hnid, p, LPAGE, MADV_PINNED), "PINNED");
	expect(!hmadvise(hnid, p + LPAGE, LPAGE, MADV_PREFETCH), "PREFETCH");
	close(fd);
	printf("ready\n");
	if (!fgets(line, sizeof(line), stdin))
		printf("no go line\n");
	expect(check64(p, len, 81) < 0, "data lost across the unload");
	expect(hmadvise(hnid, p, len, MADV_PREFETCH) == -EINVAL,
	       "PREFETCH to the unloaded device's hnid %d not EINVAL", hnid);
	munmap(p, len);
	return failures;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(c, "info"))
		return case_info();
	if (!strcmp(c, "pingpong"))
		return case_pingpong();
	if (!strcmp(c, "states"))
		return case_states();
	if (!strcmp(c, "oversub") && argc > 2)
		return case_oversub(atoi(argv[2]));
	if (!strcmp(c, "lru"))
		return case_lru();
	if (!strcmp(c, "munmap"))
		return case_munmap();
	if (!strcmp(c, "kill"))
		return case_kill();
	if (!strcmp(c, "two"))
		return case_two();
	if (!strcmp(c, "threads"))
		return case_threads();
	if (!strcmp(c, "fork"))
		return case_fork();
	if (!strcmp(c, "bad"))
		return case_bad();
	if (!strcmp(c, "swap"))
		return case_swap();
	if (!strcmp(c, "pinclose"))
		return case_pinclose();
	if (!strcmp(c, "pinlimit"))
		return case_pinlimit();
	if (!strcmp(c, "memcg"))
		return case_memcg();
	if (!strcmp(c, "prefetch"))
		return case_prefetch();
	if (!strcmp(c, "hmemcpy"))
		return case_hmemcpy();
	if (!strcmp(c, "fillers"))
		return case_fillers();
	if (!strcmp(c, "remote"))
		return case_remote();
	if (!strcmp(c, "unload"))
		return case_unload();
	if (!strcmp(c, "devices2"))
		return case_devices2();
	fprintf(stderr, "usage: gmem_dev CASE (see the source)\n");
	return 2;
}
