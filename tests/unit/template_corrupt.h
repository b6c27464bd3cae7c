/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the template cmocka tests: a known-good template file and every
 * kind of damage to it. Damage that is not about the checksum gets a
 * correct checksum, so that the check it aims at is the one that fires.
 */
#ifndef OE_TEST_TEMPLATE_CORRUPT_H
#define OE_TEST_TEMPLATE_CORRUPT_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "template.h"
#include "util.h"

/*
 * The good template: ino 100 (1 MiB) read at [0, 64K) then [128K, 64K),
 * ino 200 (8192 bytes) read whole. Offsets in its image:
 * header 0, file 100 at 40, its ranges at 64 and 80, file 200 at 96, its
 * range at 120, 136 bytes in all.
 */
#define GOOD_SIZE 136
#define GOOD_LOAD_NS 123456789ULL

static struct modelfs_tmpl_range good_r100[] = {
	{ 0, 64 << 10 }, { 128 << 10, 64 << 10 },
};
static struct modelfs_tmpl_range good_r200[] = { { 0, 8192 } };
static struct modelfs_tmpl_file good_files[] = {
	{ 100, 1 << 20, 2, good_r100 },
	{ 200, 8192, 1, good_r200 },
};
static const struct modelfs_tmpl good_tmpl = {
	.nr_files = 2, .nr_ranges = 3, .load_ns = GOOD_LOAD_NS,
	.files = good_files,
};

static inline void tc_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void tc_put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Recompute the checksum as the writer does. */
static inline void tc_fix_crc(unsigned char *img, size_t size)
{
	uLong c = crc32(0L, Z_NULL, 0);

	c = crc32(c, img, 36);
	c = crc32(c, img + 40, (uInt)(size - 40));
	tc_put32(img + 36, (uint32_t)c);
}

struct tc_kind {
	const char *name;
	/* change @img (of *size bytes, room for one more) in place */
	void (*apply)(unsigned char *img, size_t *size);
};

#define TC(n, body) \
	static inline void tc_##n(unsigned char *img, size_t *size) \
	{ (void)img; (void)size; body; }

TC(empty, *size = 0)
TC(short_header, *size = 39)
TC(header_only, *size = 40)
TC(truncated, *size = GOOD_SIZE - 1)
TC(extra_byte, img[(*size)++] = 0)
TC(flip_body, img[70] ^= 0x10)
TC(flip_load_ns, img[24] ^= 1)
TC(flip_crc, img[36] ^= 1)
TC(bad_magic, img[0] = 'X'; tc_fix_crc(img, *size))
TC(bad_version, tc_put32(img + 8, 2); tc_fix_crc(img, *size))
TC(version_zero, tc_put32(img + 8, 0); tc_fix_crc(img, *size))
TC(hdr_reserved, tc_put32(img + 32, 1); tc_fix_crc(img, *size))
TC(range_past_size, tc_put64(img + 128, 8193); tc_fix_crc(img, *size))
TC(range_off_past, tc_put64(img + 120, 8192); tc_put64(img + 128, 1);
   tc_fix_crc(img, *size))
TC(range_wraps, tc_put64(img + 120, UINT64_MAX - 10); tc_put64(img + 128, 100);
   tc_fix_crc(img, *size))
TC(zero_len, tc_put64(img + 88, 0); tc_fix_crc(img, *size))
TC(huge_files, tc_put32(img + 12, UINT32_MAX); tc_fix_crc(img, *size))
TC(huge_ranges, tc_put64(img + 16, 1ULL << 62); tc_fix_crc(img, *size))
TC(file_huge_ranges, tc_put32(img + 56, UINT32_MAX); tc_fix_crc(img, *size))
TC(count_mismatch, tc_put32(img + 12, 3); tc_fix_crc(img, *size))
TC(range_sum, tc_put32(img + 56, 1); tc_fix_crc(img, *size))
TC(dup_ino, tc_put64(img + 96, 100); tc_fix_crc(img, *size))
TC(file_reserved, tc_put32(img + 60, 1); tc_fix_crc(img, *size))

static const struct tc_kind tc_kinds[] = {
#define K(n) { #n, tc_##n }
	K(empty), K(short_header), K(header_only), K(truncated),
	K(extra_byte), K(flip_body), K(flip_load_ns), K(flip_crc),
	K(bad_magic), K(bad_version), K(version_zero), K(hdr_reserved),
	K(range_past_size), K(range_off_past), K(range_wraps), K(zero_len),
	K(huge_files), K(huge_ranges), K(file_huge_ranges),
	K(count_mismatch), K(range_sum), K(dup_ino), K(file_reserved),
#undef K
};
#define TC_NR_KINDS (ARRAY_SIZE(tc_kinds))

/* Read the whole file at @path into @img (GOOD_SIZE + 1 bytes); its size. */
static inline size_t tc_read(const char *path, unsigned char *img)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, img, GOOD_SIZE + 1);
	close(fd);
	return n < 0 ? 0 : (size_t)n;
}

/* Write @size bytes of @img to @path, replacing what is there. */
static inline int tc_write(const char *path, const unsigned char *img,
			   size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, img, size);
	close(fd);
	return n == (ssize_t)size ? 0 : -1;
}

/*
 * Write the good template as @dir/@name, then damage it the @kind way.
 * 0, or -1 (the caller asserts).
 */
static inline int tc_make_corrupt(const char *dir, const char *name,
				  const struct tc_kind *kind)
{
	unsigned char img[GOOD_SIZE + 1];
	char path[4096];
	size_t size;

	if (modelfs_tmpl_save(dir, name, &good_tmpl) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	size = tc_read(path, img);
	if (size != GOOD_SIZE)
		return -1;
	kind->apply(img, &size);
	return tc_write(path, img, size);
}

#endif /* OE_TEST_TEMPLATE_CORRUPT_H */
