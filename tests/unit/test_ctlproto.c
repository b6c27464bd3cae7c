// SPDX-License-Identifier: GPL-2.0-only
/* cmocka tests: control protocol parsing and authorisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "ctlproto.h"

static char err[256];

static int parse(const char *s, struct ctl_request *r)
{
	err[0] = '\0';
	return ctlproto_parse(s, strlen(s), r, err, sizeof(err));
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
	assert_int_equal(ctlproto_parse("", 0, &r, err, sizeof(err)), -1);
	/* an embedded NUL is not whitespace */
	assert_int_equal(ctlproto_parse("{\"cmd\":\"ping\"}\0x", 16, &r, err, sizeof(err)), -1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_readonly_peer_refused),
		cmocka_unit_test(test_peer_is_admin),
		cmocka_unit_test(test_error_reply),
	};

	return cmocka_run_group_tests_name("ctlproto", tests, NULL, NULL);
}
