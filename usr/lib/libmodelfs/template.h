/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libmodelfs internals: the template store and test hooks. Not installed;
 * the policy and the tests use it.
 *
 * On-disk format, all integers little-endian:
 *
 *   header (40 bytes)
 *     0  magic "OEMFSTPL"
 *     8  u32 version (1)
 *    12  u32 files
 *    16  u64 ranges (all files)
 *    24  u64 load_ns, the recorded load's duration
 *    32  u32 reserved, zero
 *    36  u32 CRC32 (zlib) of header bytes 0..35 followed by the body
 *   body: per file, in the order written
 *     u64 ino (lower), u64 size, u32 range count, u32 reserved (zero)
 *     then its ranges: u64 off, u64 len, in first-access order
 *
 * The file is exactly 40 + 24 * files + 16 * ranges bytes long.
 */
#ifndef LIBMODELFS_TEMPLATE_H
#define LIBMODELFS_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#define MODELFS_TMPL_MAGIC "OEMFSTPL"
#define MODELFS_TMPL_VERSION 1
#define MODELFS_TMPL_HDR_SIZE 40
#define MODELFS_TMPL_FILE_SIZE 24
#define MODELFS_TMPL_RANGE_SIZE 16
/* bounds on what is read (and written): keep a bad file from eating memory */
#define MODELFS_TMPL_MAX_FILES (1U << 16)
#define MODELFS_TMPL_MAX_RANGES (1ULL << 22)

/* The on-disk records as above; every integer little-endian (le*toh). */
struct modelfs_tmpl_hdr_disk {
	char magic[8];
	uint32_t version;
	uint32_t nr_files;
	uint64_t nr_ranges;
	uint64_t load_ns;
	uint32_t reserved;
	uint32_t crc;
};

struct modelfs_tmpl_file_disk {
	uint64_t ino;
	uint64_t size;
	uint32_t nr;
	uint32_t reserved;
};

struct modelfs_tmpl_range_disk {
	uint64_t off;
	uint64_t len;
};

_Static_assert(sizeof(struct modelfs_tmpl_hdr_disk) == MODELFS_TMPL_HDR_SIZE,
	       "template header layout");
_Static_assert(offsetof(struct modelfs_tmpl_hdr_disk, crc) == MODELFS_TMPL_HDR_SIZE - 4,
	       "the CRC is the header's last field");
_Static_assert(sizeof(struct modelfs_tmpl_file_disk) == MODELFS_TMPL_FILE_SIZE,
	       "template file record layout");
_Static_assert(sizeof(struct modelfs_tmpl_range_disk) == MODELFS_TMPL_RANGE_SIZE,
	       "template range record layout");

struct modelfs_tmpl_range {
	uint64_t off;
	uint64_t len;
};

struct modelfs_tmpl_file {
	uint64_t ino;
	uint64_t size;
	uint32_t nr;			/* ranges */
	struct modelfs_tmpl_range *r;
};

struct modelfs_tmpl {
	uint32_t nr_files;
	uint64_t nr_ranges;
	uint64_t load_ns;
	struct modelfs_tmpl_file *files;
};

/*
 * Read and check the template at @path into @t (free with
 * modelfs_tmpl_free()). 0, or -errno: ENOENT none, EBADMSG corrupt.
 */
int modelfs_tmpl_load(const char *path, struct modelfs_tmpl *t);

/*
 * Write @t as @dir/@name atomically: a temporary file in @dir, fsync,
 * rename. @dir is created (0755) if missing; the file is 0644. @t's
 * nr_ranges is ignored (summed from the files). 0 or -errno (E2BIG: more
 * than the store's bounds).
 */
int modelfs_tmpl_save(const char *dir, const char *name,
		      const struct modelfs_tmpl *t);

/* mkdir -p @dir; what is created gets 0755. 0 or -errno. */
int modelfs_tmpl_mkdir(const char *dir);

/* Free what modelfs_tmpl_load() allocated; @t may be zeroed. */
void modelfs_tmpl_free(struct modelfs_tmpl *t);

/*
 * Escape a path into a file name as systemd-escape --path does
 * ("/mnt/models" -> "mnt-models") and append ".tmpl". 0, or -ENAMETOOLONG
 * when it does not fit @len or is longer than NAME_MAX.
 */
int modelfs_tmpl_escape(const char *path, char *buf, size_t len);

/* Tests: read sysfs below @root (copied) instead of "/sys"; NULL restores it. */
void modelfs_tmpl_set_sysfs_root(const char *root);

/* Tests: the clock of template states (ns); NULL: CLOCK_MONOTONIC. */
void modelfs_tmpl_set_clock(uint64_t (*now)(void));

#endif /* LIBMODELFS_TEMPLATE_H */
