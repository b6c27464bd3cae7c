// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem_lib: libgmem (usr/lib/libgmem) on a kernel booted with gmem=on,
 * with gmem_sim's /dev/gmem_sim0 as the device. Exits 0 when every call
 * did what libgmem.h promises; prints one line per finding otherwise.
 *
 *   - gmemGetNumaId() is ENODEV until the process opens the device, and
 *     the device's hnid after
 *   - gmemAlloc() gives 2 MiB aligned memory, rounded up
 *   - CPU data survives gmemPrefetch() to the device and comes back
 *   - gmemPin() keeps a page on the device while the device evicts for
 *     room; after gmemUnpin() it may go, with its data
 *   - gmemFreeEager() frees whole logical pages only, to zeroes
 *   - gmemHmemcpy(-1, ...) copies every byte and nothing around them
 *   - gmemGetStats() counts what this process holds
 *   - gmemFree() unmaps; bad arguments are EINVAL
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/gmem_sim.h>

#include "libgmem.h"
#include "gmem_test.h"


/* @expr (an int call) fails with errno @e. */
#define expect_err(expr, e)                                                  \
	do {                                                                 \
		int ret_;                                                    \
		errno = 0;                                                   \
		ret_ = (expr);                                               \
		expect(ret_ == -1 && errno == (e), "%s: %d (%s), not %s",    \
		       #expr, ret_, strerror(errno), strerror(e));           \
	} while (0)

static int sim_fd = -1;

/* A CPU access to a page left pinned: say so rather than just die. */
static void on_sigbus(int sig)
{
	static const char msg[] = "SIGBUS: the CPU touched a pinned page\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(1);
}

static struct gmem_sim_info sim_info(void)
{
	struct gmem_sim_info info = { 0 };

	if (ioctl(sim_fd, GMEM_SIM_INFO, &info))
		printf("GMEM_SIM_INFO: %s\n", strerror(errno));
	return info;
}

/* Run a device kernel; its result (0 if it failed, with a finding). */
static uint64_t run(int op, void *va, size_t len, uint64_t value)
{
	struct gmem_sim_kernel k = {
		.op = op, .va = (uintptr_t)va, .len = len, .value = value,
	};

	if (ioctl(sim_fd, GMEM_SIM_RUN, &k)) {
		expect(0, "device op %d over %zu at %p: %s", op, len, va,
		       strerror(errno));
		return 0;
	}
	return k.result;
}

static uint64_t resident(void *va, size_t len)
{
	return run(GMEM_SIM_RESIDENT, va, len, 0);
}

/* The device's checksum of the pattern, without touching the memory. */
static uint64_t pat_sum(size_t len, uint64_t seed)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len / 8; i++)
		sum = (sum << 1 | sum >> 63) ^ pat64(seed, i);
	return sum;
}

static struct gmem_stats stats(void)
{
	struct gmem_stats st = { 0 };

	expect(!gmemGetStats(&st), "gmemGetStats: %s", strerror(errno));
	return st;
}

/* What the library refuses itself, before any device exists. */
static void bad_args(void)
{
	char buf[16];

	errno = 0;
	expect(!gmemAlloc(0) && errno == EINVAL, "gmemAlloc(0): %s",
	       strerror(errno));
	errno = 0;
	expect(!gmemAlloc(SIZE_MAX) && errno == EINVAL,
	       "gmemAlloc(SIZE_MAX): %s", strerror(errno));
	expect_err(gmemGetStats(NULL), EINVAL);
	expect_err(gmemPrefetch(0, LPAGE, 0, NULL), EINVAL);
	expect_err(gmemFreeEager(0, 1, NULL), EINVAL);
	expect_err(gmemPin(NULL, 1, 0), EINVAL);
	expect_err(gmemUnpin(NULL, 1, 0), EINVAL);
	expect_err(gmemAdvise(NULL, 1, 0, MADV_PREFETCH), EINVAL);
	expect_err(gmemHmemcpy(-1, NULL, buf, 1), EINVAL);
	expect_err(gmemHmemcpy(-1, buf, NULL, 1), EINVAL);
	expect_err(gmemFree(NULL, 1), EINVAL);
	expect(!gmemFree(NULL, 0), "gmemFree(NULL, 0): %s", strerror(errno));
}

/* What the kernel refuses, passed on as it is. */
static void kernel_refusals(char *p, int hnid)
{
	char *plain = malloc(2 * LPAGE);
	/* openEuler's calls take addresses as integers */
	unsigned long addr = (unsigned long)p;

	expect_err(gmemFree(p + 4096, LPAGE), EINVAL);
	/* the host is a target only for DONTNEED */
	expect_err(gmemPrefetch(addr, LPAGE, -1, NULL), EINVAL);
	expect_err(gmemPin(p, LPAGE, -1), EINVAL);
	expect_err(gmemPrefetch(addr, LPAGE, hnid + 100, NULL), EINVAL);
	expect_err(gmemAdvise(p, LPAGE, hnid, 0x7777), EINVAL);
	expect_err(gmemPrefetch((unsigned long)plain, 4096, hnid, NULL),
		   EINVAL);
	expect_err(gmemHmemcpy(-1, p, p + 100, 200), EINVAL);
	expect_err(gmemHmemcpy(-1, p, plain, 200), EINVAL);
	free(plain);
}

int main(void)
{
	struct gmem_sim_info info;
	struct gmem_stats st;
	size_t len = 3 * LPAGE, cap, n;
	unsigned long addr;
	char *p, *q, *r;
	int hnid, stream = 0, ret;
	long bad;

	/* unbuffered: the SIGBUS handler writes after the findings */
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGBUS, on_sigbus);
	bad_args();

	errno = 0;
	ret = gmemGetNumaId();
	expect(ret == -1 && errno == ENODEV,
	       "gmemGetNumaId without a device: %d (%s)", ret,
	       strerror(errno));
	sim_fd = open("/dev/gmem_sim0", O_RDWR | O_CLOEXEC);
	if (sim_fd < 0) {
		printf("open /dev/gmem_sim0: %s\n", strerror(errno));
		return 2;
	}
	info = sim_info();
	hnid = gmemGetNumaId();
	expect(hnid == info.hnid, "gmemGetNumaId: %d (%s), device has %d",
	       hnid, strerror(errno), info.hnid);
	hnid = info.hnid;
	cap = info.capacity;

	/* Rounded up: the last byte of the third logical page is ours. */
	p = gmemAlloc(len - 5);
	if (!p) {
		printf("gmemAlloc(%zu): %s\n", len - 5, strerror(errno));
		return 1;
	}
	expect(!((uintptr_t)p & (LPAGE - 1)), "gmemAlloc gave %p", p);
	addr = (unsigned long)p;	/* for openEuler's calls */
	fill64(p, len, 1);
	kernel_refusals(p, hnid);
	expect(check64(p, len, 1) < 0, "refused calls changed the data");

	/* CPU -> device -> CPU */
	expect(!gmemPrefetch(addr, len, hnid, NULL), "gmemPrefetch: %s",
	       strerror(errno));
	n = resident(p, len);
	expect(n == 3, "gmemPrefetch moved %zu of 3 pages", n);
	st = stats();
	expect(st.pages_device >= 3 && st.processes >= 1,
	       "gmemstat: pages_device %llu processes %llu",
	       st.pages_device, st.processes);
	expect(run(GMEM_SIM_CHECKSUM, p, len, 0) == pat_sum(len, 1),
	       "the device sees other data");
	bad = check64(p, len, 1);
	expect(bad < 0, "byte %ld lost on the way back", bad);
	n = resident(p, len);
	expect(n == 0, "CPU reads left %zu pages on the device", n);
	st = stats();
	expect(st.pages_cpu >= 3, "gmemstat: pages_cpu %llu", st.pages_cpu);

	/* Any start, as openEuler: the logical page holding it moves. */
	expect(!gmemPrefetch(addr + LPAGE + 1, 4096, hnid, NULL),
	       "gmemPrefetch from an unaligned start: %s", strerror(errno));
	n = resident(p, len);
	expect(n == 1 && resident(p + LPAGE, LPAGE) == 1,
	       "gmemPrefetch from an unaligned start moved %zu pages", n);
	expect(check64(p, len, 1) < 0, "data lost on the way back");

	/* A pinned page stays while the device makes room for others. */
	expect(!gmemPin(p, LPAGE, hnid), "gmemPin: %s", strerror(errno));
	expect(resident(p, LPAGE) == 1, "pinned page not on the device");
	q = gmemAlloc(cap);
	expect(q, "gmemAlloc(%zu): %s", cap, strerror(errno));
	if (q) {
		run(GMEM_SIM_FILL, q, cap, 0x5a);
		expect(resident(p, LPAGE) == 1, "pinned page evicted");
		expect(!gmemUnpin(p, LPAGE, hnid), "gmemUnpin: %s",
		       strerror(errno));
		/* Evictable again: the device's next pass pushes it out. */
		run(GMEM_SIM_FILL, q, cap, 0xa5);
		expect(resident(p, LPAGE) == 0, "unpinned page kept");
		expect(!gmemFree(q, cap), "gmemFree(q): %s", strerror(errno));
	} else {
		expect(!gmemUnpin(p, LPAGE, hnid), "gmemUnpin: %s",
		       strerror(errno));
	}
	/* Only touched now: a CPU read of a pinned page is SIGBUS. */
	if (!resident(p, LPAGE)) {
		bad = check64(p, len, 1);
		expect(bad < 0, "byte %ld lost by pinning", bad);
	}

	/* FreeEager frees only whole logical pages, on every side. */
	expect(!gmemPrefetch(addr + LPAGE, LPAGE, hnid, &stream),
	       "gmemPrefetch with a stream: %s", strerror(errno));
	expect(!gmemFreeEager(addr + 4096, LPAGE, NULL), "gmemFreeEager: %s",
	       strerror(errno));
	n = resident(p, len);
	expect(n == 1, "partial gmemFreeEager: %zu pages on the device", n);
	bad = check64(p, len, 1);
	expect(bad < 0, "partial gmemFreeEager lost byte %ld", bad);
	expect(!gmemPrefetch(addr + LPAGE, LPAGE, hnid, NULL),
	       "gmemPrefetch: %s", strerror(errno));
	expect(!gmemFreeEager(addr, len, &stream), "gmemFreeEager: %s",
	       strerror(errno));
	expect(resident(p, len) == 0, "freed pages left on the device");
	expect(run(GMEM_SIM_CHECKSUM, p, len, 0) == 0,
	       "the device reads freed pages as non-zero");
	for (size_t i = 0; i < len; i++)
		if (p[i]) {
			expect(0, "freed byte %zu is %d", i, p[i]);
			break;
		}

	/* The host copies every byte and nothing around them. */
	fill64(p, len, 5);
	r = gmemAlloc(2 * LPAGE);
	expect(r, "gmemAlloc(r): %s", strerror(errno));
	if (r) {
		n = LPAGE + 12345;
		expect(!gmemHmemcpy(-1, r + 3, p + 777, n),
		       "gmemHmemcpy: %s", strerror(errno));
		expect(!memcmp(r + 3, p + 777, n), "the copy differs");
		expect(!r[2] && !r[3 + n], "bytes around the copy changed");
		/* And on the device. */
		ret = gmemHmemcpy(hnid, r, p + LPAGE, 4096);
		expect(!ret && !memcmp(r, p + LPAGE, 4096),
		       "device gmemHmemcpy: %d (%s)", ret, strerror(errno));
		st = stats();
		expect(st.pages_cpu + st.pages_device + st.pages_nomap >= 5 &&
		       st.processes >= 1 &&
		       st.migrating <= st.pages_cpu + st.pages_device +
				       st.pages_nomap,
		       "gmemstat: migrating %llu processes %llu nomap %llu cpu %llu device %llu",
		       st.migrating, st.processes, st.pages_nomap,
		       st.pages_cpu, st.pages_device);
		expect(!gmemFree(r, 2 * LPAGE), "gmemFree(r): %s",
		       strerror(errno));
	}

	/* The same size as allocated: all of it goes. */
	expect(!gmemFree(p, len - 5), "gmemFree: %s", strerror(errno));
	errno = 0;
	expect(msync(p + len - 4096, 4096, MS_ASYNC) == -1 && errno == ENOMEM,
	       "the last page is still mapped after gmemFree (%s)",
	       strerror(errno));
	close(sim_fd);
	return failures ? 1 : 0;
}
