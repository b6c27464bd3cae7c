// SPDX-License-Identifier: GPL-2.0-only
/* oe-ctl events: follow the events of every feature. */
#include "oe-ctl.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <json-c/json.h>

/* One line: "seq=N EVENT key=value ...", or the object with --json. */
static void print_event(const struct ctl *c, struct json_object *ev)
{
	const char *seq = get_str(ev, "seq"), *name = get_str(ev, "event");

	if (c->json) {
		printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		printf("seq=%s %s", seq ? seq : "?", name ? name : "?");
		json_object_object_foreach(ev, key, val) {
			if (!strcmp(key, "seq") || !strcmp(key, "event") ||
			    !strcmp(key, "feature"))
				continue;
			printf(" %s=%s", key, json_object_get_string(val));
		}
		printf("\n");
	}
	/* a pipe reader sees each event as it comes */
	fflush(stdout);
}

static int run_events(struct ctl *c, const struct ctl_command *cmd, char **args)
{
	struct json_object *rep;
	struct timeval tv = { 0 };
	int ex = EX_OK;
	long seen = 0;
	bool lost;

	(void)cmd;
	(void)args;
	rep = ctl_simple(c, "subscribe", &ex);
	if (!rep)
		return ex;
	json_object_put(rep);
	/* follow forever: no receive timeout */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (c->count < 0 || seen < c->count) {
		struct json_object *ev = ctl_recv(c, &lost), *e;

		if (!ev) {
			if (lost)
				return EX_UNREACH;
			continue;
		}
		if (json_object_object_get_ex(ev, "event", &e)) {
			print_event(c, ev);
			seen++;
		}
		json_object_put(ev);
	}
	return EX_OK;
}

static const struct ctl_command events_commands[] = {
	{ .help = "follow events (one line per event)", .run = run_events,
	  .takes_count = true },
};

const struct ctl_object events_object = {
	.name = "events",
	.commands = events_commands,
	.ncommands = ARRAY_SIZE(events_commands),
};
