/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oe-ctld feature modules. Each feature is one const struct oe_module in
 * oe_module_table[] (modules_table.c); the daemon keeps one
 * struct oe_module_inst per table entry.
 *
 * A module owns everything of its feature: its config section (a table of
 * keys, see config.h), its control commands (a table of struct
 * oe_command) and its events (emitted with oe_module_emit(), which keeps
 * the last OE_EVENT_RING_SIZE of them for "recent"). The daemon, the
 * config parser and the control protocol only walk the module table, so
 * adding a feature is one new file and its entry (with its extern
 * declaration) in modules_table.c.
 */
#ifndef OE_CTLD_MODULE_H
#define OE_CTLD_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctl_request;
struct json_object;
struct oe_config_key;
struct oectld_config;
struct oe_module_inst;

/* Bit mask of capabilities, bit n = CAP_* number n. */
typedef uint64_t oe_capmask;
#define OE_CAP(c)	((oe_capmask)1 << (c))

/*
 * Recent events the host keeps per module, for the "recent" command
 * (documented in usr/README.md and oe-ctld(8)).
 */
#define OE_EVENT_RING_SIZE	256

/* Services the daemon offers to modules. */
struct oe_host_ops {
	/* Watch @fd for EPOLLIN; readiness is delivered to mod->event(). */
	int (*watch_fd)(void *host, struct oe_module_inst *mi, int fd);
	void (*unwatch_fd)(void *host, struct oe_module_inst *mi, int fd);
	/* Forward an event to subscribed clients (borrowed reference). */
	void (*emit_event)(void *host, struct oe_module_inst *mi,
			   struct json_object *ev);
};

/* The string members a command takes (struct ctl_request mount, policy). */
#define CTL_ARG_MOUNT		0x1	/* "mount" required, absolute */
#define CTL_ARG_MOUNT_OPT	0x2	/* "mount" optional, absolute */
#define CTL_ARG_POLICY		0x4	/* "policy" required */

/* One control command of a module, "<module name>.<name>" on the wire. */
struct oe_command {
	const char *name;
	bool needs_admin;
	unsigned int args;	/* CTL_ARG_* */
	/*
	 * Already authorised and the module running. Add the reply's
	 * members to @reply and return 0, or return -1 with a message for
	 * the client in @err.
	 */
	int (*handler)(struct oe_module_inst *mi, const struct ctl_request *req,
		       struct json_object *reply, char *err, size_t errlen);
};

struct oe_module {
	const char *name;	/* also its config section and command prefix */
	oe_capmask caps;	/* capabilities needed while enabled */
	/* Its config section: the keys and the size of what they fill. */
	const struct oe_config_key *keys;
	size_t nkeys;
	size_t config_size;
	const struct oe_command *commands;
	size_t ncommands;
	bool (*enabled)(const struct oectld_config *cfg);
	/*
	 * Set up. Return 0 when the module runs (it may still report
	 * available = false and become available later), or a negative errno
	 * after filling mi->reason: the module is then unavailable until the
	 * next reload and nothing else of it is called but init.
	 */
	int (*init)(struct oe_module_inst *mi, const struct oectld_config *cfg);
	/* @fd registered via watch_fd became ready. */
	void (*event)(struct oe_module_inst *mi, int fd, uint32_t events);
	/* New config with the module still enabled. Optional. */
	int (*reload)(struct oe_module_inst *mi, const struct oectld_config *cfg);
	/* Add feature-specific figures to @details. Optional. */
	void (*status)(struct oe_module_inst *mi, struct json_object *details);
	void (*fini)(struct oe_module_inst *mi);
};

/* The last OE_EVENT_RING_SIZE events of a module, oldest at ev[first]. */
struct oe_event_ring {
	struct json_object *ev[OE_EVENT_RING_SIZE];
	unsigned int first;
	unsigned int count;
};

struct oe_module_inst {
	const struct oe_module *mod;
	bool enabled;		/* enabled in the config */
	bool running;		/* init succeeded, fini not yet called */
	bool available;		/* kernel side present and usable */
	char reason[160];	/* why unavailable, for status */
	void *priv;
	const struct oe_host_ops *host_ops;
	void *host;
	struct oe_event_ring events;
};

extern const struct oe_module *const oe_module_table[];
extern const size_t oe_module_count;

/* Union of caps of the modules @cfg enables. */
oe_capmask oe_modules_caps(const struct oe_module *const *tab, size_t n,
			   const struct oectld_config *cfg);

/* Bind instances to @tab; no module is started. */
void oe_modules_setup(struct oe_module_inst *mi, const struct oe_module *const *tab,
		      size_t n, const struct oe_host_ops *ops, void *host);
/* Start every enabled module. Never fails: a failing init marks it unavailable. */
void oe_modules_start(struct oe_module_inst *mi, size_t n,
		      const struct oectld_config *cfg);
/* Apply a new config: start newly enabled, stop newly disabled, reload the rest. */
void oe_modules_reload(struct oe_module_inst *mi, size_t n,
		       const struct oectld_config *cfg);
void oe_modules_stop(struct oe_module_inst *mi, size_t n);
/* [{"name":..,"available":..,"enabled":..,"details":{..}}, ...] */
struct json_object *oe_modules_status(struct oe_module_inst *mi, size_t n);

/* Recent events of all running modules (module order, oldest first each). */
struct json_object *oe_modules_recent(struct oe_module_inst *mi, size_t n);

/*
 * Run req->command of the module named req->feature. 0, or -1 with a
 * message in @err (no such feature, disabled, not running, not one of its
 * commands, or the command's own).
 */
int oe_modules_command(struct oe_module_inst *mi, size_t n,
		       const struct ctl_request *req, struct json_object *reply,
		       char *err, size_t errlen);

/* The command @name ("list" of "sched.list") of @mod, or NULL. */
const struct oe_command *oe_module_find_command(const struct oe_module *mod,
						const char *name);

/* Helpers for modules. */
void oe_module_set_unavailable(struct oe_module_inst *mi, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void oe_module_set_available(struct oe_module_inst *mi);
/*
 * Send event @ev to subscribers and keep it in the module's ring for
 * "recent" (it takes a reference of its own; the caller keeps @ev's).
 */
void oe_module_emit(struct oe_module_inst *mi, struct json_object *ev);

#endif
