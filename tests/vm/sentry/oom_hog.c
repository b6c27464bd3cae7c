// SPDX-License-Identifier: GPL-2.0-only
/*
 * oom_hog MIB: touch MIB mebibytes of anonymous memory, page by page, in
 * 64 MiB mappings (one big mapping could be refused by the overcommit
 * heuristic before any OOM). Run where MIB does not fit, it is OOM-killed;
 * if it survives it says so and exits 1.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK	(64UL << 20)

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 0, page = sysconf(_SC_PAGESIZE);
	size_t left, off;
	char *p;

	if (mib <= 0) {
		fprintf(stderr, "usage: %s MIB\n", argv[0]);
		return 2;
	}
	for (left = (size_t)mib << 20; left; left -= CHUNK < left ? CHUNK : left) {
		p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (off = 0; off < CHUNK; off += page)
			p[off] = 1;
	}
	printf("oom_hog: touched %ld MiB and survived\n", mib);
	return 1;
}
