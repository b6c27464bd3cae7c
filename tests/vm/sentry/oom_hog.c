// SPDX-License-Identifier: GPL-2.0-only
/*
 * oom_hog MIB: touch MIB mebibytes of anonymous memory, page by page,
 * then sleep. Run in a memory cgroup smaller than MIB, it gets OOM-killed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 0, page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)mib << 20, off;
	char *p;

	if (mib <= 0) {
		fprintf(stderr, "usage: %s MIB\n", argv[0]);
		return 2;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (off = 0; off < len; off += page)
		p[off] = 1;
	/* Still alive: the cgroup limit did not hold. */
	printf("oom_hog: touched %ld MiB and survived\n", mib);
	return 1;
}
