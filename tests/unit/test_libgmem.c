// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: libgmem against fake system calls (libgmem_fixture.h):
 * what reaches the "kernel" is recorded, and the kernel's answers,
 * errors included, are whatever the test says.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "libgmem_fixture.h"
#include "util.h"

#define assert_null_errno(expr, e)                                           \
	do {                                                                 \
		errno = 0;                                                   \
		assert_null(expr);                                           \
		assert_int_equal(errno, (e));                                \
	} while (0)

/* Nothing reached the kernel. */
static void assert_no_syscall(void)
{
	assert_int_equal(fk.open_calls, 0);
	assert_int_equal(fk.ioctl_calls, 0);
	assert_int_equal(fk.mmap_calls, 0);
	assert_int_equal(fk.munmap_calls, 0);
	assert_int_equal(fk.fopen_calls, 0);
}

/* The ABI the library and the kernel share, as numbers. */
static void test_abi(void **state)
{
	(void)state;
#if defined(__x86_64__) || defined(__aarch64__)
	assert_int_equal(GMEM_GET_HNUMA_ID, 0x40085501);
	assert_int_equal(GMEM_MADVISE, 0x40205502);
	assert_int_equal(GMEM_HMEMCPY, 0x40205503);
#endif
	assert_int_equal(MAP_PEER_SHARED, 0x8000000);
	assert_int_equal(MADV_PREFETCH, 0x1000);
	assert_int_equal(MADV_PINNED, 0x1001);
	assert_int_equal(MADV_UNPINNED, 0x1002);
	assert_int_equal(MADV_DONTNEED, 4);
	assert_int_equal(GMEM_PAGE_SIZE, 2 * MIB);
}

static void test_open_lazy_once(void **state)
{
	(void)state;
	/* Argument errors and gmemFree() need no device. */
	assert_null(gmemAlloc(0));
	assert_int_equal(gmemFree(FAKE_VA, LP), 0);
	assert_int_equal(fk.open_calls, 0);

	assert_int_equal(gmemGetNumaId(), FAKE_HNID);
	assert_int_equal(fk.open_calls, 1);
	assert_string_equal(fk.open_path, "/dev/gmem");
	assert_int_equal(fk.open_flags, O_RDWR | O_CLOEXEC);
	assert_int_equal(fk.ioctl_fd, FAKE_FD);

	assert_int_equal(gmemPrefetch(FAKE_ADDR, LP, FAKE_HNID, NULL), 0);
	assert_non_null(gmemAlloc(LP));
	assert_int_equal(gmemHmemcpy(-1, FAKE_VA, FAKE_VA + LP, 8), 0);
	assert_int_equal(fk.open_calls, 1);
	assert_int_equal(fk.ioctl_calls, 3);
	assert_int_equal(fk.ioctl_fd, FAKE_FD);

	/* The tests' reset closes what was opened. */
	libgmem_sys_reset();
	assert_int_equal(fk.close_calls, 1);
	assert_int_equal(fk.close_fd, FAKE_FD);
}

static void test_open_fails(void **state)
{
	(void)state;
	fk.open_errno = ENOENT;
	assert_fails(gmemGetNumaId(), ENOENT);
	assert_fails(gmemPrefetch(FAKE_ADDR, LP, 1, NULL), ENOENT);
	assert_fails(gmemFreeEager(FAKE_ADDR, LP, NULL), ENOENT);
	assert_fails(gmemPin(FAKE_VA, LP, 1), ENOENT);
	assert_fails(gmemUnpin(FAKE_VA, LP, 1), ENOENT);
	assert_fails(gmemAdvise(FAKE_VA, LP, 1, MADV_PREFETCH), ENOENT);
	assert_fails(gmemHmemcpy(-1, FAKE_VA, FAKE_VA + LP, 1), ENOENT);
	/* Without GMem MAP_PEER_SHARED would be ignored: no mapping. */
	assert_null_errno(gmemAlloc(LP), ENOENT);
	assert_int_equal(fk.mmap_calls, 0);
	assert_int_equal(fk.ioctl_calls, 0);
	assert_int_equal(fk.open_calls, 8);

	/* A failed open is tried again. */
	fk.open_errno = EMFILE;
	assert_fails(gmemGetNumaId(), EMFILE);
	fk.open_errno = 0;
	assert_int_equal(gmemGetNumaId(), FAKE_HNID);
	assert_int_equal(gmemGetNumaId(), FAKE_HNID);
	assert_int_equal(fk.open_calls, 10);
	assert_int_equal(fk.ioctl_calls, 2);
}

#define NR_THREADS 16

static pthread_barrier_t start;

static void *numa_id_thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&start);
	return (void *)(intptr_t)gmemGetNumaId();
}

/* Threads racing for the first open: one open, every call served. */
static void test_open_threads(void **state)
{
	pthread_t th[NR_THREADS];
	void *ret;

	(void)state;
	fk.open_delay_ms = 20;
	assert_int_equal(pthread_barrier_init(&start, NULL, NR_THREADS), 0);
	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, numa_id_thread,
						NULL), 0);
	for (int i = 0; i < NR_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_int_equal((intptr_t)ret, FAKE_HNID);
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(fk.open_calls, 1);
	assert_int_equal(fk.ioctl_calls, NR_THREADS);
}

static void test_get_numa_id(void **state)
{
	(void)state;
	assert_int_equal(gmemGetNumaId(), FAKE_HNID);
	assert_int_equal(fk.ioctl_req, GMEM_GET_HNUMA_ID);
	assert_non_null(fk.arg.h.hnuma_id);
	/* hnid 0 is a device like any other */
	fk.hnid = 0;
	assert_int_equal(gmemGetNumaId(), 0);
	fk.hnid = 17;
	assert_int_equal(gmemGetNumaId(), 17);

	fk.ioctl_errno = ENODEV;
	assert_fails(gmemGetNumaId(), ENODEV);
	fk.ioctl_errno = EFAULT;
	assert_fails(gmemGetNumaId(), EFAULT);
	assert_int_equal(fk.ioctl_calls, 5);
}

static void test_advise_structs(void **state)
{
	/* openEuler's calls take the address as an integer, ours a pointer */
	unsigned long addr = FAKE_ADDR;
	char *va = FAKE_VA;

	(void)state;
	/* Sizes and addresses go to the kernel as given: it rounds. */
	assert_int_equal(gmemPrefetch(addr + 4096, 12345, 3, NULL), 0);
	assert_madvise(addr + 4096, 12345, 3, MADV_PREFETCH);
	assert_int_equal(gmemFreeEager(addr + LP, 3 * LP + 1, NULL), 0);
	assert_madvise(addr + LP, 3 * LP + 1, -1, MADV_DONTNEED);
	assert_int_equal(gmemPin(va, LP, 5), 0);
	assert_madvise(addr, LP, 5, MADV_PINNED);
	assert_int_equal(gmemUnpin(va + 8192, 1, 0), 0);
	assert_madvise(addr + 8192, 1, 0, MADV_UNPINNED);
	/* gmemAdvise() judges neither hnid nor behaviour: the kernel does. */
	assert_int_equal(gmemAdvise(va, 7 * LP, 42, 0x77), 0);
	assert_madvise(addr, 7 * LP, 42, 0x77);
	assert_int_equal(gmemAdvise(va, LP, -1, MADV_DONTNEED), 0);
	assert_madvise(addr, LP, -1, MADV_DONTNEED);
	assert_int_equal(fk.ioctl_calls, 6);
}

/* openEuler's stream handle changes nothing: the call is synchronous. */
static void test_stream_ignored(void **state)
{
	int stream;

	(void)state;
	assert_int_equal(gmemPrefetch(FAKE_ADDR, LP, 3, &stream), 0);
	assert_madvise(FAKE_ADDR, LP, 3, MADV_PREFETCH);
	assert_int_equal(gmemFreeEager(FAKE_ADDR, LP, &stream), 0);
	assert_madvise(FAKE_ADDR, LP, -1, MADV_DONTNEED);
	assert_int_equal(fk.ioctl_calls, 2);
}

/*
 * Each hmadvise wrapper, for the table-driven tests; openEuler's two get
 * the pointer as the integer their prototypes take.
 */
enum { PREFETCH, FREE_EAGER, PIN, UNPIN, ADVISE, NR_ADVISE };

static int advise_call(int which, void *addr, size_t size)
{
	switch (which) {
	case PREFETCH:
		return gmemPrefetch((unsigned long)addr, size, 3, NULL);
	case FREE_EAGER:
		return gmemFreeEager((unsigned long)addr, size, NULL);
	case PIN:
		return gmemPin(addr, size, 3);
	case UNPIN:
		return gmemUnpin(addr, size, 3);
	default:
		return gmemAdvise(addr, size, 3, MADV_PREFETCH);
	}
}

static void test_advise_bad_args(void **state)
{
	void *top = (void *)(UINTPTR_MAX - 4095);

	(void)state;
	for (int w = 0; w < NR_ADVISE; w++) {
		assert_fails(advise_call(w, NULL, 1), EINVAL);
		assert_fails(advise_call(w, NULL, LP), EINVAL);
		/* past the end of the address space */
		assert_fails(advise_call(w, top, 8192), EINVAL);
		assert_fails(advise_call(w, FAKE_VA, SIZE_MAX), EINVAL);
	}
	assert_no_syscall();

	/* Up to the last byte, and empty ranges, are the kernel's call. */
	for (int w = 0; w < NR_ADVISE; w++) {
		assert_fails(advise_call(w, top, 4096), EINVAL);
		assert_int_equal(advise_call(w, top, 4095), 0);
		assert_int_equal(fk.arg.a.start, (unsigned long)top);
		assert_int_equal(advise_call(w, NULL, 0), 0);
		assert_int_equal(fk.arg.a.start, 0);
		assert_int_equal(fk.arg.a.len_in, 0);
	}
	assert_int_equal(fk.ioctl_calls, 2 * NR_ADVISE);
}

static void test_advise_errno(void **state)
{
	static const int errs[] = { EINVAL, ENOMEM, EFAULT, EINTR, EBUSY };

	(void)state;
	for (size_t e = 0; e < ARRAY_SIZE(errs); e++) {
		fk.ioctl_errno = errs[e];
		for (int w = 0; w < NR_ADVISE; w++)
			assert_fails(advise_call(w, FAKE_VA, LP), errs[e]);
	}
	assert_int_equal(fk.ioctl_calls, 5 * NR_ADVISE);
}

static void test_hmemcpy(void **state)
{
	char *va = FAKE_VA;

	(void)state;
	assert_int_equal(gmemHmemcpy(-1, va + LP + 3, va + 777, 3 * MIB + 3),
			 0);
	assert_int_equal(fk.ioctl_req, GMEM_HMEMCPY);
	assert_int_equal(fk.ioctl_fd, FAKE_FD);
	assert_int_equal(fk.arg.c.hnid, -1);
	assert_int_equal(fk.arg.c.dest, (unsigned long)(va + LP + 3));
	assert_int_equal(fk.arg.c.src, (unsigned long)(va + 777));
	assert_int_equal(fk.arg.c.size, 3 * MIB + 3);

	/* A device copy: the kernel's EOPNOTSUPP comes back as it is. */
	fk.ioctl_errno = EOPNOTSUPP;
	assert_fails(gmemHmemcpy(3, va, va + LP, 64), EOPNOTSUPP);
	assert_int_equal(fk.arg.c.hnid, 3);
	fk.ioctl_errno = EINVAL;
	assert_fails(gmemHmemcpy(-1, va, va + 8, 64), EINVAL);
	fk.ioctl_errno = 0;

	/* Nothing to copy: NULL is fine, and the kernel decides. */
	assert_int_equal(gmemHmemcpy(-1, NULL, NULL, 0), 0);
	assert_int_equal(fk.arg.c.size, 0);
	assert_int_equal(fk.ioctl_calls, 4);
}

static void test_hmemcpy_bad_args(void **state)
{
	void *top = (void *)(UINTPTR_MAX - 4095);

	(void)state;
	assert_fails(gmemHmemcpy(-1, NULL, FAKE_VA, 1), EINVAL);
	assert_fails(gmemHmemcpy(-1, FAKE_VA, NULL, 1), EINVAL);
	assert_fails(gmemHmemcpy(-1, NULL, NULL, LP), EINVAL);
	assert_fails(gmemHmemcpy(-1, top, FAKE_VA, 8192), EINVAL);
	assert_fails(gmemHmemcpy(-1, FAKE_VA, top, 8192), EINVAL);
	assert_fails(gmemHmemcpy(3, FAKE_VA, FAKE_VA, SIZE_MAX), EINVAL);
	assert_no_syscall();
}

static void assert_mmap(size_t len)
{
	assert_null(fk.mmap_addr);
	assert_int_equal(fk.mmap_len, len);
	assert_int_equal(fk.prot, PROT_READ | PROT_WRITE);
	assert_int_equal(fk.flags, MAP_PRIVATE | MAP_ANONYMOUS | 0x8000000);
	assert_int_equal(fk.mmap_fd, -1);
	assert_int_equal(fk.off, 0);
}

static const struct {
	size_t size, len;
} rounding[] = {
	{ 1, LP },
	{ 4096, LP },
	{ LP - 1, LP },
	{ LP, LP },
	{ LP + 1, 2 * LP },
	{ 3 * LP - 5, 3 * LP },
	{ 64 * LP, 64 * LP },
	/* the largest sizes that still round */
	{ SIZE_MAX - LP + 1, SIZE_MAX - LP + 1 },
	{ SIZE_MAX - 2 * LP + 2, SIZE_MAX - LP + 1 },
};

static void test_alloc_rounding(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rounding); i++) {
		fk.mmap_ret = (char *)FAKE_VA + i * 1024 * LP;
		assert_ptr_equal(gmemAlloc(rounding[i].size), fk.mmap_ret);
		assert_int_equal(fk.mmap_calls, i + 1);
		assert_mmap(rounding[i].len);
	}
	assert_int_equal(fk.munmap_calls, 0);
}

static void test_alloc_bad_args(void **state)
{
	(void)state;
	assert_null_errno(gmemAlloc(0), EINVAL);
	assert_null_errno(gmemAlloc(SIZE_MAX), EINVAL);
	assert_null_errno(gmemAlloc(SIZE_MAX - LP + 2), EINVAL);
	assert_no_syscall();
}

static void test_alloc_errors(void **state)
{
	(void)state;
	fk.mmap_errno = ENOMEM;
	assert_null_errno(gmemAlloc(5 * LP), ENOMEM);
	fk.mmap_errno = EINVAL;
	assert_null_errno(gmemAlloc(LP), EINVAL);
	assert_int_equal(fk.munmap_calls, 0);

	/* Not 2 MiB aligned: not GMem's, given back. */
	fk.mmap_errno = 0;
	fk.mmap_ret = (char *)FAKE_VA + 4096;
	assert_null_errno(gmemAlloc(LP + 1), EPROTO);
	assert_int_equal(fk.munmap_calls, 1);
	assert_ptr_equal(fk.munmap_addr, fk.mmap_ret);
	assert_int_equal(fk.munmap_len, 2 * LP);
	assert_int_equal(fk.mmap_calls, 3);
}

static void test_free_rounding(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rounding); i++) {
		if (rounding[i].len > 1024 * LP)
			continue;	/* would run past the address space */
		assert_int_equal(gmemFree(FAKE_VA, rounding[i].size), 0);
		assert_ptr_equal(fk.munmap_addr, FAKE_VA);
		assert_int_equal(fk.munmap_len, rounding[i].len);
	}
	assert_int_equal(fk.munmap_calls, 7);
	/* gmemFree() of a whole allocation, as gmemAlloc() made it */
	assert_int_equal(gmemFree(gmemAlloc(3 * LP - 5), 3 * LP - 5), 0);
	assert_int_equal(fk.munmap_len, fk.mmap_len);
	/* the last logical page whose end is an address */
	assert_int_equal(gmemFree((void *)(UINTPTR_MAX - 2 * LP + 1), LP), 0);
	assert_ptr_equal(fk.munmap_addr, (void *)(UINTPTR_MAX - 2 * LP + 1));
	assert_int_equal(fk.munmap_len, LP);

	fk.munmap_errno = ENOMEM;
	assert_fails(gmemFree(FAKE_VA, LP), ENOMEM);
	assert_int_equal(fk.munmap_calls, 10);
	assert_int_equal(fk.open_calls, 1);	/* gmemAlloc()'s */
}

static void test_free_bad_args(void **state)
{
	char *va = FAKE_VA;

	(void)state;
	/* Like free(NULL): nothing to do. */
	assert_int_equal(gmemFree(NULL, 0), 0);
	assert_fails(gmemFree(NULL, 1), EINVAL);
	assert_fails(gmemFree(NULL, LP), EINVAL);
	assert_fails(gmemFree(va, 0), EINVAL);
	assert_fails(gmemFree(va + 4096, LP), EINVAL);
	assert_fails(gmemFree(va + LP / 2, LP), EINVAL);
	assert_fails(gmemFree(va, SIZE_MAX), EINVAL);
	assert_fails(gmemFree(va, SIZE_MAX - LP + 2), EINVAL);
	assert_fails(gmemFree((void *)(UINTPTR_MAX - LP + 1), LP), EINVAL);
	assert_fails(gmemFree((void *)(UINTPTR_MAX - 2 * LP + 1), LP + 1),
		     EINVAL);
	assert_no_syscall();
}

/* What gmemstat_show() in kernel/mm/gmem_dev.c prints. */
#define STAT_OK                                                              \
	"migrating     : 0\n"                                                \
	"processes     : 2\n"                                                \
	"pages_nomap   : 17\n"                                               \
	"pages_cpu     : 123456\n"                                           \
	"pages_device  : 18446744073709551615\n"

static void stat_is(const char *text)
{
	fk.stat_text = text;
	fk.stat_len = strlen(text);
}

/* gmemGetStats() reads the counts 1 to 5 that the fake file holds. */
static void assert_stats_1_to_5(void)
{
	struct gmem_stats st;

	assert_int_equal(gmemGetStats(&st), 0);
	assert_int_equal(st.migrating, 1);
	assert_int_equal(st.processes, 2);
	assert_int_equal(st.pages_nomap, 3);
	assert_int_equal(st.pages_cpu, 4);
	assert_int_equal(st.pages_device, 5);
}

static void test_stats_good(void **state)
{
	struct gmem_stats st;

	(void)state;
	memset(&st, 0xab, sizeof(st));
	stat_is(STAT_OK);
	assert_int_equal(gmemGetStats(&st), 0);
	assert_int_equal(fk.fopen_calls, 1);
	assert_string_equal(fk.fopen_path, "/proc/gmemstat");
	assert_string_equal(fk.fopen_mode, "re");
	assert_int_equal(st.migrating, 0);
	assert_int_equal(st.processes, 2);
	assert_int_equal(st.pages_nomap, 17);
	assert_int_equal(st.pages_cpu, 123456);
	assert_true(st.pages_device == ULLONG_MAX);

	/* Any order, tabs, no blanks, trailing blanks. */
	stat_is("pages_device:5\n"
		"pages_cpu\t:\t4\n"
		"pages_nomap : 3 \n"
		"processes: 2\t\n"
		"migrating :1\n");
	assert_stats_1_to_5();
	/* The library opens no device for it. */
	assert_int_equal(fk.open_calls, 0);
}

/* A newer kernel's lines are skipped, whatever they hold. */
static void test_stats_extra_lines(void **state)
{
	(void)state;
	stat_is("evictions     : 99\n"
		"migrating     : 1\n"
		"devices       : 1 2 3\n"
		"processes     : 2\n"
		"pages_pinned  :\n"
		"pages_nomap   : 3\n"
		"pages_cpu     : 4\n"
		"note: free text, even -1 or: colons\n"
		"pages_device  : 5\n"
		"pages_willneed : 6\n");
	assert_stats_1_to_5();
}

/* Each fails as EPROTO, leaving the caller's struct as it was. */
static const char *const stat_bad[] = {
	/* a known count that is not one */
	"migrating     : -1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5\n",
	"migrating     : +1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5\n",
	"migrating     : 0x10\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5\n",
	"migrating     : 1\n" "processes : two\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5\n",
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3 4\n"
	"pages_cpu : 4\n" "pages_device : 5\n",
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 12x\n" "pages_device : 5\n",
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : \n",
	/* one more than ULLONG_MAX */
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 18446744073709551616\n",
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 99999999999999999999999\n",
	/* a known field twice */
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5\n" "pages_cpu : 4\n",
	/* lines of another shape */
	"migrating     : 1\n" "processes 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5\n",
	"migrating     : 1\n" "\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5\n",
	": 7\n" "migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5\n",
	" migrating : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5\n",
	"migrating     : 1\n" "pages cpu : 2\n" "processes : 2\n"
	"pages_nomap : 3\n" "pages_cpu : 4\n" "pages_device : 5\n",
	/* cut short: a count lost, or the last line without its newline */
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n",
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 5",
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_device : 55",
	"migrating     : 1\n" "processes : 2\n" "pages_nomap : 3\n"
	"pages_cpu : 4\n" "pages_dev",
	"migrating     : 1\n",
	"",
};

static void test_stats_malformed(void **state)
{
	static const char nul[] = STAT_OK "pages_x : 1\0junk\n";
	char spaced[sizeof(nul)];
	struct gmem_stats st, want;

	(void)state;
	memset(&want, 0x5a, sizeof(want));
	for (size_t i = 0; i < ARRAY_SIZE(stat_bad); i++) {
		st = want;
		stat_is(stat_bad[i]);
		errno = 0;
		if (gmemGetStats(&st) != -1 || errno != EPROTO)
			fail_msg("input %zu accepted (errno %d):\n%s", i,
				 errno, stat_bad[i]);
		assert_memory_equal(&st, &want, sizeof(st));
	}
	/* A NUL inside a line is not text... */
	fk.stat_text = nul;
	fk.stat_len = sizeof(nul) - 1;
	assert_fails(gmemGetStats(&st), EPROTO);
	assert_memory_equal(&st, &want, sizeof(st));
	/* ...while a blank in its place is an unknown line, skipped. */
	memcpy(spaced, nul, sizeof(nul));
	spaced[strlen(nul)] = ' ';
	fk.stat_text = spaced;
	assert_int_equal(gmemGetStats(&st), 0);
	assert_int_equal(st.pages_cpu, 123456);
}

static void test_stats_errors(void **state)
{
	struct gmem_stats st = { 0 };

	(void)state;
	assert_fails(gmemGetStats(NULL), EINVAL);
	assert_no_syscall();

	/* no gmem=on: no /proc/gmemstat */
	fk.fopen_errno = ENOENT;
	assert_fails(gmemGetStats(&st), ENOENT);
	fk.fopen_errno = EACCES;
	assert_fails(gmemGetStats(&st), EACCES);
	/* a read that fails: the read's errno */
	fk.fopen_errno = 0;
	fk.stat_file = "/";
	assert_fails(gmemGetStats(&st), EISDIR);
	assert_int_equal(fk.fopen_calls, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_open_lazy_once),
		T(test_open_fails),
		T(test_open_threads),
		T(test_get_numa_id),
		T(test_advise_structs),
		T(test_stream_ignored),
		T(test_advise_bad_args),
		T(test_advise_errno),
		T(test_hmemcpy),
		T(test_hmemcpy_bad_args),
		T(test_alloc_rounding),
		T(test_alloc_bad_args),
		T(test_alloc_errors),
		T(test_free_rounding),
		T(test_free_bad_args),
		T(test_stats_good),
		T(test_stats_extra_lines),
		T(test_stats_malformed),
		T(test_stats_errors),
#undef T
	};

	return cmocka_run_group_tests_name("libgmem", tests, NULL, NULL);
}
