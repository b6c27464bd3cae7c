// SPDX-License-Identifier: GPL-2.0-only
/*
 * filemap_local_probe bind|preferred|interleave NODES FILE
 *
 * Set the task's mempolicy, read FILE through the page cache, then print
 * how many of its cached pages sit on node 0, 1 and 2 and how many pages
 * were asked about: "n0 n1 n2 total".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_mode(const char *s)
{
	if (!strcmp(s, "bind"))
		return MPOL_BIND;
	if (!strcmp(s, "preferred"))
		return MPOL_PREFERRED;
	if (!strcmp(s, "interleave"))
		return MPOL_INTERLEAVE;
	return -1;
}

static int parse_nodes(const char *s, unsigned long *mask)
{
	char *end;

	*mask = 0;
	while (*s) {
		long n = strtol(s, &end, 10);

		if (end == s || n < 0 || n >= 64)
			return -1;
		*mask |= 1UL << n;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return *mask ? 0 : -1;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), i, n, count[3] = { 0 };
	unsigned long mask;
	static char buf[1 << 16];
	struct stat st;
	void **pages;
	int *status, mode, fd;
	char *map;

	if (argc != 4 || (mode = parse_mode(argv[1])) < 0 ||
	    parse_nodes(argv[2], &mask)) {
		fprintf(stderr, "usage: %s bind|preferred|interleave NODES FILE\n",
			argv[0]);
		return 2;
	}
	if (set_mempolicy(mode, &mask, 64)) {
		perror("set_mempolicy");
		return 1;
	}
	fd = open(argv[3], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[3]);
		return 1;
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	n = (st.st_size + page - 1) / page;
	map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	pages = calloc(n, sizeof(*pages));
	status = calloc(n, sizeof(*status));
	if (map == MAP_FAILED || !pages || !status) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < n; i++) {
		pages[i] = map + i * page;
		(void)*(volatile char *)pages[i];
	}
	if (move_pages(0, n, pages, NULL, status, 0)) {
		perror("move_pages");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (status[i] >= 0 && status[i] < 3)
			count[status[i]]++;
	printf("%ld %ld %ld %ld\n", count[0], count[1], count[2], n);
	return 0;
}
