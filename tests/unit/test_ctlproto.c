// SPDX-License-Identifier: GPL-2.0-only
/* cmocka tests: control protocol parsing and authorisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "ctlproto.h"

static char err[256];

static int parse(const char *s, struct ctl_request *r)
{
	err[0] = '\0';
	return ctlproto_parse(s, strlen(s), oe_module_table, oe_module_count,
			      r, err, sizeof(err));
}

/* @r is the module command @name, found in its module's table. */
static void assert_command(const struct ctl_request *r, const char *name)
{
	assert_int_equal(r->cmd, CTL_CMD_FEATURE);
	assert_string_equal(r->name, name);
	assert_non_null(r->command);
	assert_string_equal(r->command->name, strchr(name, '.') + 1);
}

static void test_valid(void **state)
{
	struct ctl_request r;

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"status\"}", &r), 0);
	assert_int_equal(r.cmd, CTL_CMD_STATUS);
	assert_false(r.needs_admin);
	assert_int_equal(parse(" {\"cmd\" : \"subscribe\", \"extra\": 1}\n", &r), 0);
	assert_int_equal(r.cmd, CTL_CMD_SUBSCRIBE);
	assert_int_equal(parse("{\"cmd\":\"ping\"}", &r), 0);
	assert_int_equal(r.cmd, CTL_CMD_PING);
	assert_int_equal(parse("{\"cmd\":\"recent\"}", &r), 0);
	assert_int_equal(r.cmd, CTL_CMD_RECENT);
	assert_int_equal(parse("{\"cmd\":\"reload\"}", &r), 0);
	assert_int_equal(r.cmd, CTL_CMD_RELOAD);
	assert_true(r.needs_admin);
}

static void test_bad_json(void **state)
{
	struct ctl_request r;

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"status\"", &r), -1);
	assert_string_equal(err, "bad request: invalid JSON");
	assert_int_equal(parse("not json", &r), -1);
	assert_string_equal(err, "bad request: invalid JSON");
	assert_int_equal(parse("{\"cmd\":\"status\"} trailing", &r), -1);
	assert_string_equal(err, "bad request: invalid JSON");
	assert_int_equal(parse("[\"status\"]", &r), -1);
	assert_string_equal(err, "bad request: not a JSON object");
	assert_int_equal(parse("{\"command\":\"status\"}", &r), -1);
	assert_string_equal(err, "bad request: missing string member \"cmd\"");
	assert_int_equal(parse("{\"cmd\":3}", &r), -1);
	assert_string_equal(err, "bad request: missing string member \"cmd\"");
	assert_int_equal(ctlproto_parse("", 0, oe_module_table, oe_module_count, &r, err,
					 sizeof(err)), -1);
	/* an embedded NUL is not whitespace */
	assert_int_equal(ctlproto_parse("{\"cmd\":\"ping\"}\0x", 16, oe_module_table,
					 oe_module_count, &r, err, sizeof(err)), -1);
}

static void test_unknown_command(void **state)
{
	struct ctl_request r;

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"format-disk\"}", &r), -1);
	assert_string_equal(err, "unknown command 'format-disk'");
	assert_int_equal(r.cmd, CTL_CMD_NONE);
}

static void test_readonly_peer_refused(void **state)
{
	struct ctl_request r;

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"reload\"}", &r), 0);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), -1);
	assert_string_equal(err, "permission denied: 'reload' needs root or the admin group");
	assert_int_equal(ctlproto_authorize(&r, true, err, sizeof(err)), 0);
	/* read-only commands are open to everybody */
	assert_int_equal(parse("{\"cmd\":\"status\"}", &r), 0);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), 0);
	assert_int_equal(parse("{\"cmd\":\"subscribe\"}", &r), 0);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), 0);
}

static void test_peer_is_admin(void **state)
{
	gid_t groups[] = { 100, 27, 1001 };

	(void)state;
	assert_true(ctlproto_peer_is_admin(0, 0, NULL, 0, false, 0));
	assert_true(ctlproto_peer_is_admin(1000, 1000, groups, 3, true, 1001));
	assert_true(ctlproto_peer_is_admin(1000, 1001, NULL, 0, true, 1001));
	assert_false(ctlproto_peer_is_admin(1000, 1000, groups, 3, true, 5));
	assert_false(ctlproto_peer_is_admin(1000, 1000, groups, 2, true, 1001));
	/* admin group does not exist: only root */
	assert_false(ctlproto_peer_is_admin(1000, 0, groups, 3, false, 0));
}

static void test_error_reply(void **state)
{
	char *s = ctlproto_error_reply("unknown command 'x\"y'");
	struct json_object *o, *v;

	(void)state;
	assert_non_null(s);
	o = json_tokener_parse(s);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "ok", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "error", &v));
	assert_string_equal(json_object_get_string(v), "unknown command 'x\"y'");
	json_object_put(o);
	free(s);
}

static void test_modelfs_commands(void **state)
{
	struct ctl_request r;

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"modelfs.mounts\"}", &r), 0);
	assert_command(&r, "modelfs.mounts");
	assert_string_equal(r.feature, "modelfs");
	assert_false(r.needs_admin);
	assert_string_equal(r.mount, "");
	assert_int_equal(parse("{\"cmd\":\"modelfs.templates\"}", &r), 0);
	assert_command(&r, "modelfs.templates");
	assert_false(r.needs_admin);

	assert_int_equal(parse("{\"cmd\":\"modelfs.attach\",\"mount\":\"/mnt/m\",\"policy\":\"template\"}", &r), 0);
	assert_command(&r, "modelfs.attach");
	assert_true(r.needs_admin);
	assert_string_equal(r.mount, "/mnt/m");
	assert_string_equal(r.policy, "template");
	assert_int_equal(parse("{\"cmd\":\"modelfs.detach\",\"mount\":\"/mnt/m\"}", &r), 0);
	assert_command(&r, "modelfs.detach");
	assert_true(r.needs_admin);
	assert_string_equal(r.mount, "/mnt/m");

	/* stats: the mount is optional */
	assert_int_equal(parse("{\"cmd\":\"modelfs.stats\"}", &r), 0);
	assert_command(&r, "modelfs.stats");
	assert_string_equal(r.mount, "");
	assert_int_equal(parse("{\"cmd\":\"modelfs.stats\",\"mount\":\"/mnt/m\"}", &r), 0);
	assert_string_equal(r.mount, "/mnt/m");

	/* the daemon's own commands belong to no feature */
	assert_int_equal(parse("{\"cmd\":\"status\"}", &r), 0);
	assert_null(r.feature);
}

static void test_modelfs_bad_arguments(void **state)
{
	struct ctl_request r;

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"modelfs.attach\",\"mount\":\"/mnt/m\"}", &r), -1);
	assert_string_equal(err, "bad request: 'modelfs.attach' needs a string member \"policy\"");
	assert_int_equal(r.cmd, CTL_CMD_NONE);
	assert_int_equal(parse("{\"cmd\":\"modelfs.attach\",\"policy\":\"sequential\"}", &r), -1);
	assert_string_equal(err, "bad request: 'modelfs.attach' needs a string member \"mount\"");
	assert_int_equal(parse("{\"cmd\":\"modelfs.detach\"}", &r), -1);
	assert_string_equal(err, "bad request: 'modelfs.detach' needs a string member \"mount\"");
	/* the daemon does not share the client's working directory */
	assert_int_equal(parse("{\"cmd\":\"modelfs.detach\",\"mount\":\"mnt/m\"}", &r), -1);
	assert_string_equal(err, "bad request: \"mount\" must be an absolute path");
	assert_int_equal(parse("{\"cmd\":\"modelfs.stats\",\"mount\":\"m\"}", &r), -1);
	assert_string_equal(err, "bad request: \"mount\" must be an absolute path");
	/* wrong types, empty, embedded NUL */
	assert_int_equal(parse("{\"cmd\":\"modelfs.detach\",\"mount\":7}", &r), -1);
	assert_string_equal(err, "bad request: \"mount\" must be a string");
	assert_int_equal(parse("{\"cmd\":\"modelfs.attach\",\"mount\":\"/m\",\"policy\":null}", &r), -1);
	assert_string_equal(err, "bad request: \"policy\" must be a string");
	assert_int_equal(parse("{\"cmd\":\"modelfs.attach\",\"mount\":\"/m\",\"policy\":\"\"}", &r), -1);
	assert_string_equal(err, "bad request: \"policy\" is empty or contains a NUL");
	assert_int_equal(parse("{\"cmd\":\"modelfs.detach\",\"mount\":\"/m\\u0000/x\"}", &r), -1);
	assert_string_equal(err, "bad request: \"mount\" is empty or contains a NUL");
	assert_int_equal(r.cmd, CTL_CMD_NONE);
}

static void test_modelfs_long_arguments(void **state)
{
	static char buf[CTL_PATH_MAX + 128];
	struct ctl_request r;
	char pol[CTL_NAME_MAX + 1];
	int n;

	(void)state;
	n = snprintf(buf, sizeof(buf), "{\"cmd\":\"modelfs.detach\",\"mount\":\"/");
	memset(buf + n, 'a', CTL_PATH_MAX - 1);
	snprintf(buf + n + CTL_PATH_MAX - 1, sizeof(buf) - n - CTL_PATH_MAX + 1, "\"}");
	assert_int_equal(parse(buf, &r), -1);
	assert_string_equal(err, "bad request: \"mount\" is longer than 4095 bytes");
	/* one shorter fits */
	n = snprintf(buf, sizeof(buf), "{\"cmd\":\"modelfs.detach\",\"mount\":\"/");
	memset(buf + n, 'a', CTL_PATH_MAX - 2);
	snprintf(buf + n + CTL_PATH_MAX - 2, sizeof(buf) - n - CTL_PATH_MAX + 2, "\"}");
	assert_int_equal(parse(buf, &r), 0);
	assert_int_equal(strlen(r.mount), CTL_PATH_MAX - 1);

	memset(pol, 'p', CTL_NAME_MAX);
	pol[CTL_NAME_MAX] = '\0';
	snprintf(buf, sizeof(buf), "{\"cmd\":\"modelfs.attach\",\"mount\":\"/m\",\"policy\":\"%s\"}", pol);
	assert_int_equal(parse(buf, &r), -1);
	assert_string_equal(err, "bad request: \"policy\" is longer than 63 bytes");
}

static void test_modelfs_authorisation(void **state)
{
	struct ctl_request r;

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"modelfs.attach\",\"mount\":\"/m\",\"policy\":\"sequential\"}", &r), 0);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), -1);
	assert_string_equal(err, "permission denied: 'modelfs.attach' needs root or the admin group");
	assert_int_equal(ctlproto_authorize(&r, true, err, sizeof(err)), 0);
	assert_int_equal(parse("{\"cmd\":\"modelfs.detach\",\"mount\":\"/m\"}", &r), 0);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), -1);
	assert_string_equal(err, "permission denied: 'modelfs.detach' needs root or the admin group");
	assert_int_equal(parse("{\"cmd\":\"modelfs.stats\",\"mount\":\"/m\"}", &r), 0);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), 0);
	assert_int_equal(parse("{\"cmd\":\"modelfs.mounts\"}", &r), 0);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), 0);
	assert_int_equal(parse("{\"cmd\":\"modelfs.templates\"}", &r), 0);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), 0);
	/* no such subcommand */
	assert_int_equal(parse("{\"cmd\":\"modelfs.format\"}", &r), -1);
	assert_string_equal(err, "unknown command 'modelfs.format'");
}

static void test_sched_commands(void **state)
{
	struct ctl_request r;

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"sched.list\"}", &r), 0);
	assert_command(&r, "sched.list");
	assert_string_equal(r.feature, "sched");
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), 0);
	assert_int_equal(parse("{\"cmd\":\"sched.status\"}", &r), 0);
	assert_command(&r, "sched.status");
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), 0);

	assert_int_equal(parse("{\"cmd\":\"sched.load\",\"policy\":\"oe_fifo\"}", &r), 0);
	assert_command(&r, "sched.load");
	assert_string_equal(r.feature, "sched");
	assert_string_equal(r.policy, "oe_fifo");
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), -1);
	assert_string_equal(err, "permission denied: 'sched.load' needs root or the admin group");
	assert_int_equal(ctlproto_authorize(&r, true, err, sizeof(err)), 0);
	assert_int_equal(parse("{\"cmd\":\"sched.unload\"}", &r), 0);
	assert_command(&r, "sched.unload");
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), -1);
	assert_string_equal(err, "permission denied: 'sched.unload' needs root or the admin group");

	/* load needs its policy, as a non-empty string */
	assert_int_equal(parse("{\"cmd\":\"sched.load\"}", &r), -1);
	assert_string_equal(err, "bad request: 'sched.load' needs a string member \"policy\"");
	assert_int_equal(r.cmd, CTL_CMD_NONE);
	assert_int_equal(parse("{\"cmd\":\"sched.load\",\"policy\":1}", &r), -1);
	assert_string_equal(err, "bad request: \"policy\" must be a string");
	assert_int_equal(parse("{\"cmd\":\"sched.load\",\"policy\":\"\"}", &r), -1);
	assert_string_equal(err, "bad request: \"policy\" is empty or contains a NUL");
	assert_int_equal(parse("{\"cmd\":\"sched.reload\"}", &r), -1);
	assert_string_equal(err, "unknown command 'sched.reload'");
}

static void test_gmem_commands(void **state)
{
	struct ctl_request r;

	(void)state;
	/* read-only: anybody may look */
	assert_int_equal(parse("{\"cmd\":\"gmem.devices\"}", &r), 0);
	assert_command(&r, "gmem.devices");
	assert_string_equal(r.name, "gmem.devices");
	assert_string_equal(r.feature, "gmem");
	assert_false(r.needs_admin);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), 0);
	assert_int_equal(parse("{\"cmd\":\"gmem.stats\"}", &r), 0);
	assert_command(&r, "gmem.stats");
	assert_string_equal(r.feature, "gmem");
	assert_false(r.needs_admin);
	assert_int_equal(ctlproto_authorize(&r, false, err, sizeof(err)), 0);
	/* members they do not take are ignored */
	assert_int_equal(parse("{\"cmd\":\"gmem.stats\",\"mount\":\"/x\"}", &r), 0);
	assert_string_equal(r.mount, "");
	assert_int_equal(parse("{\"cmd\":\"gmem.processes\"}", &r), -1);
	assert_string_equal(err, "unknown command 'gmem.processes'");
	assert_int_equal(parse("{\"cmd\":\"gmem\"}", &r), -1);
	assert_string_equal(err, "unknown command 'gmem'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_readonly_peer_refused),
		cmocka_unit_test(test_peer_is_admin),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_modelfs_commands),
		cmocka_unit_test(test_modelfs_bad_arguments),
		cmocka_unit_test(test_modelfs_long_arguments),
		cmocka_unit_test(test_modelfs_authorisation),
		cmocka_unit_test(test_sched_commands),
		cmocka_unit_test(test_gmem_commands),
	};

	return cmocka_run_group_tests_name("ctlproto", tests, NULL, NULL);
}
