// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the gmem module of oe-ctld with a fake host, on the
 * kernel the tests run on, which has no oe_gmem family (no gmem=on): the
 * module runs, says why it is unavailable, answers commands with that,
 * needs no capability, and gives its socket back when stopped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <linux/capability.h>
#include <linux/oe_gmem.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "config.h"
#include "ctlproto.h"
#include "module.h"
#include "host_fixture.h"

extern const struct oe_module gmem_module;

static const struct oe_module *const tab[] = { &gmem_module };
static int nemitted;

static void host_emit(void *host, struct oe_module_inst *mi,
		      struct json_object *ev)
{
	(void)host;
	(void)mi;
	(void)ev;
	nemitted++;
}

static const struct oe_host_ops ops = {
	.watch_fd = host_watch,
	.unwatch_fd = host_unwatch,
	.emit_event = host_emit,
};

static struct oe_module_inst mi;
static struct oectld_config cfg;
static char err[512];

static bool kernel_has_gmem(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	bool has;

	assert_non_null(sk);
	assert_int_equal(genl_connect(sk), 0);
	has = genl_ctrl_resolve(sk, OE_GMEM_FAMILY_NAME) >= 0;
	nl_socket_free(sk);
	return has;
}

/* [gmem] enabled = yes or no, as the config file says it */
static void set_enabled(bool on)
{
	const char *text = on ? "[gmem]\nenabled = yes\n" : "[gmem]\nenabled = no\n";

	assert_int_equal(oectld_config_load_string("t.conf", text, tab, 1, &cfg,
						   err, sizeof(err)), 0);
}

static int setup(void **state)
{
	(void)state;
	nwatched = 0;
	nemitted = 0;
	oectld_config_defaults(&cfg, tab, 1);
	oe_modules_setup(&mi, tab, 1, &ops, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	oe_modules_stop(&mi, 1);
	assert_int_equal(nwatched, 0);
	return 0;
}

static struct json_object *details(void)
{
	struct json_object *arr = oe_modules_status(&mi, 1), *d, *o;

	assert_int_equal(json_object_array_length(arr), 1);
	o = json_object_array_get_idx(arr, 0);
	assert_true(json_object_object_get_ex(o, "details", &d));
	json_object_get(d);
	json_object_put(arr);
	return d;
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static int command(const char *json, struct json_object **reply)
{
	struct ctl_request req;
	int rc;

	assert_int_equal(ctlproto_parse(json, strlen(json), tab, 1, &req, err,
					sizeof(err)), 0);
	*reply = json_object_new_object();
	err[0] = '\0';
	rc = oe_modules_command(&mi, 1, &req, *reply, err, sizeof(err));
	return rc;
}

static void test_no_family(void **state)
{
	struct json_object *d, *r, *arr;

	(void)state;
	if (kernel_has_gmem())
		skip();	/* this kernel runs with gmem=on */
	oe_modules_start(&mi, 1, &cfg);
	assert_true(mi.enabled);
	assert_true(mi.running);
	assert_false(mi.available);
	assert_string_equal(mi.reason, "kernel has no oe_gmem family");
	/* its event socket (nlctrl notifications) is in the loop */
	assert_int_equal(nwatched, 1);

	d = details();
	assert_string_equal(member(d, "reason"), "kernel has no oe_gmem family");
	assert_string_equal(member(d, "pressure"), "0");
	assert_string_equal(member(d, "missed"), "0");
	assert_string_equal(member(d, "overruns"), "0");
	/* no figures of a kernel it cannot read */
	assert_null(member(d, "devices"));
	assert_null(member(d, "processes"));
	assert_null(member(d, "malformed"));
	json_object_put(d);

	/* the commands say why */
	assert_int_equal(command("{\"cmd\":\"gmem.devices\"}", &r), -1);
	assert_string_equal(err, "gmem is not available: kernel has no oe_gmem family");
	assert_null(member(r, "devices"));
	json_object_put(r);
	assert_int_equal(command("{\"cmd\":\"gmem.stats\"}", &r), -1);
	assert_string_equal(err, "gmem is not available: kernel has no oe_gmem family");
	json_object_put(r);

	/* nothing to read on its socket, nothing kept, nothing sent */
	mi.mod->event(&mi, watched[0], 1);
	arr = oe_modules_recent(&mi, 1);
	assert_int_equal(json_object_array_length(arr), 0);
	json_object_put(arr);
	assert_int_equal(nemitted, 0);

	/* a reload looks again, and keeps its one socket */
	oe_modules_reload(&mi, 1, &cfg);
	assert_true(mi.running);
	assert_false(mi.available);
	assert_string_equal(mi.reason, "kernel has no oe_gmem family");
	assert_int_equal(nwatched, 1);
}

static void test_disabled(void **state)
{
	struct json_object *d, *r;

	(void)state;
	set_enabled(false);
	oe_modules_start(&mi, 1, &cfg);
	assert_false(mi.running);
	assert_int_equal(nwatched, 0);
	d = details();
	assert_string_equal(member(d, "reason"), "disabled in the configuration");
	json_object_put(d);
	assert_int_equal(command("{\"cmd\":\"gmem.devices\"}", &r), -1);
	assert_string_equal(err, "gmem is disabled in the configuration");
	json_object_put(r);

	/* enabled by a reload: it starts; disabled again: it stops */
	set_enabled(true);
	oe_modules_reload(&mi, 1, &cfg);
	assert_true(mi.running);
	assert_int_equal(nwatched, 1);
	set_enabled(false);
	oe_modules_reload(&mi, 1, &cfg);
	assert_false(mi.running);
	assert_int_equal(nwatched, 0);
}

static void test_net_admin_only(void **state)
{
	(void)state;
	/* the events group names every user's pids: CAP_NET_ADMIN, no more */
	assert_true(gmem_module.caps == OE_CAP(CAP_NET_ADMIN));
	assert_true(oe_modules_caps(tab, 1, &cfg) == OE_CAP(CAP_NET_ADMIN));
	assert_true(gmem_module.enabled(&cfg));
	set_enabled(false);
	assert_false(gmem_module.enabled(&cfg));
	assert_string_equal(gmem_module.name, "gmem");
}

static void test_other_feature_command(void **state)
{
	struct ctl_request req = {
		.cmd = CTL_CMD_FEATURE, .name = "sched.list", .feature = "gmem",
	};
	struct json_object *r = json_object_new_object();

	(void)state;
	oe_modules_start(&mi, 1, &cfg);
	assert_true(mi.running);
	assert_int_equal(oe_modules_command(&mi, 1, &req, r, err, sizeof(err)), -1);
	assert_string_equal(err, "gmem: no command 'sched.list'");
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_family, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_admin_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_feature_command, setup, teardown),
	};

	return cmocka_run_group_tests_name("gmem_mod", tests, NULL, NULL);
}
