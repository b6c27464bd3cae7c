// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem_bench: a device kernel streaming over a working set of 0.5x, 1x,
 * 2x and 3x the device's memory, on GMem (gmem_sim, which faults,
 * migrates and evicts by itself) and on HMM (test_hmm's dmirror, where
 * the same moves are made with migrate_vma: a logical page goes to the
 * device before the device reads it, and the oldest goes back to the
 * host when the device holds as much as gmem_sim can). The device
 * memory is the same: gmem_sim's capacity.
 *
 * Each run writes the working set from the CPU (not timed), then times
 * PASSES passes of device reads of it, 2 MiB at a time, into a host
 * buffer. Every chunk read is checked against what the CPU wrote. It
 * prints throughputs and the ratio GMem / HMM; it judges nothing.
 *
 * test_hmm's MIGRATE_TO_DEV also copies what it migrated out to the
 * caller (for its selftests to verify): HMM's figures carry that copy,
 * 2 MiB per migration in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/gmem_sim.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_PEER_SHARED
#define MAP_PEER_SHARED 0x8000000
#endif

/* test_hmm's ioctls (lib/test_hmm_uapi.h, not exported by the kernel). */
struct hmm_dmirror_cmd {
	uint64_t addr;
	uint64_t ptr;
	uint64_t npages;
	uint64_t cpages;
	uint64_t faults;
};

#define HMM_DMIRROR_READ		_IOWR('H', 0x00, struct hmm_dmirror_cmd)
#define HMM_DMIRROR_MIGRATE_TO_DEV	_IOWR('H', 0x02, struct hmm_dmirror_cmd)
#define HMM_DMIRROR_MIGRATE_TO_SYS	_IOWR('H', 0x03, struct hmm_dmirror_cmd)

#define CHUNK (2UL << 20)
#define PASSES 3

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t word_of(size_t chunk, size_t word)
{
	return (chunk + 1) * 0x9e3779b97f4a7c15ULL ^ word;
}

static void cpu_write(uint64_t *p, size_t len)
{
	for (size_t c = 0; c < len / CHUNK; c++)
		for (size_t w = 0; w < CHUNK / 8; w++)
			p[c * (CHUNK / 8) + w] = word_of(c, w);
}

/* Did the device read chunk @c right? Checks every 512th word. */
static bool chunk_ok(const uint64_t *buf, size_t c)
{
	for (size_t w = 0; w < CHUNK / 8; w += 512)
		if (buf[w] != word_of(c, w))
			return false;
	return buf[CHUNK / 8 - 1] == word_of(c, CHUNK / 8 - 1);
}

static void *map(size_t len, int extra)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/* MiB/s of device reads over @len on GMem; -1 on a wrong byte. */
static double run_gmem(int fd, size_t len, uint64_t *buf, uint64_t *evicted)
{
	uint64_t *p = map(len, MAP_PEER_SHARED);
	struct gmem_sim_info before, after;
	struct gmem_sim_kernel k = { .op = GMEM_SIM_READ, .len = CHUNK };
	double t0, t;

	cpu_write(p, len);
	ioctl(fd, GMEM_SIM_INFO, &before);
	k.buf = (uintptr_t)buf;
	t0 = now();
	for (int pass = 0; pass < PASSES; pass++)
		for (size_t c = 0; c < len / CHUNK; c++) {
			k.va = (uintptr_t)p + c * CHUNK;
			if (ioctl(fd, GMEM_SIM_RUN, &k) || !chunk_ok(buf, c)) {
				fprintf(stderr, "gmem: chunk %zu: %s\n", c,
					strerror(errno));
				return -1;
			}
		}
	t = now() - t0;
	ioctl(fd, GMEM_SIM_INFO, &after);
	*evicted = after.evicted - before.evicted;
	munmap(p, len);
	return (double)len * PASSES / (1 << 20) / t;
}

static int dmirror(int fd, unsigned long cmd, void *addr, void *ptr)
{
	struct hmm_dmirror_cmd c = {
		.addr = (uintptr_t)addr, .ptr = (uintptr_t)ptr,
		.npages = CHUNK / 4096,
	};

	return ioctl(fd, cmd, &c);
}

/*
 * The same on HMM. The device holds at most @cap chunks; the oldest
 * goes back to the host to make room (for a stream, oldest is
 * coldest).
 */
static double run_hmm(int fd, size_t len, size_t cap, uint64_t *buf,
		      uint64_t *evicted)
{
	size_t n = len / CHUNK, head = 0, nres = 0, c;
	uint64_t *p = map(len, 0);
	bool *on_dev = calloc(n, sizeof(*on_dev));
	size_t *fifo = calloc(n, sizeof(*fifo));
	double t0, t;

	cpu_write(p, len);
	*evicted = 0;
	t0 = now();
	for (int pass = 0; pass < PASSES; pass++)
		for (c = 0; c < n; c++) {
			char *va = (char *)p + c * CHUNK;

			if (!on_dev[c]) {
				if (nres == cap) {
					size_t old = fifo[head++ % n];

					if (dmirror(fd, HMM_DMIRROR_MIGRATE_TO_SYS,
						    (char *)p + old * CHUNK,
						    buf))
						goto fail;
					on_dev[old] = false;
					nres--;
					(*evicted)++;
				}
				if (dmirror(fd, HMM_DMIRROR_MIGRATE_TO_DEV, va,
					    buf))
					goto fail;
				fifo[(head + nres) % n] = c;
				on_dev[c] = true;
				nres++;
			}
			if (dmirror(fd, HMM_DMIRROR_READ, va, buf) ||
			    !chunk_ok(buf, c))
				goto fail;
		}
	t = now() - t0;
	munmap(p, len);
	free(on_dev);
	free(fifo);
	return (double)len * PASSES / (1 << 20) / t;
fail:
	fprintf(stderr, "hmm: chunk %zu: %s\n", c, strerror(errno));
	return -1;
}

int main(void)
{
	static const double factors[] = { 0.5, 1, 2, 3 };
	int sim = open("/dev/gmem_sim0", O_RDWR);
	int hmm = open("/dev/hmm_dmirror0", O_RDWR);
	struct gmem_sim_info info = { 0 };
	uint64_t *buf = malloc(CHUNK), ev_g, ev_h;
	double g, h;

	if (sim < 0 || hmm < 0 || ioctl(sim, GMEM_SIM_INFO, &info)) {
		fprintf(stderr, "need /dev/gmem_sim0 (gmem=on) and "
			"/dev/hmm_dmirror0 (test_hmm): %s\n", strerror(errno));
		return 1;
	}
	printf("# device memory %llu MiB, %d passes of 2 MiB device reads\n",
	       (unsigned long long)info.capacity >> 20, PASSES);
	printf("%-7s %8s %11s %11s %9s %10s %10s\n", "set", "set MiB",
	       "gmem MiB/s", "hmm MiB/s", "gmem/hmm", "gmem evict",
	       "hmm evict");
	for (size_t i = 0; i < sizeof(factors) / sizeof(factors[0]); i++) {
		size_t len = (size_t)(info.capacity * factors[i]) / CHUNK * CHUNK;

		g = run_gmem(sim, len, buf, &ev_g);
		h = run_hmm(hmm, len, info.capacity / CHUNK, buf, &ev_h);
		if (g < 0 || h < 0)
			return 1;
		char set[16];

		snprintf(set, sizeof(set), "%.1fx", factors[i]);
		printf("%-7s %8zu %11.1f %11.1f %9.2f %10llu %10llu\n",
		       set, len >> 20, g, h, g / h,
		       (unsigned long long)ev_g, (unsigned long long)ev_h);
	}
	return 0;
}
