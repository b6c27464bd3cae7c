// SPDX-License-Identifier: GPL-2.0-only
/* oe-ctl sched: the sched_ext policies oe-ctld loads, and the kernel's state. */
#include "oe-ctl.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

/* The watchdog timeout a policy runs with; 0 in a reply: the kernel's. */
static unsigned long long timeout_ms(struct json_object *rep)
{
	uint64_t t = get_u64(rep, "timeout_ms");

	return t ? (unsigned long long)t : 30000ULL;
}

static int show_list(struct json_object *rep)
{
	static const struct table_col cols[] = {
		{ .head = "POLICY" }, { .head = "STATE" }, { .head = "CONFIGURED" },
	};
	struct json_object *arr = get_array(rep, "policies");
	struct libscols_table *tb;

	if (!arr || !(tb = table_new(cols, ARRAY_SIZE(cols))))
		return EX_DAEMON;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);
		const char *row[] = {
			str_or_dash(p, "name"), str_or_dash(p, "state"),
			yes_no(p, "configured"),
		};

		if (table_row(tb, row, ARRAY_SIZE(row)) < 0)
			return table_fail(tb);
	}
	return table_print(tb);
}

static const char *tasks_on(struct json_object *rep)
{
	const char *t = get_str(rep, "tasks_on"), *state = get_str(rep, "state");

	if (!t)
		return "unknown (the kernel's state cannot be read)";
	if (!strcmp(t, "sched_ext"))
		return "every task on sched_ext";
	if (!strcmp(t, "sched_ext_partial"))
		return "SCHED_EXT tasks on sched_ext, the rest on CFS";
	if (state && !strcmp(state, "ejected"))
		return "back on CFS (the kernel moved them when it ejected the policy)";
	return "on CFS";
}

/* The "state" line and what goes with it. */
static void print_state(struct json_object *rep, const char *state)
{
	struct json_object *e;

	if (!strcmp(state, "loaded")) {
		printf("%-11s loaded (%s; %s; watchdog %llu ms)\n", "state",
		       get_bool(rep, "from_config") ? "from the configuration" :
		       "with oe-ctl sched load",
		       get_bool(rep, "partial") ? "SCHED_EXT tasks only" : "every task",
		       timeout_ms(rep));
	} else if (!strcmp(state, "ejected") &&
		   json_object_object_get_ex(rep, "ejected", &e)) {
		const char *msg = get_str(e, "message");

		printf("%-11s ejected by the kernel: %s (%s)\n", "state",
		       str_or_dash(e, "reason"), str_or_dash(e, "kind"));
		if (msg && *msg)
			printf("%-11s %s\n", "message", msg);
	} else if (!strcmp(state, "load-failed")) {
		printf("%-11s load failed: %s\n", "state", str_or_dash(rep, "error"));
	} else {
		printf("%-11s %s\n", "state", state);
	}
}

static void print_kernel(struct json_object *rep)
{
	struct json_object *k;
	const char *ops;

	if (!json_object_object_get_ex(rep, "kernel", &k)) {
		printf("%-11s %s\n", "kernel", str_or_dash(rep, "kernel_error"));
		return;
	}
	ops = get_str(k, "ops");
	printf("%-11s state %s, ops %s, switch_all %s, enable_seq %s, nr_rejected %s\n",
	       "kernel", str_or_dash(k, "state"), ops && *ops ? ops : "-",
	       yes_no(k, "switch_all"), str_or_dash(k, "enable_seq"),
	       str_or_dash(k, "nr_rejected"));
	printf("%-11s %s\n", "last exit", str_or_dash(k, "last_exit"));
}

static int show_status(struct json_object *rep)
{
	const char *state = get_str(rep, "state"), *policy = get_str(rep, "policy");

	if (!state) {
		fprintf(stderr, "oe-ctl: malformed reply from oe-ctld (no \"state\")\n");
		return EX_DAEMON;
	}
	printf("%-11s %s\n", "policy", policy ? policy : "-");
	printf("%-11s %s\n", "configured", str_or_dash(rep, "configured"));
	print_state(rep, state);
	printf("%-11s %s\n", "tasks", tasks_on(rep));
	print_kernel(rep);
	printf("%-11s %llu, ejections %llu\n", "loads",
	       (unsigned long long)get_u64(rep, "loads"),
	       (unsigned long long)get_u64(rep, "ejections"));
	if (!strcmp(state, "ejected"))
		printf("note: oe-ctld does not load it again on its own: oe-ctl sched load %s\n",
		       policy ? policy : "POLICY");
	return EX_OK;
}

static int show_loaded(struct json_object *rep)
{
	printf("policy %s loaded: %s (watchdog %llu ms)\n", str_or_dash(rep, "policy"),
	       get_bool(rep, "partial") ? "SCHED_EXT tasks on sched_ext, the rest on CFS" :
	       "every task on sched_ext", timeout_ms(rep));
	return EX_OK;
}

static int show_unloaded(struct json_object *rep)
{
	printf("policy %s unloaded; tasks are back on CFS\n", str_or_dash(rep, "policy"));
	if (get_bool(rep, "from_config"))
		puts("note: it is [sched] policy; oe-ctld loads it again when it restarts");
	return EX_OK;
}

static const struct ctl_command sched_commands[] = {
	{ .name = "list", .help = "the sched_ext policies and which one is loaded",
	  .request = "sched.list", .show = show_list },
	{ .name = "status", .help = "the loaded policy and the kernel's sched_ext state",
	  .request = "sched.status", .show = show_status },
	{ .name = "load", .synopsis = "POLICY",
	  .help = "load POLICY with the [sched] settings (admin)",
	  .min_args = 1, .max_args = 1, .needs = "POLICY",
	  .request = "sched.load", .members = { "policy" }, .show = show_loaded,
	  /* the verifier may take its time over a scheduler (in a slow VM) */
	  .timeout_s = 60 },
	{ .name = "unload", .help = "unload the policy; tasks go back to CFS (admin)",
	  .request = "sched.unload", .show = show_unloaded },
};

const struct ctl_object sched_object = {
	.name = "sched",
	.commands = sched_commands,
	.ncommands = ARRAY_SIZE(sched_commands),
};
