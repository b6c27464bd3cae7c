// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the sched module of oe-ctld with a fake host and test
 * doubles of liboesched (below): oesched_load() and oesched_unload()
 * play a kernel with one scheduler slot, whose state the tests set; no
 * BPF, no kernel, no liboesched.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "config.h"
#include "ctlproto.h"
#include "module.h"
#include "host_fixture.h"
#include "oesched.h"
#include "sched_mod.h"
#include "modelfs_mod.h"
#include "util.h"

/* ---- liboesched test doubles ---- */

struct oesched {
	char policy[32];
};

const char *const oesched_policies[] = { "oe_fifo", "oe_qos", "oe_domain", NULL };

/* what the next oesched_load() does */
static int load_rc;
static char load_err[256];
/* what it was given, copied */
static struct {
	char policy[32];
	bool bpf_dir_null;
	char bpf_dir[256];
	bool partial;
	unsigned int timeout_ms;
	char ls[8][64], be[8][64], dom[8][64];
	int dom_idx[8];
	size_t nr_ls, nr_be, nr_domains;
} last;
static int nloads, nunloads, live;
static struct oesched *handle;		/* the one loaded */
/* what the policy's ops.exit() recorded, and the kernel's sysfs */
static struct oe_sched_exit exit_rec;
static struct oesched_kstate ks;
static int ks_rc;
static const char *ks_root_seen;

bool oesched_policy_known(const char *name)
{
	for (int i = 0; oesched_policies[i]; i++)
		if (!strcmp(oesched_policies[i], name))
			return true;
	return false;
}

int oesched_load(const struct oesched_cfg *cfg, struct oesched **out,
		 char *err, size_t errlen)
{
	struct oesched *s;

	nloads++;
	memset(&last, 0, sizeof(last));
	snprintf(last.policy, sizeof(last.policy), "%s", cfg->policy);
	last.bpf_dir_null = !cfg->bpf_dir;
	if (cfg->bpf_dir)
		snprintf(last.bpf_dir, sizeof(last.bpf_dir), "%s", cfg->bpf_dir);
	last.partial = cfg->partial;
	last.timeout_ms = cfg->timeout_ms;
	assert_true(cfg->nr_ls <= 8 && cfg->nr_be <= 8 && cfg->nr_domains <= 8);
	last.nr_ls = cfg->nr_ls;
	last.nr_be = cfg->nr_be;
	last.nr_domains = cfg->nr_domains;
	for (size_t i = 0; i < cfg->nr_ls; i++)
		snprintf(last.ls[i], sizeof(last.ls[i]), "%s", cfg->ls_cgroups[i]);
	for (size_t i = 0; i < cfg->nr_be; i++)
		snprintf(last.be[i], sizeof(last.be[i]), "%s", cfg->be_cgroups[i]);
	for (size_t i = 0; i < cfg->nr_domains; i++) {
		snprintf(last.dom[i], sizeof(last.dom[i]), "%s", cfg->domains[i].cgroup);
		last.dom_idx[i] = cfg->domains[i].domain;
	}
	if (load_rc < 0) {
		snprintf(err, errlen, "%s", load_err);
		return load_rc;
	}
	/* one slot, as in the kernel */
	assert_null(handle);
	s = calloc(1, sizeof(*s));
	assert_non_null(s);
	snprintf(s->policy, sizeof(s->policy), "%s", cfg->policy);
	live++;
	handle = s;
	memset(&exit_rec, 0, sizeof(exit_rec));
	snprintf(ks.state, sizeof(ks.state), "enabled");
	snprintf(ks.ops, sizeof(ks.ops), "%s", cfg->policy);
	ks.switch_all = !cfg->partial;
	ks.enable_seq++;
	*out = s;
	return 0;
}

bool oesched_exit_info(const struct oesched *s, struct oe_sched_exit *ei)
{
	assert_ptr_equal(s, handle);
	*ei = exit_rec;
	return exit_rec.kind != 0;
}

void oesched_unload(struct oesched *s)
{
	if (!s)
		return;
	assert_ptr_equal(s, handle);
	nunloads++;
	live--;
	/* still ours in the kernel: the link going takes it off */
	if (!strcmp(ks.state, "enabled") && !strcmp(ks.ops, s->policy)) {
		snprintf(ks.state, sizeof(ks.state), "disabled");
		ks.ops[0] = '\0';
		ks.switch_all = false;
		snprintf(ks.last_exit, sizeof(ks.last_exit), "unreg %s unregistered from user space",
			 s->policy);
	}
	handle = NULL;
	free(s);
}

int oesched_kstate_read(const char *root, struct oesched_kstate *out)
{
	ks_root_seen = root;
	if (ks_rc < 0)
		return ks_rc;
	*out = ks;
	return 0;
}

/* ---- fake host ---- */

/* room for more than a ring of them (test_recent_ring) */
static struct json_object *events[2 * OE_EVENT_RING_SIZE];
static int nevents;

static void host_emit(void *host, struct oe_module_inst *mi, struct json_object *ev)
{
	struct json_object *v;

	(void)host;
	(void)mi;
	assert_true(nevents < (int)ARRAY_SIZE(events));
	assert_true(json_object_object_get_ex(ev, "feature", &v));
	assert_string_equal(json_object_get_string(v), "sched");
	events[nevents++] = json_object_get(ev);
}

static const struct oe_host_ops ops = {
	.watch_fd = host_watch,
	.unwatch_fd = host_unwatch,
	.emit_event = host_emit,
};

extern const struct oe_module sentry_module;
static const struct oe_module *const table[] = { &sched_module };

/* The string member @key of event @i, "" if absent. */
static const char *ev_str(int i, const char *key)
{
	struct json_object *v;

	assert_true(i < nevents);
	if (!json_object_object_get_ex(events[i], key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

static int count_events(const char *name)
{
	int n = 0;

	for (int i = 0; i < nevents; i++)
		if (!strcmp(ev_str(i, "event"), name))
			n++;
	return n;
}

/* ---- fixture ---- */

struct fixture {
	struct oe_module_inst mi;
	struct oectld_config cfg;
	char dir[64];		/* stands for /sys/kernel/sched_ext */
};

/* [sched] policy = @name in the fixture's config */
static void set_policy(struct fixture *f, const char *name)
{
	struct oectld_sched_cfg *c = sched_config(&f->cfg);

	snprintf(c->policy, sizeof(c->policy), "%s", name);
}

static void reset_fakes(void)
{
	load_rc = 0;
	load_err[0] = '\0';
	nloads = 0;
	nunloads = 0;
	live = 0;
	handle = NULL;
	memset(&exit_rec, 0, sizeof(exit_rec));
	memset(&ks, 0, sizeof(ks));
	snprintf(ks.state, sizeof(ks.state), "disabled");
	snprintf(ks.last_exit, sizeof(ks.last_exit), "none");
	ks.enable_seq = 7;
	ks_rc = 0;
	nwatched = 0;
	nevents = 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	reset_fakes();
	snprintf(f->dir, sizeof(f->dir), "/tmp/oe-sched-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	sched_mod_set_sysfs(f->dir);
	oectld_config_defaults(&f->cfg, table, 1);
	sched_config(&f->cfg)->enabled = true;
	oe_modules_setup(&f->mi, table, 1, &ops, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	oe_modules_stop(&f->mi, 1);
	/* everything watched is let go, everything loaded unloaded */
	assert_int_equal(nwatched, 0);
	assert_int_equal(live, 0);
	sched_mod_set_sysfs(NULL);
	assert_int_equal(rmdir(f->dir), 0);
	for (int i = 0; i < nevents; i++)
		json_object_put(events[i]);
	free(f);
	return 0;
}

static void start(struct fixture *f)
{
	oe_modules_start(&f->mi, 1, &f->cfg);
	assert_true(f->mi.running);
	assert_true(f->mi.available);
}

static int command(struct fixture *f, const char *json, struct json_object **reply,
		   char *err, size_t errlen)
{
	struct ctl_request req;
	int rc;

	assert_int_equal(ctlproto_parse(json, strlen(json), table, 1, &req, err,
					errlen), 0);
	*reply = json_object_new_object();
	err[0] = '\0';
	rc = oe_modules_command(&f->mi, 1, &req, *reply, err, errlen);
	if (rc < 0) {
		json_object_put(*reply);
		*reply = NULL;
	}
	return rc;
}

/* sched.status, checked to succeed; caller puts it. */
static struct json_object *get_status(struct fixture *f)
{
	struct json_object *rep;
	char err[512];

	assert_int_equal(command(f, "{\"cmd\":\"sched.status\"}", &rep, err, sizeof(err)), 0);
	return rep;
}

/* Member @path ("a" or "a.b") of @o as a string; "(null)" for null, NULL if absent. */
static const char *member(struct json_object *o, const char *path)
{
	static char buf[1024];
	char key[64];
	const char *dot = strchr(path, '.');
	struct json_object *v;

	if (dot) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		if (!json_object_object_get_ex(o, key, &v) || !v)
			return NULL;
		return member(v, dot + 1);
	}
	if (!json_object_object_get_ex(o, path, &v))
		return NULL;
	snprintf(buf, sizeof(buf), "%s", v ? json_object_get_string(v) : "(null)");
	return buf;
}

static int timer_fd(void)
{
	assert_int_equal(nwatched, 1);
	return watched[0];
}

static bool timer_armed(void)
{
	struct itimerspec its;

	assert_int_equal(timerfd_gettime(timer_fd(), &its), 0);
	return its.it_interval.tv_sec == 1;
}

/* The timer fires: the module looks at the policy. */
static void tick(struct fixture *f)
{
	sched_module.event(&f->mi, timer_fd(), EPOLLIN);
}

/* ---- tests ---- */

static void test_unavailable_kernel(void **state)
{
	struct fixture *f = *state;
	struct json_object *st, *rep;
	char err[512];

	sched_config(&f->cfg)->enabled = true;
	set_policy(f, "oe_fifo");
	sched_mod_set_sysfs("/nonexistent/sched_ext");
	oe_modules_start(&f->mi, 1, &f->cfg);
	assert_false(f->mi.running);
	assert_false(f->mi.available);
	assert_string_equal(f->mi.reason, "kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT)");
	assert_int_equal(nloads, 0);
	assert_int_equal(nwatched, 0);
	assert_int_equal(nevents, 0);

	st = oe_modules_status(&f->mi, 1);
	assert_string_equal(member(json_object_array_get_idx(st, 0), "available"), "false");
	assert_string_equal(member(json_object_array_get_idx(st, 0), "details.reason"),
			    "kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT)");
	json_object_put(st);

	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "sched is not running: kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT)");
	assert_int_equal(command(f, "{\"cmd\":\"sched.list\"}", &rep, err, sizeof(err)), -1);

	/* a file is not the directory either */
	sched_mod_set_sysfs("/dev/null");
	oe_modules_reload(&f->mi, 1, &f->cfg);
	assert_false(f->mi.running);
	/* the kernel side appears: the next reload starts it */
	sched_mod_set_sysfs(f->dir);
	oe_modules_reload(&f->mi, 1, &f->cfg);
	assert_true(f->mi.running);
	assert_true(f->mi.available);
	assert_int_equal(nloads, 1);
	assert_string_equal(ks_root_seen, f->dir);
}

static void test_start_loads_configured(void **state)
{
	struct fixture *f = *state;
	struct oectld_sched_cfg *c = sched_config(&f->cfg);
	struct json_object *st;

	snprintf(c->policy, sizeof(c->policy), "oe_qos");
	c->partial = true;
	c->timeout_ms = 5000;
	snprintf(c->bpf_dir, sizeof(c->bpf_dir), "/opt/bpf");
	c->nls = 2;
	snprintf(c->ls_cgroups[0], sizeof(c->ls_cgroups[0]), "/sys/fs/cgroup/web");
	snprintf(c->ls_cgroups[1], sizeof(c->ls_cgroups[1]), "/sys/fs/cgroup/db");
	c->nbe = 1;
	snprintf(c->be_cgroups[0], sizeof(c->be_cgroups[0]), "/sys/fs/cgroup/batch");
	c->ndomains = 1;
	snprintf(c->domains[0].cgroup, sizeof(c->domains[0].cgroup), "/sys/fs/cgroup/c");
	c->domains[0].domain = 3;
	start(f);

	assert_int_equal(nloads, 1);
	assert_int_equal(live, 1);
	assert_string_equal(last.policy, "oe_qos");
	assert_false(last.bpf_dir_null);
	assert_string_equal(last.bpf_dir, "/opt/bpf");
	assert_true(last.partial);
	assert_int_equal(last.timeout_ms, 5000);
	assert_int_equal(last.nr_ls, 2);
	assert_string_equal(last.ls[0], "/sys/fs/cgroup/web");
	assert_string_equal(last.ls[1], "/sys/fs/cgroup/db");
	assert_int_equal(last.nr_be, 1);
	assert_string_equal(last.be[0], "/sys/fs/cgroup/batch");
	assert_int_equal(last.nr_domains, 1);
	assert_string_equal(last.dom[0], "/sys/fs/cgroup/c");
	assert_int_equal(last.dom_idx[0], 3);
	/* the kernel's sysfs is read where we said it is */
	assert_string_equal(ks_root_seen, f->dir);
	assert_true(timer_armed());

	assert_int_equal(nevents, 1);
	assert_string_equal(ev_str(0, "event"), "loaded");
	assert_string_equal(ev_str(0, "policy"), "oe_qos");
	assert_string_equal(ev_str(0, "reason"), "configuration");

	st = get_status(f);
	assert_string_equal(member(st, "state"), "loaded");
	assert_string_equal(member(st, "policy"), "oe_qos");
	assert_string_equal(member(st, "from_config"), "true");
	assert_string_equal(member(st, "partial"), "true");
	assert_string_equal(member(st, "timeout_ms"), "5000");
	assert_string_equal(member(st, "configured"), "oe_qos");
	assert_string_equal(member(st, "tasks_on"), "sched_ext_partial");
	assert_string_equal(member(st, "kernel.state"), "enabled");
	assert_string_equal(member(st, "kernel.ops"), "oe_qos");
	assert_string_equal(member(st, "kernel.switch_all"), "false");
	assert_string_equal(member(st, "kernel.enable_seq"), "8");
	assert_string_equal(member(st, "kernel.nr_rejected"), "0");
	assert_string_equal(member(st, "kernel.last_exit"), "none");
	assert_string_equal(member(st, "loads"), "1");
	assert_string_equal(member(st, "ejections"), "0");
	assert_null(member(st, "ejected"));
	json_object_put(st);
}

static void test_start_without_policy(void **state)
{
	struct fixture *f = *state;
	struct json_object *st, *rep, *arr, *o;
	char err[512];

	start(f);
	assert_int_equal(nloads, 0);
	/* the timer is there, but idle until something is loaded */
	assert_false(timer_armed());
	tick(f);
	assert_int_equal(nevents, 0);

	st = get_status(f);
	assert_string_equal(member(st, "state"), "none");
	assert_string_equal(member(st, "policy"), "(null)");
	assert_string_equal(member(st, "configured"), "(null)");
	assert_string_equal(member(st, "tasks_on"), "cfs");
	assert_null(member(st, "from_config"));
	json_object_put(st);

	assert_int_equal(command(f, "{\"cmd\":\"sched.list\"}", &rep, err, sizeof(err)), 0);
	assert_string_equal(member(rep, "loaded"), "(null)");
	assert_true(json_object_object_get_ex(rep, "policies", &arr));
	assert_int_equal(json_object_array_length(arr), 3);
	for (int i = 0; i < 3; i++) {
		o = json_object_array_get_idx(arr, i);
		assert_string_equal(member(o, "name"), oesched_policies[i]);
		assert_string_equal(member(o, "state"), "(null)");
		assert_string_equal(member(o, "configured"), "false");
	}
	json_object_put(rep);

	/* the module's line in "oe-ctl status" */
	st = oe_modules_status(&f->mi, 1);
	o = json_object_array_get_idx(st, 0);
	assert_string_equal(member(o, "available"), "true");
	assert_string_equal(member(o, "details.state"), "none");
	assert_null(member(o, "details.policy"));
	json_object_put(st);

	/* then loaded by hand, with the config's settings */
	sched_config(&f->cfg)->timeout_ms = 250;
	oe_modules_reload(&f->mi, 1, &f->cfg);
	assert_int_equal(nloads, 0);
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), 0);
	assert_string_equal(member(rep, "policy"), "oe_fifo");
	assert_string_equal(member(rep, "partial"), "false");
	assert_string_equal(member(rep, "timeout_ms"), "250");
	assert_string_equal(member(rep, "enable_seq"), "8");
	json_object_put(rep);
	assert_true(last.bpf_dir_null);
	assert_int_equal(last.timeout_ms, 250);
	assert_true(timer_armed());
	assert_string_equal(ev_str(nevents - 1, "reason"), "oe-ctl");

	assert_int_equal(command(f, "{\"cmd\":\"sched.list\"}", &rep, err, sizeof(err)), 0);
	assert_string_equal(member(rep, "loaded"), "oe_fifo");
	json_object_object_get_ex(rep, "policies", &arr);
	assert_string_equal(member(json_object_array_get_idx(arr, 0), "state"), "loaded");
	assert_string_equal(member(json_object_array_get_idx(arr, 1), "state"), "(null)");
	json_object_put(rep);
	st = get_status(f);
	assert_string_equal(member(st, "from_config"), "false");
	assert_string_equal(member(st, "tasks_on"), "sched_ext");
	json_object_put(st);
}

static void test_load_failure_reported(void **state)
{
	struct fixture *f = *state;
	struct json_object *st, *rep, *o;
	char err[1024];

	set_policy(f, "oe_fifo");
	load_rc = -ENOENT;
	snprintf(load_err, sizeof(load_err), "/usr/lib/oe-ext/bpf/oe_fifo.bpf.o: No such file or directory");
	/* a failed load leaves the module running: status says why */
	start(f);
	assert_int_equal(nloads, 1);
	assert_int_equal(live, 0);
	assert_false(timer_armed());
	assert_int_equal(nevents, 1);
	assert_string_equal(ev_str(0, "event"), "load-failed");
	assert_string_equal(ev_str(0, "reason"),
			    "cannot load oe_fifo: /usr/lib/oe-ext/bpf/oe_fifo.bpf.o: No such file or directory");

	st = get_status(f);
	assert_string_equal(member(st, "state"), "load-failed");
	assert_string_equal(member(st, "policy"), "oe_fifo");
	assert_string_equal(member(st, "error"),
			    "cannot load oe_fifo: /usr/lib/oe-ext/bpf/oe_fifo.bpf.o: No such file or directory");
	json_object_put(st);
	st = oe_modules_status(&f->mi, 1);
	o = json_object_array_get_idx(st, 0);
	assert_string_equal(member(o, "details.state"), "load-failed");
	assert_non_null(strstr(member(o, "details.error"), "No such file or directory"));
	json_object_put(st);

	/* not tried again on its own, not by ticks nor by a reload that changes nothing */
	sched_module.event(&f->mi, timer_fd(), EPOLLIN);
	oe_modules_reload(&f->mi, 1, &f->cfg);
	assert_int_equal(nloads, 1);

	/* by hand: the verifier's reason comes back to the client */
	load_rc = -EINVAL;
	snprintf(load_err, sizeof(load_err), "oe_fifo: the verifier refused oe_fifo_enqueue");
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot load oe_fifo: oe_fifo: the verifier refused oe_fifo_enqueue");
	/* no message from the library: the errno's */
	load_rc = -E2BIG;
	load_err[0] = '\0';
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_qos\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot load oe_qos: Argument list too long");
	/* EPERM: say which capabilities */
	load_rc = -EPERM;
	snprintf(load_err, sizeof(load_err), "bpf(BPF_PROG_LOAD): Operation not permitted");
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot load oe_fifo: bpf(BPF_PROG_LOAD): Operation not permitted (oe-ctld keeps CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON only when [sched] is enabled at its start)"));
	assert_int_equal(count_events("load-failed"), 4);

	/* a load that works clears it */
	load_rc = 0;
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), 0);
	json_object_put(rep);
	st = get_status(f);
	assert_string_equal(member(st, "state"), "loaded");
	assert_null(member(st, "error"));
	json_object_put(st);
}

static void test_ejection_reported_once(void **state)
{
	struct fixture *f = *state;
	struct json_object *st, *rep, *recent;
	char err[1024];
	int e;

	set_policy(f, "oe_fifo");
	start(f);
	assert_int_equal(live, 1);
	tick(f);
	tick(f);
	assert_int_equal(nevents, 1);

	/* the watchdog ejects it: ops.exit() leaves its record, tasks go to CFS */
	exit_rec.kind = 1026;
	exit_rec.exit_code = 0;
	snprintf(exit_rec.reason, sizeof(exit_rec.reason), "runnable task stall");
	snprintf(exit_rec.msg, sizeof(exit_rec.msg), "stress-ng[812] failed to run for 5.002s");
	snprintf(ks.state, sizeof(ks.state), "disabled");
	ks.ops[0] = '\0';
	ks.switch_all = false;
	snprintf(ks.last_exit, sizeof(ks.last_exit), "error_stall oe_fifo stress-ng[812] failed to run for 5.002s");
	tick(f);
	assert_int_equal(nevents, 2);
	e = 1;
	assert_string_equal(ev_str(e, "event"), "ejected");
	assert_string_equal(ev_str(e, "policy"), "oe_fifo");
	assert_string_equal(ev_str(e, "kind"), "error_stall");
	assert_string_equal(ev_str(e, "kind_code"), "1026");
	assert_string_equal(ev_str(e, "reason"), "runnable task stall");
	assert_string_equal(ev_str(e, "message"), "stress-ng[812] failed to run for 5.002s");
	assert_string_equal(ev_str(e, "exit_code"), "0");
	/* its handle is dropped, and it is not loaded again */
	assert_int_equal(live, 0);
	assert_int_equal(nunloads, 1);
	assert_false(timer_armed());
	for (int i = 0; i < 5; i++)
		tick(f);
	oe_modules_reload(&f->mi, 1, &f->cfg);
	assert_int_equal(nloads, 1);
	assert_int_equal(nevents, 2);
	assert_int_equal(count_events("ejected"), 1);

	st = get_status(f);
	assert_string_equal(member(st, "state"), "ejected");
	assert_string_equal(member(st, "policy"), "oe_fifo");
	assert_string_equal(member(st, "ejected.kind"), "error_stall");
	assert_string_equal(member(st, "ejected.reason"), "runnable task stall");
	assert_string_equal(member(st, "ejected.message"), "stress-ng[812] failed to run for 5.002s");
	assert_string_equal(member(st, "tasks_on"), "cfs");
	assert_string_equal(member(st, "kernel.state"), "disabled");
	assert_string_equal(member(st, "kernel.last_exit"),
			    "error_stall oe_fifo stress-ng[812] failed to run for 5.002s");
	assert_string_equal(member(st, "ejections"), "1");
	json_object_put(st);
	st = oe_modules_status(&f->mi, 1);
	assert_string_equal(member(json_object_array_get_idx(st, 0), "details.ejected"),
			    "runnable task stall");
	json_object_put(st);

	/* still there for clients that were not following */
	recent = oe_modules_recent(&f->mi, 1);
	assert_int_equal(json_object_array_length(recent), 2);
	assert_string_equal(member(json_object_array_get_idx(recent, 0), "event"), "loaded");
	assert_string_equal(member(json_object_array_get_idx(recent, 1), "event"), "ejected");
	json_object_put(recent);

	/* nothing to unload; it stays "ejected" */
	assert_int_equal(command(f, "{\"cmd\":\"sched.unload\"}", &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "no policy is loaded: the kernel ejected oe_fifo (runnable task stall)");
	st = get_status(f);
	assert_string_equal(member(st, "state"), "ejected");
	json_object_put(st);

	/* until an explicit load */
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), 0);
	json_object_put(rep);
	assert_int_equal(nloads, 2);
	assert_true(timer_armed());
	st = get_status(f);
	assert_string_equal(member(st, "state"), "loaded");
	assert_null(member(st, "ejected"));
	assert_string_equal(member(st, "loads"), "2");
	json_object_put(st);
}

static void test_ejection_seen_in_sysfs(void **state)
{
	struct fixture *f = *state;
	struct json_object *st, *rep;
	char err[512];
	int i;

	/* a policy without an exit record: the kernel's state tells */
	set_policy(f, "oe_fifo");
	start(f);
	/* "disabling": ops.exit() is about to run; wait a little for its record */
	snprintf(ks.state, sizeof(ks.state), "disabling");
	tick(f);
	tick(f);
	assert_int_equal(count_events("ejected"), 0);
	assert_int_equal(live, 1);
	/* a third tick: the kernel's last_exit will do */
	snprintf(ks.last_exit, sizeof(ks.last_exit), "error_bpf oe_fifo bad dsq 0x1234\n");
	tick(f);
	assert_int_equal(count_events("ejected"), 1);
	i = nevents - 1;
	assert_string_equal(ev_str(i, "kind"), "error_bpf");
	assert_string_equal(ev_str(i, "reason"), "scx_bpf_error");
	assert_string_equal(ev_str(i, "message"), "bad dsq 0x1234");
	assert_int_equal(live, 0);
	/* while the kernel is still at it, a load says so */
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot load oe_fifo: the kernel is still taking a BPF scheduler off (oe_fifo, state disabling); try again in a moment");
	snprintf(ks.state, sizeof(ks.state), "disabled");

	/* "disabled" at once, and the kernel's record says SysRq-S */
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), 0);
	json_object_put(rep);
	snprintf(ks.state, sizeof(ks.state), "disabled");
	snprintf(ks.last_exit, sizeof(ks.last_exit), "sysrq oe_fifo ");
	tick(f);
	assert_int_equal(count_events("ejected"), 2);
	assert_string_equal(ev_str(nevents - 1, "kind"), "sysrq");
	assert_string_equal(ev_str(nevents - 1, "reason"), "disabled by sysrq-S");
	assert_string_equal(ev_str(nevents - 1, "message"), "");

	/* enabled, but another scheduler's enable: ours is gone */
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), 0);
	json_object_put(rep);
	ks.enable_seq++;
	snprintf(ks.ops, sizeof(ks.ops), "scx_simple");
	snprintf(ks.last_exit, sizeof(ks.last_exit), "none");
	tick(f);
	assert_int_equal(count_events("ejected"), 3);
	assert_string_equal(ev_str(nevents - 1, "kind"), "none");
	assert_string_equal(ev_str(nevents - 1, "reason"),
			    "the kernel no longer runs it (state enabled, enable_seq 11)");
	assert_int_equal(live, 0);

	/* and the other scheduler stands in the way of a load */
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot load oe_fifo: the kernel already runs a BPF scheduler (scx_simple, state enabled)");
	assert_int_equal(nloads, 3);

	/* sysfs unreadable for a moment: no verdict */
	snprintf(ks.state, sizeof(ks.state), "disabled");
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), 0);
	json_object_put(rep);
	ks_rc = -EIO;
	tick(f);
	assert_int_equal(live, 1);
	st = get_status(f);
	assert_string_equal(member(st, "state"), "loaded");
	assert_non_null(strstr(member(st, "kernel_error"), "Input/output error"));
	assert_null(member(st, "kernel"));
	json_object_put(st);
	ks_rc = 0;
}

static void test_commands_notice_ejection(void **state)
{
	struct fixture *f = *state;
	struct json_object *rep;
	char err[512];

	/* an ejection between two ticks does not make a load "already loaded" */
	set_policy(f, "oe_fifo");
	start(f);
	exit_rec.kind = 1025;
	snprintf(exit_rec.reason, sizeof(exit_rec.reason), "scx_bpf_error");
	snprintf(ks.state, sizeof(ks.state), "disabled");
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_qos\"}",
				 &rep, err, sizeof(err)), 0);
	json_object_put(rep);
	assert_int_equal(count_events("ejected"), 1);
	assert_int_equal(live, 1);
	assert_string_equal(last.policy, "oe_qos");
}

static void test_load_refusals(void **state)
{
	struct fixture *f = *state;
	struct json_object *rep;
	char err[512];

	set_policy(f, "oe_fifo");
	start(f);
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_qos\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "oe_fifo is already loaded; unload it first (oe-ctl sched unload)");
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "oe_fifo is already loaded; unload it first (oe-ctl sched unload)");
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"scx_rusty\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown policy 'scx_rusty' (known: oe_fifo, oe_qos, oe_domain)");
	assert_int_equal(nloads, 1);
	assert_int_equal(live, 1);
	/* the refusals changed nothing */
	assert_int_equal(count_events("load-failed"), 0);
}

static void test_unload(void **state)
{
	struct fixture *f = *state;
	struct json_object *rep, *st;
	char err[512];

	set_policy(f, "oe_domain");
	start(f);
	assert_int_equal(command(f, "{\"cmd\":\"sched.unload\"}", &rep, err, sizeof(err)), 0);
	assert_string_equal(member(rep, "policy"), "oe_domain");
	assert_string_equal(member(rep, "from_config"), "true");
	json_object_put(rep);
	assert_int_equal(live, 0);
	assert_int_equal(nunloads, 1);
	assert_false(timer_armed());
	assert_string_equal(ev_str(nevents - 1, "event"), "unloaded");
	assert_string_equal(ev_str(nevents - 1, "reason"), "oe-ctl");
	/* our unload is no ejection */
	tick(f);
	assert_int_equal(count_events("ejected"), 0);

	st = get_status(f);
	assert_string_equal(member(st, "state"), "none");
	assert_string_equal(member(st, "configured"), "oe_domain");
	assert_string_equal(member(st, "tasks_on"), "cfs");
	assert_string_equal(member(st, "kernel.last_exit"),
			    "unreg oe_domain unregistered from user space");
	json_object_put(st);

	assert_int_equal(command(f, "{\"cmd\":\"sched.unload\"}", &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "no policy is loaded");
	/* a reload that changes nothing does not load it back */
	oe_modules_reload(&f->mi, 1, &f->cfg);
	assert_int_equal(nloads, 1);
}

static void test_reload(void **state)
{
	struct fixture *f = *state;
	/* the config has the other modules' sections too */
	static const struct oe_module *const sections[] = {
		&sentry_module, &modelfs_module, &sched_module,
	};
	static struct oectld_config nc;
	struct oectld_sched_cfg *c;
	struct json_object *rep;
	char err[512];

	set_policy(f, "oe_fifo");
	start(f);
	/* unrelated keys: nothing happens */
	assert_int_equal(oectld_config_load_string("t.conf",
			"[daemon]\nwatchdog = no\n"
			"[sentry]\nenabled = no\n"
			"[modelfs]\nenabled = yes\n"
			"[sched]\nenabled = yes\npolicy = oe_fifo\n"
			/* ... also the lists of the policies not configured */
			"ls_cgroups = /cg/ls\ndomain_cgroups = /cg/d\n",
			sections, ARRAY_SIZE(sections), &nc, err, sizeof(err)), 0);
	c = sched_config(&nc);
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 1);
	assert_int_equal(nunloads, 0);

	/* a setting of the policy: unloaded and loaded with it */
	c->timeout_ms = 1000;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nunloads, 1);
	assert_int_equal(nloads, 2);
	assert_int_equal(last.timeout_ms, 1000);
	assert_string_equal(ev_str(nevents - 2, "event"), "unloaded");
	assert_string_equal(ev_str(nevents - 2, "reason"), "the configuration changed");
	assert_string_equal(ev_str(nevents - 1, "event"), "loaded");
	c->partial = true;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 3);
	assert_true(last.partial);
	snprintf(c->bpf_dir, sizeof(c->bpf_dir), "/srv/bpf");
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 4);
	assert_string_equal(last.bpf_dir, "/srv/bpf");

	/* another policy: that one, with its lists */
	snprintf(c->policy, sizeof(c->policy), "oe_qos");
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 5);
	assert_int_equal(nunloads, 4);
	assert_string_equal(last.policy, "oe_qos");
	assert_int_equal(last.nr_ls, 1);
	assert_string_equal(last.ls[0], "/cg/ls");
	/* its lists now count, the other policy's still do not */
	c->nbe = 1;
	snprintf(c->be_cgroups[0], sizeof(c->be_cgroups[0]), "/cg/be");
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 6);
	assert_int_equal(last.nr_be, 1);
	snprintf(c->ls_cgroups[0], sizeof(c->ls_cgroups[0]), "/cg/ls2");
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 7);
	c->domains[0].domain = 2;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 7);

	/* oe_domain: its domains count */
	snprintf(c->policy, sizeof(c->policy), "oe_domain");
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 8);
	assert_int_equal(last.dom_idx[0], 2);
	c->domains[0].domain = 5;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 9);
	assert_int_equal(last.dom_idx[0], 5);
	snprintf(c->domains[0].cgroup, sizeof(c->domains[0].cgroup), "/cg/e");
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 10);
	c->nbe = 0;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 10);

	/* no policy: unloaded, nothing loaded */
	c->policy[0] = '\0';
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 10);
	assert_int_equal(live, 0);
	/* and with none configured its settings do not matter */
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), 0);
	json_object_put(rep);
	c->partial = false;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(live, 1);
	assert_int_equal(nloads, 11);

	/* a failing load on reload is reported like any other */
	load_rc = -ENOENT;
	snprintf(load_err, sizeof(load_err), "no oe_qos.bpf.o in /srv/bpf");
	snprintf(c->policy, sizeof(c->policy), "oe_qos");
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(live, 0);
	assert_string_equal(ev_str(nevents - 1, "event"), "load-failed");
	load_rc = 0;

	/* disabled by a reload: stopped, which unloads */
	c->policy[0] = '\0';
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
				 &rep, err, sizeof(err)), 0);
	json_object_put(rep);
	c->enabled = false;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_false(f->mi.running);
	assert_int_equal(live, 0);
	assert_int_equal(nwatched, 0);
	assert_string_equal(ev_str(nevents - 1, "reason"), "oe-ctld stopping");
}

static void test_reload_after_ejection(void **state)
{
	struct fixture *f = *state;
	struct oectld_config nc;
	struct oectld_sched_cfg *c;
	struct json_object *st;

	set_policy(f, "oe_fifo");
	start(f);
	exit_rec.kind = 67;
	snprintf(exit_rec.reason, sizeof(exit_rec.reason), "disabled by sysrq-S");
	snprintf(ks.state, sizeof(ks.state), "disabled");
	tick(f);
	assert_int_equal(live, 0);
	/* a changed [sched] is an admin's decision: the new settings are loaded */
	nc = f->cfg;
	c = sched_config(&nc);
	c->timeout_ms = 3000;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(nloads, 2);
	assert_int_equal(live, 1);
	st = get_status(f);
	assert_string_equal(member(st, "state"), "loaded");
	assert_string_equal(member(st, "timeout_ms"), "3000");
	assert_string_equal(member(st, "ejections"), "1");
	json_object_put(st);
}

static void test_stop_unloads(void **state)
{
	struct fixture *f = *state;

	set_policy(f, "oe_fifo");
	start(f);
	oe_modules_stop(&f->mi, 1);
	assert_int_equal(live, 0);
	assert_int_equal(nwatched, 0);
	assert_string_equal(ev_str(nevents - 1, "event"), "unloaded");
	assert_string_equal(ev_str(nevents - 1, "reason"), "oe-ctld stopping");
	/* teardown stops it again: harmless */
}

static void test_recent_ring(void **state)
{
	struct fixture *f = *state;
	struct json_object *rep, *recent;
	const int rounds = OE_EVENT_RING_SIZE / 2 + 4;
	char err[512], last[16];
	int n;

	start(f);
	/* loads and unloads: 8 events more than the ring keeps, oldest first */
	for (int i = 0; i < rounds; i++) {
		assert_int_equal(command(f, "{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}",
					 &rep, err, sizeof(err)), 0);
		json_object_put(rep);
		assert_int_equal(command(f, "{\"cmd\":\"sched.unload\"}", &rep, err, sizeof(err)), 0);
		json_object_put(rep);
	}
	recent = oe_modules_recent(&f->mi, 1);
	n = (int)json_object_array_length(recent);
	assert_int_equal(n, OE_EVENT_RING_SIZE);
	assert_string_equal(member(json_object_array_get_idx(recent, 0), "seq"), "9");
	snprintf(last, sizeof(last), "%d", 2 * rounds);
	assert_string_equal(member(json_object_array_get_idx(recent, n - 1), "seq"), last);
	assert_string_equal(member(json_object_array_get_idx(recent, n - 1), "event"), "unloaded");
	json_object_put(recent);
}

static void test_disabled(void **state)
{
	struct fixture *f = *state;
	struct json_object *rep;
	char err[512];

	/* the default configuration: nothing of it runs */
	oectld_config_defaults(&f->cfg, table, 1);
	oe_modules_start(&f->mi, 1, &f->cfg);
	assert_false(f->mi.running);
	assert_int_equal(nwatched, 0);
	assert_int_equal(command(f, "{\"cmd\":\"sched.status\"}", &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "sched is disabled in the configuration");
	assert_int_equal(oe_modules_caps(table, 1, &f->cfg), 0);
	sched_config(&f->cfg)->enabled = true;
	assert_int_equal(oe_modules_caps(table, 1, &f->cfg),
			 OE_CAP(21) | OE_CAP(38) | OE_CAP(39));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unavailable_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_loads_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_without_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_failure_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ejection_reported_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ejection_seen_in_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commands_notice_ejection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_after_ejection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_unloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recent_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
	};

	return cmocka_run_group_tests_name("sched_mod", tests, NULL, NULL);
}
