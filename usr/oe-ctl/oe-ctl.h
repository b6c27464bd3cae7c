/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oe-ctl, the command line client of oe-ctld. As iproute2's ip/ does, each
 * object ("status", "sched", "gmem", ...) is one file with a table of its
 * commands; oe-ctl.c parses the options, finds the object and the command
 * in those tables, checks the arguments and runs it.
 */
#ifndef OE_CTL_H
#define OE_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct libscols_table;

/* Exit codes: what failed. */
enum { EX_OK = 0, EX_DAEMON = 1, EX_USAGE = 2, EX_UNREACH = 3 };

/* One connection to oe-ctld and the options that shape the output. */
struct ctl {
	int fd;
	char *buf;		/* for one message */
	size_t size;
	bool json;		/* --json */
	long count;		/* --count, -1: none */
};

struct ctl_command;

/*
 * The human output of a reply: 0 (EX_OK) or EX_DAEMON for a malformed
 * one. --json prints the reply as it came instead.
 */
typedef int (*ctl_show_fn)(struct json_object *rep);

/* "oe-ctl OBJECT [NAME] ARGS...": one line of an object's table. */
struct ctl_command {
	const char *name;	/* NULL: the object has no subcommands */
	const char *synopsis;	/* of the arguments, for --help */
	const char *help;
	int min_args, max_args;
	const char *needs;	/* what the min_args are: "OBJECT NAME needs ..." */
	/*
	 * Either a request: @request with the arguments as its string
	 * members @members (a "mount" made absolute), the reply shown by
	 * @show; or @run, which does it all.
	 */
	const char *request;
	const char *members[2];
	ctl_show_fn show;
	int (*run)(struct ctl *c, const struct ctl_command *cmd, char **args);
	unsigned int timeout_s;	/* for the reply; 0: CTL_TIMEOUT_S */
	bool takes_count;	/* --count applies */
};

#define CTL_TIMEOUT_S	10

struct ctl_object {
	const char *name;
	const struct ctl_command *commands;
	size_t ncommands;
};

extern const struct ctl_object status_object, events_object, reload_object,
	modelfs_object, sched_object, gmem_object;

/* ---- talking to oe-ctld (client.c) ---- */

/* Connect to the socket at @path; -1 after saying why. */
int ctl_connect(const char *path);
/* Receive one message as JSON. NULL + *lost on EOF/error. */
struct json_object *ctl_recv(struct ctl *c, bool *lost);
/*
 * Send @req (consumed) and wait for the reply. Returns the reply object
 * (ok:true) or NULL with *ex set (after saying why).
 */
struct json_object *ctl_request(struct ctl *c, struct json_object *req, int *ex);
/* Send {"cmd":@name} and wait for the reply (see ctl_request()). */
struct json_object *ctl_simple(struct ctl *c, const char *name, int *ex);
/* @cmd's request with @args, its reply shown. The exit code. */
int ctl_run_request(struct ctl *c, const struct ctl_command *cmd, char **args);

/* ---- reading replies (reply.c) ---- */

const char *get_str(struct json_object *o, const char *key);
uint64_t get_u64(struct json_object *o, const char *key);
bool get_bool(struct json_object *o, const char *key);
/* "yes", "no", "-" for a missing member. */
const char *yes_no(struct json_object *o, const char *key);
/* "-" for a missing or null member. */
const char *str_or_dash(struct json_object *o, const char *key);
/* The array member @key of @rep, or NULL after complaining. */
struct json_object *get_array(struct json_object *rep, const char *key);
/* The widest of @head and the members @key of @arr's objects. */
int width(struct json_object *arr, const char *key, const char *head);
void print_json(struct json_object *o);
/* "  LABEL key=value ..." of the members of @o. */
void print_counters(const char *label, struct json_object *o);

/* ---- human tables (table.c, libsmartcols) ---- */

struct table_col {
	const char *head;
	bool right;		/* numbers: aligned to the right */
};

/* A table with these columns; NULL if out of memory. */
struct libscols_table *table_new(const struct table_col *cols, size_t n);
/* A row of @n cells (copied). 0 or -1. */
int table_row(struct libscols_table *tb, const char *const *cells, size_t n);
/* Print @tb and free it: EX_OK, or EX_DAEMON when it cannot. */
int table_print(struct libscols_table *tb);
/* Free @tb, not printed: EX_DAEMON. */
int table_fail(struct libscols_table *tb);

#endif
