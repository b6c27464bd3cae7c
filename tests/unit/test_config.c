// SPDX-License-Identifier: GPL-2.0-only
/* cmocka tests: oe-ctld configuration parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "modelfs_mod.h"
#include "oesched.h"
#include "sched_mod.h"
#include "util.h"

extern const struct oe_module sentry_module;
extern const struct oe_module gmem_module;

static char err[512];

static int load(const char *text, struct oectld_config *cfg)
{
	err[0] = '\0';
	return oectld_config_load_string("t.conf", text, oe_module_table,
					 oe_module_count, cfg, err, sizeof(err));
}

static void test_defaults_and_good_file(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(load("", &c), 0);
	assert_int_equal(c.daemon.log_level, LOG_INFO);
	assert_string_equal(c.daemon.socket, "/run/oe-ctld/ctl.sock");
	assert_string_equal(c.daemon.admin_group, "oe-admin");
	assert_true(c.daemon.watchdog);
	assert_true(sentry_module.enabled(&c));
	assert_false(modelfs_config(&c)->enabled);
	assert_string_equal(modelfs_config(&c)->template_dir, "/var/lib/oe-ctld/modelfs");
	assert_int_equal(modelfs_config(&c)->nattach, 0);

	assert_int_equal(load("# comment\n"
			      "[daemon]\n"
			      "log_level = debug\n"
			      "socket = /tmp/x/ctl.sock\n"
			      "admin_group = wheel\n"
			      "watchdog = no\n"
			      "\n"
			      "; another comment\n"
			      "[sentry]\n"
			      "enabled = no\n", &c), 0);
	assert_int_equal(c.daemon.log_level, LOG_DEBUG);
	assert_string_equal(c.daemon.socket, "/tmp/x/ctl.sock");
	assert_string_equal(c.daemon.admin_group, "wheel");
	assert_false(c.daemon.watchdog);
	assert_false(sentry_module.enabled(&c));
}

static void test_unknown_key(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(load("[daemon]\nlog_level = info\nfrobnicate = 1\n", &c), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(err, "t.conf:3: unknown key 'frobnicate' in section [daemon]");
	assert_int_equal(load("[sentry]\n\n\nenable = yes\n", &c), -1);
	assert_string_equal(err, "t.conf:4: unknown key 'enable' in section [sentry]");
}

static void test_unknown_section(void **state)
{
	struct oectld_config c;

	(void)state;
	/* with a key */
	assert_int_equal(load("[daemon]\n[frob]\npolicy = x\n", &c), -1);
	assert_string_equal(err, "t.conf:2: unknown section [frob]");
	/* empty section: inih never calls the handler for it */
	assert_int_equal(load("[daemon]\nwatchdog = yes\n[bogus]\n", &c), -1);
	assert_string_equal(err, "t.conf:3: unknown section [bogus]");
	/* key before any section */
	assert_int_equal(load("watchdog = yes\n", &c), -1);
	assert_non_null(strstr(err, "t.conf:1: "));
	assert_non_null(strstr(err, "outside of any section"));
}

static void test_bad_values(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(load("[daemon]\nwatchdog = maybe\n", &c), -1);
	assert_string_equal(err, "t.conf:2: watchdog: bad value 'maybe' (expected yes or no)");
	assert_int_equal(load("[sentry]\nenabled = 1\n", &c), -1);
	assert_string_equal(err, "t.conf:2: enabled: bad value '1' (expected yes or no)");
	assert_int_equal(load("[daemon]\nsocket = relative/ctl.sock\n", &c), -1);
	assert_string_equal(err, "t.conf:2: socket: 'relative/ctl.sock' is not an absolute path");
	assert_int_equal(load("[daemon]\nadmin_group = bad group\n", &c), -1);
	assert_non_null(strstr(err, "t.conf:2: admin_group: bad group name"));
	assert_int_equal(load("[daemon]\nsocket = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", &c), -1);
	assert_non_null(strstr(err, "t.conf:2: socket: path longer than"));
}

static void test_bad_log_level(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(load("[daemon]\n\nlog_level = verbose\n", &c), -1);
	assert_string_equal(err, "t.conf:3: log_level: bad value 'verbose' (expected error, warning, info or debug)");
	assert_int_equal(load("[daemon]\nlog_level =\n", &c), -1);
	assert_non_null(strstr(err, "t.conf:2: log_level: bad value ''"));
	for (int i = 0; i < 4; i++) {
		static const char *names[] = { "error", "warning", "info", "debug" };
		static const int levels[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
		char text[64];

		snprintf(text, sizeof(text), "[daemon]\nlog_level = %s\n", names[i]);
		assert_int_equal(load(text, &c), 0);
		assert_int_equal(c.daemon.log_level, levels[i]);
	}
}

static void test_syntax_error_and_first_error_wins(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(load("[daemon]\nwatchdog = yes\nthis line has no equals\n", &c), -1);
	assert_non_null(strstr(err, "t.conf:3: syntax error"));
	/* a syntax error before a bad key is the one reported */
	assert_int_equal(load("[daemon]\njunk\nwatchdog = perhaps\n", &c), -1);
	assert_non_null(strstr(err, "t.conf:2: syntax error"));
	/* and the other way round */
	assert_int_equal(load("[daemon]\nwatchdog = perhaps\njunk\n", &c), -1);
	assert_non_null(strstr(err, "t.conf:2: watchdog"));
}

static void test_long_line_counts_once(void **state)
{
	struct oectld_config c;
	char text[1024];

	(void)state;
	/* a comment longer than inih's line buffer must still count as one line */
	snprintf(text, sizeof(text), "[daemon]\n#%0400d\nwatchdog = bad\n", 0);
	assert_int_equal(load(text, &c), -1);
	assert_non_null(strstr(err, "t.conf:3: watchdog"));
}

static void test_missing_file(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(oectld_config_load("/nonexistent/oe-ctld.conf",
					    oe_module_table, oe_module_count, &c,
					    err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err, "/nonexistent/oe-ctld.conf: cannot open: No such file or directory");
}

static void test_real_file(void **state)
{
	char path[] = "/tmp/oe-ctld-test-XXXXXX";
	struct oectld_config c;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("[daemon]\nlog_level = warning\n[sentry]\nenabled = nope\n", f);
	fclose(f);
	assert_int_equal(oectld_config_load(path, oe_module_table, oe_module_count,
					    &c, err, sizeof(err)), -1);
	{
		char want[128];

		snprintf(want, sizeof(want), "%s:4: enabled: bad value 'nope' (expected yes or no)", path);
		assert_string_equal(err, want);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[daemon]\nlog_level = warning\n", f);
	fclose(f);
	assert_int_equal(oectld_config_load(path, oe_module_table, oe_module_count,
					    &c, err, sizeof(err)), 0);
	assert_int_equal(c.daemon.log_level, LOG_WARNING);
	unlink(path);
}

static void test_reload_keeps_old_config(void **state)
{
	struct oectld_config running, before;

	(void)state;
	assert_int_equal(load("[daemon]\nlog_level = debug\nwatchdog = no\n[sentry]\nenabled = no\n",
			      &running), 0);
	before = running;
	/* a broken new file must leave the running config untouched */
	assert_int_equal(load("[daemon]\nlog_level = error\nwatchdog = yes\nbogus = 1\n",
			      &running), -1);
	assert_memory_equal(&running, &before, sizeof(running));
	assert_int_equal(running.daemon.log_level, LOG_DEBUG);
	assert_false(sentry_module.enabled(&running));
	/* a good one replaces it */
	assert_int_equal(load("[daemon]\nlog_level = error\n", &running), 0);
	assert_int_equal(running.daemon.log_level, LOG_ERR);
	assert_true(sentry_module.enabled(&running));
}

static void test_modelfs_section(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(load("[modelfs]\n"
			      "enabled = yes\n"
			      "template_dir = //srv//tmpl/\n"
			      "attach = /mnt/a:sequential  /mnt/b/:template\n"
			      "\t/mnt/c:aggregate\n"
			      "attach = /mnt/x:y/z:sequential\n"
			      "attach =\n", &c), 0);
	assert_true(modelfs_config(&c)->enabled);
	assert_string_equal(modelfs_config(&c)->template_dir, "/srv/tmpl");
	assert_int_equal(modelfs_config(&c)->nattach, 4);
	assert_string_equal(modelfs_config(&c)->attach[0].mount, "/mnt/a");
	assert_string_equal(modelfs_config(&c)->attach[0].policy, "sequential");
	/* trailing slash dropped */
	assert_string_equal(modelfs_config(&c)->attach[1].mount, "/mnt/b");
	assert_string_equal(modelfs_config(&c)->attach[1].policy, "template");
	/* a continuation line adds to the list */
	assert_string_equal(modelfs_config(&c)->attach[2].mount, "/mnt/c");
	assert_string_equal(modelfs_config(&c)->attach[2].policy, "aggregate");
	/* the policy follows the last ':'; a repeated key adds too */
	assert_string_equal(modelfs_config(&c)->attach[3].mount, "/mnt/x:y/z");
	assert_string_equal(modelfs_config(&c)->attach[3].policy, "sequential");

	/* an empty section is known */
	assert_int_equal(load("[modelfs]\n", &c), 0);
	assert_false(modelfs_config(&c)->enabled);
}

static void test_modelfs_bad_values(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(load("[modelfs]\nenabled = on\n", &c), -1);
	assert_string_equal(err, "t.conf:2: enabled: bad value 'on' (expected yes or no)");
	assert_int_equal(load("[modelfs]\ntemplate_dir = var/lib/x\n", &c), -1);
	assert_string_equal(err, "t.conf:2: template_dir: 'var/lib/x' is not an absolute path");
	assert_int_equal(load("[modelfs]\ntemplate_dir = /var/lib/../x\n", &c), -1);
	assert_string_equal(err, "t.conf:2: template_dir: '/var/lib/../x' has a '.' or '..' component");
	assert_int_equal(load("[modelfs]\nwindow = 8M\n", &c), -1);
	assert_string_equal(err, "t.conf:2: unknown key 'window' in section [modelfs]");
}

static void test_modelfs_attach_errors(void **state)
{
	struct oectld_config c;

	(void)state;
	/* relative path */
	assert_int_equal(load("[modelfs]\n\nattach = /mnt/a:sequential mnt/b:sequential\n", &c), -1);
	assert_string_equal(err, "t.conf:3: attach: 'mnt/b' is not an absolute path");
	assert_int_equal(load("[modelfs]\nattach = /mnt/./a:sequential\n", &c), -1);
	assert_string_equal(err, "t.conf:2: attach: '/mnt/./a' has a '.' or '..' component");
	/* unknown policy, with the known ones named */
	assert_int_equal(load("[modelfs]\nattach = /mnt/a:fastest\n", &c), -1);
	assert_non_null(strstr(err, "t.conf:2: attach: unknown policy 'fastest' for /mnt/a (known: sequential"));
	/* bad syntax: no policy, no mountpoint, no colon */
	assert_int_equal(load("[modelfs]\nattach = /mnt/a\n", &c), -1);
	assert_string_equal(err, "t.conf:2: attach: '/mnt/a' is not MOUNTPOINT:POLICY");
	assert_int_equal(load("[modelfs]\nattach = /mnt/a:\n", &c), -1);
	assert_string_equal(err, "t.conf:2: attach: '/mnt/a:' is not MOUNTPOINT:POLICY");
	assert_int_equal(load("[modelfs]\nattach = :sequential\n", &c), -1);
	assert_string_equal(err, "t.conf:2: attach: ':sequential' is not MOUNTPOINT:POLICY");
	/* the same mountpoint twice, also when spelled differently */
	assert_int_equal(load("[modelfs]\nattach = /mnt/a:sequential\nattach = /mnt//a/:template\n", &c), -1);
	assert_string_equal(err, "t.conf:3: attach: /mnt/a is listed more than once");
	/* the error of a continuation line names that line */
	assert_int_equal(load("[modelfs]\nattach = /mnt/a:sequential\n  /mnt/b:nope\n", &c), -1);
	assert_non_null(strstr(err, "t.conf:3: attach: unknown policy 'nope'"));
}

static void test_modelfs_attach_limits(void **state)
{
	struct oectld_config c;
	char text[8192], *p = text;
	char longpath[OECTLD_MODELFS_PATH_MAX + 8];

	(void)state;
	p += sprintf(p, "[modelfs]\n");
	for (int i = 0; i <= OECTLD_MODELFS_ATTACH_MAX; i++)
		p += sprintf(p, "attach = /m/%d:sequential\n", i);
	assert_int_equal(load(text, &c), -1);
	snprintf(longpath, sizeof(longpath), "t.conf:%d: attach: more than %d mountpoints",
		 OECTLD_MODELFS_ATTACH_MAX + 2, OECTLD_MODELFS_ATTACH_MAX);
	assert_string_equal(err, longpath);

	/* a path that does not fit is refused, not cut (inih's line is shorter) */
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[OECTLD_MODELFS_PATH_MAX] = '\0';
	snprintf(text, sizeof(text), "[modelfs]\ntemplate_dir = %s\n", longpath);
	assert_int_equal(load(text, &c), -1);
	assert_non_null(strstr(err, "t.conf:2: line longer than"));
}

static void test_long_value_line_refused(void **state)
{
	struct oectld_config c;
	char text[1024], *p = text;

	(void)state;
	/* inih would cut it and parse the rest as a line of its own */
	p += sprintf(p, "[modelfs]\nattach =");
	for (int i = 0; i < 20; i++)
		p += sprintf(p, " /mnt/model%02d:sequential", i);
	sprintf(p, "\nenabled = yes\n");
	assert_int_equal(load(text, &c), -1);
	assert_non_null(strstr(err, "t.conf:2: line longer than"));
	/* the same list over continuation lines is fine */
	p = text;
	p += sprintf(p, "[modelfs]\nattach =");
	for (int i = 0; i < 20; i++)
		p += sprintf(p, "\n  /mnt/model%02d:sequential", i);
	sprintf(p, "\nenabled = yes\n");
	assert_int_equal(load(text, &c), 0);
	assert_int_equal(modelfs_config(&c)->nattach, 20);
	assert_string_equal(modelfs_config(&c)->attach[19].mount, "/mnt/model19");
}

static void test_modelfs_reload_keeps_old_list(void **state)
{
	struct oectld_config running, before;

	(void)state;
	assert_int_equal(load("[modelfs]\nenabled = yes\nattach = /mnt/a:sequential\n",
			      &running), 0);
	before = running;
	assert_int_equal(load("[modelfs]\nenabled = yes\nattach = /mnt/b:sequential relative:sequential\n",
			      &running), -1);
	assert_memory_equal(&running, &before, sizeof(running));
	assert_int_equal(modelfs_config(&running)->nattach, 1);
	assert_string_equal(modelfs_config(&running)->attach[0].mount, "/mnt/a");
}

static void test_sched_defaults(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(load("", &c), 0);
	assert_false(sched_config(&c)->enabled);
	assert_string_equal(sched_config(&c)->policy, "");
	assert_false(sched_config(&c)->partial);
	assert_int_equal(sched_config(&c)->timeout_ms, 0);
	assert_string_equal(sched_config(&c)->bpf_dir, "");
	assert_int_equal(sched_config(&c)->nls, 0);
	assert_int_equal(sched_config(&c)->nbe, 0);
	assert_int_equal(sched_config(&c)->ndomains, 0);
	/* an empty section is known, and changes nothing */
	assert_int_equal(load("[sched]\n", &c), 0);
	assert_false(sched_config(&c)->enabled);
	/* every key of the sample file, with empty lists */
	assert_int_equal(load("[sched]\nenabled = no\npolicy =\npartial = no\n"
			      "timeout_ms = 0\nbpf_dir =\nls_cgroups =\n"
			      "be_cgroups =\ndomain_cgroups =\n", &c), 0);
	assert_string_equal(sched_config(&c)->policy, "");
	assert_int_equal(sched_config(&c)->nls + sched_config(&c)->nbe + sched_config(&c)->ndomains, 0);
}

static void test_sched_section(void **state)
{
	struct oectld_config c;

	(void)state;
	assert_int_equal(load("[sched]\n"
			      "enabled = yes\n"
			      "policy = oe_qos\n"
			      "partial = yes\n"
			      "timeout_ms = 30000\n"
			      "bpf_dir = /usr/lib//oe-ext/bpf/\n"
			      "ls_cgroups = /sys/fs/cgroup/web  /sys/fs/cgroup/db/\n"
			      "\t/sys/fs/cgroup/cache\n"
			      "be_cgroups = /sys/fs/cgroup/batch\n"
			      "be_cgroups = /sys/fs/cgroup/a=b\n"
			      "domain_cgroups = /sys/fs/cgroup/c1=0 /sys/fs/cgroup/c2\n"
			      "   /sys/fs/cgroup/x=y=63\n", &c), 0);
	assert_true(sched_config(&c)->enabled);
	assert_string_equal(sched_config(&c)->policy, "oe_qos");
	assert_true(sched_config(&c)->partial);
	assert_int_equal(sched_config(&c)->timeout_ms, 30000);
	assert_string_equal(sched_config(&c)->bpf_dir, "/usr/lib/oe-ext/bpf");
	assert_int_equal(sched_config(&c)->nls, 3);
	assert_string_equal(sched_config(&c)->ls_cgroups[0], "/sys/fs/cgroup/web");
	assert_string_equal(sched_config(&c)->ls_cgroups[1], "/sys/fs/cgroup/db");
	assert_string_equal(sched_config(&c)->ls_cgroups[2], "/sys/fs/cgroup/cache");
	/* a repeated key adds to the list; '=' means nothing in be_cgroups */
	assert_int_equal(sched_config(&c)->nbe, 2);
	assert_string_equal(sched_config(&c)->be_cgroups[0], "/sys/fs/cgroup/batch");
	assert_string_equal(sched_config(&c)->be_cgroups[1], "/sys/fs/cgroup/a=b");
	assert_int_equal(sched_config(&c)->ndomains, 3);
	assert_string_equal(sched_config(&c)->domains[0].cgroup, "/sys/fs/cgroup/c1");
	assert_int_equal(sched_config(&c)->domains[0].domain, 0);
	/* without a domain: the next one */
	assert_string_equal(sched_config(&c)->domains[1].cgroup, "/sys/fs/cgroup/c2");
	assert_int_equal(sched_config(&c)->domains[1].domain, -1);
	/* the domain follows the last '=' */
	assert_string_equal(sched_config(&c)->domains[2].cgroup, "/sys/fs/cgroup/x=y");
	assert_int_equal(sched_config(&c)->domains[2].domain, 63);

	for (int i = 0; oesched_policies[i]; i++) {
		char text[64];

		snprintf(text, sizeof(text), "[sched]\npolicy = %s\n",
			 oesched_policies[i]);
		assert_int_equal(load(text, &c), 0);
		assert_string_equal(sched_config(&c)->policy, oesched_policies[i]);
	}
	/* the last of a repeated plain key wins; empty is no policy */
	assert_int_equal(load("[sched]\npolicy = oe_fifo\npolicy =\ntimeout_ms = 0007\n", &c), 0);
	assert_string_equal(sched_config(&c)->policy, "");
	assert_int_equal(sched_config(&c)->timeout_ms, 7);
}

static void test_sched_bad_values(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "enabled = true", "t.conf:2: enabled: bad value 'true' (expected yes or no)" },
		{ "enabled =", "t.conf:2: enabled: bad value '' (expected yes or no)" },
		{ "policy = scx_simple", "t.conf:2: policy: unknown policy 'scx_simple' (expected oe_fifo, oe_qos, oe_domain, or nothing)" },
		{ "policy = OE_FIFO", "t.conf:2: policy: unknown policy 'OE_FIFO' (expected oe_fifo, oe_qos, oe_domain, or nothing)" },
		{ "partial = 1", "t.conf:2: partial: bad value '1' (expected yes or no)" },
		{ "timeout_ms = 30001", "t.conf:2: timeout_ms: bad value '30001' (expected 0 to 30000 milliseconds; 0: the kernel's default)" },
		{ "timeout_ms = -1", "t.conf:2: timeout_ms: bad value '-1' (expected 0 to 30000 milliseconds; 0: the kernel's default)" },
		{ "timeout_ms = 5s", "t.conf:2: timeout_ms: bad value '5s' (expected 0 to 30000 milliseconds; 0: the kernel's default)" },
		{ "timeout_ms = 99999999999999999999", "t.conf:2: timeout_ms: bad value '99999999999999999999' (expected 0 to 30000 milliseconds; 0: the kernel's default)" },
		{ "timeout_ms =", "t.conf:2: timeout_ms: bad value '' (expected 0 to 30000 milliseconds; 0: the kernel's default)" },
		{ "timeout_ms = 1 000", "t.conf:2: timeout_ms: bad value '1 000' (expected 0 to 30000 milliseconds; 0: the kernel's default)" },
		{ "bpf_dir = usr/lib/bpf", "t.conf:2: bpf_dir: 'usr/lib/bpf' is not an absolute path" },
		{ "bpf_dir = /usr/../bpf", "t.conf:2: bpf_dir: '/usr/../bpf' has a '.' or '..' component" },
		{ "ls_cgroups = /sys/fs/cgroup/a web", "t.conf:2: ls_cgroups: 'web' is not an absolute path" },
		{ "be_cgroups = /sys/fs/cgroup/./b", "t.conf:2: be_cgroups: '/sys/fs/cgroup/./b' has a '.' or '..' component" },
		{ "ls_cgroups = /cg/a /cg//a/", "t.conf:2: ls_cgroups: /cg/a is listed more than once" },
		{ "be_cgroups = /cg/b\nbe_cgroups = /cg/b", "t.conf:3: be_cgroups: /cg/b is listed more than once" },
		{ "ls_cgroups = /cg/a\nbe_cgroups = /cg/a", "t.conf:3: be_cgroups: /cg/a is also in ls_cgroups (a cgroup is latency-sensitive or best-effort, not both)" },
		{ "be_cgroups = /cg/a\nls_cgroups = /cg/x\n /cg/a", "t.conf:4: ls_cgroups: /cg/a is also in be_cgroups (a cgroup is latency-sensitive or best-effort, not both)" },
		{ "domain_cgroups = cg/a=1", "t.conf:2: domain_cgroups: 'cg/a' is not an absolute path" },
		{ "domain_cgroups = /cg/a=64", "t.conf:2: domain_cgroups: bad domain '64' in '/cg/a=64' (expected PATH or PATH=DOMAIN, DOMAIN 0 to 63)" },
		{ "domain_cgroups = /cg/a=", "t.conf:2: domain_cgroups: bad domain '' in '/cg/a=' (expected PATH or PATH=DOMAIN, DOMAIN 0 to 63)" },
		{ "domain_cgroups = /cg/a=-1", "t.conf:2: domain_cgroups: bad domain '-1' in '/cg/a=-1' (expected PATH or PATH=DOMAIN, DOMAIN 0 to 63)" },
		{ "domain_cgroups = /cg/a=x", "t.conf:2: domain_cgroups: bad domain 'x' in '/cg/a=x' (expected PATH or PATH=DOMAIN, DOMAIN 0 to 63)" },
		{ "domain_cgroups = /cg/a=100", "t.conf:2: domain_cgroups: bad domain '100' in '/cg/a=100' (expected PATH or PATH=DOMAIN, DOMAIN 0 to 63)" },
		{ "domain_cgroups = =1", "t.conf:2: domain_cgroups: '' is not an absolute path" },
		{ "domain_cgroups = /cg/a=1 /cg/a=2", "t.conf:2: domain_cgroups: /cg/a is listed more than once" },
		{ "policy = oe_fifo\nswitch_all = yes", "t.conf:3: unknown key 'switch_all' in section [sched]" },
	};
	struct oectld_config c;
	char text[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		/* a good key first: the whole file is refused all the same */
		snprintf(text, sizeof(text), "[sched]\n%s\nenabled = yes\n", bad[i].text);
		assert_int_equal(load(text, &c), -1);
		assert_int_equal(errno, EINVAL);
		assert_string_equal(err, bad[i].err);
	}
}

static void test_sched_limits(void **state)
{
	struct oectld_config c;
	char text[16384], *p = text, want[128];
	char longpath[OECTLD_SCHED_PATH_MAX + 8];
	static const char *const keys[] = { "ls_cgroups", "be_cgroups", "domain_cgroups" };

	(void)state;
	for (int k = 0; k < 3; k++) {
		p = text;
		p += sprintf(p, "[sched]\n%s =", keys[k]);
		for (int i = 0; i <= OECTLD_SCHED_CGROUPS_MAX; i++)
			p += sprintf(p, "\n  /sys/fs/cgroup/c%d", i);
		sprintf(p, "\n");
		assert_int_equal(load(text, &c), -1);
		snprintf(want, sizeof(want), "t.conf:%d: %s: more than %d cgroups",
			 OECTLD_SCHED_CGROUPS_MAX + 3, keys[k], OECTLD_SCHED_CGROUPS_MAX);
		assert_string_equal(err, want);
	}
	/* exactly the limit is fine */
	p = text;
	p += sprintf(p, "[sched]\nls_cgroups =");
	for (int i = 0; i < OECTLD_SCHED_CGROUPS_MAX; i++)
		p += sprintf(p, "\n  /sys/fs/cgroup/c%d", i);
	sprintf(p, "\n");
	assert_int_equal(load(text, &c), 0);
	assert_int_equal(sched_config(&c)->nls, OECTLD_SCHED_CGROUPS_MAX);

	/* a path that does not fit is refused, not cut (inih's line is shorter) */
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[OECTLD_SCHED_PATH_MAX] = '\0';
	snprintf(text, sizeof(text), "[sched]\nls_cgroups = %s\n", longpath);
	assert_int_equal(load(text, &c), -1);
	assert_non_null(strstr(err, "t.conf:2: line longer than"));
}

static void test_sched_reload_keeps_old(void **state)
{
	struct oectld_config running, before;

	(void)state;
	assert_int_equal(load("[sched]\nenabled = yes\npolicy = oe_fifo\n", &running), 0);
	before = running;
	assert_int_equal(load("[sched]\nenabled = yes\npolicy = oe_qos\ntimeout_ms = 40000\n",
			      &running), -1);
	assert_non_null(strstr(err, "t.conf:4: timeout_ms"));
	assert_memory_equal(&running, &before, sizeof(running));
	assert_string_equal(sched_config(&running)->policy, "oe_fifo");
}

static void test_gmem_section(void **state)
{
	struct oectld_config c;

	(void)state;
	/* on by default: it only reads */
	assert_int_equal(load("", &c), 0);
	assert_true(gmem_module.enabled(&c));
	assert_int_equal(load("[gmem]\nenabled = no\n", &c), 0);
	assert_false(gmem_module.enabled(&c));
	assert_true(sentry_module.enabled(&c));
	assert_int_equal(load("[gmem]\nenabled = no\n[gmem]\nenabled = yes\n", &c), 0);
	assert_true(gmem_module.enabled(&c));
	/* an empty [gmem] is a known section, and changes nothing */
	assert_int_equal(load("[daemon]\nwatchdog = yes\n[gmem]\n", &c), 0);
	assert_true(gmem_module.enabled(&c));
	/* [gmem] does not turn the others on or off */
	assert_int_equal(load("[sentry]\nenabled = no\n[gmem]\nenabled = yes\n", &c), 0);
	assert_false(sentry_module.enabled(&c));
	assert_true(gmem_module.enabled(&c));
}

static void test_gmem_bad_values(void **state)
{
	struct oectld_config running, before;

	(void)state;
	assert_int_equal(load("[gmem]\nenabled = on\n", &running), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(err, "t.conf:2: enabled: bad value 'on' (expected yes or no)");
	assert_int_equal(load("[gmem]\n\nenabled = Yes\n", &running), -1);
	assert_string_equal(err, "t.conf:3: enabled: bad value 'Yes' (expected yes or no)");
	assert_int_equal(load("[gmem]\nenabled =\n", &running), -1);
	assert_string_equal(err, "t.conf:2: enabled: bad value '' (expected yes or no)");
	assert_int_equal(load("[daemon]\nwatchdog = no\n[gmem]\ndevices = all\n", &running), -1);
	assert_string_equal(err, "t.conf:4: unknown key 'devices' in section [gmem]");
	/* a near miss of the section name is no section */
	assert_int_equal(load("[gmem ]\nenabled = no\n", &running), -1);
	assert_non_null(strstr(err, "t.conf:1: unknown section"));
	assert_int_equal(load("[GMEM]\n", &running), -1);
	assert_string_equal(err, "t.conf:1: unknown section [GMEM]");

	/* a refused file leaves the running configuration as it was */
	assert_int_equal(load("[gmem]\nenabled = no\n", &running), 0);
	before = running;
	assert_int_equal(load("[gmem]\nenabled = yes\nenabled = maybe\n", &running), -1);
	assert_string_equal(err, "t.conf:3: enabled: bad value 'maybe' (expected yes or no)");
	assert_memory_equal(&running, &before, sizeof(running));
	assert_false(gmem_module.enabled(&running));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_good_file),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_log_level),
		cmocka_unit_test(test_syntax_error_and_first_error_wins),
		cmocka_unit_test(test_long_line_counts_once),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_real_file),
		cmocka_unit_test(test_reload_keeps_old_config),
		cmocka_unit_test(test_modelfs_section),
		cmocka_unit_test(test_modelfs_bad_values),
		cmocka_unit_test(test_modelfs_attach_errors),
		cmocka_unit_test(test_modelfs_attach_limits),
		cmocka_unit_test(test_long_value_line_refused),
		cmocka_unit_test(test_modelfs_reload_keeps_old_list),
		cmocka_unit_test(test_sched_defaults),
		cmocka_unit_test(test_sched_section),
		cmocka_unit_test(test_sched_bad_values),
		cmocka_unit_test(test_sched_limits),
		cmocka_unit_test(test_sched_reload_keeps_old),
		cmocka_unit_test(test_gmem_section),
		cmocka_unit_test(test_gmem_bad_values),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
