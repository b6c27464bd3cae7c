// SPDX-License-Identifier: GPL-2.0-only
#include "module.h"
#include "config.h"
#include "ctlproto.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

oe_capmask oe_modules_caps(const struct oe_module *const *tab, size_t n,
			   const struct oectld_config *cfg)
{
	oe_capmask m = 0;

	for (size_t i = 0; i < n; i++)
		if (tab[i]->enabled(cfg))
			m |= tab[i]->caps;
	return m;
}

void oe_modules_setup(struct oe_module_inst *mi, const struct oe_module *const *tab,
		      size_t n, const struct oe_host_ops *ops, void *host)
{
	for (size_t i = 0; i < n; i++) {
		memset(&mi[i], 0, sizeof(mi[i]));
		mi[i].mod = tab[i];
		mi[i].host_ops = ops;
		mi[i].host = host;
	}
}

void oe_module_set_unavailable(struct oe_module_inst *mi, const char *fmt, ...)
{
	va_list ap;

	mi->available = false;
	va_start(ap, fmt);
	vsnprintf(mi->reason, sizeof(mi->reason), fmt, ap);
	va_end(ap);
}

void oe_module_set_available(struct oe_module_inst *mi)
{
	mi->available = true;
	mi->reason[0] = '\0';
}

static void start_one(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	int rc;

	mi->available = false;
	mi->reason[0] = '\0';
	rc = mi->mod->init(mi, cfg);
	if (rc < 0) {
		if (!mi->reason[0])
			snprintf(mi->reason, sizeof(mi->reason),
				 "initialisation failed: %s", strerror(-rc));
		mi->available = false;
		mi->running = false;
		log_warn("%s: module unavailable: %s", mi->mod->name,
			 mi->reason);
		return;
	}
	mi->running = true;
	log_debug("%s: module started (%s)", mi->mod->name,
		  mi->available ? "available" : "not available");
}

void oe_module_emit(struct oe_module_inst *mi, struct json_object *ev)
{
	struct oe_event_ring *r = &mi->events;
	unsigned int slot;

	if (r->count == OE_EVENT_RING_SIZE) {
		/* full: the oldest makes room */
		json_object_put(r->ev[r->first]);
		slot = r->first;
		r->first = (r->first + 1) % OE_EVENT_RING_SIZE;
	} else {
		slot = (r->first + r->count++) % OE_EVENT_RING_SIZE;
	}
	r->ev[slot] = json_object_get(ev);
	if (mi->host_ops && mi->host_ops->emit_event)
		mi->host_ops->emit_event(mi->host, mi, ev);
}

static void forget_events(struct oe_event_ring *r)
{
	for (unsigned int i = 0; i < r->count; i++)
		json_object_put(r->ev[(r->first + i) % OE_EVENT_RING_SIZE]);
	r->first = 0;
	r->count = 0;
}

static void stop_one(struct oe_module_inst *mi)
{
	if (mi->running && mi->mod->fini)
		mi->mod->fini(mi);
	mi->running = false;
	mi->available = false;
	mi->priv = NULL;
	/* what a stopped module said is as gone as its state */
	forget_events(&mi->events);
}

void oe_modules_start(struct oe_module_inst *mi, size_t n,
		      const struct oectld_config *cfg)
{
	for (size_t i = 0; i < n; i++) {
		mi[i].enabled = mi[i].mod->enabled(cfg);
		if (mi[i].enabled)
			start_one(&mi[i], cfg);
		else
			log_info("%s: disabled in the configuration",
				 mi[i].mod->name);
	}
}

void oe_modules_reload(struct oe_module_inst *mi, size_t n,
		       const struct oectld_config *cfg)
{
	for (size_t i = 0; i < n; i++) {
		bool en = mi[i].mod->enabled(cfg);

		if (en && !mi[i].enabled) {
			mi[i].enabled = true;
			start_one(&mi[i], cfg);
		} else if (!en && mi[i].enabled) {
			stop_one(&mi[i]);
			mi[i].enabled = false;
			log_info("%s: disabled by reload", mi[i].mod->name);
		} else if (en && !mi[i].running) {
			/* an earlier init failed: retry */
			start_one(&mi[i], cfg);
		} else if (en && mi[i].mod->reload) {
			if (mi[i].mod->reload(&mi[i], cfg) < 0)
				log_warn("%s: reload failed", mi[i].mod->name);
		}
	}
}

void oe_modules_stop(struct oe_module_inst *mi, size_t n)
{
	for (size_t i = n; i-- > 0; )
		stop_one(&mi[i]);
}

struct json_object *oe_modules_status(struct oe_module_inst *mi, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		struct json_object *d = json_object_new_object();

		json_object_object_add(o, "name",
				       json_object_new_string(mi[i].mod->name));
		json_object_object_add(o, "available",
				       json_object_new_boolean(mi[i].available));
		json_object_object_add(o, "enabled",
				       json_object_new_boolean(mi[i].enabled));
		if (!mi[i].enabled)
			json_object_object_add(d, "reason",
					       json_object_new_string("disabled in the configuration"));
		else if (!mi[i].available && mi[i].reason[0])
			json_object_object_add(d, "reason",
					       json_object_new_string(mi[i].reason));
		if (mi[i].running && mi[i].mod->status)
			mi[i].mod->status(&mi[i], d);
		json_object_object_add(o, "details", d);
		json_object_array_add(arr, o);
	}
	return arr;
}

struct json_object *oe_modules_recent(struct oe_module_inst *mi, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		const struct oe_event_ring *r = &mi[i].events;

		if (!mi[i].running)
			continue;
		for (unsigned int j = 0; j < r->count; j++)
			json_object_array_add(arr,
				json_object_get(r->ev[(r->first + j) % OE_EVENT_RING_SIZE]));
	}
	return arr;
}

const struct oe_command *oe_module_find_command(const struct oe_module *mod,
						const char *name)
{
	for (size_t i = 0; i < mod->ncommands; i++)
		if (!strcmp(mod->commands[i].name, name))
			return &mod->commands[i];
	return NULL;
}

/* Is @cmd one of @mod's own? (a request carries a pointer into a table) */
static bool owns_command(const struct oe_module *mod, const struct oe_command *cmd)
{
	for (size_t i = 0; i < mod->ncommands; i++)
		if (&mod->commands[i] == cmd)
			return true;
	return false;
}

static struct oe_module_inst *find_inst(struct oe_module_inst *mi, size_t n,
					const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (name && !strcmp(mi[i].mod->name, name))
			return &mi[i];
	return NULL;
}

int oe_modules_command(struct oe_module_inst *mi, size_t n,
		       const struct ctl_request *req, struct json_object *reply,
		       char *err, size_t errlen)
{
	struct oe_module_inst *m = find_inst(mi, n, req->feature);

	if (!m) {
		snprintf(err, errlen, "no feature '%s' in this oe-ctld",
			 req->feature ? req->feature : "?");
		return -1;
	}
	if (!m->enabled) {
		snprintf(err, errlen, "%s is disabled in the configuration",
			 req->feature);
		return -1;
	}
	if (!m->running) {
		snprintf(err, errlen, "%s is not running: %s", req->feature,
			 m->reason[0] ? m->reason : "initialisation failed");
		return -1;
	}
	if (!req->command || !owns_command(m->mod, req->command)) {
		snprintf(err, errlen, "%s: no command '%s'", req->feature,
			 req->name);
		return -1;
	}
	return req->command->handler(m, req, reply, err, errlen);
}
