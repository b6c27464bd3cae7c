// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: liboesched's pure part. Topology and SMT siblings from
 * fake sysfs trees, the kernel's sched_ext state from a fake
 * /sys/kernel/sched_ext, cpulists, and configs that must be refused
 * before anything is loaded. Directories under a "cg" tree pass for
 * cgroup2 ones: statfs() is wrapped (-Wl,--wrap=statfs).
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/magic.h>

#include "oesched.h"

/* statfs() of paths below here says cgroup2 */
static char fake_cg_root[PATH_MAX];

/* liboesched's statfs() calls come here (-Wl,--wrap=statfs) */
int __wrap_statfs(const char *path, struct statfs *buf)
{
	int rc = (int)syscall(SYS_statfs, path, buf);
	size_t n = strlen(fake_cg_root);

	if (!rc && n && !strncmp(path, fake_cg_root, n))
		buf->f_type = CGROUP2_SUPER_MAGIC;
	return rc;
}

struct fx {
	char dir[128];
	char path[PATH_MAX];	/* scratch for fx_path() */
};

static const char *fx_path(struct fx *f, const char *rel)
{
	snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, rel);
	return f->path;
}

/* Write @text to @rel under the fixture, making its directories. */
static void put(struct fx *f, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	for (char *p = path + strlen(f->dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void mkdirs(struct fx *f, const char *rel)
{
	char keep[256];

	assert_true((size_t)snprintf(keep, sizeof(keep), "%s/.keep", rel) <
		    sizeof(keep));
	put(f, keep, "");
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_oesched.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(fake_cg_root, sizeof(fake_cg_root), "%s/cg/", f->dir);
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	fake_cg_root[0] = '\0';
	free(f);
	return 0;
}

/* A CPU with caches L1d, L1i, L2 and an L3 shared by @l3. */
static void fake_cpu(struct fx *f, int cpu, const char *l3)
{
	static const char *const level[] = { "1", "1", "2", "3" };
	char rel[128];

	for (int i = 0; i < 4; i++) {
		snprintf(rel, sizeof(rel), "cpu/cpu%d/cache/index%d/level", cpu,
			 i);
		put(f, rel, level[i]);
		snprintf(rel, sizeof(rel),
			 "cpu/cpu%d/cache/index%d/shared_cpu_list", cpu, i);
		put(f, rel, i == 3 ? l3 : "0");
	}
}

/* ---- names ---- */

static void test_policy_names(void **state)
{
	(void)state;
	assert_string_equal(oesched_policies[0], "oe_fifo");
	assert_string_equal(oesched_policies[1], "oe_qos");
	assert_string_equal(oesched_policies[2], "oe_domain");
	assert_null(oesched_policies[3]);
	for (int i = 0; oesched_policies[i]; i++)
		assert_true(oesched_policy_known(oesched_policies[i]));
	assert_false(oesched_policy_known("oe_fif"));
	assert_false(oesched_policy_known("OE_FIFO"));
	assert_false(oesched_policy_known(""));
	assert_false(oesched_policy_known(NULL));
}

static void test_exit_kinds(void **state)
{
	(void)state;
	assert_string_equal(oesched_exit_kind_name(OESCHED_EXIT_NONE), "none");
	assert_string_equal(oesched_exit_kind_name(OESCHED_EXIT_UNREG),
			    "unreg");
	assert_string_equal(oesched_exit_kind_name(OESCHED_EXIT_SYSRQ),
			    "sysrq");
	assert_string_equal(oesched_exit_kind_name(OESCHED_EXIT_ERROR_BPF),
			    "error_bpf");
	assert_string_equal(oesched_exit_kind_name(OESCHED_EXIT_ERROR_STALL),
			    "error_stall");
	assert_string_equal(oesched_exit_kind_name(5), "unknown");
	assert_false(oesched_exit_is_ejection(OESCHED_EXIT_NONE));
	assert_false(oesched_exit_is_ejection(OESCHED_EXIT_UNREG));
	assert_false(oesched_exit_is_ejection(OESCHED_EXIT_UNREG_BPF));
	assert_true(oesched_exit_is_ejection(OESCHED_EXIT_SYSRQ));
	assert_true(oesched_exit_is_ejection(OESCHED_EXIT_ERROR));
	assert_true(oesched_exit_is_ejection(OESCHED_EXIT_ERROR_STALL));
}

/* ---- cpulists ---- */

static void test_cpulist(void **state)
{
	unsigned long long b[8];

	(void)state;
	assert_int_equal(oesched_parse_cpulist("0-3,8,10-11\n", b, 512), 0);
	assert_int_equal(b[0], 0xd0fULL);
	assert_int_equal(b[1], 0);
	assert_int_equal(oesched_parse_cpulist("511", b, 512), 0);
	assert_int_equal(b[7], 1ULL << 63);
	assert_int_equal(oesched_parse_cpulist("64-65", b, 512), 0);
	assert_int_equal(b[0], 0);
	assert_int_equal(b[1], 3);
	assert_int_equal(oesched_parse_cpulist("", b, 512), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(b[i], 0);

	assert_int_equal(oesched_parse_cpulist("512", b, 512), -EINVAL);
	assert_int_equal(oesched_parse_cpulist("3-1", b, 512), -EINVAL);
	assert_int_equal(oesched_parse_cpulist("1-", b, 512), -EINVAL);
	assert_int_equal(oesched_parse_cpulist("1,,2", b, 512), -EINVAL);
	assert_int_equal(oesched_parse_cpulist("a", b, 512), -EINVAL);
	assert_int_equal(oesched_parse_cpulist("-1", b, 512), -EINVAL);
	assert_int_equal(oesched_parse_cpulist("1 2", b, 512), -EINVAL);
}

/* ---- topology ---- */

static void test_topology_llc(void **state)
{
	struct fx *f = *state;
	struct oesched_topo t;

	/* two LLCs; the SMT siblings of one core are n and n + 4 */
	for (int c = 0; c < 8; c++)
		fake_cpu(f, c, c % 4 < 2 ? "0-1,4-5" : "2-3,6-7");
	put(f, "cpu/online", "0-7");
	mkdirs(f, "cpu/cpufreq");
	mkdirs(f, "cpu/cpuidle");

	assert_int_equal(oesched_topology(fx_path(f, "cpu"), &t), 0);
	assert_int_equal(t.nr_domains, 2);
	assert_int_equal(t.dom[0].cpus[0], 0x33ULL);
	assert_int_equal(t.dom[1].cpus[0], 0xccULL);
	for (int w = 1; w < OE_DOMAIN_MAX_CPUS / 64; w++)
		assert_int_equal(t.dom[0].cpus[w] | t.dom[1].cpus[w], 0);
}

static void test_topology_package(void **state)
{
	struct fx *f = *state;
	struct oesched_topo t;
	char rel[128];

	/* no cache information: packages, interleaved */
	for (int c = 0; c < 4; c++) {
		snprintf(rel, sizeof(rel),
			 "cpu/cpu%d/topology/physical_package_id", c);
		put(f, rel, c % 2 ? "1\n" : "0\n");
	}
	assert_int_equal(oesched_topology(fx_path(f, "cpu"), &t), 0);
	assert_int_equal(t.nr_domains, 2);
	assert_int_equal(t.dom[0].cpus[0], 0x5ULL);
	assert_int_equal(t.dom[1].cpus[0], 0xaULL);
}

static void test_topology_flat(void **state)
{
	struct fx *f = *state;
	struct oesched_topo t;

	/* neither: one domain of every CPU, cpu10 sorted after cpu2 */
	mkdirs(f, "cpu/cpu0");
	mkdirs(f, "cpu/cpu10");
	mkdirs(f, "cpu/cpu2");
	assert_int_equal(oesched_topology(fx_path(f, "cpu"), &t), 0);
	assert_int_equal(t.nr_domains, 1);
	assert_int_equal(t.dom[0].cpus[0], (1ULL << 10) | 0x5ULL);
}

static void test_topology_errors(void **state)
{
	struct fx *f = *state;
	struct oesched_topo t;
	char rel[64];

	memset(&t, 0x5a, sizeof(t));
	assert_int_equal(oesched_topology(fx_path(f, "nothing"), &t),
			 -ENOENT);
	assert_int_equal(t.nr_domains, 0);

	/* a directory without CPUs */
	mkdirs(f, "empty");
	assert_int_equal(oesched_topology(fx_path(f, "empty"), &t), -ENOENT);

	/* a CPU beyond what oe_domain's maps hold */
	mkdirs(f, "big/cpu0");
	mkdirs(f, "big/cpu512");
	assert_int_equal(oesched_topology(fx_path(f, "big"), &t), -E2BIG);

	/* more LLCs than domains */
	for (int c = 0; c <= OE_DOMAIN_MAX; c++) {
		snprintf(rel, sizeof(rel), "%d", c);
		fake_cpu(f, c, rel);
	}
	assert_int_equal(oesched_topology(fx_path(f, "cpu"), &t), -E2BIG);
	assert_int_equal(t.nr_domains, 0);
}

static void test_smt(void **state)
{
	struct fx *f = *state;
	struct oe_qos_smt smt[OE_QOS_MAX_CPUS];
	char rel[128];

	for (int c = 0; c < 4; c++) {
		snprintf(rel, sizeof(rel),
			 "cpu/cpu%d/topology/thread_siblings_list", c);
		put(f, rel, c % 2 ? "1,3\n" : "0,2\n");
	}
	mkdirs(f, "cpu/cpu4");	/* offline: no topology */

	memset(smt, 0xff, sizeof(smt));
	assert_int_equal(oesched_smt(fx_path(f, "cpu"), smt, OE_QOS_MAX_CPUS),
			 4);
	assert_int_equal(smt[0].nr, 2);
	assert_int_equal(smt[0].cpus[0], 0);
	assert_int_equal(smt[0].cpus[1], 2);
	assert_int_equal(smt[3].nr, 2);
	assert_int_equal(smt[3].cpus[0], 1);
	assert_int_equal(smt[3].cpus[1], 3);
	assert_int_equal(smt[4].nr, 0);
	assert_int_equal(smt[OE_QOS_MAX_CPUS - 1].nr, 0);

	/* only as many entries as asked for are touched */
	smt[2].nr = 77;
	assert_int_equal(oesched_smt(fx_path(f, "cpu"), smt, 2), 2);
	assert_int_equal(smt[2].nr, 77);

	assert_true(oesched_smt(fx_path(f, "nothing"), smt, 4) < 0);
}

/* ---- kernel state ---- */

static void test_kstate(void **state)
{
	struct fx *f = *state;
	struct oesched_kstate ks;

	put(f, "scx/state", "enabled\n");
	put(f, "scx/switch_all", "1\n");
	put(f, "scx/nr_rejected", "3\n");
	put(f, "scx/enable_seq", "7\n");
	put(f, "scx/last_exit", "unreg oe_fifo unregistered from user space\n");
	put(f, "scx/root/ops", "oe_qos\n");
	assert_int_equal(oesched_kstate_read(fx_path(f, "scx"), &ks), 0);
	assert_string_equal(ks.state, "enabled");
	assert_true(ks.switch_all);
	assert_int_equal(ks.nr_rejected, 3);
	assert_int_equal(ks.enable_seq, 7);
	assert_string_equal(ks.ops, "oe_qos");
	assert_string_equal(ks.last_exit,
			    "unreg oe_fifo unregistered from user space");

	/* nothing loaded, and a kernel without some of the files */
	put(f, "scx2/state", "disabled\n");
	put(f, "scx2/switch_all", "0\n");
	put(f, "scx2/enable_seq", "not a number\n");
	assert_int_equal(oesched_kstate_read(fx_path(f, "scx2"), &ks), 0);
	assert_string_equal(ks.state, "disabled");
	assert_false(ks.switch_all);
	assert_int_equal(ks.nr_rejected, -1);
	assert_int_equal(ks.enable_seq, -1);
	assert_string_equal(ks.ops, "");
	assert_string_equal(ks.last_exit, "none");

	/* no sched_ext at all */
	assert_int_equal(oesched_kstate_read(fx_path(f, "none"), &ks),
			 -ENOENT);
}

/* ---- configs ---- */

#define ERRLEN 512

/* oesched_check() fails with @rc and a message containing @what */
static void refused(const struct oesched_cfg *cfg, int rc, const char *what)
{
	char err[ERRLEN] = "";

	assert_int_equal(oesched_check(cfg, err, sizeof(err)), rc);
	if (!strstr(err, what))
		fail_msg("\"%s\" does not mention \"%s\"", err, what);
}

static void test_check_policy(void **state)
{
	struct oesched_cfg cfg = { .policy = "oe_fifo" };
	char err[ERRLEN] = "";

	(void)state;
	assert_int_equal(oesched_check(&cfg, err, sizeof(err)), 0);
	cfg.timeout_ms = 30000;
	assert_int_equal(oesched_check(&cfg, err, sizeof(err)), 0);

	cfg.timeout_ms = 30001;
	refused(&cfg, -EINVAL, "timeout_ms 30001");
	cfg.timeout_ms = 0;

	cfg.policy = "oe_nope";
	refused(&cfg, -EINVAL,
		"unknown policy \"oe_nope\" (known: oe_fifo, oe_qos, oe_domain)");
	cfg.policy = NULL;
	refused(&cfg, -EINVAL, "unknown policy");
	refused(NULL, -EINVAL, "no configuration");
}

static void test_check_qos(void **state)
{
	struct fx *f = *state;
	char a[PATH_MAX], b[PATH_MAX], file[PATH_MAX], plain[PATH_MAX];
	char missing[PATH_MAX], err[ERRLEN];
	const char *ls[2], *be[1];
	struct oesched_cfg cfg = {
		.policy = "oe_qos", .ls_cgroups = ls, .be_cgroups = be,
	};

	put(f, "cpu/cpu0/topology/thread_siblings_list", "0\n");
	mkdirs(f, "cg/ls");
	mkdirs(f, "cg/be");
	mkdirs(f, "notcg");
	put(f, "cg/file", "x");
	snprintf(a, sizeof(a), "%s/cg/ls", f->dir);
	snprintf(b, sizeof(b), "%s/cg/be", f->dir);
	snprintf(file, sizeof(file), "%s/cg/file", f->dir);
	snprintf(plain, sizeof(plain), "%s/notcg", f->dir);
	snprintf(missing, sizeof(missing), "%s/cg/gone", f->dir);
	cfg.sysfs_cpu = strdup(fx_path(f, "cpu"));

	ls[0] = a;
	be[0] = b;
	cfg.nr_ls = 1;
	cfg.nr_be = 1;
	assert_int_equal(oesched_check(&cfg, err, sizeof(err)), 0);

	ls[1] = missing;
	cfg.nr_ls = 2;
	refused(&cfg, -ENOENT, missing);
	ls[1] = file;
	refused(&cfg, -ENOTDIR, "not a directory");
	ls[1] = plain;
	refused(&cfg, -EINVAL, "not a cgroup2 directory");
	ls[1] = "";
	refused(&cfg, -EINVAL, "empty cgroup path");
	ls[1] = NULL;
	refused(&cfg, -EINVAL, "empty cgroup path");

	/* the same cgroup twice, or as LS and BE */
	ls[1] = a;
	refused(&cfg, -EINVAL, "listed twice");
	cfg.nr_ls = 1;
	be[0] = a;
	refused(&cfg, -EINVAL, "listed twice");
	be[0] = b;

	/* too many: refused before any path is looked at */
	cfg.nr_ls = OE_QOS_MAX_CGROUPS;
	refused(&cfg, -E2BIG, "oe_qos takes at most 1024");
	cfg.nr_ls = 1;

	cfg.be_cgroups = NULL;
	refused(&cfg, -EINVAL, "cgroup list missing");
	cfg.be_cgroups = be;

	/* the lists mean nothing to oe_fifo */
	cfg.policy = "oe_fifo";
	ls[0] = missing;
	assert_int_equal(oesched_check(&cfg, err, sizeof(err)), 0);

	free((char *)cfg.sysfs_cpu);
}

static void test_check_domain(void **state)
{
	struct fx *f = *state;
	char a[PATH_MAX], b[PATH_MAX], missing[PATH_MAX], err[ERRLEN];
	struct oesched_domain_assign dom[3];
	struct oesched_cfg cfg = { .policy = "oe_domain", .domains = dom };

	fake_cpu(f, 0, "0-1");
	fake_cpu(f, 1, "0-1");
	fake_cpu(f, 2, "2-3");
	fake_cpu(f, 3, "2-3");
	mkdirs(f, "cg/a");
	mkdirs(f, "cg/b");
	snprintf(a, sizeof(a), "%s/cg/a", f->dir);
	snprintf(b, sizeof(b), "%s/cg/b", f->dir);
	snprintf(missing, sizeof(missing), "%s/cg/gone", f->dir);
	cfg.sysfs_cpu = strdup(fx_path(f, "cpu"));

	dom[0] = (struct oesched_domain_assign){ .cgroup = a, .domain = 1 };
	dom[1] = (struct oesched_domain_assign){ .cgroup = b, .domain = -1 };
	cfg.nr_domains = 2;
	assert_int_equal(oesched_check(&cfg, err, sizeof(err)), 0);

	dom[1].domain = 2;
	refused(&cfg, -ERANGE,
		"domain 2 out of range (the topology has 2: 0-1)");
	dom[1].domain = -2;
	refused(&cfg, -ERANGE, "domain -2 out of range");
	dom[1].domain = 0;
	dom[1].cgroup = missing;
	refused(&cfg, -ENOENT, missing);
	dom[1].cgroup = a;
	refused(&cfg, -EINVAL, "listed twice");

	cfg.nr_domains = OE_DOMAIN_MAX_CGROUPS + 1;
	refused(&cfg, -E2BIG, "oe_domain takes at most 1024");
	cfg.nr_domains = 1;
	cfg.domains = NULL;
	refused(&cfg, -EINVAL, "cgroup list missing");
	cfg.domains = dom;

	free((char *)cfg.sysfs_cpu);
	cfg.sysfs_cpu = strdup(fx_path(f, "nothing"));
	refused(&cfg, -ENOENT, "cannot read the CPU topology");
	free((char *)cfg.sysfs_cpu);
}

/* A load refused for bad input leaves nothing behind and says why. */
static void test_load_refused(void **state)
{
	struct fx *f = *state;
	struct oesched_cfg cfg = { .policy = "oe_fifo" };
	struct oesched *s = (struct oesched *)&cfg;
	char err[ERRLEN] = "";

	cfg.bpf_dir = strdup(fx_path(f, "bpf"));
	assert_int_equal(oesched_load(&cfg, &s, err, sizeof(err)), -ENOENT);
	assert_null(s);
	assert_non_null(strstr(err, "/bpf/oe_fifo.bpf.o"));

	/* not an ELF object */
	put(f, "bpf/oe_fifo.bpf.o", "#!/bin/sh\n");
	s = (struct oesched *)&cfg;
	assert_int_equal(oesched_load(&cfg, &s, err, sizeof(err)), -EINVAL);
	assert_null(s);
	assert_string_equal(err, "not a BPF ELF object");

	cfg.policy = "oe_none";
	s = (struct oesched *)&cfg;
	assert_int_equal(oesched_load(&cfg, &s, err, sizeof(err)), -EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "unknown policy"));

	assert_int_equal(oesched_load_skel(&cfg, NULL, &s, err, sizeof(err)),
			 -EINVAL);
	assert_null(s);
	free((char *)cfg.bpf_dir);

	/* nothing loaded: nothing to report or unload */
	{
		struct oe_sched_exit ei;

		assert_false(oesched_exit_info(NULL, &ei));
		assert_int_equal(ei.kind, 0);
		oesched_unload(NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_exit_kinds),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test_setup_teardown(test_topology_llc, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_topology_package, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_topology_flat, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_topology_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_smt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kstate, setup, teardown),
		cmocka_unit_test(test_check_policy),
		cmocka_unit_test_setup_teardown(test_check_qos, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_domain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_refused, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("oesched", tests, NULL, NULL);
}
