// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: `oe-ctl modelfs ...` against a fake oe-ctld. The oe-ctl
 * built beside the tests ($(O)/oe-ctl) is run on a socket the test
 * listens on: what it sends, what it prints, how it exits.
 */
#include "oe_ctl_fixture.h"
#include "util.h"

static void test_usage_errors(void **state)
{
	const char *const *bad[] = {
		ARGS("modelfs"),
		ARGS("modelfs", "bogus"),
		ARGS("modelfs", "attach", "/mnt/m"),
		ARGS("modelfs", "attach", "/mnt/m", "sequential", "extra"),
		ARGS("modelfs", "attach", "", "sequential"),
		ARGS("modelfs", "detach"),
		ARGS("modelfs", "detach", "/a", "/b"),
		ARGS("modelfs", "stats", "/a", "/b"),
		ARGS("modelfs", "mounts", "extra"),
		ARGS("modelfs", "templates", "extra"),
		ARGS("--count", "3", "modelfs", "mounts"),
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		/* refused before connecting: no reply is served */
		assert_int_equal(run(NULL, bad[i]), 2);
		assert_true(strlen(errout) > 0);
	}
	run(NULL, ARGS("modelfs", "bogus"));
	assert_non_null(strstr(errout, "unknown modelfs subcommand 'bogus'"));
	run(NULL, ARGS("modelfs", "attach", "/mnt/m"));
	assert_non_null(strstr(errout, "modelfs attach needs MOUNT and POLICY"));
}

static void test_unreachable(void **state)
{
	(void)state;
	/* no daemon; then one that goes away without answering */
	assert_unreachable(ARGS("modelfs", "mounts"), ARGS("modelfs", "templates"));
}

static void test_attach_request(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 32];

	(void)state;
	assert_int_equal(run("{\"ok\":true,\"mount\":\"/mnt/m\",\"dev\":\"0:45\",\"policy\":\"template\",\"template\":\"mnt-lower.tmpl\"}",
			     ARGS("modelfs", "attach", "/mnt/m", "template")), 0);
	assert_string_equal(req_member("cmd"), "modelfs.attach");
	assert_string_equal(req_member("mount"), "/mnt/m");
	assert_string_equal(req_member("policy"), "template");
	assert_string_equal(out, "policy template attached to /mnt/m (0:45), template mnt-lower.tmpl\n");

	/* a relative MOUNT is made absolute: the daemon has another cwd */
	assert_int_equal(run("{\"ok\":true}", ARGS("modelfs", "attach", "rel/m", "sequential")), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/rel/m", cwd);
	assert_string_equal(req_member("mount"), want);
}

static void test_daemon_refusal(void **state)
{
	(void)state;
	assert_int_equal(run("{\"ok\":false,\"error\":\"/mnt/m: a policy is already attached to this mount (EBUSY)\"}",
			     ARGS("modelfs", "attach", "/mnt/m", "sequential")), 1);
	assert_string_equal(errout, "oe-ctl: oe-ctld: /mnt/m: a policy is already attached to this mount (EBUSY)\n");
	assert_string_equal(out, "");
	assert_int_equal(run("{\"ok\":false,\"error\":\"permission denied: 'modelfs.detach' needs root or the admin group\"}",
			     ARGS("modelfs", "detach", "/mnt/m")), 1);
	assert_string_equal(req_member("cmd"), "modelfs.detach");
	assert_null(req_member("policy"));
}

static void test_detach_output(void **state)
{
	(void)state;
	assert_int_equal(run("{\"ok\":true,\"mount\":\"/mnt/m\",\"dev\":\"0:45\",\"policy\":\"sequential\",\"in_config\":true,"
			     "\"oe_ctld\":{\"events\":10,\"prefetch_cmds\":4}}",
			     ARGS("modelfs", "detach", "/mnt/m")), 0);
	assert_non_null(strstr(out, "policy sequential detached from /mnt/m (0:45)\n"));
	assert_non_null(strstr(out, "events=10 prefetch_cmds=4"));
	assert_non_null(strstr(out, "the next reload attaches it again"));
}

static void test_mounts_output(void **state)
{
	const char *rep = "{\"ok\":true,\"mounts\":["
		"{\"dev\":\"0:45\",\"mountpoint\":\"/mnt/model\",\"lowerdir\":\"/data/m\",\"policy_attached\":true,\"oe_ctld_policy\":\"template\"},"
		"{\"dev\":\"0:46\",\"mountpoint\":null,\"lowerdir\":\"/data/other\",\"policy_attached\":false,\"oe_ctld_policy\":null}]}";

	(void)state;
	assert_int_equal(run(rep, ARGS("modelfs", "mounts")), 0);
	assert_string_equal(req_member("cmd"), "modelfs.mounts");
	assert_string_equal(out,
		"DEV   MOUNTPOINT  LOWERDIR     ATTACHED  OE-CTLD-POLICY\n"
		"0:45  /mnt/model  /data/m      yes       template\n"
		"0:46  -           /data/other  no        -\n");
	assert_int_equal(run("{\"ok\":true,\"mounts\":[]}", ARGS("modelfs", "mounts")), 0);
	assert_string_equal(out, "no ModelFS mounts\n");
	/* a reply without the array is the daemon's fault */
	assert_int_equal(run("{\"ok\":true}", ARGS("modelfs", "mounts")), 1);

	/* --json: the reply as it came, after the command too */
	assert_int_equal(run(rep, ARGS("modelfs", "mounts", "--json")), 0);
	{
		struct json_object *o = json_tokener_parse(out), *a;

		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "mounts", &a));
		assert_int_equal(json_object_array_length(a), 2);
		json_object_put(o);
	}
}

static void test_stats(void **state)
{
	const char *rep = "{\"ok\":true,\"mounts\":[{\"dev\":\"0:45\",\"mountpoint\":\"/mnt/model\","
		"\"lowerdir\":\"/data/m\",\"policy_attached\":true,\"oe_ctld_policy\":\"sequential\","
		"\"kernel\":{\"hits\":5,\"misses\":2},\"oe_ctld\":{\"events\":9}},"
		"{\"dev\":\"0:46\",\"mountpoint\":\"/mnt/b\",\"lowerdir\":\"/b\",\"policy_attached\":true,"
		"\"oe_ctld_policy\":null,\"kernel\":{\"hits\":0}}]}";

	(void)state;
	assert_int_equal(run(rep, ARGS("modelfs", "stats")), 0);
	assert_string_equal(req_member("cmd"), "modelfs.stats");
	assert_null(req_member("mount"));
	assert_non_null(strstr(out, "0:45 /mnt/model (lowerdir /data/m, policy sequential run by oe-ctld)\n"
				    "  kernel:  hits=5 misses=2\n"
				    "  oe-ctld: events=9\n"));
	assert_non_null(strstr(out, "0:46 /mnt/b (lowerdir /b, a policy outside oe-ctld)\n"));
	assert_int_equal(run(rep, ARGS("modelfs", "stats", "/mnt/model")), 0);
	assert_string_equal(req_member("mount"), "/mnt/model");
}

static void test_templates_output(void **state)
{
	(void)state;
	assert_int_equal(run("{\"ok\":true,\"dir\":\"/var/lib/oe-ctld/modelfs\",\"templates\":["
			     "{\"name\":\"bad.tmpl\",\"corrupt\":true},"
			     "{\"name\":\"mnt-m.tmpl\",\"corrupt\":false,\"files\":3,\"ranges\":12,\"bytes\":3145728,\"load_ns\":1500000000}]}",
			     ARGS("modelfs", "templates")), 0);
	assert_string_equal(req_member("cmd"), "modelfs.templates");
	assert_string_equal(out,
		"NAME         FILES    RANGES       BYTES  LOAD\n"
		"bad.tmpl    corrupt (rebuilt by the next load)\n"
		"mnt-m.tmpl       3        12      3.0MiB  1.500s\n");
	assert_int_equal(run("{\"ok\":true,\"dir\":\"/t\",\"templates\":[]}",
			     ARGS("modelfs", "templates")), 0);
	assert_string_equal(out, "no templates in /t\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_attach_request),
		cmocka_unit_test(test_daemon_refusal),
		cmocka_unit_test(test_detach_output),
		cmocka_unit_test(test_mounts_output),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_templates_output),
	};

	return cmocka_run_group_tests_name("oe_ctl_modelfs", tests, setup, teardown);
}
