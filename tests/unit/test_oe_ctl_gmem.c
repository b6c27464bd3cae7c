// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: `oe-ctl gmem ...` against a fake oe-ctld. The oe-ctl
 * built beside the tests ($(O)/oe-ctl) is run on a socket the test
 * listens on: what it sends, what it prints, how it exits.
 */
#include "oe_ctl_fixture.h"
#include "util.h"

#define DEVICES_REPLY \
	"{\"ok\":true,\"page_size\":2097152,\"devices\":[" \
	"{\"hnid\":1,\"name\":\"gmem_sim\",\"capacity\":1073741824,\"resident\":64," \
	"\"faults\":120,\"to_dev\":70,\"to_host\":6,\"evicted\":6,\"pressure\":3," \
	"\"pressure_evicted\":6}," \
	"{\"hnid\":2,\"name\":\"remote_pager0\",\"capacity\":0,\"resident\":0," \
	"\"faults\":0,\"to_dev\":0,\"to_host\":0,\"evicted\":0,\"pressure\":0," \
	"\"pressure_evicted\":0}]," \
	"\"pressure\":{\"received\":3,\"missed\":0,\"overruns\":0}}"

#define STATS_REPLY \
	"{\"ok\":true,\"page_size\":2097152,\"processes\":2,\"pages_nomap\":1," \
	"\"pages_cpu\":10,\"pages_device\":3,\"migrating\":1,\"per_process\":[" \
	"{\"pid\":1234,\"pages_cpu\":8,\"pages_device\":3}," \
	"{\"pid\":56789,\"pages_cpu\":2,\"pages_device\":0}]}"

static void test_usage_errors(void **state)
{
	const struct usage_error bad[] = {
		{ ARGS("gmem"), "oe-ctl: gmem needs a subcommand (devices, stats)\n" },
		{ ARGS("gmem", "bogus"), "oe-ctl: unknown gmem subcommand 'bogus'\n" },
		{ ARGS("gmem", "processes"), "oe-ctl: unknown gmem subcommand 'processes'\n" },
		{ ARGS("gmem", "devices", "1"), "oe-ctl: too many arguments\n" },
		{ ARGS("gmem", "stats", "1234"), "oe-ctl: too many arguments\n" },
		{ ARGS("--count", "3", "gmem", "devices"), "oe-ctl: --count only applies to 'events'\n" },
		{ ARGS("gmem", "--bogus", "stats"), NULL },
	};

	(void)state;
	assert_usage_errors(bad, ARRAY_SIZE(bad));
}

static void test_unreachable(void **state)
{
	(void)state;
	/* no daemon; then one that goes away without answering */
	assert_unreachable(ARGS("gmem", "devices"), ARGS("gmem", "stats"));
	assert_string_equal(out, "");
}

static void test_devices(void **state)
{
	(void)state;
	assert_int_equal(run(DEVICES_REPLY, ARGS("gmem", "devices")), 0);
	assert_string_equal(req_member("cmd"), "gmem.devices");
	assert_string_equal(errout, "");
	assert_string_equal(out,
		"HNID  NAME           CAPACITY-MIB  RESIDENT-MIB  FAULTS  TO-DEV  TO-HOST  EVICTED  PRESSURE\n"
		"   1  gmem_sim               1024           128     120      70        6        6         3\n"
		"   2  remote_pager0             -             0       0       0        0        0         0\n");

	/* wide numbers widen their column; a seq gap gets a note */
	assert_int_equal(run("{\"ok\":true,\"page_size\":2097152,\"devices\":["
			     "{\"hnid\":0,\"name\":\"d\",\"capacity\":17179869184,\"resident\":8192,"
			     "\"faults\":18446744073709551615,\"to_dev\":1,\"to_host\":2,\"evicted\":3,"
			     "\"pressure\":1234567,\"pressure_evicted\":9}],"
			     "\"pressure\":{\"received\":1234567,\"missed\":5,\"overruns\":1}}",
			     ARGS("gmem", "devices")), 0);
	assert_string_equal(out,
		"HNID  NAME  CAPACITY-MIB  RESIDENT-MIB                FAULTS  TO-DEV  TO-HOST  EVICTED  PRESSURE\n"
		"   0  d            16384         16384  18446744073709551615       1        2        3   1234567\n"
		"note: oe-ctld missed 5 pressure events; PRESSURE counts those it received\n");

	/* no devices */
	assert_int_equal(run("{\"ok\":true,\"page_size\":2097152,\"devices\":[],"
			     "\"pressure\":{\"received\":0,\"missed\":0,\"overruns\":0}}",
			     ARGS("gmem", "devices")), 0);
	assert_string_equal(out, "no GMem devices\n");

	/* a reply without the array is the daemon's fault */
	assert_int_equal(run("{\"ok\":true}", ARGS("gmem", "devices")), 1);
	assert_string_equal(out, "");
	assert_non_null(strstr(errout, "malformed reply from oe-ctld (no \"devices\")"));
}

static void test_devices_json(void **state)
{
	struct json_object *o, *a, *d, *v;

	(void)state;
	/* --json, before or after the command: the reply as it came */
	assert_int_equal(run(DEVICES_REPLY, ARGS("gmem", "devices", "--json")), 0);
	assert_string_equal(req_member("cmd"), "gmem.devices");
	o = json_tokener_parse(out);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "devices", &a));
	assert_int_equal(json_object_array_length(a), 2);
	d = json_object_array_get_idx(a, 0);
	assert_true(json_object_object_get_ex(d, "name", &v));
	assert_string_equal(json_object_get_string(v), "gmem_sim");
	assert_true(json_object_object_get_ex(d, "capacity", &v));
	assert_int_equal(json_object_get_uint64(v), 1073741824);
	assert_true(json_object_object_get_ex(d, "pressure", &v));
	assert_int_equal(json_object_get_int(v), 3);
	assert_true(json_object_object_get_ex(o, "pressure", &v));
	json_object_put(o);
	assert_int_equal(run(DEVICES_REPLY, ARGS("-j", "gmem", "devices")), 0);
	assert_non_null(strstr(out, "\"to_host\":6"));
	assert_null(strstr(out, "HNID"));
}

static void test_stats(void **state)
{
	(void)state;
	assert_int_equal(run(STATS_REPLY, ARGS("gmem", "stats")), 0);
	assert_string_equal(req_member("cmd"), "gmem.stats");
	assert_string_equal(errout, "");
	assert_string_equal(out,
		"processes     2\n"
		"pages-nomap   1\n"
		"pages-cpu     10 (20 MiB)\n"
		"pages-device  3 (6 MiB)\n"
		"migrating     1 (2 MiB)\n"
		"\n"
		"  PID  CPU-MIB  DEVICE-MIB\n"
		" 1234       16           6\n"
		"56789        4           0\n");

	/* nobody uses GMem; a count the reply lacks shows as "-" */
	assert_int_equal(run("{\"ok\":true,\"page_size\":2097152,\"processes\":0,"
			     "\"pages_nomap\":0,\"pages_cpu\":0,\"pages_device\":0,"
			     "\"per_process\":[]}",
			     ARGS("gmem", "stats")), 0);
	assert_string_equal(out,
		"processes     0\n"
		"pages-nomap   0\n"
		"pages-cpu     0 (0 MiB)\n"
		"pages-device  0 (0 MiB)\n"
		"migrating     -\n"
		"\n"
		"no process uses GMem\n");

	/* a reply without the per-process array is the daemon's fault */
	assert_int_equal(run("{\"ok\":true,\"processes\":1}", ARGS("gmem", "stats")), 1);
	assert_string_equal(out, "");
	assert_non_null(strstr(errout, "malformed reply from oe-ctld (no \"per_process\")"));
}

static void test_stats_json(void **state)
{
	struct json_object *o, *a, *v;

	(void)state;
	assert_int_equal(run(STATS_REPLY, ARGS("--json", "gmem", "stats")), 0);
	o = json_tokener_parse(out);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "per_process", &a));
	assert_int_equal(json_object_array_length(a), 2);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(a, 1), "pid", &v));
	assert_int_equal(json_object_get_int(v), 56789);
	assert_true(json_object_object_get_ex(o, "migrating", &v));
	assert_int_equal(json_object_get_int(v), 1);
	json_object_put(o);
}

static void test_daemon_refuses(void **state)
{
	(void)state;
	/* the kernel runs without gmem=on: the module is there but unavailable */
	assert_int_equal(run("{\"ok\":false,\"error\":\"gmem is not available: kernel has no oe_gmem family\"}",
			     ARGS("gmem", "devices")), 1);
	assert_string_equal(out, "");
	assert_string_equal(errout,
			    "oe-ctl: oe-ctld: gmem is not available: kernel has no oe_gmem family\n");
	assert_int_equal(run("{\"ok\":false,\"error\":\"gmem is disabled in the configuration\"}",
			     ARGS("gmem", "stats")), 1);
	assert_string_equal(errout, "oe-ctl: oe-ctld: gmem is disabled in the configuration\n");
	/* an oe-ctld without the gmem module */
	assert_int_equal(run("{\"ok\":false,\"error\":\"unknown command 'gmem.stats'\"}",
			     ARGS("--json", "gmem", "stats")), 1);
	assert_string_equal(out, "");
	assert_string_equal(errout, "oe-ctl: oe-ctld: unknown command 'gmem.stats'\n");
	/* the kernel refused the dump */
	assert_int_equal(run("{\"ok\":false,\"error\":\"oe_gmem get-processes: Cannot allocate memory\"}",
			     ARGS("gmem", "stats")), 1);
	assert_non_null(strstr(errout, "get-processes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_devices_json),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_json),
		cmocka_unit_test(test_daemon_refuses),
	};

	return cmocka_run_group_tests_name("oe_ctl_gmem", tests, setup, teardown);
}
