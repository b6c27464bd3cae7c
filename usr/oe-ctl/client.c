// SPDX-License-Identifier: GPL-2.0-only
/* oe-ctl: the connection to oe-ctld, requests and their replies. */
#include "oe-ctl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <json-c/json.h>

int ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "oe-ctl: socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "oe-ctl: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "oe-ctl: cannot reach oe-ctld at %s: %s\n",
			path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct json_object *ctl_recv(struct ctl *c, bool *lost)
{
	struct json_object *o;
	ssize_t n;

	*lost = false;
	do {
		n = recv(c->fd, c->buf, c->size - 1, 0);
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
	c->buf[n] = '\0';
	o = json_tokener_parse(c->buf);
	if (!o || !json_object_is_type(o, json_type_object)) {
		fprintf(stderr, "oe-ctl: malformed message from oe-ctld\n");
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The reply to our request; events that raced it are dropped. */
static struct json_object *recv_reply(struct ctl *c, int *ex)
{
	struct json_object *rep, *ok;
	bool lost;

	for (;;) {
		rep = ctl_recv(c, &lost);
		if (!rep) {
			*ex = lost ? EX_UNREACH : EX_DAEMON;
			return NULL;
		}
		if (json_object_object_get_ex(rep, "ok", &ok))
			return rep;
		json_object_put(rep);
	}
}

struct json_object *ctl_request(struct ctl *c, struct json_object *req, int *ex)
{
	struct json_object *rep, *ok, *err;
	const char *s;

	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	if (send(c->fd, s, strlen(s), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "oe-ctl: send: %s\n", strerror(errno));
		json_object_put(req);
		*ex = EX_UNREACH;
		return NULL;
	}
	json_object_put(req);
	rep = recv_reply(c, ex);
	if (!rep)
		return NULL;
	json_object_object_get_ex(rep, "ok", &ok);
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

struct json_object *ctl_simple(struct ctl *c, const char *name, int *ex)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(name));
	return ctl_request(c, req, ex);
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

/* Argument @arg as request member @key; -1 if a mount path is too long. */
static int add_member(struct json_object *req, const char *key, const char *arg)
{
	char path[PATH_MAX];

	if (strcmp(key, "mount")) {
		json_object_object_add(req, key, json_object_new_string(arg));
		return 0;
	}
	if (absolute(arg, path, sizeof(path)) < 0) {
		fprintf(stderr, "oe-ctl: %s: path too long\n", arg);
		return -1;
	}
	json_object_object_add(req, key, json_object_new_string(path));
	return 0;
}

int ctl_run_request(struct ctl *c, const struct ctl_command *cmd, char **args)
{
	struct json_object *req = json_object_new_object(), *rep;
	int ex = EX_OK;

	json_object_object_add(req, "cmd", json_object_new_string(cmd->request));
	for (int i = 0; i < cmd->max_args && args[i]; i++) {
		if (add_member(req, cmd->members[i], args[i]) < 0) {
			json_object_put(req);
			return EX_USAGE;
		}
	}
	rep = ctl_request(c, req, &ex);
	if (!rep)
		return ex;
	if (c->json)
		print_json(rep);
	else
		ex = cmd->show(rep);
	json_object_put(rep);
	return ex;
}
