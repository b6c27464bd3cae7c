// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: `oe-ctl sched ...` against a fake oe-ctld. The oe-ctl
 * built beside the tests ($(O)/oe-ctl) is run on a socket the test
 * listens on: what it sends, what it prints, how it exits.
 */
#include "oe_ctl_fixture.h"
#include "util.h"

static void test_usage_errors(void **state)
{
	const struct usage_error bad[] = {
		{ ARGS("sched"), "oe-ctl: sched needs a subcommand (list, status, load, unload)\n" },
		{ ARGS("sched", "bogus"), "oe-ctl: unknown sched subcommand 'bogus'\n" },
		{ ARGS("sched", "load"), "oe-ctl: sched load needs POLICY\n" },
		{ ARGS("sched", "load", "oe_fifo", "oe_qos"), "oe-ctl: too many arguments\n" },
		{ ARGS("sched", "load", ""), "oe-ctl: an empty argument\n" },
		{ ARGS("sched", "list", "all"), "oe-ctl: too many arguments\n" },
		{ ARGS("sched", "status", "-"), "oe-ctl: too many arguments\n" },
		{ ARGS("sched", "unload", "oe_fifo"), "oe-ctl: too many arguments\n" },
		{ ARGS("--count", "3", "sched", "list"), "oe-ctl: --count only applies to 'events'\n" },
		{ ARGS("sched", "--bogus", "list"), NULL },
	};

	(void)state;
	assert_usage_errors(bad, ARRAY_SIZE(bad));
}

static void test_unreachable(void **state)
{
	(void)state;
	/* no daemon; then one that goes away without answering */
	assert_unreachable(ARGS("sched", "status"), ARGS("sched", "list"));
}

static void test_list(void **state)
{
	const char *rep = "{\"ok\":true,\"policies\":["
		"{\"name\":\"oe_fifo\",\"state\":\"ejected\",\"configured\":true},"
		"{\"name\":\"oe_qos\",\"state\":null,\"configured\":false},"
		"{\"name\":\"oe_domain\",\"state\":null,\"configured\":false}],\"loaded\":null}";
	struct json_object *o, *a;

	(void)state;
	assert_int_equal(run(rep, ARGS("sched", "list")), 0);
	assert_string_equal(req_member("cmd"), "sched.list");
	assert_null(req_member("policy"));
	assert_string_equal(out,
		"POLICY     STATE    CONFIGURED\n"
		"oe_fifo    ejected  yes\n"
		"oe_qos     -        no\n"
		"oe_domain  -        no\n");
	/* a reply without the array is the daemon's fault */
	assert_int_equal(run("{\"ok\":true}", ARGS("sched", "list")), 1);
	assert_non_null(strstr(errout, "malformed reply from oe-ctld (no \"policies\")"));

	/* --json, before or after the command: the reply as it came */
	assert_int_equal(run(rep, ARGS("sched", "list", "--json")), 0);
	o = json_tokener_parse(out);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "policies", &a));
	assert_int_equal(json_object_array_length(a), 3);
	json_object_put(o);
	assert_int_equal(run(rep, ARGS("-j", "sched", "list")), 0);
	assert_non_null(strstr(out, "\"loaded\":null"));
}

static void test_status_loaded(void **state)
{
	(void)state;
	assert_int_equal(run("{\"ok\":true,\"state\":\"loaded\",\"policy\":\"oe_qos\",\"from_config\":true,"
			     "\"partial\":true,\"timeout_ms\":5000,\"configured\":\"oe_qos\","
			     "\"tasks_on\":\"sched_ext_partial\",\"kernel\":{\"state\":\"enabled\",\"ops\":\"oe_qos\","
			     "\"switch_all\":false,\"enable_seq\":8,\"nr_rejected\":2,\"last_exit\":\"none\"},"
			     "\"loads\":1,\"ejections\":0}",
			     ARGS("sched", "status")), 0);
	assert_string_equal(req_member("cmd"), "sched.status");
	assert_string_equal(out,
		"policy      oe_qos\n"
		"configured  oe_qos\n"
		"state       loaded (from the configuration; SCHED_EXT tasks only; watchdog 5000 ms)\n"
		"tasks       SCHED_EXT tasks on sched_ext, the rest on CFS\n"
		"kernel      state enabled, ops oe_qos, switch_all no, enable_seq 8, nr_rejected 2\n"
		"last exit   none\n"
		"loads       1, ejections 0\n");

	assert_int_equal(run("{\"ok\":true,\"state\":\"loaded\",\"policy\":\"oe_fifo\",\"from_config\":false,"
			     "\"partial\":false,\"timeout_ms\":0,\"configured\":null,\"tasks_on\":\"sched_ext\","
			     "\"kernel\":{\"state\":\"enabled\",\"ops\":\"oe_fifo\",\"switch_all\":true,"
			     "\"enable_seq\":9,\"nr_rejected\":0,\"last_exit\":\"unreg oe_qos unregistered from user space\"},"
			     "\"loads\":2,\"ejections\":0}",
			     ARGS("sched", "status")), 0);
	assert_string_equal(out,
		"policy      oe_fifo\n"
		"configured  -\n"
		"state       loaded (with oe-ctl sched load; every task; watchdog 30000 ms)\n"
		"tasks       every task on sched_ext\n"
		"kernel      state enabled, ops oe_fifo, switch_all yes, enable_seq 9, nr_rejected 0\n"
		"last exit   unreg oe_qos unregistered from user space\n"
		"loads       2, ejections 0\n");
}

static void test_status_ejected(void **state)
{
	(void)state;
	assert_int_equal(run("{\"ok\":true,\"state\":\"ejected\",\"policy\":\"oe_fifo\",\"from_config\":true,"
			     "\"partial\":false,\"timeout_ms\":0,\"ejected\":{\"kind\":\"error_stall\",\"kind_code\":1026,"
			     "\"reason\":\"runnable task stall\",\"message\":\"stress-ng[812] failed to run for 5.002s\","
			     "\"exit_code\":0},\"configured\":\"oe_fifo\",\"tasks_on\":\"cfs\","
			     "\"kernel\":{\"state\":\"disabled\",\"ops\":\"\",\"switch_all\":false,\"enable_seq\":8,"
			     "\"nr_rejected\":0,\"last_exit\":\"error_stall oe_fifo stress-ng[812] failed to run for 5.002s\"},"
			     "\"loads\":1,\"ejections\":1}",
			     ARGS("sched", "status")), 0);
	assert_string_equal(out,
		"policy      oe_fifo\n"
		"configured  oe_fifo\n"
		"state       ejected by the kernel: runnable task stall (error_stall)\n"
		"message     stress-ng[812] failed to run for 5.002s\n"
		"tasks       back on CFS (the kernel moved them when it ejected the policy)\n"
		"kernel      state disabled, ops -, switch_all no, enable_seq 8, nr_rejected 0\n"
		"last exit   error_stall oe_fifo stress-ng[812] failed to run for 5.002s\n"
		"loads       1, ejections 1\n"
		"note: oe-ctld does not load it again on its own: oe-ctl sched load oe_fifo\n");
}

static void test_status_other_states(void **state)
{
	(void)state;
	/* nothing loaded, and the kernel's state unreadable */
	assert_int_equal(run("{\"ok\":true,\"state\":\"none\",\"policy\":null,\"configured\":null,"
			     "\"kernel_error\":\"cannot read /sys/kernel/sched_ext: Permission denied\","
			     "\"loads\":0,\"ejections\":0}",
			     ARGS("sched", "status")), 0);
	assert_string_equal(out,
		"policy      -\n"
		"configured  -\n"
		"state       none\n"
		"tasks       unknown (the kernel's state cannot be read)\n"
		"kernel      cannot read /sys/kernel/sched_ext: Permission denied\n"
		"loads       0, ejections 0\n");
	/* the last load failed */
	assert_int_equal(run("{\"ok\":true,\"state\":\"load-failed\",\"policy\":\"oe_domain\",\"from_config\":true,"
			     "\"partial\":false,\"timeout_ms\":0,\"error\":\"cannot load oe_domain: no domains\","
			     "\"configured\":\"oe_domain\",\"tasks_on\":\"cfs\",\"kernel\":{\"state\":\"disabled\","
			     "\"ops\":\"\",\"switch_all\":false,\"enable_seq\":0,\"nr_rejected\":0,\"last_exit\":\"none\"},"
			     "\"loads\":0,\"ejections\":0}",
			     ARGS("sched", "status")), 0);
	assert_non_null(strstr(out, "state       load failed: cannot load oe_domain: no domains\n"
				    "tasks       on CFS\n"));
	/* a reply without a state is the daemon's fault */
	assert_int_equal(run("{\"ok\":true}", ARGS("sched", "status")), 1);
	assert_non_null(strstr(errout, "malformed reply"));
}

static void test_load(void **state)
{
	(void)state;
	assert_int_equal(run("{\"ok\":true,\"policy\":\"oe_fifo\",\"partial\":false,\"timeout_ms\":0,\"enable_seq\":8}",
			     ARGS("sched", "load", "oe_fifo")), 0);
	assert_string_equal(req_member("cmd"), "sched.load");
	assert_string_equal(req_member("policy"), "oe_fifo");
	assert_string_equal(out, "policy oe_fifo loaded: every task on sched_ext (watchdog 30000 ms)\n");
	assert_int_equal(run("{\"ok\":true,\"policy\":\"oe_qos\",\"partial\":true,\"timeout_ms\":2000,\"enable_seq\":9}",
			     ARGS("sched", "load", "oe_qos")), 0);
	assert_string_equal(out,
			    "policy oe_qos loaded: SCHED_EXT tasks on sched_ext, the rest on CFS (watchdog 2000 ms)\n");
	/* the daemon knows the policies: a name it does not know is sent as is */
	assert_int_equal(run("{\"ok\":false,\"error\":\"unknown policy 'scx_rusty' (known: oe_fifo, oe_qos, oe_domain)\"}",
			     ARGS("sched", "load", "scx_rusty")), 1);
	assert_string_equal(req_member("policy"), "scx_rusty");
	assert_string_equal(errout,
			    "oe-ctl: oe-ctld: unknown policy 'scx_rusty' (known: oe_fifo, oe_qos, oe_domain)\n");
	assert_string_equal(out, "");
	/* refusals come back with exit status 1 */
	assert_int_equal(run("{\"ok\":false,\"error\":\"oe_fifo is already loaded; unload it first (oe-ctl sched unload)\"}",
			     ARGS("sched", "load", "oe_qos")), 1);
	assert_string_equal(errout,
			    "oe-ctl: oe-ctld: oe_fifo is already loaded; unload it first (oe-ctl sched unload)\n");
	assert_int_equal(run("{\"ok\":false,\"error\":\"permission denied: 'sched.load' needs root or the admin group\"}",
			     ARGS("sched", "load", "oe_fifo")), 1);
	assert_int_equal(run("{\"ok\":false,\"error\":\"sched is not running: kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT)\"}",
			     ARGS("sched", "load", "oe_fifo")), 1);
	assert_string_equal(errout,
			    "oe-ctl: oe-ctld: sched is not running: kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT)\n");
	/* --json prints the reply */
	assert_int_equal(run("{\"ok\":true,\"policy\":\"oe_fifo\",\"partial\":false,\"timeout_ms\":0,\"enable_seq\":8}",
			     ARGS("--json", "sched", "load", "oe_fifo")), 0);
	assert_non_null(strstr(out, "\"enable_seq\":8"));
}

static void test_unload(void **state)
{
	(void)state;
	assert_int_equal(run("{\"ok\":true,\"policy\":\"oe_fifo\",\"from_config\":false}",
			     ARGS("sched", "unload")), 0);
	assert_string_equal(req_member("cmd"), "sched.unload");
	assert_null(req_member("policy"));
	assert_string_equal(out, "policy oe_fifo unloaded; tasks are back on CFS\n");
	assert_int_equal(run("{\"ok\":true,\"policy\":\"oe_qos\",\"from_config\":true}",
			     ARGS("sched", "unload")), 0);
	assert_string_equal(out, "policy oe_qos unloaded; tasks are back on CFS\n"
			    "note: it is [sched] policy; oe-ctld loads it again when it restarts\n");
	assert_int_equal(run("{\"ok\":false,\"error\":\"no policy is loaded: the kernel ejected oe_fifo (runnable task stall)\"}",
			     ARGS("sched", "unload")), 1);
	assert_string_equal(errout,
			    "oe-ctl: oe-ctld: no policy is loaded: the kernel ejected oe_fifo (runnable task stall)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_status_loaded),
		cmocka_unit_test(test_status_ejected),
		cmocka_unit_test(test_status_other_states),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_unload),
	};

	return cmocka_run_group_tests_name("oe_ctl_sched", tests, setup, teardown);
}
