// SPDX-License-Identifier: GPL-2.0-only
/* oe-ctl: reading the members of oe-ctld's replies, and printing them. */
#include "oe-ctl.h"

#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return (uint64_t)json_object_get_uint64(v);
}

bool get_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

const char *yes_no(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "-";
	return json_object_get_boolean(v) ? "yes" : "no";
}

const char *str_or_dash(struct json_object *o, const char *key)
{
	const char *v = get_str(o, key);

	return v ? v : "-";
}

struct json_object *get_array(struct json_object *rep, const char *key)
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

int width(struct json_object *arr, const char *key, const char *head)
{
	size_t w = strlen(head);

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *v = str_or_dash(json_object_array_get_idx(arr, i), key);

		if (strlen(v) > w)
			w = strlen(v);
	}
	return (int)w;
}

void print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
}

void print_counters(const char *label, struct json_object *o)
{
	printf("  %-8s", label);
	json_object_object_foreach(o, key, val)
		printf(" %s=%s", key, json_object_get_string(val));
	printf("\n");
}
