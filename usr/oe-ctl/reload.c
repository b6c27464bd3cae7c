// SPDX-License-Identifier: GPL-2.0-only
/* oe-ctl reload: make oe-ctld reload its configuration. */
#include "oe-ctl.h"
#include "util.h"

#include <stdio.h>
#include <json-c/json.h>

static int run_reload(struct ctl *c, const struct ctl_command *cmd, char **args)
{
	struct json_object *rep;
	int ex = EX_OK;

	(void)cmd;
	(void)args;
	rep = ctl_simple(c, "reload", &ex);
	if (!rep)
		return ex;
	json_object_put(rep);
	if (!c->json)
		printf("configuration reloaded\n");
	else
		printf("{\"ok\":true}\n");
	return EX_OK;
}

static const struct ctl_command reload_commands[] = {
	{ .help = "make oe-ctld reload its configuration (admin)",
	  .run = run_reload },
};

const struct ctl_object reload_object = {
	.name = "reload",
	.commands = reload_commands,
	.ncommands = ARRAY_SIZE(reload_commands),
};
