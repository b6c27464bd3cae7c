// SPDX-License-Identifier: GPL-2.0-only
/* oe-ctl status: every feature, available, enabled, key figures. */
#include "oe-ctl.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

/* "k=v k=v" of the scalar members of @o; "reason" is printed bare. */
static void format_details(struct json_object *o, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (!o || !json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, key, val) {
		const char *v = json_object_get_string(val);
		int n;

		if (json_object_is_type(val, json_type_object) ||
		    json_object_is_type(val, json_type_array))
			continue;
		if (!strcmp(key, "reason"))
			n = snprintf(buf + off, len - off, "%s%s", off ? " " : "", v);
		else
			n = snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "",
				     key, v ? v : "null");
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

static int show_status(struct json_object *rep)
{
	static const struct table_col cols[] = {
		{ .head = "FEATURE" }, { .head = "AVAILABLE" },
		{ .head = "ENABLED" }, { .head = "DETAILS" },
	};
	struct json_object *feats;
	struct libscols_table *tb;

	if (!json_object_object_get_ex(rep, "features", &feats) ||
	    !json_object_is_type(feats, json_type_array)) {
		fprintf(stderr, "oe-ctl: malformed status reply\n");
		return EX_DAEMON;
	}
	tb = table_new(cols, ARRAY_SIZE(cols));
	if (!tb)
		return EX_DAEMON;
	for (size_t i = 0; i < json_object_array_length(feats); i++) {
		struct json_object *f = json_object_array_get_idx(feats, i), *d = NULL;
		const char *name = get_str(f, "name");
		char details[1024];
		const char *row[] = {
			name ? name : "?", yes_no(f, "available"),
			yes_no(f, "enabled"), details,
		};

		json_object_object_get_ex(f, "details", &d);
		format_details(d, details, sizeof(details));
		if (table_row(tb, row, ARRAY_SIZE(row)) < 0)
			return table_fail(tb);
	}
	return table_print(tb);
}

static const struct ctl_command status_commands[] = {
	{ .help = "every feature: available, enabled, key figures",
	  .request = "status", .show = show_status },
};

const struct ctl_object status_object = {
	.name = "status",
	.commands = status_commands,
	.ncommands = ARRAY_SIZE(status_commands),
};
