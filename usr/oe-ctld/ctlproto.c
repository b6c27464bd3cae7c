// SPDX-License-Identifier: GPL-2.0-only
#include "ctlproto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

static const struct {
	const char *name;
	enum ctl_cmd cmd;
	bool needs_admin;
} commands[] = {
	{ "ping", CTL_CMD_PING, false },
	{ "status", CTL_CMD_STATUS, false },
	{ "subscribe", CTL_CMD_SUBSCRIBE, false },
	{ "recent", CTL_CMD_RECENT, false },
	{ "reload", CTL_CMD_RELOAD, true },
};

int ctlproto_parse(const char *buf, size_t len, struct ctl_request *req,
		   char *err, size_t errlen)
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(name, commands[i].name)) {
			req->cmd = commands[i].cmd;
			req->name = commands[i].name;
			req->needs_admin = commands[i].needs_admin;
			rc = 0;
			goto out;
		}
	}
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
