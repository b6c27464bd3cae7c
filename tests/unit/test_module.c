// SPDX-License-Identifier: GPL-2.0-only
/* cmocka tests: the oe-ctld module interface and capability union. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <linux/capability.h>

#include "config.h"
#include "module.h"
#include "privs.h"

/* which fake modules the "config" enables */
static bool en_good, en_broken, en_off;
static int good_init, good_fini, good_reload, good_events;
static int broken_init, broken_fini;
static int watched_fd = -1, emitted;

static bool good_enabled(const struct oectld_config *c) { (void)c; return en_good; }
static bool broken_enabled(const struct oectld_config *c) { (void)c; return en_broken; }
static bool off_enabled(const struct oectld_config *c) { (void)c; return en_off; }

static int good_init_fn(struct oe_module_inst *mi, const struct oectld_config *c)
{
	(void)c;
	good_init++;
	oe_module_set_available(mi);
	return mi->host_ops->watch_fd(mi->host, mi, 42);
}

static void good_event_fn(struct oe_module_inst *mi, int fd, uint32_t events)
{
	struct json_object *o = json_object_new_object();

	(void)events;
	assert_int_equal(fd, 42);
	good_events++;
	oe_module_emit(mi, o);
	json_object_put(o);
}

static int good_reload_fn(struct oe_module_inst *mi, const struct oectld_config *c)
{
	(void)mi;
	(void)c;
	good_reload++;
	return 0;
}

static void good_status_fn(struct oe_module_inst *mi, struct json_object *d)
{
	(void)mi;
	json_object_object_add(d, "figure", json_object_new_int(7));
}

static void good_fini_fn(struct oe_module_inst *mi)
{
	good_fini++;
	mi->host_ops->unwatch_fd(mi->host, mi, 42);
}

static int broken_init_fn(struct oe_module_inst *mi, const struct oectld_config *c)
{
	(void)c;
	broken_init++;
	oe_module_set_unavailable(mi, "kernel has no oe_broken family");
	return -ENODEV;
}

static void broken_fini_fn(struct oe_module_inst *mi)
{
	(void)mi;
	broken_fini++;
}

static const struct oe_module good = {
	.name = "good", .caps = OE_CAP(CAP_NET_ADMIN) | OE_CAP(CAP_PERFMON),
	.enabled = good_enabled, .init = good_init_fn, .event = good_event_fn,
	.reload = good_reload_fn, .status = good_status_fn, .fini = good_fini_fn,
};
static const struct oe_module broken = {
	.name = "broken", .caps = OE_CAP(CAP_BPF),
	.enabled = broken_enabled, .init = broken_init_fn, .fini = broken_fini_fn,
};
static const struct oe_module off = {
	.name = "off", .caps = OE_CAP(CAP_SYS_ADMIN),
	.enabled = off_enabled, .init = broken_init_fn,
};
static const struct oe_module *const table[] = { &good, &broken, &off };
#define N 3

static int host_watch(void *host, struct oe_module_inst *mi, int fd)
{
	(void)host;
	(void)mi;
	watched_fd = fd;
	return 0;
}

static void host_unwatch(void *host, struct oe_module_inst *mi, int fd)
{
	(void)host;
	(void)mi;
	assert_int_equal(fd, watched_fd);
	watched_fd = -1;
}

static void host_emit(void *host, struct oe_module_inst *mi, struct json_object *ev)
{
	(void)host;
	(void)ev;
	assert_string_equal(mi->mod->name, "good");
	emitted++;
}

static const struct oe_host_ops ops = { host_watch, host_unwatch, host_emit };

static int reset(void **state)
{
	(void)state;
	en_good = en_broken = true;
	en_off = false;
	good_init = good_fini = good_reload = good_events = 0;
	broken_init = broken_fini = 0;
	watched_fd = -1;
	emitted = 0;
	return 0;
}

static struct json_object *find(struct json_object *arr, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *n;

		if (json_object_object_get_ex(o, "name", &n) &&
		    !strcmp(json_object_get_string(n), name))
			return o;
	}
	return NULL;
}

static bool get_bool(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_boolean(v);
}

static void test_caps_union(void **state)
{
	struct oectld_config cfg;

	(void)state;
	oectld_config_defaults(&cfg, table, N);
	assert_true(oe_modules_caps(table, N, &cfg) ==
		    (OE_CAP(CAP_NET_ADMIN) | OE_CAP(CAP_PERFMON) | OE_CAP(CAP_BPF)));
	en_off = true;
	en_good = false;
	assert_true(oe_modules_caps(table, N, &cfg) ==
		    (OE_CAP(CAP_BPF) | OE_CAP(CAP_SYS_ADMIN)));
	en_off = en_broken = false;
	assert_true(oe_modules_caps(table, N, &cfg) == 0);
	/* the real table: sentry needs nothing */
	assert_true(oe_modules_caps(table, 0, &cfg) == 0);
}

static void test_caps_format(void **state)
{
	char buf[128];

	(void)state;
	oe_capmask_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	oe_capmask_format(OE_CAP(CAP_NET_ADMIN) | OE_CAP(CAP_SYS_ADMIN), buf, sizeof(buf));
	assert_string_equal(buf, "cap_net_admin,cap_sys_admin");
}

static void test_failed_init_is_unavailable(void **state)
{
	struct oe_module_inst mi[N];
	struct oectld_config cfg;
	struct json_object *st, *o, *d, *r;

	(void)state;
	oectld_config_defaults(&cfg, table, N);
	oe_modules_setup(mi, table, N, &ops, NULL);
	oe_modules_start(mi, N, &cfg);

	/* the broken module is unavailable, the good one runs regardless */
	assert_int_equal(broken_init, 1);
	assert_false(mi[1].running);
	assert_false(mi[1].available);
	assert_string_equal(mi[1].reason, "kernel has no oe_broken family");
	assert_int_equal(good_init, 1);
	assert_true(mi[0].running);
	assert_true(mi[0].available);
	assert_int_equal(watched_fd, 42);
	/* disabled module never initialised */
	assert_false(mi[2].enabled);
	assert_false(mi[2].running);

	/* the daemon keeps dispatching to the working module */
	mi[0].mod->event(&mi[0], 42, 1);
	assert_int_equal(good_events, 1);
	assert_int_equal(emitted, 1);

	st = oe_modules_status(mi, N);
	assert_int_equal(json_object_array_length(st), 3);
	o = find(st, "broken");
	assert_non_null(o);
	assert_false(get_bool(o, "available"));
	assert_true(get_bool(o, "enabled"));
	assert_true(json_object_object_get_ex(o, "details", &d));
	assert_true(json_object_object_get_ex(d, "reason", &r));
	assert_string_equal(json_object_get_string(r), "kernel has no oe_broken family");
	o = find(st, "good");
	assert_true(get_bool(o, "available"));
	assert_true(json_object_object_get_ex(o, "details", &d));
	assert_true(json_object_object_get_ex(d, "figure", &r));
	assert_int_equal(json_object_get_int(r), 7);
	o = find(st, "off");
	assert_false(get_bool(o, "enabled"));
	assert_false(get_bool(o, "available"));
	json_object_put(st);

	/* fini is not called for a module whose init failed */
	oe_modules_stop(mi, N);
	assert_int_equal(good_fini, 1);
	assert_int_equal(broken_fini, 0);
	assert_int_equal(watched_fd, -1);
}

static void test_reload(void **state)
{
	struct oe_module_inst mi[N];
	struct oectld_config cfg;

	(void)state;
	oectld_config_defaults(&cfg, table, N);
	oe_modules_setup(mi, table, N, &ops, NULL);
	oe_modules_start(mi, N, &cfg);

	/* still enabled: reload() called; failed module retried */
	oe_modules_reload(mi, N, &cfg);
	assert_int_equal(good_reload, 1);
	assert_int_equal(broken_init, 2);

	/* disabled by reload: fini; enabled again: init */
	en_good = false;
	oe_modules_reload(mi, N, &cfg);
	assert_int_equal(good_fini, 1);
	assert_false(mi[0].enabled);
	assert_false(mi[0].running);
	en_good = true;
	oe_modules_reload(mi, N, &cfg);
	assert_int_equal(good_init, 2);
	assert_true(mi[0].running);
	oe_modules_stop(mi, N);
	assert_int_equal(good_fini, 2);
}

/* Event @seq of the good module, as a module emits one. */
static void emit_seq(struct oe_module_inst *mi, int seq)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_int(seq));
	oe_module_emit(mi, o);
	json_object_put(o);
}

static int seq_at(struct json_object *arr, size_t i)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(json_object_array_get_idx(arr, i),
					      "seq", &v));
	return json_object_get_int(v);
}

/* The host keeps the last OE_EVENT_RING_SIZE events of each module. */
static void test_event_ring(void **state)
{
	struct oe_module_inst mi[N];
	struct oectld_config cfg;
	struct json_object *arr;

	(void)state;
	oectld_config_defaults(&cfg, table, N);
	oe_modules_setup(mi, table, N, &ops, NULL);
	oe_modules_start(mi, N, &cfg);
	arr = oe_modules_recent(mi, N);
	assert_int_equal(json_object_array_length(arr), 0);
	json_object_put(arr);

	emit_seq(&mi[0], 0);
	arr = oe_modules_recent(mi, N);
	assert_int_equal(json_object_array_length(arr), 1);
	assert_int_equal(seq_at(arr, 0), 0);
	json_object_put(arr);

	/* past the ring's size: the oldest go, the rest stay in order */
	for (int i = 1; i < 300; i++)
		emit_seq(&mi[0], i);
	assert_int_equal(emitted, 300);
	arr = oe_modules_recent(mi, N);
	assert_int_equal(json_object_array_length(arr), OE_EVENT_RING_SIZE);
	assert_int_equal(seq_at(arr, 0), 300 - OE_EVENT_RING_SIZE);
	assert_int_equal(seq_at(arr, OE_EVENT_RING_SIZE - 1), 299);
	for (size_t i = 1; i < OE_EVENT_RING_SIZE; i++)
		assert_int_equal(seq_at(arr, i), seq_at(arr, i - 1) + 1);
	json_object_put(arr);

	/* a stopped module's events go with it */
	oe_modules_stop(mi, N);
	assert_int_equal(mi[0].events.count, 0);
	arr = oe_modules_recent(mi, N);
	assert_int_equal(json_object_array_length(arr), 0);
	json_object_put(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_caps_union, reset),
		cmocka_unit_test_setup(test_caps_format, reset),
		cmocka_unit_test_setup(test_failed_init_is_unavailable, reset),
		cmocka_unit_test_setup(test_reload, reset),
		cmocka_unit_test_setup(test_event_ring, reset),
	};

	return cmocka_run_group_tests_name("module", tests, NULL, NULL);
}
