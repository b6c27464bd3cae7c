// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the modelfs module of oe-ctld with a fake host. Channels
 * are SOCK_SEQPACKET socketpairs handed to modelfs_mod_adopt(), as if
 * MODELFS_IOC_ATTACH had returned them; the test plays the kernel on the
 * other end.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config.h"
#include "ctlproto.h"
#include "libmodelfs.h"
#include "modelfs_event.h"
#include "modelfs_mod.h"
#include "module.h"
#include "host_fixture.h"
#include "template.h"

static int emitted;
static char last_event[32], last_reason[128];

static void host_emit(void *host, struct oe_module_inst *mi, struct json_object *ev)
{
	struct json_object *v;

	(void)host;
	(void)mi;
	emitted++;
	assert_true(json_object_object_get_ex(ev, "feature", &v));
	assert_string_equal(json_object_get_string(v), "modelfs");
	assert_true(json_object_object_get_ex(ev, "event", &v));
	snprintf(last_event, sizeof(last_event), "%s", json_object_get_string(v));
	last_reason[0] = '\0';
	if (json_object_object_get_ex(ev, "reason", &v))
		snprintf(last_reason, sizeof(last_reason), "%s", json_object_get_string(v));
}

static const struct oe_host_ops ops = {
	.watch_fd = host_watch,
	.unwatch_fd = host_unwatch,
	.emit_event = host_emit,
};

static const struct oe_module *const table[] = { &modelfs_module };

struct fixture {
	struct oe_module_inst mi;
	struct oectld_config cfg;
	char dir[64];		/* template_dir */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct oectld_modelfs_cfg *c;

	assert_non_null(f);
	nwatched = 0;
	emitted = 0;
	snprintf(f->dir, sizeof(f->dir), "/tmp/oe-mfs-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	oectld_config_defaults(&f->cfg, table, 1);
	c = modelfs_config(&f->cfg);
	c->enabled = true;
	snprintf(c->template_dir, sizeof(c->template_dir), "%s", f->dir);
	oe_modules_setup(&f->mi, table, 1, &ops, NULL);
	oe_modules_start(&f->mi, 1, &f->cfg);
	assert_true(f->mi.running);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	oe_modules_stop(&f->mi, 1);
	/* everything the module watched is let go */
	assert_int_equal(nwatched, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A runtime on a fresh channel; *peer is the kernel's end. */
static struct modelfs_rt *channel(int *peer)
{
	struct modelfs_rt *rt;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	rt = modelfs_init_fd(sv[0]);
	assert_non_null(rt);
	*peer = sv[1];
	return rt;
}

static void send_ev(int peer, uint32_t type, uint64_t ino, uint64_t off, uint64_t len)
{
	struct modelfs_event e = make_event(type, ino, off, len);

	assert_int_equal(write(peer, &e, sizeof(e)), sizeof(e));
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

static uint64_t detail(struct fixture *f, const char *key)
{
	struct json_object *st = oe_modules_status(&f->mi, 1), *o, *d, *v;
	uint64_t r = UINT64_MAX;

	o = json_object_array_get_idx(st, 0);
	assert_true(json_object_object_get_ex(o, "details", &d));
	if (json_object_object_get_ex(d, key, &v))
		r = json_object_get_uint64(v);
	json_object_put(st);
	return r;
}

static void test_started_without_kernel(void **state)
{
	struct fixture *f = *state;

	/* only the timer is watched until a mount is held */
	assert_int_equal(nwatched, 1);
	assert_int_equal(modelfs_mod_held(&f->mi), 0);
	assert_int_equal(detail(f, "attached"), 0);
	/* no failures yet: not even shown */
	assert_int_equal(detail(f, "failed"), UINT64_MAX);
}

static void test_policy_runs_on_events(void **state)
{
	struct fixture *f = *state;
	struct json_object *rep, *s, *v;
	struct modelfs_cmd cmd;
	struct modelfs_rt *rt;
	char err[256];
	int peer;

	rt = channel(&peer);
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/mnt", makedev(0, 99),
					   "sequential", rt, false, err, sizeof(err)), 0);
	assert_int_equal(modelfs_mod_held(&f->mi), 1);
	assert_true(is_watched(modelfs_fd(rt)));
	assert_string_equal(last_event, "attached");
	assert_string_equal(last_reason, "oe-ctl");
	assert_int_equal(detail(f, "attached"), 1);

	/* OPEN of a 64 MiB file: sequential prefetches its first window */
	send_ev(peer, MODELFS_EV_OPEN, 5, 0, 64ULL << 20);
	send_ev(peer, MODELFS_EV_OVERFLOW, 0, 0, 3);
	modelfs_module.event(&f->mi, modelfs_fd(rt), EPOLLIN);
	assert_int_equal(read(peer, &cmd, sizeof(cmd)), sizeof(cmd));
	assert_int_equal(cmd.type, MODELFS_CMD_PREFETCH);
	assert_int_equal(cmd.ino, 5);
	assert_int_equal(cmd.off, 0);
	assert_int_equal(cmd.len, MODELFS_SEQ_WINDOW_DEFAULT);

	/* detach by the path it was attached by: the runtime's counters come back */
	assert_int_equal(command(f, "{\"cmd\":\"modelfs.detach\",\"mount\":\"/nonexistent/mnt\"}",
				 &rep, err, sizeof(err)), 0);
	assert_true(json_object_object_get_ex(rep, "policy", &v));
	assert_string_equal(json_object_get_string(v), "sequential");
	assert_true(json_object_object_get_ex(rep, "dev", &v));
	assert_string_equal(json_object_get_string(v), "0:99");
	assert_true(json_object_object_get_ex(rep, "oe_ctld", &s));
	assert_true(json_object_object_get_ex(s, "events", &v));
	assert_int_equal(json_object_get_uint64(v), 2);
	assert_true(json_object_object_get_ex(s, "overflows", &v));
	assert_int_equal(json_object_get_uint64(v), 3);
	assert_true(json_object_object_get_ex(s, "prefetch_cmds", &v));
	assert_int_equal(json_object_get_uint64(v), 1);
	json_object_put(rep);
	assert_int_equal(modelfs_mod_held(&f->mi), 0);
	assert_string_equal(last_event, "detached");
	assert_int_equal(nwatched, 1);
	/* the channel is closed: the kernel would see the policy go */
	assert_int_equal(read(peer, &cmd, sizeof(cmd)), 0);
	close(peer);

	/* and it is not held any more */
	assert_int_equal(command(f, "{\"cmd\":\"modelfs.detach\",\"mount\":\"/nonexistent/mnt\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/mnt: oe-ctld runs no policy on this mount");
}

static void test_failed_channel_detached_once(void **state)
{
	struct fixture *f = *state;
	struct modelfs_rt *rt;
	char err[256];
	int peer, fd;

	rt = channel(&peer);
	fd = modelfs_fd(rt);
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/a", makedev(0, 98),
					   "sequential", rt, true, err, sizeof(err)), 0);
	send_ev(peer, MODELFS_EV_OPEN, 7, 0, 4096);
	/* the kernel side goes away with an event still queued */
	close(peer);
	emitted = 0;
	modelfs_module.event(&f->mi, fd, EPOLLIN | EPOLLHUP);
	assert_int_equal(modelfs_mod_held(&f->mi), 0);
	assert_false(is_watched(fd));
	assert_int_equal(modelfs_mod_failed(&f->mi), 1);
	assert_int_equal(emitted, 1);
	assert_string_equal(last_event, "detached");
	assert_non_null(strstr(last_reason, "the channel failed"));
	assert_int_equal(detail(f, "failed"), 1);

	/* a late wake-up for the old fd finds nothing and attaches nothing */
	modelfs_module.event(&f->mi, fd, EPOLLIN | EPOLLHUP);
	assert_int_equal(modelfs_mod_held(&f->mi), 0);
	assert_int_equal(modelfs_mod_failed(&f->mi), 1);
	assert_int_equal(emitted, 1);
}

static void test_poll_error_detaches(void **state)
{
	struct fixture *f = *state;
	struct modelfs_rt *rt;
	char err[256];
	int peer, fd;

	rt = channel(&peer);
	fd = modelfs_fd(rt);
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/b", makedev(0, 97),
					   "aggregate", rt, false, err, sizeof(err)), 0);
	/* nothing to read, but the fd reports an error */
	modelfs_module.event(&f->mi, fd, EPOLLERR);
	assert_int_equal(modelfs_mod_held(&f->mi), 0);
	assert_int_equal(modelfs_mod_failed(&f->mi), 1);
	assert_non_null(strstr(last_reason, "poll error"));
	close(peer);
}

static void test_bad_record_detaches(void **state)
{
	struct fixture *f = *state;
	struct modelfs_rt *rt;
	char err[256], junk[5] = "junk";
	int peer;

	rt = channel(&peer);
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/c", makedev(0, 96),
					   "sequential", rt, false, err, sizeof(err)), 0);
	assert_int_equal(write(peer, junk, sizeof(junk)), sizeof(junk));
	modelfs_module.event(&f->mi, modelfs_fd(rt), EPOLLIN);
	assert_int_equal(modelfs_mod_held(&f->mi), 0);
	assert_int_equal(modelfs_mod_failed(&f->mi), 1);
	close(peer);
}

static void test_adopt_refusals(void **state)
{
	struct fixture *f = *state;
	struct modelfs_rt *rt;
	char err[256];
	int peer;

	rt = channel(&peer);
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/d", makedev(0, 95),
					   "fastest", rt, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown policy 'fastest' (known: sequential"));
	/* the template policy needs the mount's template name from sysfs */
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/d", makedev(0, 95),
					   "template", rt, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/d: cannot name its template"));
	assert_int_equal(modelfs_mod_held(&f->mi), 0);
	assert_int_equal(nwatched, 1);
	/* the caller still owns the runtime */
	modelfs_exit(rt);
	close(peer);
}

static void test_attach_refusals(void **state)
{
	struct fixture *f = *state;
	struct json_object *rep;
	char err[512], req[256];

	assert_int_equal(command(f, "{\"cmd\":\"modelfs.attach\",\"mount\":\"/nonexistent/x\",\"policy\":\"sequential\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/x: no such file or directory");
	snprintf(req, sizeof(req), "{\"cmd\":\"modelfs.attach\",\"mount\":\"%s\",\"policy\":\"sequential\"}",
		 f->dir);
	assert_int_equal(command(f, req, &rep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, " is not on a ModelFS mount"));
	snprintf(req, sizeof(req), "{\"cmd\":\"modelfs.attach\",\"mount\":\"%s\",\"policy\":\"bogus\"}",
		 f->dir);
	assert_int_equal(command(f, req, &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown policy 'bogus' (known: sequential, template, aggregate)");
	snprintf(req, sizeof(req), "{\"cmd\":\"modelfs.stats\",\"mount\":\"%s\"}", f->dir);
	assert_int_equal(command(f, req, &rep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, " is not on a ModelFS mount"));
	assert_int_equal(command(f, "{\"cmd\":\"modelfs.stats\",\"mount\":\"/nonexistent/y\"}",
				 &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/y: no such file or directory");
	assert_int_equal(modelfs_mod_held(&f->mi), 0);
}

static void test_templates(void **state)
{
	struct fixture *f = *state;
	struct modelfs_tmpl_range r[2] = { { 0, 1 << 20 }, { 4 << 20, 2 << 20 } };
	struct modelfs_tmpl_file file = { .ino = 12, .size = 8 << 20, .nr = 2, .r = r };
	struct modelfs_tmpl t = { .nr_files = 1, .load_ns = 2500000000ULL, .files = &file };
	struct json_object *rep, *arr, *o, *v;
	char err[512], path[128];
	FILE *fp;

	/* a good one, a corrupt one, one being written, a directory */
	assert_int_equal(modelfs_tmpl_save(f->dir, "good.tmpl", &t), 0);
	snprintf(path, sizeof(path), "%s/bad.tmpl", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("OEMFSTPL but not really a template", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/.good.tmpl.Ab12Cd", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/sub", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);

	assert_int_equal(command(f, "{\"cmd\":\"modelfs.templates\"}", &rep, err, sizeof(err)), 0);
	assert_true(json_object_object_get_ex(rep, "dir", &v));
	assert_string_equal(json_object_get_string(v), f->dir);
	assert_true(json_object_object_get_ex(rep, "templates", &arr));
	assert_int_equal(json_object_array_length(arr), 2);
	/* sorted by name */
	o = json_object_array_get_idx(arr, 0);
	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), "bad.tmpl");
	assert_true(json_object_object_get_ex(o, "corrupt", &v));
	assert_true(json_object_get_boolean(v));
	o = json_object_array_get_idx(arr, 1);
	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), "good.tmpl");
	assert_true(json_object_object_get_ex(o, "corrupt", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "files", &v));
	assert_int_equal(json_object_get_uint64(v), 1);
	assert_true(json_object_object_get_ex(o, "ranges", &v));
	assert_int_equal(json_object_get_uint64(v), 2);
	assert_true(json_object_object_get_ex(o, "bytes", &v));
	assert_int_equal(json_object_get_uint64(v), 3 << 20);
	assert_true(json_object_object_get_ex(o, "load_ns", &v));
	assert_int_equal(json_object_get_uint64(v), 2500000000ULL);
	json_object_put(rep);
}

static void test_templates_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct json_object *rep, *arr;
	char err[512];

	/* nothing recorded yet is no error */
	assert_int_equal(rmdir(f->dir), 0);
	assert_int_equal(command(f, "{\"cmd\":\"modelfs.templates\"}", &rep, err, sizeof(err)), 0);
	assert_true(json_object_object_get_ex(rep, "templates", &arr));
	assert_int_equal(json_object_array_length(arr), 0);
	json_object_put(rep);
	assert_int_equal(mkdir(f->dir, 0700), 0);
}

static void test_reload_follows_the_list(void **state)
{
	struct fixture *f = *state;
	struct modelfs_rt *rt1, *rt2;
	struct oectld_config nc = f->cfg;
	struct oectld_modelfs_cfg *c = modelfs_config(&nc);
	char err[256];
	int p1, p2;

	rt1 = channel(&p1);
	rt2 = channel(&p2);
	/* one from the configuration, one attached by hand */
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/conf", makedev(0, 90),
					   "sequential", rt1, true, err, sizeof(err)), 0);
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/hand", makedev(0, 91),
					   "sequential", rt2, false, err, sizeof(err)), 0);

	/* still listed: kept */
	c->nattach = 1;
	snprintf(c->attach[0].mount, sizeof(c->attach[0].mount),
		 "/nonexistent/conf");
	snprintf(c->attach[0].policy, sizeof(c->attach[0].policy),
		 "sequential");
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(modelfs_mod_held(&f->mi), 2);

	/* listed with another policy: the old one goes, the new one cannot
	 * attach to a path that is not there (and is not retried in a loop) */
	snprintf(c->attach[0].policy, sizeof(c->attach[0].policy),
		 "aggregate");
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(modelfs_mod_held(&f->mi), 1);
	assert_string_equal(last_reason, "the configuration names another policy");

	/* the hand-attached one survives a reload without it */
	modelfs_config(&nc)->nattach = 0;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(modelfs_mod_held(&f->mi), 1);
	assert_int_equal(modelfs_mod_failed(&f->mi), 0);
	close(p1);
	close(p2);
}

static void test_reload_drops_unlisted(void **state)
{
	struct fixture *f = *state;
	struct oectld_config nc = f->cfg;
	struct modelfs_rt *rt;
	char err[256];
	int p;

	rt = channel(&p);
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/conf", makedev(0, 90),
					   "sequential", rt, true, err, sizeof(err)), 0);
	modelfs_config(&nc)->nattach = 0;
	oe_modules_reload(&f->mi, 1, &nc);
	assert_int_equal(modelfs_mod_held(&f->mi), 0);
	assert_string_equal(last_reason, "no longer in the configuration");
	close(p);
}

static void test_stop_closes_channels(void **state)
{
	struct fixture *f = *state;
	struct modelfs_rt *rt;
	struct modelfs_event e;
	char err[256];
	int p;

	rt = channel(&p);
	assert_int_equal(modelfs_mod_adopt(&f->mi, "/nonexistent/s", makedev(0, 80),
					   "sequential", rt, false, err, sizeof(err)), 0);
	oe_modules_stop(&f->mi, 1);
	assert_int_equal(nwatched, 0);
	assert_string_equal(last_reason, "oe-ctld stopping");
	assert_int_equal(read(p, &e, sizeof(e)), 0);
	close(p);
	/* teardown stops it again: harmless */
}

static void test_command_routing(void **state)
{
	struct oe_module_inst mi;
	struct oectld_config cfg;
	struct ctl_request req;
	struct json_object *rep = json_object_new_object();
	char err[256];
	const char *s = "{\"cmd\":\"modelfs.mounts\"}";

	(void)state;
	oectld_config_defaults(&cfg, table, 1);
	oe_modules_setup(&mi, table, 1, &ops, NULL);
	oe_modules_start(&mi, 1, &cfg);
	assert_int_equal(ctlproto_parse(s, strlen(s), table, 1, &req, err,
					sizeof(err)), 0);
	assert_int_equal(oe_modules_command(&mi, 1, &req, rep, err, sizeof(err)), -1);
	assert_string_equal(err, "modelfs is disabled in the configuration");
	/* a table without the feature */
	assert_int_equal(oe_modules_command(&mi, 0, &req, rep, err, sizeof(err)), -1);
	assert_string_equal(err, "no feature 'modelfs' in this oe-ctld");
	oe_modules_stop(&mi, 1);
	json_object_put(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_started_without_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_runs_on_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_channel_detached_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_error_detaches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_record_detaches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_templates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_templates_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_follows_the_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_drops_unlisted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_closes_channels, setup, teardown),
		cmocka_unit_test(test_command_routing),
	};

	/* as in the daemon: a closed channel is an error, not a signal */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("modelfs_mod", tests, NULL, NULL);
}
