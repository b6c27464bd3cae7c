// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: code written for openEuler's libgmem builds against ours
 * unchanged and does what it meant. The calls are made as openEuler's
 * README shows them: the address held as an unsigned long, a stream
 * that may be NULL, 0 for success. usr/Makefile compiles this file with
 * GCC 14's errors (int-conversion, incompatible-pointer-types,
 * implicit-function-declaration), so a prototype that took a pointer
 * again would stop the build; the fakes of libgmem_fixture.h show what
 * the library asked the kernel for.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "libgmem.h"	/* all an openEuler program includes */
#include "libgmem_fixture.h"
#include "util.h"

/* The README's sequence: find the device, prefetch to it, free eagerly. */
static void test_readme_usage(void **state)
{
	size_t size = 3 * LP + 4096;
	char *ptr = malloc(size);
	unsigned long addr = (unsigned long)ptr;
	int hnid, ret;

	(void)state;
	assert_non_null(ptr);
	hnid = gmemGetNumaId();
	assert_int_equal(hnid, FAKE_HNID);
	assert_int_equal(fk.ioctl_req, GMEM_GET_HNUMA_ID);

	ret = gmemPrefetch(addr, size, hnid, NULL);
	assert_int_equal(ret, 0);
	assert_madvise(addr, size, FAKE_HNID, MADV_PREFETCH);

	ret = gmemFreeEager(addr, size, NULL);
	assert_int_equal(ret, 0);
	assert_madvise(addr, size, -1, MADV_DONTNEED);
	assert_int_equal(fk.ioctl_calls, 3);
	free(ptr);
}

/* An asynchronous call in openEuler: here it is done on return. */
static void test_stream(void **state)
{
	int queue;
	void *stream = &queue;
	unsigned long addr = FAKE_ADDR + LP;

	(void)state;
	assert_int_equal(gmemPrefetch(addr, LP, 0, stream), 0);
	assert_madvise(addr, LP, 0, MADV_PREFETCH);
	assert_int_equal(gmemFreeEager(addr, 2 * LP, stream), 0);
	assert_madvise(addr, 2 * LP, -1, MADV_DONTNEED);
	assert_int_equal(fk.ioctl_calls, 2);
}

/*
 * Addresses and lengths with bits set above 32, up to the last byte of
 * the address space: none may be cut on the way to the kernel.
 */
static void test_wide_values(void **state)
{
	static const struct {
		unsigned long addr;
		size_t size;
		int hnid;
	} c[] = {
		{ (ULONG_MAX / 3) & ~4095UL, SIZE_MAX / 5, 1 },
		{ FAKE_ADDR | 0x123456789000UL, ULONG_MAX / 7, 17 },
		/* up to the last byte */
		{ ULONG_MAX - 4095, 4095, INT_MAX },
		{ 4096, 1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		assert_int_equal(gmemPrefetch(c[i].addr, c[i].size, c[i].hnid,
					      NULL), 0);
		assert_madvise(c[i].addr, c[i].size, c[i].hnid, MADV_PREFETCH);
		assert_int_equal(gmemFreeEager(c[i].addr, c[i].size, NULL), 0);
		assert_madvise(c[i].addr, c[i].size, -1, MADV_DONTNEED);
	}
	assert_int_equal(fk.ioctl_calls, 2 * ARRAY_SIZE(c));
}

/* openEuler says nonzero on failure and a negative hnid: both hold. */
static void test_failures(void **state)
{
	(void)state;
	/* address 0 and a range past the end never reach the kernel */
	assert_fails(gmemPrefetch(0, LP, FAKE_HNID, NULL), EINVAL);
	assert_fails(gmemFreeEager(0, 1, NULL), EINVAL);
	assert_fails(gmemPrefetch(ULONG_MAX - 4095, 8192, FAKE_HNID, NULL),
		     EINVAL);
	assert_fails(gmemFreeEager(FAKE_ADDR, SIZE_MAX, NULL), EINVAL);
	assert_int_equal(fk.ioctl_calls, 0);

	fk.ioctl_errno = ENODEV;
	assert_true(gmemGetNumaId() < 0);
	fk.ioctl_errno = EINVAL;
	assert_fails(gmemPrefetch(FAKE_ADDR, LP, 99, NULL), EINVAL);
	assert_madvise(FAKE_ADDR, LP, 99, MADV_PREFETCH);
	assert_int_equal(fk.ioctl_calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_readme_usage),
		T(test_stream),
		T(test_wide_values),
		T(test_failures),
#undef T
	};

	return cmocka_run_group_tests_name("libgmem_openeuler", tests, NULL,
					   NULL);
}
