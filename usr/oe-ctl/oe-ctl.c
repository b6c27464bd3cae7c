// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe-ctl: command line client of oe-ctld.
 * Exit codes: 0 ok, 1 the daemon reported an error, 2 usage, 3 cannot reach
 * the daemon (or lost the connection).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <json-c/json.h>

#ifndef OE_VERSION
#define OE_VERSION "0.1"
#endif

#define DEFAULT_SOCKET	"/run/oe-ctld/ctl.sock"
#define MSG_MAX		(256 * 1024)

enum { EX_OK = 0, EX_DAEMON = 1, EX_USAGE = 2, EX_UNREACH = 3 };

static const char *socket_path = DEFAULT_SOCKET;
static bool opt_json;
static long opt_count = -1;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: oe-ctl [OPTIONS] COMMAND [ARGS]\n"
		"Control and inspect the OE extensions through oe-ctld.\n\n"
		"Commands:\n"
		"  status               every feature: available, enabled, key figures\n"
		"  events               follow events (one line per event)\n"
		"  reload               make oe-ctld reload its configuration (admin)\n"
		"  modelfs mounts       ModelFS mounts and the policy on each\n"
		"  modelfs attach MOUNT POLICY\n"
		"                       run POLICY in oe-ctld for the mount MOUNT is on (admin)\n"
		"  modelfs detach MOUNT stop the policy oe-ctld runs there (admin)\n"
		"  modelfs templates    the recorded load templates\n"
		"  modelfs stats [MOUNT]\n"
		"                       counters of every ModelFS mount, or of one\n"
		"  sched list           the sched_ext policies and which one is loaded\n"
		"  sched status         the loaded policy and the kernel's sched_ext state\n"
		"  sched load POLICY    load POLICY with the [sched] settings (admin)\n"
		"  sched unload         unload the policy; tasks go back to CFS (admin)\n"
		"  gmem devices         GMem's devices, their pages and pressure events\n"
		"  gmem stats           GMem's page counts, and the pages of each process\n\n"
		"Options:\n"
		"  -j, --json           JSON output (one object per line for events)\n"
		"  -n, --count N        events: exit after N events\n"
		"  -s, --socket PATH    daemon socket (default %s)\n"
		"  -V, --version        print the version\n"
		"  -h, --help           print this help\n\n"
		"Exit status: 0 ok, 1 the daemon reported an error, 2 usage error,\n"
		"3 cannot reach the daemon.\n", DEFAULT_SOCKET);
}

static int connect_daemon(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "oe-ctl: socket path too long: %s\n", socket_path);
		return -1;
	}
	memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "oe-ctl: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "oe-ctl: cannot reach oe-ctld at %s: %s\n",
			socket_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Receive one message as JSON. NULL + *lost on EOF/error. */
static struct json_object *recv_json(int fd, char *buf, size_t size, bool *lost)
{
	struct json_object *o;
	ssize_t n;

	*lost = false;
	do {
		n = recv(fd, buf, size - 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			fprintf(stderr, "oe-ctl: oe-ctld did not answer\n");
		else
			fprintf(stderr, "oe-ctl: connection to oe-ctld lost%s%s\n",
				n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		*lost = true;
		return NULL;
	}
	buf[n] = '\0';
	o = json_tokener_parse(buf);
	if (!o || !json_object_is_type(o, json_type_object)) {
		fprintf(stderr, "oe-ctl: malformed message from oe-ctld\n");
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * Send @req (consumed) and wait for the reply. Returns the reply object
 * (ok:true) or NULL with *ex set.
 */
static struct json_object *request_obj(int fd, struct json_object *req,
				       char *buf, size_t size, int *ex)
{
	struct json_object *rep, *ok, *err;
	const char *s;
	bool lost;

	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	if (send(fd, s, strlen(s), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "oe-ctl: send: %s\n", strerror(errno));
		json_object_put(req);
		*ex = EX_UNREACH;
		return NULL;
	}
	json_object_put(req);
	for (;;) {
		rep = recv_json(fd, buf, size, &lost);
		if (!rep) {
			*ex = lost ? EX_UNREACH : EX_DAEMON;
			return NULL;
		}
		if (json_object_object_get_ex(rep, "ok", &ok))
			break;
		json_object_put(rep);	/* an event that raced the reply */
	}
	if (!json_object_get_boolean(ok)) {
		fprintf(stderr, "oe-ctl: oe-ctld: %s\n",
			json_object_object_get_ex(rep, "error", &err)
				? json_object_get_string(err) : "unspecified error");
		json_object_put(rep);
		*ex = EX_DAEMON;
		return NULL;
	}
	return rep;
}

/* Send {"cmd":cmd} and wait for the reply (see request_obj()). */
static struct json_object *request(int fd, const char *cmd, char *buf,
				   size_t size, int *ex)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	return request_obj(fd, req, buf, size, ex);
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static const char *yes_no(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "-";
	return json_object_get_boolean(v) ? "yes" : "no";
}

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

static int cmd_status(int fd, char *buf, size_t size)
{
	struct json_object *rep, *feats;
	int ex = EX_OK;
	size_t n, w = strlen("FEATURE");

	rep = request(fd, "status", buf, size, &ex);
	if (!rep)
		return ex;
	if (opt_json) {
		printf("%s\n", json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(rep);
		return EX_OK;
	}
	if (!json_object_object_get_ex(rep, "features", &feats) ||
	    !json_object_is_type(feats, json_type_array)) {
		fprintf(stderr, "oe-ctl: malformed status reply\n");
		json_object_put(rep);
		return EX_DAEMON;
	}
	n = json_object_array_length(feats);
	for (size_t i = 0; i < n; i++) {
		const char *name = get_str(json_object_array_get_idx(feats, i), "name");

		if (name && strlen(name) > w)
			w = strlen(name);
	}
	printf("%-*s  %-9s  %-7s  %s\n", (int)w, "FEATURE", "AVAILABLE", "ENABLED",
	       "DETAILS");
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(feats, i), *d = NULL;
		const char *name = get_str(f, "name");
		char details[1024];

		json_object_object_get_ex(f, "details", &d);
		format_details(d, details, sizeof(details));
		printf("%-*s  %-9s  %-7s  %s\n", (int)w, name ? name : "?",
		       yes_no(f, "available"), yes_no(f, "enabled"), details);
	}
	json_object_put(rep);
	return EX_OK;
}

static void print_event(struct json_object *ev)
{
	const char *seq = get_str(ev, "seq"), *name = get_str(ev, "event");

	if (opt_json) {
		printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
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
	fflush(stdout);
}

static int cmd_events(int fd, char *buf, size_t size)
{
	struct json_object *rep;
	struct timeval tv = { 0 };
	int ex = EX_OK;
	long seen = 0;
	bool lost;

	rep = request(fd, "subscribe", buf, size, &ex);
	if (!rep)
		return ex;
	json_object_put(rep);
	/* follow forever: no receive timeout */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (opt_count < 0 || seen < opt_count) {
		struct json_object *ev = recv_json(fd, buf, size, &lost), *e;

		if (!ev) {
			if (lost)
				return EX_UNREACH;
			continue;
		}
		if (json_object_object_get_ex(ev, "event", &e)) {
			print_event(ev);
			seen++;
		}
		json_object_put(ev);
	}
	return EX_OK;
}

static int cmd_reload(int fd, char *buf, size_t size)
{
	struct json_object *rep;
	int ex = EX_OK;

	rep = request(fd, "reload", buf, size, &ex);
	if (!rep)
		return ex;
	json_object_put(rep);
	if (!opt_json)
		printf("configuration reloaded\n");
	else
		printf("{\"ok\":true}\n");
	return EX_OK;
}

/* ---- modelfs ---- */

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return (uint64_t)json_object_get_uint64(v);
}

static void print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The array member @key of @rep, or NULL after complaining. */
static struct json_object *get_array(struct json_object *rep, const char *key)
{
	struct json_object *a;

	if (!json_object_object_get_ex(rep, key, &a) ||
	    !json_object_is_type(a, json_type_array)) {
		fprintf(stderr, "oe-ctl: malformed reply from oe-ctld (no \"%s\")\n",
			key);
		return NULL;
	}
	return a;
}

/* "-" for a missing or null member. */
static const char *str_or_dash(struct json_object *o, const char *key)
{
	const char *v = get_str(o, key);

	return v ? v : "-";
}

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

static int width(struct json_object *arr, const char *key, const char *head)
{
	size_t w = strlen(head);

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *v = str_or_dash(json_object_array_get_idx(arr, i), key);

		if (strlen(v) > w)
			w = strlen(v);
	}
	return (int)w;
}

static int modelfs_mounts(struct json_object *rep)
{
	struct json_object *arr = get_array(rep, "mounts");
	int wd, wm, wl;

	if (!arr)
		return EX_DAEMON;
	if (!json_object_array_length(arr)) {
		printf("no ModelFS mounts\n");
		return EX_OK;
	}
	wd = width(arr, "dev", "DEV");
	wm = width(arr, "mountpoint", "MOUNTPOINT");
	wl = width(arr, "lowerdir", "LOWERDIR");
	printf("%-*s  %-*s  %-*s  %-8s  %s\n", wd, "DEV", wm, "MOUNTPOINT", wl,
	       "LOWERDIR", "ATTACHED", "OE-CTLD-POLICY");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *m = json_object_array_get_idx(arr, i);

		printf("%-*s  %-*s  %-*s  %-8s  %s\n", wd, str_or_dash(m, "dev"),
		       wm, str_or_dash(m, "mountpoint"), wl,
		       str_or_dash(m, "lowerdir"), yes_no(m, "policy_attached"),
		       str_or_dash(m, "oe_ctld_policy"));
	}
	return EX_OK;
}

static void print_counters(const char *label, struct json_object *o)
{
	printf("  %-8s", label);
	json_object_object_foreach(o, key, val)
		printf(" %s=%s", key, json_object_get_string(val));
	printf("\n");
}

static int modelfs_stats(struct json_object *rep)
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
		struct json_object *att;
		bool attached = json_object_object_get_ex(m, "policy_attached", &att) &&
				json_object_get_boolean(att);

		printf("%s %s (lowerdir %s, ", str_or_dash(m, "dev"),
		       str_or_dash(m, "mountpoint"), str_or_dash(m, "lowerdir"));
		if (pol)
			printf("policy %s run by oe-ctld)\n", pol);
		else if (attached)
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

static int modelfs_templates(struct json_object *rep)
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

		if (json_object_object_get_ex(t, "corrupt", &v) &&
		    json_object_get_boolean(v)) {
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

static int modelfs_attached(struct json_object *rep, bool attach)
{
	const char *tmpl = get_str(rep, "template");
	struct json_object *v;

	printf("policy %s %s %s (%s)", str_or_dash(rep, "policy"),
	       attach ? "attached to" : "detached from", str_or_dash(rep, "mount"),
	       str_or_dash(rep, "dev"));
	if (tmpl)
		printf(", template %s", tmpl);
	printf("\n");
	if (!attach && json_object_object_get_ex(rep, "oe_ctld", &v))
		print_counters("oe-ctld:", v);
	if (!attach && json_object_object_get_ex(rep, "in_config", &v) &&
	    json_object_get_boolean(v))
		printf("note: it is listed in [modelfs] attach; the next reload attaches it again\n");
	return EX_OK;
}

/*
 * MOUNT made absolute against our working directory, which the daemon does
 * not share; the daemon resolves the rest.
 */
static int absolute(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		if (strlen(path) >= len)
			return -1;
		memcpy(buf, path, strlen(path) + 1);
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	if ((size_t)snprintf(buf, len, "%s/%s", cwd, path) >= len)
		return -1;
	return 0;
}

/* argv: the words after "modelfs", already checked by modelfs_usage_ok(). */
static int cmd_modelfs(int fd, char **args, int nargs, char *buf, size_t size)
{
	struct json_object *req = json_object_new_object(), *rep;
	char cmd[64], mount[PATH_MAX];
	int ex = EX_OK;

	snprintf(cmd, sizeof(cmd), "modelfs.%s", args[0]);
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (nargs > 1) {
		if (absolute(args[1], mount, sizeof(mount)) < 0) {
			fprintf(stderr, "oe-ctl: %s: path too long\n", args[1]);
			json_object_put(req);
			return EX_USAGE;
		}
		json_object_object_add(req, "mount", json_object_new_string(mount));
	}
	if (nargs > 2)
		json_object_object_add(req, "policy", json_object_new_string(args[2]));
	rep = request_obj(fd, req, buf, size, &ex);
	if (!rep)
		return ex;
	if (opt_json)
		print_json(rep);
	else if (!strcmp(args[0], "mounts"))
		ex = modelfs_mounts(rep);
	else if (!strcmp(args[0], "stats"))
		ex = modelfs_stats(rep);
	else if (!strcmp(args[0], "templates"))
		ex = modelfs_templates(rep);
	else
		ex = modelfs_attached(rep, !strcmp(args[0], "attach"));
	json_object_put(rep);
	return ex;
}

/* NULL if "modelfs ARGS" is well formed, else what is wrong. */
static const char *modelfs_usage_ok(char **args, int nargs)
{
	static const struct {
		const char *name;
		int min, max;	/* arguments after the subcommand */
	} subs[] = {
		{ "mounts", 0, 0 },
		{ "attach", 2, 2 },
		{ "detach", 1, 1 },
		{ "templates", 0, 0 },
		{ "stats", 0, 1 },
	};
	static char msg[128];

	if (nargs < 1)
		return "modelfs needs a subcommand (mounts, attach, detach, templates, stats)";
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(args[0], subs[i].name))
			continue;
		if (nargs - 1 < subs[i].min)
			return !strcmp(args[0], "attach") ? "modelfs attach needs MOUNT and POLICY" :
			       "modelfs detach needs MOUNT";
		if (nargs - 1 > subs[i].max)
			return "too many arguments";
		for (int j = 1; j < nargs; j++)
			if (!args[j][0])
				return "an empty argument";
		return NULL;
	}
	snprintf(msg, sizeof(msg), "unknown modelfs subcommand '%.64s'", args[0]);
	return msg;
}

/* ---- sched ---- */

static bool get_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static int sched_list(struct json_object *rep)
{
	struct json_object *arr = get_array(rep, "policies");
	int wn, ws;

	if (!arr)
		return EX_DAEMON;
	wn = width(arr, "name", "POLICY");
	ws = width(arr, "state", "STATE");
	printf("%-*s  %-*s  %s\n", wn, "POLICY", ws, "STATE", "CONFIGURED");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);

		printf("%-*s  %-*s  %s\n", wn, str_or_dash(p, "name"), ws,
		       str_or_dash(p, "state"), yes_no(p, "configured"));
	}
	return EX_OK;
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

static int sched_status(struct json_object *rep)
{
	const char *state = get_str(rep, "state"), *policy = get_str(rep, "policy");
	struct json_object *k, *e;

	if (!state) {
		fprintf(stderr, "oe-ctl: malformed reply from oe-ctld (no \"state\")\n");
		return EX_DAEMON;
	}
	printf("%-11s %s\n", "policy", policy ? policy : "-");
	printf("%-11s %s\n", "configured", str_or_dash(rep, "configured"));
	if (!strcmp(state, "loaded")) {
		printf("%-11s loaded (%s; %s; watchdog %llu ms)\n", "state",
		       get_bool(rep, "from_config") ? "from the configuration" :
		       "with oe-ctl sched load",
		       get_bool(rep, "partial") ? "SCHED_EXT tasks only" : "every task",
		       get_u64(rep, "timeout_ms") ? (unsigned long long)get_u64(rep, "timeout_ms") :
		       30000ULL);
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
	printf("%-11s %s\n", "tasks", tasks_on(rep));
	if (json_object_object_get_ex(rep, "kernel", &k)) {
		const char *ops = get_str(k, "ops");

		printf("%-11s state %s, ops %s, switch_all %s, enable_seq %s, nr_rejected %s\n",
		       "kernel", str_or_dash(k, "state"), ops && *ops ? ops : "-",
		       yes_no(k, "switch_all"), str_or_dash(k, "enable_seq"),
		       str_or_dash(k, "nr_rejected"));
		printf("%-11s %s\n", "last exit", str_or_dash(k, "last_exit"));
	} else {
		printf("%-11s %s\n", "kernel", str_or_dash(rep, "kernel_error"));
	}
	printf("%-11s %llu, ejections %llu\n", "loads",
	       (unsigned long long)get_u64(rep, "loads"),
	       (unsigned long long)get_u64(rep, "ejections"));
	if (!strcmp(state, "ejected"))
		printf("note: oe-ctld does not load it again on its own: oe-ctl sched load %s\n",
		       policy ? policy : "POLICY");
	return EX_OK;
}

/* args: the words after "sched", already checked by sched_usage_ok(). */
static int cmd_sched(int fd, char **args, int nargs, char *buf, size_t size)
{
	struct json_object *req = json_object_new_object(), *rep;
	int ex = EX_OK;
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "sched.%s", args[0]);
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (nargs > 1)
		json_object_object_add(req, "policy", json_object_new_string(args[1]));
	rep = request_obj(fd, req, buf, size, &ex);
	if (!rep)
		return ex;
	if (opt_json) {
		print_json(rep);
	} else if (!strcmp(args[0], "list")) {
		ex = sched_list(rep);
	} else if (!strcmp(args[0], "status")) {
		ex = sched_status(rep);
	} else if (!strcmp(args[0], "load")) {
		printf("policy %s loaded: %s (watchdog %llu ms)\n", str_or_dash(rep, "policy"),
		       get_bool(rep, "partial") ? "SCHED_EXT tasks on sched_ext, the rest on CFS" :
		       "every task on sched_ext",
		       get_u64(rep, "timeout_ms") ? (unsigned long long)get_u64(rep, "timeout_ms") :
		       30000ULL);
	} else {
		printf("policy %s unloaded; tasks are back on CFS\n", str_or_dash(rep, "policy"));
		if (get_bool(rep, "from_config"))
			puts("note: it is [sched] policy; oe-ctld loads it again when it restarts");
	}
	json_object_put(rep);
	return ex;
}

/* NULL if "sched ARGS" is well formed, else what is wrong. */
static const char *sched_usage_ok(char **args, int nargs)
{
	static char msg[128];

	if (nargs < 1)
		return "sched needs a subcommand (list, status, load, unload)";
	if (!strcmp(args[0], "load")) {
		if (nargs < 2)
			return "sched load needs POLICY";
		if (nargs > 2)
			return "too many arguments";
		if (!args[1][0])
			return "an empty argument";
		return NULL;
	}
	if (strcmp(args[0], "list") && strcmp(args[0], "status") &&
	    strcmp(args[0], "unload")) {
		snprintf(msg, sizeof(msg), "unknown sched subcommand '%.64s'", args[0]);
		return msg;
	}
	if (nargs > 1)
		return "too many arguments";
	return NULL;
}

/* ---- gmem ---- */

#define GMEM_DEV_COLS	9

/* MiB in @pages logical pages of @page_size bytes, as a string. */
static void pages_mib(uint64_t pages, uint64_t page_size, char *buf, size_t len)
{
	snprintf(buf, len, "%llu",
		 (unsigned long long)(pages * (page_size >> 10) >> 10));
}

static uint64_t page_size_of(struct json_object *rep)
{
	uint64_t ps = get_u64(rep, "page_size");

	return ps ? ps : 2ULL << 20;	/* GMem's logical page */
}

static int gmem_devices(struct json_object *rep)
{
	static const char *const head[GMEM_DEV_COLS] = {
		"HNID", "NAME", "CAPACITY-MIB", "RESIDENT-MIB", "FAULTS",
		"TO-DEV", "TO-HOST", "EVICTED", "PRESSURE",
	};
	static const char *const counter[] = {
		"faults", "to_dev", "to_host", "evicted", "pressure",
	};
	struct json_object *arr = get_array(rep, "devices"), *p;
	uint64_t ps = page_size_of(rep);
	char (*cell)[GMEM_DEV_COLS][24];
	int w[GMEM_DEV_COLS];
	size_t n;

	if (!arr)
		return EX_DAEMON;
	n = json_object_array_length(arr);
	if (!n) {
		printf("no GMem devices\n");
		return EX_OK;
	}
	cell = calloc(n, sizeof(*cell));
	if (!cell) {
		fprintf(stderr, "oe-ctl: out of memory\n");
		return EX_DAEMON;
	}
	for (int c = 0; c < GMEM_DEV_COLS; c++)
		w[c] = (int)strlen(head[c]);
	w[1] = width(arr, "name", head[1]);
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		uint64_t cap = get_u64(d, "capacity");

		snprintf(cell[i][0], sizeof(cell[i][0]), "%s", str_or_dash(d, "hnid"));
		if (cap)
			snprintf(cell[i][2], sizeof(cell[i][2]), "%llu",
				 (unsigned long long)(cap >> 20));
		else
			snprintf(cell[i][2], sizeof(cell[i][2]), "-");
		pages_mib(get_u64(d, "resident"), ps, cell[i][3], sizeof(cell[i][3]));
		for (int c = 0; c < 5; c++)
			snprintf(cell[i][4 + c], sizeof(cell[i][4 + c]), "%llu",
				 (unsigned long long)get_u64(d, counter[c]));
		for (int c = 0; c < GMEM_DEV_COLS; c++)
			if (c != 1 && (int)strlen(cell[i][c]) > w[c])
				w[c] = (int)strlen(cell[i][c]);
	}
	printf("%*s  %-*s", w[0], head[0], w[1], head[1]);
	for (int c = 2; c < GMEM_DEV_COLS; c++)
		printf("  %*s", w[c], head[c]);
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);

		printf("%*s  %-*s", w[0], cell[i][0], w[1], str_or_dash(d, "name"));
		for (int c = 2; c < GMEM_DEV_COLS; c++)
			printf("  %*s", w[c], cell[i][c]);
		printf("\n");
	}
	free(cell);
	if (json_object_object_get_ex(rep, "pressure", &p) && get_u64(p, "missed"))
		printf("note: oe-ctld missed %llu pressure events; PRESSURE counts those it received\n",
		       (unsigned long long)get_u64(p, "missed"));
	return EX_OK;
}

/* "LABEL  PAGES (MIB MiB)", or "-" for a member the reply lacks. */
static void gmem_count(struct json_object *rep, const char *label,
		       const char *key, bool mib)
{
	struct json_object *v;
	char m[24];

	if (!json_object_object_get_ex(rep, key, &v)) {
		printf("%-12s  -\n", label);
		return;
	}
	printf("%-12s  %llu", label, (unsigned long long)get_u64(rep, key));
	if (mib) {
		pages_mib(get_u64(rep, key), page_size_of(rep), m, sizeof(m));
		printf(" (%s MiB)", m);
	}
	printf("\n");
}

static int gmem_stats(struct json_object *rep)
{
	struct json_object *arr = get_array(rep, "per_process");
	uint64_t ps = page_size_of(rep);
	int wp, wc = (int)strlen("CPU-MIB"), wd = (int)strlen("DEVICE-MIB");
	char c[24], d[24];
	size_t n;

	if (!arr)
		return EX_DAEMON;
	gmem_count(rep, "processes", "processes", false);
	gmem_count(rep, "pages-nomap", "pages_nomap", false);
	gmem_count(rep, "pages-cpu", "pages_cpu", true);
	gmem_count(rep, "pages-device", "pages_device", true);
	gmem_count(rep, "migrating", "migrating", true);
	n = json_object_array_length(arr);
	if (!n) {
		printf("\nno process uses GMem\n");
		return EX_OK;
	}
	wp = width(arr, "pid", "PID");
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);

		pages_mib(get_u64(p, "pages_cpu"), ps, c, sizeof(c));
		pages_mib(get_u64(p, "pages_device"), ps, d, sizeof(d));
		if ((int)strlen(c) > wc)
			wc = (int)strlen(c);
		if ((int)strlen(d) > wd)
			wd = (int)strlen(d);
	}
	printf("\n%*s  %*s  %*s\n", wp, "PID", wc, "CPU-MIB", wd, "DEVICE-MIB");
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);

		pages_mib(get_u64(p, "pages_cpu"), ps, c, sizeof(c));
		pages_mib(get_u64(p, "pages_device"), ps, d, sizeof(d));
		printf("%*s  %*s  %*s\n", wp, str_or_dash(p, "pid"), wc, c, wd, d);
	}
	return EX_OK;
}

/* args: the words after "gmem", already checked by gmem_usage_ok(). */
static int cmd_gmem(int fd, char **args, char *buf, size_t size)
{
	struct json_object *req = json_object_new_object(), *rep;
	int ex = EX_OK;
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "gmem.%s", args[0]);
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	rep = request_obj(fd, req, buf, size, &ex);
	if (!rep)
		return ex;
	if (opt_json)
		print_json(rep);
	else if (!strcmp(args[0], "devices"))
		ex = gmem_devices(rep);
	else
		ex = gmem_stats(rep);
	json_object_put(rep);
	return ex;
}

/* NULL if "gmem ARGS" is well formed, else what is wrong. */
static const char *gmem_usage_ok(char **args, int nargs)
{
	static char msg[128];

	if (nargs < 1)
		return "gmem needs a subcommand (devices, stats)";
	if (strcmp(args[0], "devices") && strcmp(args[0], "stats")) {
		snprintf(msg, sizeof(msg), "unknown gmem subcommand '%.64s'", args[0]);
		return msg;
	}
	if (nargs > 1)
		return "too many arguments";
	return NULL;
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
	struct timeval tv = { .tv_sec = 10 };
	const char *cmd;
	char *buf, *end;
	int opt, fd, ex;

	while ((opt = getopt_long(argc, argv, "jn:s:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			opt_json = true;
			break;
		case 'n':
			errno = 0;
			opt_count = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || opt_count <= 0) {
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
	cmd = argv[optind];
	if (!strcmp(cmd, "modelfs")) {
		const char *why = modelfs_usage_ok(argv + optind + 1,
						   argc - optind - 1);

		if (why) {
			fprintf(stderr, "oe-ctl: %s\n", why);
			usage(stderr);
			return EX_USAGE;
		}
	} else if (!strcmp(cmd, "sched")) {
		const char *why = sched_usage_ok(argv + optind + 1,
						 argc - optind - 1);

		if (why) {
			fprintf(stderr, "oe-ctl: %s\n", why);
			usage(stderr);
			return EX_USAGE;
		}
	} else if (!strcmp(cmd, "gmem")) {
		const char *why = gmem_usage_ok(argv + optind + 1,
						argc - optind - 1);

		if (why) {
			fprintf(stderr, "oe-ctl: %s\n", why);
			usage(stderr);
			return EX_USAGE;
		}
	} else if (strcmp(cmd, "status") && strcmp(cmd, "events") &&
		   strcmp(cmd, "reload")) {
		fprintf(stderr, "oe-ctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return EX_USAGE;
	} else if (optind != argc - 1) {
		fprintf(stderr, "oe-ctl: too many arguments\n");
		usage(stderr);
		return EX_USAGE;
	}
	if (opt_count > 0 && strcmp(cmd, "events")) {
		fprintf(stderr, "oe-ctl: --count only applies to 'events'\n");
		return EX_USAGE;
	}
	fd = connect_daemon();
	if (fd < 0)
		return EX_UNREACH;
	/* the verifier may take its time over a scheduler (in a slow VM) */
	if (!strcmp(cmd, "sched") && !strcmp(argv[optind + 1], "load"))
		tv.tv_sec = 60;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	buf = malloc(MSG_MAX);
	if (!buf) {
		close(fd);
		return EX_DAEMON;
	}
	if (!strcmp(cmd, "modelfs"))
		ex = cmd_modelfs(fd, argv + optind + 1, argc - optind - 1, buf,
				 MSG_MAX);
	else if (!strcmp(cmd, "sched"))
		ex = cmd_sched(fd, argv + optind + 1, argc - optind - 1, buf,
			       MSG_MAX);
	else if (!strcmp(cmd, "gmem"))
		ex = cmd_gmem(fd, argv + optind + 1, buf, MSG_MAX);
	else if (!strcmp(cmd, "status"))
		ex = cmd_status(fd, buf, MSG_MAX);
	else if (!strcmp(cmd, "events"))
		ex = cmd_events(fd, buf, MSG_MAX);
	else
		ex = cmd_reload(fd, buf, MSG_MAX);
	free(buf);
	close(fd);
	return ex;
}
