// SPDX-License-Identifier: GPL-2.0-only
/*
 * sched module: loads one OE sched_ext policy (oe_fifo, oe_qos,
 * oe_domain) with liboesched, the policy of [sched] policy or the one
 * "oe-ctl sched load" names, and watches it once a second.
 *
 * The kernel may eject a policy at any time (its watchdog, scx_bpf_error,
 * SysRq-S); the kernel then puts every task back on CFS. The module
 * notices from the exit record the policy's ops.exit() leaves, or from
 * /sys/kernel/sched_ext (state no longer "enabled", or enable_seq moved
 * on), logs it and sends an "ejected" event once, and drops its handle.
 * It never loads the policy again on its own: the ejection stays in
 * status until an explicit load, or a reload that changes [sched].
 */
#include "config.h"
#include "ctlproto.h"
#include "log.h"
#include "module.h"
#include "sched_mod.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <json-c/json.h>

#include "oesched.h"

#define SCHED_CHECK_SEC		1
/* ticks to wait in "disabling" for the exit record of ops.exit() */
#define SCHED_DISABLING_TICKS	3
#define SCHED_RECENT		32	/* events kept for "recent" */
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define EPERM_HINT \
	" (oe-ctld keeps CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON only when [sched] is enabled at its start)"
#define SCHED_UNAVAILABLE	"kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT)"

static_assert(OECTLD_SCHED_DOMAINS == OE_DOMAIN_MAX,
	      "[sched] domain_cgroups takes the policy's domain indices");

enum sched_state {
	SCHED_NONE,		/* nothing loaded */
	SCHED_LOADED,		/* s->h holds it */
	SCHED_EJECTED,		/* the kernel ejected it; s->ejected says why */
	SCHED_FAILED,		/* the last load failed; s->error says why */
};

static const char *const state_names[] = {
	[SCHED_NONE] = "none",
	[SCHED_LOADED] = "loaded",
	[SCHED_EJECTED] = "ejected",
	[SCHED_FAILED] = "load-failed",
};

/*
 * enum scx_exit_kind of the kernel (include/linux/sched/ext.h), its
 * names as /sys/kernel/sched_ext/last_exit prints them and its reasons.
 */
static const struct {
	int kind;
	const char *name;
	const char *reason;
} exit_kinds[] = {
	{ 0, "none", "none" },
	{ 1, "done", "done" },
	{ 64, "unreg", "unregistered from user space" },
	{ 65, "unreg_bpf", "unregistered from BPF" },
	{ 66, "unreg_kern", "unregistered from the main kernel" },
	{ 67, "sysrq", "disabled by sysrq-S" },
	{ 1024, "error", "runtime error" },
	{ 1025, "error_bpf", "scx_bpf_error" },
	{ 1026, "error_stall", "runnable task stall" },
};

struct sched {
	struct oe_module_inst *mi;
	struct oectld_sched_cfg cfg;	/* [sched] of the running config */
	struct oesched *h;		/* the loaded policy */
	enum sched_state state;
	char policy[OECTLD_SCHED_POLICY_MAX];	/* loaded, ejected or failed */
	bool from_config;		/* loaded for [sched] policy */
	bool partial;			/* as it was loaded */
	unsigned int timeout_ms;
	long enable_seq;		/* the kernel's after our load; -1: unknown */
	int disabling;			/* ticks seen in "disabling" */
	struct oe_sched_exit ejected;	/* SCHED_EJECTED: why */
	char error[768];		/* SCHED_FAILED: why */
	int timer_fd;
	bool timer_armed;
	unsigned long long loads, ejections;
	uint64_t seq;			/* of the events we emit */
	struct json_object *recent[SCHED_RECENT];
	unsigned int nrecent, recent_next;
};

static const char *sysfs_root;

void sched_mod_set_sysfs(const char *root)
{
	sysfs_root = root;
}

static const char *root_dir(void)
{
	return sysfs_root ? sysfs_root : OESCHED_SYSFS;
}

static bool sched_enabled(const struct oectld_config *cfg)
{
	return cfg->sched.enabled;
}

static const char *kind_name(int kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(exit_kinds); i++)
		if (exit_kinds[i].kind == kind)
			return exit_kinds[i].name;
	return "unknown";
}

/* ---- events for subscribers ---- */

static struct json_object *new_event(struct sched *s, const char *event)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "feature", json_object_new_string("sched"));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "seq", json_object_new_uint64(++s->seq));
	json_object_object_add(o, "policy", json_object_new_string(s->policy));
	return o;
}

/* Send @o to subscribers and keep it for "recent"; consumes @o. */
static void emit(struct sched *s, struct json_object *o)
{
	if (!o)
		return;
	s->mi->host_ops->emit_event(s->mi->host, s->mi, o);
	if (s->nrecent == SCHED_RECENT)
		json_object_put(s->recent[s->recent_next]);
	else
		s->nrecent++;
	s->recent[s->recent_next] = o;
	s->recent_next = (s->recent_next + 1) % SCHED_RECENT;
}

static void emit_reason(struct sched *s, const char *event, const char *reason)
{
	struct json_object *o = new_event(s, event);

	if (o && reason)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	emit(s, o);
}

/* ---- loading and unloading ---- */

static void arm_timer(struct sched *s)
{
	struct itimerspec its = { 0 };
	bool want = s->h;

	if (s->timer_fd < 0 || want == s->timer_armed)
		return;
	if (want) {
		its.it_interval.tv_sec = SCHED_CHECK_SEC;
		its.it_value.tv_sec = SCHED_CHECK_SEC;
	}
	if (timerfd_settime(s->timer_fd, 0, &its, NULL) == 0)
		s->timer_armed = want;
	else
		log_warn("sched: timer: %s", strerror(errno));
}

/* Drop the handle: the kernel takes the policy off and tasks go to CFS. */
static void unload_policy(struct sched *s, const char *why)
{
	if (!s->h)
		return;
	oesched_unload(s->h);
	s->h = NULL;
	s->state = SCHED_NONE;
	arm_timer(s);
	log_info("sched: %s unloaded (%s); tasks are back on CFS", s->policy,
		 why);
	emit_reason(s, "unloaded", why);
}

/* Forget an ejection or a failed load, as a new load or a config change does. */
static void forget(struct sched *s)
{
	if (s->state == SCHED_EJECTED || s->state == SCHED_FAILED)
		s->state = SCHED_NONE;
}

static int load_policy(struct sched *s, const char *policy, bool from_config,
		       char *err, size_t errlen)
{
	const struct oectld_sched_cfg *c = &s->cfg;
	const char *ls[OECTLD_SCHED_CGROUPS_MAX], *be[OECTLD_SCHED_CGROUPS_MAX];
	struct oesched_domain_assign dom[OECTLD_SCHED_CGROUPS_MAX];
	struct oesched_cfg oc = {
		.policy = policy,
		.bpf_dir = c->bpf_dir[0] ? c->bpf_dir : NULL,
		.partial = c->partial,
		.timeout_ms = c->timeout_ms,
		.ls_cgroups = ls,
		.nr_ls = c->nls,
		.be_cgroups = be,
		.nr_be = c->nbe,
		.domains = dom,
		.nr_domains = c->ndomains,
	};
	struct oesched_kstate ks;
	char lerr[512];
	struct oesched *h = NULL;
	int rc;

	if (s->h) {
		snprintf(err, errlen, "%s is already loaded; unload it first (oe-ctl sched unload)",
			 s->policy);
		return -1;
	}
	for (unsigned int i = 0; i < c->nls; i++)
		ls[i] = c->ls_cgroups[i];
	for (unsigned int i = 0; i < c->nbe; i++)
		be[i] = c->be_cgroups[i];
	for (unsigned int i = 0; i < c->ndomains; i++) {
		dom[i].cgroup = c->domains[i].cgroup;
		dom[i].domain = c->domains[i].domain;
	}
	forget(s);
	snprintf(s->policy, sizeof(s->policy), "%s", policy);
	s->from_config = from_config;
	s->partial = c->partial;
	s->timeout_ms = c->timeout_ms;

	lerr[0] = '\0';
	if (oesched_kstate_read(sysfs_root, &ks) == 0 && strcmp(ks.state, "disabled")) {
		/* the kernel takes one at a time: say which, not just EBUSY */
		if (!strcmp(ks.state, "disabling"))
			snprintf(lerr, sizeof(lerr),
				 "the kernel is still taking a BPF scheduler off (%s, state disabling); try again in a moment",
				 ks.ops[0] ? ks.ops : "?");
		else
			snprintf(lerr, sizeof(lerr),
				 "the kernel already runs a BPF scheduler (%s, state %s)",
				 ks.ops[0] ? ks.ops : "?", ks.state);
		rc = -EBUSY;
	} else {
		rc = oesched_load(&oc, &h, lerr, sizeof(lerr));
		if (rc >= 0 && !h)
			rc = -EINVAL;
	}
	if (rc < 0) {
		snprintf(s->error, sizeof(s->error), "cannot load %s: %s%s",
			 policy, lerr[0] ? lerr : strerror(-rc),
			 rc == -EPERM ? EPERM_HINT : "");
		s->state = SCHED_FAILED;
		snprintf(err, errlen, "%s", s->error);
		log_warn("sched: %s; not trying again on my own", s->error);
		emit_reason(s, "load-failed", s->error);
		return -1;
	}
	s->h = h;
	s->state = SCHED_LOADED;
	s->loads++;
	s->disabling = 0;
	memset(&s->ejected, 0, sizeof(s->ejected));
	s->enable_seq = -1;
	if (oesched_kstate_read(sysfs_root, &ks) == 0)
		s->enable_seq = ks.enable_seq;
	arm_timer(s);
	log_info("sched: %s loaded (%s; %s; watchdog %u ms)", policy,
		 from_config ? "configuration" : "oe-ctl",
		 s->partial ? "SCHED_EXT tasks only" : "every task",
		 s->timeout_ms ? s->timeout_ms : 30000);
	emit_reason(s, "loaded", from_config ? "configuration" : "oe-ctl");
	return 0;
}

/* ---- watching the loaded policy ---- */

/* The kernel's record, "<kind> <ops> <message>" or "none", into @ei. */
static void parse_last_exit(const char *text, struct oe_sched_exit *ei)
{
	char name[32];
	const char *p = text, *ops;
	size_t n = strcspn(p, "\n ");

	memset(ei, 0, sizeof(*ei));
	if (n >= sizeof(name) || (n == 4 && !strncmp(p, "none", 4)))
		return;
	memcpy(name, p, n);
	name[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(exit_kinds); i++) {
		if (!strcmp(exit_kinds[i].name, name)) {
			ei->kind = exit_kinds[i].kind;
			snprintf(ei->reason, sizeof(ei->reason), "%s",
				 exit_kinds[i].reason);
		}
	}
	ops = p + n + strspn(p + n, " ");
	p = ops + strcspn(ops, "\n ");
	p += strspn(p, " ");
	snprintf(ei->msg, sizeof(ei->msg), "%.*s", (int)strcspn(p, "\n"), p);
}

static void on_ejected(struct sched *s, const struct oe_sched_exit *ei)
{
	struct json_object *o;

	s->ejected = *ei;
	s->ejections++;
	log_warn("sched: the kernel ejected %s (%s%s%s%s%s); tasks are back on CFS; not loading it again on my own",
		 s->policy, kind_name(ei->kind),
		 ei->reason[0] ? ": " : "", ei->reason,
		 ei->msg[0] ? ": " : "", ei->msg);
	o = new_event(s, "ejected");
	if (o) {
		json_object_object_add(o, "kind",
				       json_object_new_string(kind_name(ei->kind)));
		json_object_object_add(o, "kind_code", json_object_new_int(ei->kind));
		json_object_object_add(o, "reason", json_object_new_string(ei->reason));
		json_object_object_add(o, "message", json_object_new_string(ei->msg));
		json_object_object_add(o, "exit_code",
				       json_object_new_int64(ei->exit_code));
	}
	emit(s, o);
	/* the kernel is done with it; this frees the link and the maps */
	oesched_unload(s->h);
	s->h = NULL;
	s->state = SCHED_EJECTED;
	arm_timer(s);
}

/* Has the kernel ejected the loaded policy? Called once a second and by commands. */
static void check(struct sched *s)
{
	struct oesched_kstate ks;
	struct oe_sched_exit ei;
	int rc;

	if (!s->h)
		return;
	memset(&ei, 0, sizeof(ei));
	if (oesched_exit_info(s->h, &ei) && ei.kind) {
		ei.reason[sizeof(ei.reason) - 1] = '\0';
		ei.msg[sizeof(ei.msg) - 1] = '\0';
		on_ejected(s, &ei);
		return;
	}
	rc = oesched_kstate_read(sysfs_root, &ks);
	if (rc < 0) {
		log_debug("sched: cannot read %s: %s", root_dir(), strerror(-rc));
		return;
	}
	if (s->enable_seq < 0 || ks.enable_seq == s->enable_seq) {
		if (!strcmp(ks.state, "enabled")) {
			s->disabling = 0;
			return;
		}
		/* being taken off: ops.exit() is about to leave its record */
		if (!strcmp(ks.state, "disabling") &&
		    ++s->disabling < SCHED_DISABLING_TICKS)
			return;
	}
	parse_last_exit(ks.last_exit, &ei);
	if (!ei.kind)
		snprintf(ei.reason, sizeof(ei.reason),
			 "the kernel no longer runs it (state %s, enable_seq %ld)",
			 ks.state, ks.enable_seq);
	on_ejected(s, &ei);
}

static void sched_event(struct oe_module_inst *mi, int fd, uint32_t events)
{
	struct sched *s = mi->priv;
	uint64_t ticks;

	(void)events;
	if (fd != s->timer_fd)
		return;
	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_debug("sched: timer: %s", strerror(errno));
	check(s);
}

/* ---- control commands ---- */

static struct json_object *kstate_json(const struct oesched_kstate *ks)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "state", json_object_new_string(ks->state));
	json_object_object_add(o, "ops", json_object_new_string(ks->ops));
	json_object_object_add(o, "switch_all", json_object_new_boolean(ks->switch_all));
	json_object_object_add(o, "enable_seq", json_object_new_int64(ks->enable_seq));
	json_object_object_add(o, "nr_rejected", json_object_new_int64(ks->nr_rejected));
	json_object_object_add(o, "last_exit", json_object_new_string(ks->last_exit));
	return o;
}

static struct json_object *exit_json(const struct oe_sched_exit *ei)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(kind_name(ei->kind)));
	json_object_object_add(o, "kind_code", json_object_new_int(ei->kind));
	json_object_object_add(o, "reason", json_object_new_string(ei->reason));
	json_object_object_add(o, "message", json_object_new_string(ei->msg));
	json_object_object_add(o, "exit_code", json_object_new_int64(ei->exit_code));
	return o;
}

static int cmd_list(struct sched *s, struct json_object *reply)
{
	struct json_object *arr = json_object_new_array();

	check(s);
	for (int i = 0; oesched_policies[i]; i++) {
		const char *name = oesched_policies[i];
		struct json_object *o = json_object_new_object();
		bool ours = s->state != SCHED_NONE && !strcmp(name, s->policy);

		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "state",
				       ours ? json_object_new_string(state_names[s->state]) :
				       NULL);
		json_object_object_add(o, "configured",
				       json_object_new_boolean(!strcmp(name, s->cfg.policy)));
		json_object_array_add(arr, o);
	}
	json_object_object_add(reply, "policies", arr);
	json_object_object_add(reply, "loaded", s->h ? json_object_new_string(s->policy) : NULL);
	return 0;
}

static void add_status(struct sched *s, struct json_object *r)
{
	struct oesched_kstate ks;
	const char *tasks = "cfs";
	int rc;

	json_object_object_add(r, "state", json_object_new_string(state_names[s->state]));
	if (s->state == SCHED_NONE) {
		json_object_object_add(r, "policy", NULL);
	} else {
		json_object_object_add(r, "policy", json_object_new_string(s->policy));
		json_object_object_add(r, "from_config",
				       json_object_new_boolean(s->from_config));
		json_object_object_add(r, "partial", json_object_new_boolean(s->partial));
		json_object_object_add(r, "timeout_ms",
				       json_object_new_uint64(s->timeout_ms));
	}
	if (s->state == SCHED_EJECTED)
		json_object_object_add(r, "ejected", exit_json(&s->ejected));
	if (s->state == SCHED_FAILED)
		json_object_object_add(r, "error", json_object_new_string(s->error));
	json_object_object_add(r, "configured",
			       s->cfg.policy[0] ? json_object_new_string(s->cfg.policy) :
			       NULL);
	rc = oesched_kstate_read(sysfs_root, &ks);
	if (rc == 0) {
		if (!strcmp(ks.state, "enabled"))
			tasks = ks.switch_all ? "sched_ext" : "sched_ext_partial";
		json_object_object_add(r, "tasks_on", json_object_new_string(tasks));
		json_object_object_add(r, "kernel", kstate_json(&ks));
	} else {
		char e[128];

		snprintf(e, sizeof(e), "cannot read %s: %s", root_dir(), strerror(-rc));
		json_object_object_add(r, "kernel_error", json_object_new_string(e));
	}
	json_object_object_add(r, "loads", json_object_new_uint64(s->loads));
	json_object_object_add(r, "ejections", json_object_new_uint64(s->ejections));
}

static int cmd_load(struct sched *s, const struct ctl_request *req,
		    struct json_object *reply, char *err, size_t errlen)
{
	char known[128] = "";

	if (!oesched_policy_known(req->policy)) {
		for (int i = 0; oesched_policies[i]; i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known),
				 "%s%s", i ? ", " : "", oesched_policies[i]);
		snprintf(err, errlen, "unknown policy '%s' (known: %s)", req->policy,
			 known);
		return -1;
	}
	/* an ejection not yet noticed must not make this "already loaded" */
	check(s);
	if (load_policy(s, req->policy, false, err, errlen) < 0)
		return -1;
	json_object_object_add(reply, "policy", json_object_new_string(s->policy));
	json_object_object_add(reply, "partial", json_object_new_boolean(s->partial));
	json_object_object_add(reply, "timeout_ms", json_object_new_uint64(s->timeout_ms));
	json_object_object_add(reply, "enable_seq", json_object_new_int64(s->enable_seq));
	return 0;
}

static int cmd_unload(struct sched *s, struct json_object *reply, char *err,
		      size_t errlen)
{
	check(s);
	if (!s->h) {
		if (s->state == SCHED_EJECTED)
			snprintf(err, errlen, "no policy is loaded: the kernel ejected %s (%s)",
				 s->policy, s->ejected.reason);
		else
			snprintf(err, errlen, "no policy is loaded");
		return -1;
	}
	json_object_object_add(reply, "policy", json_object_new_string(s->policy));
	json_object_object_add(reply, "from_config", json_object_new_boolean(s->from_config));
	unload_policy(s, "oe-ctl");
	return 0;
}

static int sched_command(struct oe_module_inst *mi, const struct ctl_request *req,
			 struct json_object *reply, char *err, size_t errlen)
{
	struct sched *s = mi->priv;

	switch (req->cmd) {
	case CTL_CMD_SCHED_LIST:
		return cmd_list(s, reply);
	case CTL_CMD_SCHED_STATUS:
		check(s);
		add_status(s, reply);
		return 0;
	case CTL_CMD_SCHED_LOAD:
		return cmd_load(s, req, reply, err, errlen);
	case CTL_CMD_SCHED_UNLOAD:
		return cmd_unload(s, reply, err, errlen);
	default:
		snprintf(err, errlen, "sched: no command '%s'", req->name);
		return -1;
	}
}

/* ---- module ---- */

static void sched_status(struct oe_module_inst *mi, struct json_object *d)
{
	struct sched *s = mi->priv;

	check(s);
	json_object_object_add(d, "state", json_object_new_string(state_names[s->state]));
	if (s->state != SCHED_NONE)
		json_object_object_add(d, "policy", json_object_new_string(s->policy));
	if (s->state == SCHED_EJECTED)
		json_object_object_add(d, "ejected",
				       json_object_new_string(s->ejected.reason));
	if (s->state == SCHED_FAILED)
		json_object_object_add(d, "error", json_object_new_string(s->error));
}

static void sched_recent(struct oe_module_inst *mi, struct json_object *arr)
{
	struct sched *s = mi->priv;
	unsigned int first = (s->recent_next + SCHED_RECENT - s->nrecent) % SCHED_RECENT;

	for (unsigned int i = 0; i < s->nrecent; i++)
		json_object_array_add(arr,
				      json_object_get(s->recent[(first + i) % SCHED_RECENT]));
}

/* Would [sched] @b load something else than @a? */
static bool settings_differ(const struct oectld_sched_cfg *a,
			    const struct oectld_sched_cfg *b)
{
	if (strcmp(a->policy, b->policy))
		return true;
	if (!b->policy[0])
		return false;
	if (a->partial != b->partial || a->timeout_ms != b->timeout_ms ||
	    strcmp(a->bpf_dir, b->bpf_dir))
		return true;
	if (!strcmp(b->policy, "oe_qos")) {
		if (a->nls != b->nls || a->nbe != b->nbe)
			return true;
		for (unsigned int i = 0; i < b->nls; i++)
			if (strcmp(a->ls_cgroups[i], b->ls_cgroups[i]))
				return true;
		for (unsigned int i = 0; i < b->nbe; i++)
			if (strcmp(a->be_cgroups[i], b->be_cgroups[i]))
				return true;
	}
	if (!strcmp(b->policy, "oe_domain")) {
		if (a->ndomains != b->ndomains)
			return true;
		for (unsigned int i = 0; i < b->ndomains; i++)
			if (strcmp(a->domains[i].cgroup, b->domains[i].cgroup) ||
			    a->domains[i].domain != b->domains[i].domain)
				return true;
	}
	return false;
}

static void load_configured(struct sched *s)
{
	char err[512];

	if (s->cfg.policy[0])
		load_policy(s, s->cfg.policy, true, err, sizeof(err));
}

static int sched_reload(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct sched *s = mi->priv;
	bool changed = settings_differ(&s->cfg, &cfg->sched);

	s->cfg = cfg->sched;
	if (!changed)
		return 0;
	log_info("sched: [sched] policy or its settings changed");
	check(s);
	unload_policy(s, "the configuration changed");
	forget(s);
	load_configured(s);
	return 0;
}

static void sched_fini(struct oe_module_inst *mi)
{
	struct sched *s = mi->priv;

	if (!s)
		return;
	unload_policy(s, "oe-ctld stopping");
	if (s->timer_fd >= 0) {
		mi->host_ops->unwatch_fd(mi->host, mi, s->timer_fd);
		close(s->timer_fd);
	}
	for (unsigned int i = 0; i < SCHED_RECENT; i++)
		json_object_put(s->recent[i]);
	free(s);
	mi->priv = NULL;
}

static int sched_init(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct oesched_kstate ks;
	struct sched *s;
	struct stat st;
	int rc;

	if (stat(root_dir(), &st) < 0 || !S_ISDIR(st.st_mode)) {
		oe_module_set_unavailable(mi, SCHED_UNAVAILABLE);
		return -ENODEV;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		oe_module_set_unavailable(mi, "out of memory");
		return -ENOMEM;
	}
	s->mi = mi;
	s->cfg = cfg->sched;
	s->enable_seq = -1;
	mi->priv = s;
	oe_module_set_available(mi);

	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	rc = s->timer_fd < 0 ? -errno : mi->host_ops->watch_fd(mi->host, mi, s->timer_fd);
	if (rc < 0) {
		if (s->timer_fd >= 0)
			close(s->timer_fd);
		s->timer_fd = -1;
		log_warn("sched: no timer (%s); an ejection is noticed only by the next oe-ctl sched command",
			 strerror(-rc));
	}
	if (oesched_kstate_read(sysfs_root, &ks) == 0 && strcmp(ks.state, "disabled"))
		log_info("sched: the kernel runs a BPF scheduler already (%s, %s)",
			 ks.ops[0] ? ks.ops : "?", ks.state);
	load_configured(s);
	return 0;
}

const struct oe_module sched_module = {
	.name = "sched",
	/*
	 * 6.6 checks CAP_BPF for the struct_ops map and CAP_BPF plus
	 * CAP_PERFMON for struct_ops programs; CAP_SYS_ADMIN for the rest
	 * a load may do (bpf()'s *_GET_FD_BY_ID and GET_NEXT_ID check it).
	 */
	.caps = OE_CAP(CAP_SYS_ADMIN) | OE_CAP(CAP_BPF) | OE_CAP(CAP_PERFMON),
	.enabled = sched_enabled,
	.init = sched_init,
	.event = sched_event,
	.reload = sched_reload,
	.status = sched_status,
	.recent = sched_recent,
	.command = sched_command,
	.fini = sched_fini,
};
