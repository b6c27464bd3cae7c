// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe-ctl: command line client of oe-ctld.
 * Exit codes: 0 ok, 1 the daemon reported an error, 2 usage, 3 cannot reach
 * the daemon (or lost the connection).
 */
#include "oe-ctl.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#ifndef OE_VERSION
#define OE_VERSION "0.1"
#endif

#define DEFAULT_SOCKET	"/run/oe-ctld/ctl.sock"
#define MSG_MAX		(256 * 1024)

/* The objects, in the order --help lists them. */
static const struct ctl_object *const objects[] = {
	&status_object,
	&events_object,
	&reload_object,
	&modelfs_object,
	&sched_object,
	&gmem_object,
};

/* "  OBJECT [NAME] [SYNOPSIS]  HELP", the help in a column of its own. */
static void usage_line(FILE *f, const struct ctl_object *o,
		       const struct ctl_command *cmd)
{
	char words[64];

	snprintf(words, sizeof(words), "%s%s%s%s%s", o->name,
		 cmd->name ? " " : "", cmd->name ? cmd->name : "",
		 cmd->synopsis ? " " : "", cmd->synopsis ? cmd->synopsis : "");
	if (strlen(words) <= 20)
		fprintf(f, "  %-20s %s\n", words, cmd->help);
	else
		fprintf(f, "  %s\n%23s%s\n", words, "", cmd->help);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: oe-ctl [OPTIONS] COMMAND [ARGS]\n"
		"Control and inspect the OE extensions through oe-ctld.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
		for (size_t j = 0; j < objects[i]->ncommands; j++)
			usage_line(f, objects[i], &objects[i]->commands[j]);
	fprintf(f,
		"\nOptions:\n"
		"  -j, --json           JSON output (one object per line for events)\n"
		"  -n, --count N        events: exit after N events\n"
		"  -s, --socket PATH    daemon socket (default %s)\n"
		"  -V, --version        print the version\n"
		"  -h, --help           print this help\n\n"
		"Exit status: 0 ok, 1 the daemon reported an error, 2 usage error,\n"
		"3 cannot reach the daemon.\n", DEFAULT_SOCKET);
}

static const struct ctl_object *find_object(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
		if (!strcmp(objects[i]->name, name))
			return objects[i];
	return NULL;
}

/* "OBJECT needs a subcommand (a, b, c)" */
static const char *needs_subcommand(const struct ctl_object *o)
{
	static char msg[160];
	size_t n;

	n = (size_t)snprintf(msg, sizeof(msg), "%s needs a subcommand (", o->name);
	for (size_t i = 0; i < o->ncommands && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s%s",
				      i ? ", " : "", o->commands[i].name);
	if (n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ")");
	return msg;
}

/*
 * The command of @o that @words (what follows the object on the command
 * line) name; *args points at its arguments. NULL with a message in *why.
 */
static const struct ctl_command *find_command(const struct ctl_object *o,
					      char **words, int nwords,
					      char ***args, const char **why)
{
	static char msg[160];
	const struct ctl_command *cmd = NULL;
	int nargs;

	if (!o->commands[0].name) {
		cmd = &o->commands[0];
	} else if (nwords < 1) {
		*why = needs_subcommand(o);
		return NULL;
	} else {
		for (size_t i = 0; i < o->ncommands && !cmd; i++)
			if (!strcmp(words[0], o->commands[i].name))
				cmd = &o->commands[i];
		if (!cmd) {
			snprintf(msg, sizeof(msg), "unknown %s subcommand '%.64s'",
				 o->name, words[0]);
			*why = msg;
			return NULL;
		}
		words++;
		nwords--;
	}
	*args = words;
	nargs = nwords;
	*why = NULL;
	if (nargs < cmd->min_args) {
		snprintf(msg, sizeof(msg), "%s %s needs %s", o->name, cmd->name,
			 cmd->needs);
		*why = msg;
	} else if (nargs > cmd->max_args) {
		*why = "too many arguments";
	}
	for (int i = 0; !*why && i < nargs; i++)
		if (!words[i][0])
			*why = "an empty argument";
	return *why ? NULL : cmd;
}

/* Connect, run @cmd with @args, disconnect: the exit code. */
static int run(struct ctl *c, const char *socket_path,
	       const struct ctl_command *cmd, char **args)
{
	struct timeval tv = { .tv_sec = cmd->timeout_s ? cmd->timeout_s : CTL_TIMEOUT_S };
	int ex;

	c->fd = ctl_connect(socket_path);
	if (c->fd < 0)
		return EX_UNREACH;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	c->size = MSG_MAX;
	c->buf = malloc(c->size);
	if (!c->buf) {
		close(c->fd);
		return EX_DAEMON;
	}
	ex = cmd->run ? cmd->run(c, cmd, args) : ctl_run_request(c, cmd, args);
	free(c->buf);
	close(c->fd);
	return ex;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ctl c = { .fd = -1, .count = -1 };
	const char *socket_path = DEFAULT_SOCKET, *why;
	const struct ctl_command *cmd;
	const struct ctl_object *o;
	char **args, *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "jn:s:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'n':
			errno = 0;
			c.count = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || c.count <= 0) {
				fprintf(stderr, "oe-ctl: --count needs a positive number, not '%s'\n",
					optarg);
				return EX_USAGE;
			}
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'V':
			printf("oe-ctl %s\n", OE_VERSION);
			return EX_OK;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "oe-ctl: missing command\n");
		usage(stderr);
		return EX_USAGE;
	}
	o = find_object(argv[optind]);
	if (!o) {
		fprintf(stderr, "oe-ctl: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	cmd = find_command(o, argv + optind + 1, argc - optind - 1, &args, &why);
	if (!cmd) {
		fprintf(stderr, "oe-ctl: %s\n", why);
		usage(stderr);
		return EX_USAGE;
	}
	if (c.count > 0 && !cmd->takes_count) {
		fprintf(stderr, "oe-ctl: --count only applies to 'events'\n");
		return EX_USAGE;
	}
	return run(&c, socket_path, cmd, args);
}
