// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs_cmp read|pread|mmap UPPER LOWER: compare a file read through
 * ModelFS with its lower file, by read(), by pread() at edges around
 * pages and the end, or through mmap. Exit 0 when equal; otherwise say
 * where they differ and exit 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t done = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		exit(2);
	}
	buf = malloc(st.st_size + 1);
	if (!buf)
		exit(2);
	while ((n = read(fd, buf + done, st.st_size + 1 - done)) > 0)
		done += n;
	close(fd);
	*len = done;
	return buf;
}

static int differ(const char *how, const char *a, size_t alen, const char *b,
		  size_t blen)
{
	size_t i;

	if (alen != blen) {
		printf("%s: %zu bytes through modelfs, %zu below\n", how, alen, blen);
		return 1;
	}
	for (i = 0; i < alen; i++) {
		if (a[i] != b[i]) {
			printf("%s: differ at byte %zu\n", how, i);
			return 1;
		}
	}
	return 0;
}

static int cmp_pread(const char *upper, const char *lower)
{
	static char a[8192], b[8192];
	int fa = open(upper, O_RDONLY), fb = open(lower, O_RDONLY);
	struct stat st;
	off_t offs[9];
	int i, bad = 0;

	if (fa < 0 || fb < 0 || fstat(fb, &st)) {
		perror("open");
		return 2;
	}
	offs[0] = 0;
	offs[1] = 1;
	offs[2] = 4095;
	offs[3] = 4096;
	offs[4] = 4097;
	offs[5] = 65535;
	offs[6] = st.st_size / 2;
	offs[7] = st.st_size > 0 ? st.st_size - 1 : 0;
	offs[8] = st.st_size + 4096;	/* past the end: both read 0 bytes */
	for (i = 0; i < 9; i++) {
		ssize_t na = pread(fa, a, sizeof(a), offs[i]);
		ssize_t nb = pread(fb, b, sizeof(b), offs[i]);

		if (na < 0 || nb < 0) {
			perror("pread");
			return 2;
		}
		bad |= differ("pread", a, na, b, nb);
	}
	return bad;
}

static int cmp_mmap(const char *upper, const char *lower)
{
	size_t blen;
	char *b = slurp(lower, &blen), *a;
	int fd = open(upper, O_RDONLY);

	if (fd < 0) {
		perror(upper);
		return 2;
	}
	if (!blen)
		return 0;
	a = mmap(NULL, blen, PROT_READ, MAP_SHARED, fd, 0);
	if (a == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	return differ("mmap", a, blen, b, blen);
}

int main(int argc, char **argv)
{
	size_t alen, blen;
	char *a, *b;

	if (argc != 4) {
		fprintf(stderr, "usage: %s read|pread|mmap UPPER LOWER\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "pread"))
		return cmp_pread(argv[2], argv[3]);
	if (!strcmp(argv[1], "mmap"))
		return cmp_mmap(argv[2], argv[3]);
	a = slurp(argv[2], &alen);
	b = slurp(argv[3], &blen);
	return differ("read", a, alen, b, blen);
}
