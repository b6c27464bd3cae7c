// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: a feature module is one file. The "fake" module below
 * exists only here: its config section, its commands and its events are
 * all its own, and the config parser, the control protocol and the
 * module host take it from the table this test builds, as the daemon
 * takes the real ones from modules_table.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "config.h"
#include "ctlproto.h"
#include "module.h"
#include "util.h"

/* ---- the module ---- */

#define FAKE_LABEL_MAX	16

/* [fake] */
struct fake_cfg {
	bool enabled;
	unsigned int level;		/* 0 to 9 */
	char label[FAKE_LABEL_MAX];
};

static int parse_level(struct oe_config_parse *p, const struct oe_config_key *k,
		       const char *val, void *dst)
{
	if (strlen(val) != 1 || val[0] < '0' || val[0] > '9')
		return oe_config_error(p, "%s: bad value '%s' (expected 0 to 9)",
				       k->name, val);
	*(unsigned int *)dst = (unsigned int)(val[0] - '0');
	return 0;
}

static int parse_label(struct oe_config_parse *p, const struct oe_config_key *k,
		       const char *val, void *dst)
{
	if (strlen(val) >= k->size)
		return oe_config_error(p, "%s: '%s' is longer than %zu bytes",
				       k->name, val, k->size - 1);
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static const struct oe_config_key fake_keys[] = {
	OE_CONFIG_KEY("enabled", oe_config_bool, struct fake_cfg, enabled, "yes"),
	OE_CONFIG_KEY("level", parse_level, struct fake_cfg, level, "3"),
	OE_CONFIG_KEY("label", parse_label, struct fake_cfg, label, "none"),
};

const struct oe_module fake_module;

static const struct fake_cfg *fake_config(const struct oectld_config *cfg)
{
	return oe_config_section(cfg, &fake_module);
}

static bool fake_enabled(const struct oectld_config *cfg)
{
	return fake_config(cfg)->enabled;
}

struct fake {
	unsigned int level;
	uint64_t seq;
};

static struct fake the_fake;

static int fake_init(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	the_fake.level = fake_config(cfg)->level;
	the_fake.seq = 0;
	mi->priv = &the_fake;
	oe_module_set_available(mi);
	return 0;
}

static void fake_emit(struct oe_module_inst *mi, const char *event)
{
	struct fake *f = mi->priv;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "feature", json_object_new_string("fake"));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "seq", json_object_new_uint64(++f->seq));
	oe_module_emit(mi, o);
	json_object_put(o);
}

/* "fake.peek": anybody; the level */
static int fake_peek(struct oe_module_inst *mi, const struct ctl_request *req,
		     struct json_object *reply, char *err, size_t errlen)
{
	struct fake *f = mi->priv;

	(void)req;
	(void)err;
	(void)errlen;
	json_object_object_add(reply, "level", json_object_new_int((int)f->level));
	return 0;
}

/* "fake.poke" with a "policy": admin only; one event per poke */
static int fake_poke(struct oe_module_inst *mi, const struct ctl_request *req,
		     struct json_object *reply, char *err, size_t errlen)
{
	if (!strcmp(req->policy, "refuse")) {
		snprintf(err, errlen, "fake: refused");
		return -1;
	}
	fake_emit(mi, "poked");
	json_object_object_add(reply, "policy", json_object_new_string(req->policy));
	return 0;
}

static const struct oe_command fake_commands[] = {
	{ "peek", false, 0, fake_peek },
	{ "poke", true, CTL_ARG_POLICY, fake_poke },
};

const struct oe_module fake_module = {
	.name = "fake",
	.keys = fake_keys,
	.nkeys = ARRAY_SIZE(fake_keys),
	.config_size = sizeof(struct fake_cfg),
	.commands = fake_commands,
	.ncommands = ARRAY_SIZE(fake_commands),
	.enabled = fake_enabled,
	.init = fake_init,
};

/* ---- the host ---- */

static const struct oe_module *const table[] = { &fake_module };
static struct oe_module_inst mi[ARRAY_SIZE(table)];
static struct oectld_config cfg;
static int emitted;
static char err[512];

static void host_emit(void *host, struct oe_module_inst *m, struct json_object *ev)
{
	(void)host;
	(void)ev;
	assert_ptr_equal(m, &mi[0]);
	emitted++;
}

static const struct oe_host_ops ops = { .emit_event = host_emit };

static int load(const char *text)
{
	err[0] = '\0';
	return oectld_config_load_string("f.conf", text, table, ARRAY_SIZE(table),
					 &cfg, err, sizeof(err));
}

/* Parse @json and run it as a peer that is @admin or not; -1 and err. */
static int command(const char *json, bool admin, struct json_object **reply)
{
	struct ctl_request req;

	*reply = json_object_new_object();
	err[0] = '\0';
	if (ctlproto_parse(json, strlen(json), table, ARRAY_SIZE(table), &req,
			   err, sizeof(err)) < 0 ||
	    ctlproto_authorize(&req, admin, err, sizeof(err)) < 0)
		return -1;
	return oe_modules_command(mi, ARRAY_SIZE(table), &req, *reply, err,
				  sizeof(err));
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static int setup(void **state)
{
	(void)state;
	emitted = 0;
	oectld_config_defaults(&cfg, table, ARRAY_SIZE(table));
	oe_modules_setup(mi, table, ARRAY_SIZE(table), &ops, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	oe_modules_stop(mi, ARRAY_SIZE(table));
	return 0;
}

/* ---- configured ---- */

static void test_configured(void **state)
{
	const struct fake_cfg *c;

	(void)state;
	/* its defaults, from its own table */
	c = fake_config(&cfg);
	assert_non_null(c);
	assert_true(c->enabled);
	assert_int_equal(c->level, 3);
	assert_string_equal(c->label, "none");

	assert_int_equal(load("[daemon]\nwatchdog = no\n"
			      "[fake]\nlevel = 7\nlabel = seven\n"), 0);
	c = fake_config(&cfg);
	assert_int_equal(c->level, 7);
	assert_string_equal(c->label, "seven");
	assert_false(cfg.daemon.watchdog);
	assert_int_equal(load("[fake]\nenabled = no\n"), 0);
	assert_false(fake_module.enabled(&cfg));
}

static void test_bad_values_refused(void **state)
{
	struct oectld_config before;

	(void)state;
	assert_int_equal(load("[fake]\nlevel = 5\n"), 0);
	before = cfg;
	assert_int_equal(load("[fake]\nlabel = ok\nlevel = 10\n"), -1);
	assert_string_equal(err, "f.conf:3: level: bad value '10' (expected 0 to 9)");
	assert_int_equal(load("[fake]\n\nlabel = much-too-long-a-label\n"), -1);
	assert_string_equal(err, "f.conf:3: label: 'much-too-long-a-label' is longer than 15 bytes");
	assert_int_equal(load("[fake]\nenabled = sure\n"), -1);
	assert_string_equal(err, "f.conf:2: enabled: bad value 'sure' (expected yes or no)");
	assert_int_equal(load("[fake]\nlevel = 1\ncolour = red\n"), -1);
	assert_string_equal(err, "f.conf:3: unknown key 'colour' in section [fake]");
	/* a section of a module that is not in the table */
	assert_int_equal(load("[fake]\nlevel = 1\n[sched]\n"), -1);
	assert_string_equal(err, "f.conf:3: unknown section [sched]");
	/* what was refused left the config as it was */
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	assert_int_equal(fake_config(&cfg)->level, 5);
}

/* ---- commanded ---- */

static void test_commanded(void **state)
{
	struct json_object *r;

	(void)state;
	assert_int_equal(load("[fake]\nlevel = 4\n"), 0);
	oe_modules_start(mi, ARRAY_SIZE(table), &cfg);
	assert_true(mi[0].running);

	/* read-only: anybody */
	assert_int_equal(command("{\"cmd\":\"fake.peek\"}", false, &r), 0);
	assert_string_equal(member(r, "level"), "4");
	json_object_put(r);

	/* needs admin, as its table says */
	assert_int_equal(command("{\"cmd\":\"fake.poke\",\"policy\":\"x\"}", false, &r), -1);
	assert_string_equal(err, "permission denied: 'fake.poke' needs root or the admin group");
	json_object_put(r);
	assert_int_equal(emitted, 0);
	assert_int_equal(command("{\"cmd\":\"fake.poke\",\"policy\":\"x\"}", true, &r), 0);
	assert_string_equal(member(r, "policy"), "x");
	json_object_put(r);

	/* its arguments, as its table says; its own errors */
	assert_int_equal(command("{\"cmd\":\"fake.poke\"}", true, &r), -1);
	assert_string_equal(err, "bad request: 'fake.poke' needs a string member \"policy\"");
	json_object_put(r);
	assert_int_equal(command("{\"cmd\":\"fake.poke\",\"policy\":\"refuse\"}", true, &r), -1);
	assert_string_equal(err, "fake: refused");
	json_object_put(r);
	assert_int_equal(command("{\"cmd\":\"fake.format\"}", true, &r), -1);
	assert_string_equal(err, "unknown command 'fake.format'");
	json_object_put(r);

	/* disabled: its commands say so */
	assert_int_equal(load("[fake]\nenabled = no\n"), 0);
	oe_modules_reload(mi, ARRAY_SIZE(table), &cfg);
	assert_int_equal(command("{\"cmd\":\"fake.peek\"}", false, &r), -1);
	assert_string_equal(err, "fake is disabled in the configuration");
	json_object_put(r);
}

/* ---- reporting events ---- */

static void test_events(void **state)
{
	struct json_object *r, *arr, *seq;
	const int pokes = OE_EVENT_RING_SIZE + 5;

	(void)state;
	oe_modules_start(mi, ARRAY_SIZE(table), &cfg);
	for (int i = 0; i < pokes; i++) {
		assert_int_equal(command("{\"cmd\":\"fake.poke\",\"policy\":\"p\"}",
					 true, &r), 0);
		json_object_put(r);
	}
	/* every one went to subscribers; the ring keeps the last ones */
	assert_int_equal(emitted, pokes);
	arr = oe_modules_recent(mi, ARRAY_SIZE(table));
	assert_int_equal(json_object_array_length(arr), OE_EVENT_RING_SIZE);
	assert_string_equal(member(json_object_array_get_idx(arr, 0), "event"), "poked");
	assert_true(json_object_object_get_ex(json_object_array_get_idx(arr, 0),
					      "seq", &seq));
	assert_int_equal(json_object_get_int(seq), 6);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(arr,
					      OE_EVENT_RING_SIZE - 1), "seq", &seq));
	assert_int_equal(json_object_get_int(seq), pokes);
	json_object_put(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commanded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	};

	return cmocka_run_group_tests_name("fake_module", tests, NULL, NULL);
}
