// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmodelfs template store: the file format (see template.h), its
 * atomic writer and its checking reader, and the name of a mount's
 * template.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#include "libmodelfs.h"
#include "template.h"

static char sysfs_root[PATH_MAX] = "/sys";

void modelfs_tmpl_set_sysfs_root(const char *root)
{
	snprintf(sysfs_root, sizeof(sysfs_root), "%s", root ? root : "/sys");
}

/* zlib's crc32() takes a uInt length: feed it in pieces. */
static uint32_t crc_more(uint32_t crc, const unsigned char *p, size_t n)
{
	uLong c = crc;

	while (n > 0) {
		uInt part = n > (1U << 30) ? (1U << 30) : (uInt)n;

		c = crc32(c, p, part);
		p += part;
		n -= part;
	}
	return (uint32_t)c;
}

/* The checksum of a whole image: header up to the CRC field, then body. */
static uint32_t image_crc(const unsigned char *img, size_t size)
{
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);

	crc = crc_more(crc, img, MODELFS_TMPL_HDR_SIZE - 4);
	return crc_more(crc, img + MODELFS_TMPL_HDR_SIZE,
			size - MODELFS_TMPL_HDR_SIZE);
}

void modelfs_tmpl_free(struct modelfs_tmpl *t)
{
	if (!t)
		return;
	/* one allocation holds all ranges; the first file points at it */
	if (t->files)
		free(t->nr_files ? t->files[0].r : NULL);
	free(t->files);
	memset(t, 0, sizeof(*t));
}

static int cmp_ino(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Is @img a sound header for an image of @size bytes? */
static bool header_ok(const unsigned char *img, size_t size,
		      const struct modelfs_tmpl_hdr_disk *h)
{
	uint32_t nr_files = le32toh(h->nr_files);
	uint64_t nr_ranges = le64toh(h->nr_ranges);

	return !memcmp(h->magic, MODELFS_TMPL_MAGIC, sizeof(h->magic)) &&
	       le32toh(h->version) == MODELFS_TMPL_VERSION &&
	       nr_files <= MODELFS_TMPL_MAX_FILES &&
	       nr_ranges <= MODELFS_TMPL_MAX_RANGES &&
	       size == MODELFS_TMPL_HDR_SIZE +
		       (uint64_t)nr_files * MODELFS_TMPL_FILE_SIZE +
		       nr_ranges * MODELFS_TMPL_RANGE_SIZE &&
	       h->reserved == 0 &&
	       le32toh(h->crc) == image_crc(img, size);
}

/* Parse a whole image of @size bytes; -EBADMSG for anything wrong. */
static int parse(const unsigned char *img, size_t size, struct modelfs_tmpl *t)
{
	const unsigned char *p = img + MODELFS_TMPL_HDR_SIZE;
	struct modelfs_tmpl_range *ranges = NULL;
	struct modelfs_tmpl_hdr_disk h;
	uint64_t nr_ranges, used = 0, *inos = NULL;
	uint32_t nr_files, i, j;
	int ret = -EBADMSG;

	memset(t, 0, sizeof(*t));
	if (size < MODELFS_TMPL_HDR_SIZE)
		return -EBADMSG;
	/* copied out: @img has no alignment to speak of */
	memcpy(&h, img, sizeof(h));
	if (!header_ok(img, size, &h))
		return -EBADMSG;
	nr_files = le32toh(h.nr_files);
	nr_ranges = le64toh(h.nr_ranges);

	t->nr_files = nr_files;
	t->nr_ranges = nr_ranges;
	t->load_ns = le64toh(h.load_ns);
	t->files = calloc(nr_files ? nr_files : 1, sizeof(*t->files));
	ranges = calloc(nr_ranges ? nr_ranges : 1, sizeof(*ranges));
	inos = calloc(nr_files ? nr_files : 1, sizeof(*inos));
	if (!t->files || !ranges || !inos) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < nr_files; i++) {
		struct modelfs_tmpl_file *f = &t->files[i];
		struct modelfs_tmpl_file_disk fd;

		memcpy(&fd, p, sizeof(fd));
		f->ino = le64toh(fd.ino);
		f->size = le64toh(fd.size);
		f->nr = le32toh(fd.nr);
		if (fd.reserved != 0 || f->nr > nr_ranges - used)
			goto fail;
		p += MODELFS_TMPL_FILE_SIZE;
		f->r = ranges + used;
		for (j = 0; j < f->nr; j++) {
			struct modelfs_tmpl_range_disk rd;
			uint64_t off, len;

			memcpy(&rd, p, sizeof(rd));
			off = le64toh(rd.off);
			len = le64toh(rd.len);

			if (len == 0 || off > f->size || len > f->size - off)
				goto fail;
			f->r[j].off = off;
			f->r[j].len = len;
			p += MODELFS_TMPL_RANGE_SIZE;
		}
		used += f->nr;
		inos[i] = f->ino;
	}
	if (used != nr_ranges)
		goto fail;
	/* a file is recorded once */
	qsort(inos, nr_files, sizeof(*inos), cmp_ino);
	for (i = 1; i < nr_files; i++)
		if (inos[i] == inos[i - 1])
			goto fail;
	free(inos);
	if (nr_files == 0)
		free(ranges);
	else
		t->files[0].r = ranges;	/* even with no ranges: freed through it */
	return 0;
fail:
	free(inos);
	free(ranges);
	free(t->files);
	memset(t, 0, sizeof(*t));
	return ret;
}

int modelfs_tmpl_load(const char *path, struct modelfs_tmpl *t)
{
	const uint64_t max = MODELFS_TMPL_HDR_SIZE +
		(uint64_t)MODELFS_TMPL_MAX_FILES * MODELFS_TMPL_FILE_SIZE +
		MODELFS_TMPL_MAX_RANGES * MODELFS_TMPL_RANGE_SIZE;
	unsigned char *img;
	struct stat sb;
	size_t size, got = 0;
	ssize_t n;
	int fd, ret;

	memset(t, 0, sizeof(*t));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return S_ISDIR(sb.st_mode) ? -EISDIR : -EBADMSG;
	}
	/* Too short or too long to be one: no need to read it. */
	if (sb.st_size < MODELFS_TMPL_HDR_SIZE || (uint64_t)sb.st_size > max) {
		close(fd);
		return -EBADMSG;
	}
	size = (size_t)sb.st_size;
	img = malloc(size);
	if (!img) {
		close(fd);
		return -ENOMEM;
	}
	while (got < size) {
		n = read(fd, img + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	/* shrunk while read: as good as truncated */
	ret = got == size ? parse(img, size, t) : -EBADMSG;
out:
	free(img);
	close(fd);
	return ret;
}

int modelfs_template_info(const char *path, struct modelfs_template_info *info)
{
	struct modelfs_tmpl t;
	uint32_t i, j;
	int ret;

	if (!path || !info)
		return -EINVAL;
	ret = modelfs_tmpl_load(path, &t);
	if (ret < 0)
		return ret;
	memset(info, 0, sizeof(*info));
	info->files = t.nr_files;
	info->ranges = t.nr_ranges;
	info->load_ns = t.load_ns;
	for (i = 0; i < t.nr_files; i++)
		for (j = 0; j < t.files[i].nr; j++)
			info->bytes += t.files[i].r[j].len;
	modelfs_tmpl_free(&t);
	return 0;
}

/* mkdir -p; what it creates gets exactly @mode. */
static int make_dirs(const char *dir, mode_t mode)
{
	char *p, *s;
	struct stat sb;
	int ret = 0;

	if (!dir || !*dir)
		return -EINVAL;
	if (stat(dir, &sb) == 0)
		return S_ISDIR(sb.st_mode) ? 0 : -ENOTDIR;
	s = strdup(dir);
	if (!s)
		return -ENOMEM;
	for (p = s + 1; ; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(s, mode) == 0) {
			/* not left to the umask */
			if (chmod(s, mode) < 0) {
				ret = -errno;
				break;
			}
		} else if (errno != EEXIST) {
			ret = -errno;
			break;
		}
		if (last)
			break;
		*p = '/';
	}
	free(s);
	if (ret == 0 && (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)))
		ret = -ENOTDIR;
	return ret;
}

int modelfs_tmpl_mkdir(const char *dir)
{
	return make_dirs(dir, 0755);
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The image of @t in a new buffer; its size in @size. */
static int build(const struct modelfs_tmpl *t, unsigned char **out,
		 size_t *size)
{
	struct modelfs_tmpl_hdr_disk h = { .reserved = 0 };
	uint64_t ranges = 0;
	unsigned char *img, *p;
	uint32_t i, j;

	if (t->nr_files > MODELFS_TMPL_MAX_FILES)
		return -E2BIG;
	for (i = 0; i < t->nr_files; i++)
		ranges += t->files[i].nr;
	if (ranges > MODELFS_TMPL_MAX_RANGES)
		return -E2BIG;
	/* never write what the reader would refuse */
	for (i = 0; i < t->nr_files; i++) {
		const struct modelfs_tmpl_file *f = &t->files[i];

		for (j = 0; j < f->nr; j++)
			if (!f->r[j].len || f->r[j].off > f->size ||
			    f->r[j].len > f->size - f->r[j].off)
				return -EINVAL;
	}
	*size = MODELFS_TMPL_HDR_SIZE +
		(size_t)t->nr_files * MODELFS_TMPL_FILE_SIZE +
		(size_t)ranges * MODELFS_TMPL_RANGE_SIZE;
	img = calloc(1, *size);
	if (!img)
		return -ENOMEM;
	memcpy(h.magic, MODELFS_TMPL_MAGIC, sizeof(h.magic));
	h.version = htole32(MODELFS_TMPL_VERSION);
	h.nr_files = htole32(t->nr_files);
	h.nr_ranges = htole64(ranges);
	h.load_ns = htole64(t->load_ns);
	p = img + MODELFS_TMPL_HDR_SIZE;
	for (i = 0; i < t->nr_files; i++) {
		const struct modelfs_tmpl_file *f = &t->files[i];
		struct modelfs_tmpl_file_disk fd = {
			.ino = htole64(f->ino),
			.size = htole64(f->size),
			.nr = htole32(f->nr),
		};

		memcpy(p, &fd, sizeof(fd));
		p += MODELFS_TMPL_FILE_SIZE;
		for (j = 0; j < f->nr; j++) {
			struct modelfs_tmpl_range_disk rd = {
				.off = htole64(f->r[j].off),
				.len = htole64(f->r[j].len),
			};

			memcpy(p, &rd, sizeof(rd));
			p += MODELFS_TMPL_RANGE_SIZE;
		}
	}
	/* the CRC covers the header without it, then the body */
	memcpy(img, &h, sizeof(h));
	h.crc = htole32(image_crc(img, *size));
	memcpy(img, &h, sizeof(h));
	*out = img;
	return 0;
}

int modelfs_tmpl_save(const char *dir, const char *name,
		      const struct modelfs_tmpl *t)
{
	char *path = NULL, *tmp = NULL;
	unsigned char *img = NULL;
	size_t size;
	int fd = -1, dfd, ret;

	if (!dir || !*dir || !name || !*name || strchr(name, '/'))
		return -EINVAL;
	ret = build(t, &img, &size);
	if (ret < 0)
		return ret;
	ret = modelfs_tmpl_mkdir(dir);
	if (ret < 0)
		goto out;
	if (asprintf(&path, "%s/%s", dir, name) < 0 ||
	    asprintf(&tmp, "%s/.%s.XXXXXX", dir, name) < 0) {
		path = tmp = NULL;
		ret = -ENOMEM;
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, img, size);
	if (ret == 0 && fchmod(fd, 0644) < 0)
		ret = -errno;
	/* the data is on disk before the name points at it */
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	fd = -1;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0) {
		unlink(tmp);
		goto out;
	}
	/* and the rename itself is durable */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	free(img);
	free(path);
	free(tmp);
	return ret;
}

/* Like systemd's: alnum, ':', '_' and '.' (not first) stay. */
static bool plain_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == ':' || c == '_')
		return true;
	return c == '.' && !first;
}

int modelfs_tmpl_escape(const char *path, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	static const char suffix[] = ".tmpl";
	size_t n = 0, need;
	bool first = true;
	const char *p = path;

	if (!path || !buf)
		return -EINVAL;
	while (*p == '/')
		p++;
	if (!*p) {
		/* the root directory */
		if (len > 0)
			buf[n++] = '-';
	}
	while (*p) {
		unsigned char c = (unsigned char)*p;
		char out[4];
		size_t k = 0;

		if (c == '/') {
			/* collapse "//" and drop a trailing '/' */
			while (*p == '/')
				p++;
			if (!*p)
				break;
			out[k++] = '-';
		} else {
			if (plain_char((char)c, first)) {
				out[k++] = (char)c;
			} else {
				out[k++] = '\\';
				out[k++] = 'x';
				out[k++] = hex[c >> 4];
				out[k++] = hex[c & 15];
			}
			p++;
		}
		first = false;
		if (n + k >= len)
			return -ENAMETOOLONG;
		memcpy(buf + n, out, k);
		n += k;
	}
	need = n + sizeof(suffix);
	if (need > len || need - 1 > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(buf + n, suffix, sizeof(suffix));
	return 0;
}

int modelfs_template_name(const char *mountpoint, char *buf, size_t len)
{
	char sys[PATH_MAX], lower[PATH_MAX + 2];
	struct stat sb;
	size_t got = 0;
	ssize_t n;
	int fd;

	if (!mountpoint || !buf)
		return -EINVAL;
	if (stat(mountpoint, &sb) < 0)
		return -errno;
	if ((size_t)snprintf(sys, sizeof(sys), "%s/fs/modelfs/%u:%u/lowerdir",
			     sysfs_root, major(sb.st_dev), minor(sb.st_dev)) >=
	    sizeof(sys))
		return -ENAMETOOLONG;
	fd = open(sys, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOTTY : -errno;
	while (got < sizeof(lower) - 1) {
		n = read(fd, lower + got, sizeof(lower) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	/* sysfs ends the path with a newline */
	if (got > 0 && lower[got - 1] == '\n')
		got--;
	lower[got] = '\0';
	if (got == 0 || lower[0] != '/' || strlen(lower) != got)
		return -EIO;
	return modelfs_tmpl_escape(lower, buf, len);
}
