// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the template store of libmodelfs: format, atomic writes,
 * the checks on reading, and the template name of a mount.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "libmodelfs.h"
#include "template.h"
#include "template_corrupt.h"
#include "util.h"

struct fix {
	char dir[64];
	char path[PATH_MAX];
};

static int rm_tree(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	return system(cmd);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/oe-tmpl-store.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	modelfs_tmpl_set_sysfs_root(NULL);
	rm_tree(f->dir);
	free(f);
	return 0;
}

/* The names in @dir, sorted, joined by ' '. */
static void list_dir(const char *dir, char *out, size_t len)
{
	struct dirent **ents;
	int i, n = scandir(dir, &ents, NULL, alphasort);

	out[0] = '\0';
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
			if (out[0])
				strncat(out, " ", len - strlen(out) - 1);
			strncat(out, ents[i]->d_name, len - strlen(out) - 1);
		}
		free(ents[i]);
	}
	free(ents);
}

static void assert_tmpl_equal(const struct modelfs_tmpl *a,
			      const struct modelfs_tmpl *b)
{
	uint32_t i, j;

	assert_int_equal(a->nr_files, b->nr_files);
	assert_int_equal(a->nr_ranges, b->nr_ranges);
	assert_int_equal(a->load_ns, b->load_ns);
	for (i = 0; i < a->nr_files; i++) {
		assert_int_equal(a->files[i].ino, b->files[i].ino);
		assert_int_equal(a->files[i].size, b->files[i].size);
		assert_int_equal(a->files[i].nr, b->files[i].nr);
		for (j = 0; j < a->files[i].nr; j++) {
			assert_int_equal(a->files[i].r[j].off, b->files[i].r[j].off);
			assert_int_equal(a->files[i].r[j].len, b->files[i].r[j].len);
		}
	}
}

static void test_roundtrip(void **state)
{
	struct fix *f = *state;
	struct modelfs_template_info info;
	unsigned char img[GOOD_SIZE + 1];
	struct modelfs_tmpl t;
	char names[256], dir[256];
	struct stat sb;
	mode_t old;

	/* missing directories are made, 0755 whatever the umask */
	snprintf(dir, sizeof(dir), "%s/a/b", f->dir);
	old = umask(077);
	assert_int_equal(modelfs_tmpl_save(dir, "m.tmpl", &good_tmpl), 0);
	umask(old);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	snprintf(f->path, sizeof(f->path), "%s/a", f->dir);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	snprintf(f->path, sizeof(f->path), "%s/m.tmpl", dir);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(sb.st_size, GOOD_SIZE);
	/* only the template: no temporary file left behind */
	list_dir(dir, names, sizeof(names));
	assert_string_equal(names, "m.tmpl");

	/* the layout, byte for byte where it is fixed */
	assert_int_equal(tc_read(f->path, img), GOOD_SIZE);
	assert_memory_equal(img, "OEMFSTPL\1\0\0\0\2\0\0\0\3\0\0\0\0\0\0\0", 24);
	assert_memory_equal(img + 32, "\0\0\0\0", 4);
	assert_memory_equal(img + 40, "\x64\0\0\0\0\0\0\0\0\0\x10\0\0\0\0\0\2\0\0\0\0\0\0\0", 24);
	assert_memory_equal(img + 80, "\0\0\2\0\0\0\0\0\0\0\1\0\0\0\0\0", 16);
	{
		unsigned char copy[GOOD_SIZE];

		memcpy(copy, img, GOOD_SIZE);
		tc_fix_crc(copy, GOOD_SIZE);
		assert_memory_equal(copy, img, GOOD_SIZE);
	}

	assert_int_equal(modelfs_tmpl_load(f->path, &t), 0);
	assert_tmpl_equal(&t, &good_tmpl);
	modelfs_tmpl_free(&t);
	modelfs_tmpl_free(&t);	/* zeroed: harmless */

	assert_int_equal(modelfs_template_info(f->path, &info), 0);
	assert_int_equal(info.files, 2);
	assert_int_equal(info.ranges, 3);
	assert_int_equal(info.bytes, 128 * 1024 + 8192);
	assert_int_equal(info.load_ns, GOOD_LOAD_NS);
	assert_int_equal(modelfs_template_info(NULL, &info), -EINVAL);
	assert_int_equal(modelfs_template_info(f->path, NULL), -EINVAL);
}

static void test_empty_and_rangeless(void **state)
{
	struct fix *f = *state;
	struct modelfs_tmpl_file files[] = { { 7, 0, 0, NULL }, { 8, 100, 0, NULL } };
	struct modelfs_tmpl t = { .nr_files = 2, .files = files }, in;
	struct modelfs_tmpl none = { 0 };
	struct modelfs_template_info info;

	assert_int_equal(modelfs_tmpl_save(f->dir, "r", &t), 0);
	snprintf(f->path, sizeof(f->path), "%s/r", f->dir);
	assert_int_equal(modelfs_tmpl_load(f->path, &in), 0);
	assert_int_equal(in.nr_files, 2);
	assert_int_equal(in.files[1].ino, 8);
	assert_int_equal(in.files[1].nr, 0);
	modelfs_tmpl_free(&in);

	assert_int_equal(modelfs_tmpl_save(f->dir, "e", &none), 0);
	snprintf(f->path, sizeof(f->path), "%s/e", f->dir);
	assert_int_equal(modelfs_template_info(f->path, &info), 0);
	assert_int_equal(info.files, 0);
	assert_int_equal(info.bytes, 0);
}

static void test_replace_atomic(void **state)
{
	struct fix *f = *state;
	struct modelfs_tmpl_range r = { 4096, 4096 };
	struct modelfs_tmpl_file file = { 9, 1 << 20, 1, &r };
	struct modelfs_tmpl t = { .nr_files = 1, .load_ns = 5, .files = &file };
	struct modelfs_template_info info;
	char names[256];
	struct stat sb;
	ino_t before;

	assert_int_equal(modelfs_tmpl_save(f->dir, "x.tmpl", &good_tmpl), 0);
	snprintf(f->path, sizeof(f->path), "%s/x.tmpl", f->dir);
	assert_int_equal(stat(f->path, &sb), 0);
	before = sb.st_ino;
	assert_int_equal(modelfs_tmpl_save(f->dir, "x.tmpl", &t), 0);
	/* a new file renamed over the old one, not rewritten in place */
	assert_int_equal(stat(f->path, &sb), 0);
	assert_true(sb.st_ino != before);
	assert_int_equal(modelfs_template_info(f->path, &info), 0);
	assert_int_equal(info.files, 1);
	assert_int_equal(info.ranges, 1);
	assert_int_equal(info.bytes, 4096);
	assert_int_equal(info.load_ns, 5);
	list_dir(f->dir, names, sizeof(names));
	assert_string_equal(names, "x.tmpl");

	/* a failed write leaves the old template and no temporary file */
	r.len = (1 << 20) - 4095;	/* past the size */
	assert_int_equal(modelfs_tmpl_save(f->dir, "x.tmpl", &t), -EINVAL);
	r.len = 0;
	assert_int_equal(modelfs_tmpl_save(f->dir, "x.tmpl", &t), -EINVAL);
	assert_int_equal(modelfs_template_info(f->path, &info), 0);
	assert_int_equal(info.load_ns, 5);
	list_dir(f->dir, names, sizeof(names));
	assert_string_equal(names, "x.tmpl");
}

static void test_save_refused(void **state)
{
	struct fix *f = *state;
	struct modelfs_tmpl t = { 0 };
	char names[256];

	assert_int_equal(modelfs_tmpl_save(f->dir, "", &good_tmpl), -EINVAL);
	assert_int_equal(modelfs_tmpl_save(f->dir, "a/b", &good_tmpl), -EINVAL);
	assert_int_equal(modelfs_tmpl_save(NULL, "a", &good_tmpl), -EINVAL);
	assert_int_equal(modelfs_tmpl_save("", "a", &good_tmpl), -EINVAL);
	/* the directory is a file */
	snprintf(f->path, sizeof(f->path), "%s/plain", f->dir);
	assert_int_equal(tc_write(f->path, (const unsigned char *)"x", 1), 0);
	assert_int_equal(modelfs_tmpl_save(f->path, "a", &good_tmpl), -ENOTDIR);
	snprintf(f->path, sizeof(f->path), "%s/plain/sub", f->dir);
	assert_int_equal(modelfs_tmpl_save(f->path, "a", &good_tmpl), -ENOTDIR);
	/* more than the store holds */
	t.nr_files = MODELFS_TMPL_MAX_FILES + 1;
	t.files = calloc(t.nr_files, sizeof(*t.files));
	assert_non_null(t.files);
	assert_int_equal(modelfs_tmpl_save(f->dir, "big", &t), -E2BIG);
	t.nr_files = 1;
	t.files[0].size = UINT64_MAX;
	t.files[0].nr = MODELFS_TMPL_MAX_RANGES + 1;
	assert_int_equal(modelfs_tmpl_save(f->dir, "big", &t), -E2BIG);
	free(t.files);
	list_dir(f->dir, names, sizeof(names));
	assert_string_equal(names, "plain");
}

static void test_load_missing(void **state)
{
	struct fix *f = *state;
	struct modelfs_template_info info;
	struct modelfs_tmpl t;

	snprintf(f->path, sizeof(f->path), "%s/none", f->dir);
	assert_int_equal(modelfs_tmpl_load(f->path, &t), -ENOENT);
	assert_int_equal(modelfs_template_info(f->path, &info), -ENOENT);
	assert_int_equal(modelfs_tmpl_load(f->dir, &t), -EISDIR);
}

/* Every kind of damage: EBADMSG, from the loader and from info. */
static void test_corrupt(void **state)
{
	struct fix *f = *state;
	struct modelfs_template_info info;
	struct modelfs_tmpl t;
	size_t i;

	snprintf(f->path, sizeof(f->path), "%s/c.tmpl", f->dir);
	/* the good one first: the damage is what makes the difference */
	assert_int_equal(modelfs_tmpl_save(f->dir, "c.tmpl", &good_tmpl), 0);
	assert_int_equal(modelfs_template_info(f->path, &info), 0);
	for (i = 0; i < TC_NR_KINDS; i++) {
		int ret;

		assert_int_equal(tc_make_corrupt(f->dir, "c.tmpl", &tc_kinds[i]), 0);
		ret = modelfs_tmpl_load(f->path, &t);
		if (ret != -EBADMSG)
			fail_msg("%s: load gave %d, not -EBADMSG", tc_kinds[i].name, ret);
		assert_int_equal(t.nr_files, 0);
		assert_null(t.files);
		ret = modelfs_template_info(f->path, &info);
		if (ret != -EBADMSG)
			fail_msg("%s: info gave %d, not -EBADMSG", tc_kinds[i].name, ret);
	}
}

/* Far too big to be a template: refused without being read. */
static void test_corrupt_huge_file(void **state)
{
	struct fix *f = *state;
	struct modelfs_tmpl t;
	int fd;

	snprintf(f->path, sizeof(f->path), "%s/huge", f->dir);
	fd = open(f->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1LL << 40), 0);
	close(fd);
	assert_int_equal(modelfs_tmpl_load(f->path, &t), -EBADMSG);
}

static void test_escape(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "/mnt/models", "mnt-models.tmpl" },
		{ "/", "-.tmpl" },
		{ "//", "-.tmpl" },
		{ "//srv//llm/", "srv-llm.tmpl" },
		{ "/data/my-model v2", "data-my\\x2dmodel\\x20v2.tmpl" },
		{ "/.hidden/a.b", "\\x2ehidden-a.b.tmpl" },
		{ "/x:y_z/Q9", "x:y_z-Q9.tmpl" },
		{ "/a\\b", "a\\x5cb.tmpl" },
		{ "/caf\xc3\xa9", "caf\\xc3\\xa9.tmpl" },
	};
	char buf[NAME_MAX + 1], longp[400];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(modelfs_tmpl_escape(cases[i].in, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].out);
	}
	/* exactly fitting, one short */
	assert_int_equal(modelfs_tmpl_escape("/mnt/models", buf, 16), 0);
	assert_string_equal(buf, "mnt-models.tmpl");
	assert_int_equal(modelfs_tmpl_escape("/mnt/models", buf, 15), -ENAMETOOLONG);
	assert_int_equal(modelfs_tmpl_escape("/mnt/models", buf, 3), -ENAMETOOLONG);
	assert_int_equal(modelfs_tmpl_escape("/", buf, 6), -ENAMETOOLONG);
	assert_int_equal(modelfs_tmpl_escape("/", buf, 0), -ENAMETOOLONG);
	/* longer than a file name may be, whatever the buffer */
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	{
		char big[1024];

		assert_int_equal(modelfs_tmpl_escape(longp, big, sizeof(big)),
				 -ENAMETOOLONG);
		longp[NAME_MAX - 5 + 1] = '\0';	/* NAME_MAX with ".tmpl" */
		assert_int_equal(modelfs_tmpl_escape(longp, big, sizeof(big)), 0);
		assert_int_equal(strlen(big), NAME_MAX);
	}
}

/* A fake /sys saying that the mount holding @mnt has lower @lower. */
static void fake_sysfs(struct fix *f, const char *mnt, const char *lower)
{
	char p[PATH_MAX];
	struct stat sb;

	assert_int_equal(stat(mnt, &sb), 0);
	snprintf(p, sizeof(p), "mkdir -p '%s/sys/fs/modelfs/%u:%u'", f->dir,
		 major(sb.st_dev), minor(sb.st_dev));
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof(p), "%s/sys/fs/modelfs/%u:%u/lowerdir", f->dir,
		 major(sb.st_dev), minor(sb.st_dev));
	assert_int_equal(tc_write(p, (const unsigned char *)lower, strlen(lower)), 0);
	snprintf(p, sizeof(p), "%s/sys", f->dir);
	modelfs_tmpl_set_sysfs_root(p);
}

static void test_template_name(void **state)
{
	struct fix *f = *state;
	char buf[NAME_MAX + 1], root[PATH_MAX];

	/* no such mount in sysfs: not a ModelFS mount */
	snprintf(root, sizeof(root), "%s/nosys", f->dir);
	modelfs_tmpl_set_sysfs_root(root);
	assert_int_equal(modelfs_template_name(f->dir, buf, sizeof(buf)), -ENOTTY);
	modelfs_tmpl_set_sysfs_root(NULL);
	/* the real /sys: /tmp is no ModelFS mount either */
	assert_int_equal(modelfs_template_name(f->dir, buf, sizeof(buf)), -ENOTTY);

	fake_sysfs(f, f->dir, "/mnt/models\n");
	assert_int_equal(modelfs_template_name(f->dir, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mnt-models.tmpl");
	/* any file of the mount names it */
	snprintf(root, sizeof(root), "%s/sys", f->dir);
	assert_int_equal(modelfs_template_name(root, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mnt-models.tmpl");
	assert_int_equal(modelfs_template_name(f->dir, buf, 8), -ENAMETOOLONG);

	fake_sysfs(f, f->dir, "/srv/my models/");
	assert_int_equal(modelfs_template_name(f->dir, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "srv-my\\x20models.tmpl");

	/* what is not a path is refused */
	fake_sysfs(f, f->dir, "\n");
	assert_int_equal(modelfs_template_name(f->dir, buf, sizeof(buf)), -EIO);
	fake_sysfs(f, f->dir, "relative\n");
	assert_int_equal(modelfs_template_name(f->dir, buf, sizeof(buf)), -EIO);

	snprintf(root, sizeof(root), "%s/none", f->dir);
	assert_int_equal(modelfs_template_name(root, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(modelfs_template_name(NULL, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_roundtrip),
		T(test_empty_and_rangeless),
		T(test_replace_atomic),
		T(test_save_refused),
		T(test_load_missing),
		T(test_corrupt),
		T(test_corrupt_huge_file),
		T(test_escape),
		T(test_template_name),
	};
#undef T

	return cmocka_run_group_tests_name("template_store", tests, NULL, NULL);
}
