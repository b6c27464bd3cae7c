// SPDX-License-Identifier: GPL-2.0-only
/*
 * libgmem: thin wrappers around GMem's user API (MAP_PEER_SHARED,
 * /dev/gmem, /proc/gmemstat). The kernel checks everything that depends
 * on the address space; the library refuses only what it can see is
 * wrong without asking, so that errno from the kernel reaches the caller
 * unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/gmem_dev.h>

#include "libgmem.h"
#include "libgmem_sys.h"
#include "util.h"

static int sys_open(const char *path, int flags)
{
	return open(path, flags);
}

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

#define LIBGMEM_SYS_REAL {		\
	.open	= sys_open,		\
	.close	= close,		\
	.ioctl	= sys_ioctl,		\
	.mmap	= mmap,			\
	.munmap	= munmap,		\
	.fopen	= fopen,		\
}

const struct libgmem_sys libgmem_sys_real = LIBGMEM_SYS_REAL;
struct libgmem_sys libgmem_sys = LIBGMEM_SYS_REAL;

/*
 * The /dev/gmem fd, opened on first use. Double-checked under a mutex
 * rather than pthread_once(): a failed open (ENOENT without gmem=on,
 * EMFILE) is retried by the next call, and the tests can start over
 * with libgmem_sys_reset(), neither of which a pthread_once_t allows.
 * Once set, the fd never changes, so the fast path is one acquire load.
 */
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int dev_fd = -1;

static int gmem_fd(void)
{
	int fd = atomic_load_explicit(&dev_fd, memory_order_acquire);
	int err = 0;

	if (fd >= 0)
		return fd;
	pthread_mutex_lock(&dev_lock);
	fd = atomic_load_explicit(&dev_fd, memory_order_relaxed);
	if (fd < 0) {
		fd = libgmem_sys.open(LIBGMEM_DEV_PATH, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			atomic_store_explicit(&dev_fd, fd,
					      memory_order_release);
		else
			err = errno;
	}
	pthread_mutex_unlock(&dev_lock);
	if (fd < 0)
		errno = err;
	return fd;
}

void libgmem_sys_reset(void)
{
	int fd = atomic_exchange(&dev_fd, -1);

	if (fd >= 0)
		libgmem_sys.close(fd);
}

static int gmem_ioctl(unsigned long req, void *arg)
{
	int fd = gmem_fd();

	if (fd < 0)
		return -1;
	return libgmem_sys.ioctl(fd, req, arg) < 0 ? -1 : 0;
}

static int einval(void)
{
	errno = EINVAL;
	return -1;
}

/*
 * [start, start + size) must be a range whose end is an address. The
 * kernel's structs hold addresses as unsigned long, so the check does.
 */
static bool bad_range(unsigned long start, size_t size)
{
	if (!size)
		return false;
	return !start || start > ULONG_MAX - size;
}

/* @size rounded up to logical pages; 0 when that overflows. */
static size_t lpage_round(size_t size)
{
	if (size > SIZE_MAX - (GMEM_PAGE_SIZE - 1))
		return 0;
	return (size + GMEM_PAGE_SIZE - 1) & ~(GMEM_PAGE_SIZE - 1);
}

int gmemGetNumaId(void)
{
	int hnid = -1;
	struct gmem_hnid_arg arg = { .hnuma_id = &hnid };

	if (gmem_ioctl(GMEM_GET_HNUMA_ID, &arg))
		return -1;
	return hnid;
}

/* One GMEM_MADVISE, for the pointer and the unsigned long entry points. */
static int advise(unsigned long start, size_t size, int hnid, int behavior)
{
	struct hmadvise_arg arg = {
		.hnid = hnid,
		.start = start,
		.len_in = size,
		.behavior = behavior,
	};

	if (bad_range(start, size))
		return einval();
	return gmem_ioctl(GMEM_MADVISE, &arg);
}

int gmemAdvise(void *addr, size_t size, int hnid, int behavior)
{
	return advise((unsigned long)addr, size, hnid, behavior);
}

int gmemPrefetch(unsigned long addr, size_t size, int hnid, void *stream)
{
	(void)stream;	/* the ioctl is synchronous: nothing to queue on */
	return advise(addr, size, hnid, MADV_PREFETCH);
}

int gmemFreeEager(unsigned long addr, size_t size, void *stream)
{
	(void)stream;
	return advise(addr, size, -1, MADV_DONTNEED);
}

int gmemPin(void *addr, size_t size, int hnid)
{
	return advise((unsigned long)addr, size, hnid, MADV_PINNED);
}

int gmemUnpin(void *addr, size_t size, int hnid)
{
	return advise((unsigned long)addr, size, hnid, MADV_UNPINNED);
}

void *gmemAlloc(size_t size)
{
	size_t len = lpage_round(size);
	void *p;

	if (!len) {
		errno = EINVAL;
		return NULL;
	}
	/* Without gmem=on, MAP_PEER_SHARED is ignored: refuse instead. */
	if (gmem_fd() < 0)
		return NULL;
	p = libgmem_sys.mmap(NULL, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED,
			     -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* GMem aligns peer-shared mappings; anything else is not one. */
	if ((uintptr_t)p & (GMEM_PAGE_SIZE - 1)) {
		libgmem_sys.munmap(p, len);
		errno = EPROTO;
		return NULL;
	}
	return p;
}

int gmemFree(void *addr, size_t size)
{
	size_t len = lpage_round(size);

	if (!addr && !size)
		return 0;
	if (!addr || !len || (uintptr_t)addr & (GMEM_PAGE_SIZE - 1) ||
	    (uintptr_t)addr > UINTPTR_MAX - len)
		return einval();
	return libgmem_sys.munmap(addr, len) ? -1 : 0;
}

int gmemHmemcpy(int hnid, void *dest, const void *src, size_t size)
{
	struct hmemcpy_arg arg = {
		.hnid = hnid,
		.dest = (unsigned long)dest,
		.src = (unsigned long)src,
		.size = size,
	};

	if (bad_range(arg.dest, size) || bad_range(arg.src, size))
		return einval();
	return gmem_ioctl(GMEM_HMEMCPY, &arg);
}

/*
 * One line of /proc/gmemstat, "name<blanks>: <decimal>\n", into *name
 * (NUL-terminated in place) and *val. 0, or -1 when the line has another
 * shape. The value of a line with an unknown name may be anything.
 */
static int stat_line(char *line, size_t len, char **name, char **val)
{
	char *colon, *end;

	/* Every line ends in a newline: one that does not was cut short. */
	if (!len || line[len - 1] != '\n' || strlen(line) != len)
		return -1;
	line[len - 1] = '\0';
	colon = strchr(line, ':');
	if (!colon)
		return -1;
	for (end = colon; end > line && (end[-1] == ' ' || end[-1] == '\t');)
		end--;
	*end = '\0';
	if (end == line || strpbrk(line, " \t"))
		return -1;
	*name = line;
	*val = colon + 1 + strspn(colon + 1, " \t");
	return 0;
}

/* A count: digits, then nothing but blanks. */
static int stat_value(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = *p - '0';

		if (v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == s || p[strspn(p, " \t")])
		return -1;
	*out = v;
	return 0;
}

int gmemGetStats(struct gmem_stats *st)
{
	static const char *const names[] = {
		"migrating", "processes", "pages_nomap", "pages_cpu",
		"pages_device",
	};
	const size_t nr = ARRAY_SIZE(names);
	struct gmem_stats got = { 0 };
	unsigned long long *const vals[] = {
		&got.migrating, &got.processes, &got.pages_nomap,
		&got.pages_cpu, &got.pages_device,
	};
	unsigned int seen = 0;
	char *line = NULL, *name, *val;
	size_t cap = 0, i;
	ssize_t len;
	int err = 0;
	FILE *f;

	if (!st)
		return einval();
	f = libgmem_sys.fopen(LIBGMEM_STAT_PATH, "re");
	if (!f)
		return -1;
	for (;;) {
		errno = 0;
		len = getline(&line, &cap, f);
		if (len < 0)
			break;
		if (stat_line(line, (size_t)len, &name, &val)) {
			err = EPROTO;
			break;
		}
		for (i = 0; i < nr && strcmp(name, names[i]); i++)
			;
		if (i == nr)
			continue;	/* a newer kernel's count */
		if (seen & 1U << i || stat_value(val, vals[i])) {
			err = EPROTO;
			break;
		}
		seen |= 1U << i;
	}
	/* getline() failing short of the end: a read error or ENOMEM */
	if (!err && (ferror(f) || !feof(f)))
		err = errno ? errno : EIO;
	/* A file cut short before the last count is no answer either. */
	if (!err && seen != (1U << nr) - 1)
		err = EPROTO;
	free(line);
	fclose(f);
	if (err) {
		errno = err;
		return -1;
	}
	*st = got;
	return 0;
}
