// SPDX-License-Identifier: GPL-2.0-only
#include "ctlproto.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

/* The daemon's own commands; the modules' are in their tables. */
static const struct {
	const char *name;
	enum ctl_cmd cmd;
	bool needs_admin;
} daemon_commands[] = {
	{ "ping", CTL_CMD_PING, false },
	{ "status", CTL_CMD_STATUS, false },
	{ "subscribe", CTL_CMD_SUBSCRIBE, false },
	{ "recent", CTL_CMD_RECENT, false },
	{ "reload", CTL_CMD_RELOAD, true },
};

/*
 * String member @key of @o into @buf. 1 if present, 0 if absent and
 * optional, -1 with a message otherwise.
 */
static int get_arg(struct json_object *o, const char *cmd, const char *key,
		   bool required, char *buf, size_t size, char *err,
		   size_t errlen)
{
	struct json_object *v;
	const char *s;
	size_t len;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "bad request: '%s' needs a string member \"%s\"",
			 cmd, key);
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "bad request: \"%s\" must be a string", key);
		return -1;
	}
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0 || strlen(s) != len) {
		snprintf(err, errlen, "bad request: \"%s\" is empty or contains a NUL",
			 key);
		return -1;
	}
	if (len >= size) {
		snprintf(err, errlen, "bad request: \"%s\" is longer than %zu bytes",
			 key, size - 1);
		return -1;
	}
	memcpy(buf, s, len + 1);
	return 1;
}

static int parse_args(struct json_object *o, unsigned int args,
		      struct ctl_request *req, char *err, size_t errlen)
{
	int rc;

	if (args & (CTL_ARG_MOUNT | CTL_ARG_MOUNT_OPT)) {
		rc = get_arg(o, req->name, "mount", args & CTL_ARG_MOUNT, req->mount,
			     sizeof(req->mount), err, errlen);
		if (rc < 0)
			return -1;
		/* the daemon's working directory means nothing to the client */
		if (rc > 0 && req->mount[0] != '/') {
			snprintf(err, errlen, "bad request: \"mount\" must be an absolute path");
			return -1;
		}
	}
	if (args & CTL_ARG_POLICY) {
		if (get_arg(o, req->name, "policy", true, req->policy,
			    sizeof(req->policy), err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* "<feature>.<command>" of a module of @tab into @req; false if none. */
static bool find_feature_command(const char *name,
				 const struct oe_module *const *tab, size_t n,
				 struct ctl_request *req)
{
	const char *dot = strchr(name, '.');

	for (size_t i = 0; dot && i < n; i++) {
		const struct oe_module *mod = tab[i];

		if (strlen(mod->name) != (size_t)(dot - name) ||
		    strncmp(mod->name, name, (size_t)(dot - name)))
			continue;
		req->command = oe_module_find_command(mod, dot + 1);
		if (!req->command)
			return false;
		req->cmd = CTL_CMD_FEATURE;
		req->feature = mod->name;
		req->needs_admin = req->command->needs_admin;
		return true;
	}
	return false;
}

static bool find_daemon_command(const char *name, struct ctl_request *req)
{
	for (size_t i = 0; i < ARRAY_SIZE(daemon_commands); i++) {
		if (!strcmp(name, daemon_commands[i].name)) {
			req->cmd = daemon_commands[i].cmd;
			req->needs_admin = daemon_commands[i].needs_admin;
			return true;
		}
	}
	return false;
}

int ctlproto_parse(const char *buf, size_t len,
		   const struct oe_module *const *tab, size_t n,
		   struct ctl_request *req, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o, *c;
	const char *name;
	int rc = -1;

	memset(req, 0, sizeof(*req));
	if (len == 0 || len > CTL_MSG_MAX) {
		snprintf(err, errlen, "bad request: empty or oversized message");
		return -1;
	}
	tok = json_tokener_new();
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (o && json_tokener_get_error(tok) == json_tokener_success) {
		/* allow trailing whitespace (e.g. a newline from socat) */
		for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
			if (!strchr(" \t\r\n", buf[i]) || !buf[i]) {
				json_object_put(o);
				o = NULL;
				break;
			}
	}
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		snprintf(err, errlen, "bad request: invalid JSON");
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "bad request: not a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(o, "cmd", &c) ||
	    !json_object_is_type(c, json_type_string)) {
		snprintf(err, errlen, "bad request: missing string member \"cmd\"");
		goto out;
	}
	name = json_object_get_string(c);
	if (strlen(name) < sizeof(req->name) &&
	    (find_daemon_command(name, req) ||
	     find_feature_command(name, tab, n, req))) {
		memcpy(req->name, name, strlen(name) + 1);
		rc = parse_args(o, req->command ? req->command->args : 0, req,
				err, errlen);
		if (rc < 0)
			req->cmd = CTL_CMD_NONE;
		goto out;
	}
	req->cmd = CTL_CMD_NONE;
	snprintf(err, errlen, "unknown command '%.64s'", name);
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

int ctlproto_authorize(const struct ctl_request *req, bool admin,
		       char *err, size_t errlen)
{
	if (req->needs_admin && !admin) {
		snprintf(err, errlen,
			 "permission denied: '%s' needs root or the admin group",
			 req->name);
		return -1;
	}
	return 0;
}

bool ctlproto_peer_is_admin(uid_t uid, gid_t gid, const gid_t *groups,
			    size_t ngroups, bool have_admin_gid,
			    gid_t admin_gid)
{
	if (uid == 0)
		return true;
	if (!have_admin_gid)
		return false;
	if (gid == admin_gid)
		return true;
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i] == admin_gid)
			return true;
	return false;
}

char *ctlproto_error_reply(const char *msg)
{
	struct json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "ok", json_object_new_boolean(false));
	json_object_object_add(o, "error", json_object_new_string(msg));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}
