// SPDX-License-Identifier: GPL-2.0-only
/* oe-ctl modelfs: ModelFS mounts, their policies, templates and counters. */
#include "oe-ctl.h"
#include "util.h"

#include <stdio.h>
#include <json-c/json.h>

static void human_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)b);
	else
		snprintf(buf, len, "%.1f%s", v, unit[u]);
}

static int show_mounts(struct json_object *rep)
{
	static const struct table_col cols[] = {
		{ .head = "DEV" }, { .head = "MOUNTPOINT" }, { .head = "LOWERDIR" },
		{ .head = "ATTACHED" }, { .head = "OE-CTLD-POLICY" },
	};
	struct json_object *arr = get_array(rep, "mounts");
	struct libscols_table *tb;

	if (!arr)
		return EX_DAEMON;
	if (!json_object_array_length(arr)) {
		printf("no ModelFS mounts\n");
		return EX_OK;
	}
	tb = table_new(cols, ARRAY_SIZE(cols));
	if (!tb)
		return EX_DAEMON;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *m = json_object_array_get_idx(arr, i);
		const char *row[] = {
			str_or_dash(m, "dev"), str_or_dash(m, "mountpoint"),
			str_or_dash(m, "lowerdir"), yes_no(m, "policy_attached"),
			str_or_dash(m, "oe_ctld_policy"),
		};

		if (table_row(tb, row, ARRAY_SIZE(row)) < 0)
			return table_fail(tb);
	}
	return table_print(tb);
}

static int show_stats(struct json_object *rep)
{
	struct json_object *arr = get_array(rep, "mounts");

	if (!arr)
		return EX_DAEMON;
	if (!json_object_array_length(arr)) {
		printf("no ModelFS mounts\n");
		return EX_OK;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *m = json_object_array_get_idx(arr, i), *k;
		const char *pol = get_str(m, "oe_ctld_policy");

		printf("%s %s (lowerdir %s, ", str_or_dash(m, "dev"),
		       str_or_dash(m, "mountpoint"), str_or_dash(m, "lowerdir"));
		if (pol)
			printf("policy %s run by oe-ctld)\n", pol);
		else if (get_bool(m, "policy_attached"))
			printf("a policy outside oe-ctld)\n");
		else
			printf("no policy)\n");
		if (json_object_object_get_ex(m, "kernel", &k))
			print_counters("kernel:", k);
		if (json_object_object_get_ex(m, "oe_ctld", &k))
			print_counters("oe-ctld:", k);
	}
	return EX_OK;
}

static int show_templates(struct json_object *rep)
{
	struct json_object *arr = get_array(rep, "templates");
	const char *dir = get_str(rep, "dir");
	int wn;

	if (!arr)
		return EX_DAEMON;
	if (!json_object_array_length(arr)) {
		printf("no templates in %s\n", dir ? dir : "the template directory");
		return EX_OK;
	}
	wn = width(arr, "name", "NAME");
	printf("%-*s  %6s  %8s  %10s  %s\n", wn, "NAME", "FILES", "RANGES",
	       "BYTES", "LOAD");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *t = json_object_array_get_idx(arr, i), *v;
		char bytes[32];

		if (get_bool(t, "corrupt")) {
			printf("%-*s  corrupt (rebuilt by the next load)\n", wn,
			       str_or_dash(t, "name"));
			continue;
		}
		if (json_object_object_get_ex(t, "error", &v)) {
			printf("%-*s  unreadable: %s\n", wn, str_or_dash(t, "name"),
			       json_object_get_string(v));
			continue;
		}
		human_bytes(get_u64(t, "bytes"), bytes, sizeof(bytes));
		printf("%-*s  %6llu  %8llu  %10s  %.3fs\n", wn,
		       str_or_dash(t, "name"),
		       (unsigned long long)get_u64(t, "files"),
		       (unsigned long long)get_u64(t, "ranges"), bytes,
		       (double)get_u64(t, "load_ns") / 1e9);
	}
	return EX_OK;
}

/* "policy P attached to / detached from MOUNT (DEV)[, template T]" */
static void print_policy_line(struct json_object *rep, const char *verb)
{
	const char *tmpl = get_str(rep, "template");

	printf("policy %s %s %s (%s)", str_or_dash(rep, "policy"), verb,
	       str_or_dash(rep, "mount"), str_or_dash(rep, "dev"));
	if (tmpl)
		printf(", template %s", tmpl);
	printf("\n");
}

static int show_attached(struct json_object *rep)
{
	print_policy_line(rep, "attached to");
	return EX_OK;
}

static int show_detached(struct json_object *rep)
{
	struct json_object *v;

	print_policy_line(rep, "detached from");
	if (json_object_object_get_ex(rep, "oe_ctld", &v))
		print_counters("oe-ctld:", v);
	if (get_bool(rep, "in_config"))
		printf("note: it is listed in [modelfs] attach; the next reload attaches it again\n");
	return EX_OK;
}

static const struct ctl_command modelfs_commands[] = {
	{ .name = "mounts", .help = "ModelFS mounts and the policy on each",
	  .request = "modelfs.mounts", .show = show_mounts },
	{ .name = "attach", .synopsis = "MOUNT POLICY",
	  .help = "run POLICY in oe-ctld for the mount MOUNT is on (admin)",
	  .min_args = 2, .max_args = 2, .needs = "MOUNT and POLICY",
	  .request = "modelfs.attach", .members = { "mount", "policy" },
	  .show = show_attached },
	{ .name = "detach", .synopsis = "MOUNT",
	  .help = "stop the policy oe-ctld runs there (admin)",
	  .min_args = 1, .max_args = 1, .needs = "MOUNT",
	  .request = "modelfs.detach", .members = { "mount" },
	  .show = show_detached },
	{ .name = "templates", .help = "the recorded load templates",
	  .request = "modelfs.templates", .show = show_templates },
	{ .name = "stats", .synopsis = "[MOUNT]",
	  .help = "counters of every ModelFS mount, or of one",
	  .max_args = 1, .request = "modelfs.stats", .members = { "mount" },
	  .show = show_stats },
};

const struct ctl_object modelfs_object = {
	.name = "modelfs",
	.commands = modelfs_commands,
	.ncommands = ARRAY_SIZE(modelfs_commands),
};
