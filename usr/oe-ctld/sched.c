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
#include "util.h"

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

/* "oe_fifo, oe_qos, oe_domain": liboesched's list, the only one. */
static void policy_names(char *buf, size_t size)
{
	buf[0] = '\0';
	for (int i = 0; oesched_policies[i]; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
			 i ? ", " : "", oesched_policies[i]);
}

/* ---- [sched] ---- */

struct oectld_sched_cfg *sched_config(const struct oectld_config *cfg)
{
	return oe_config_section(cfg, &sched_module);
}

static int parse_policy(struct oe_config_parse *p, const struct oe_config_key *k,
			const char *val, void *dst)
{
	char known[128];

	if (*val && !oesched_policy_known(val)) {
		policy_names(known, sizeof(known));
		return oe_config_error(p, "%s: unknown policy '%s' (expected %s, or nothing)",
				       k->name, val, known);
	}
	snprintf(dst, k->size, "%s", val);
	return 0;
}

/* 0 to OECTLD_SCHED_TIMEOUT_MAX, decimal digits only. */
static int parse_timeout(struct oe_config_parse *p, const struct oe_config_key *k,
			 const char *val, void *dst)
{
	unsigned long n = 0;
	const char *c;

	for (c = val; *c >= '0' && *c <= '9' && c - val < 5; c++)
		n = n * 10 + (unsigned long)(*c - '0');
	if (!*val || *c || n > OECTLD_SCHED_TIMEOUT_MAX)
		return oe_config_error(p,
				       "%s: bad value '%s' (expected 0 to %d milliseconds; 0: the kernel's default)",
				       k->name, val, OECTLD_SCHED_TIMEOUT_MAX);
	*(unsigned int *)dst = (unsigned int)n;
	return 0;
}

static bool in_list(char (*list)[OECTLD_SCHED_PATH_MAX], unsigned int n,
		    const char *path)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(list[i], path))
			return true;
	return false;
}

/* One word of ls_cgroups or be_cgroups: a cgroup is one or the other. */
static int add_ls_be(struct oe_config_parse *p, const struct oe_config_key *k,
		     struct oectld_sched_cfg *c, const char *path)
{
	bool ls = !strcmp(k->name, "ls_cgroups");
	char (*list)[OECTLD_SCHED_PATH_MAX] = ls ? c->ls_cgroups : c->be_cgroups;
	unsigned int *n = ls ? &c->nls : &c->nbe;

	if (in_list(list, *n, path))
		return oe_config_error(p, "%s: %s is listed more than once",
				       k->name, path);
	if (in_list(ls ? c->be_cgroups : c->ls_cgroups, ls ? c->nbe : c->nls, path))
		return oe_config_error(p,
				       "%s: %s is also in %s (a cgroup is latency-sensitive or best-effort, not both)",
				       k->name, path, ls ? "be_cgroups" : "ls_cgroups");
	if (*n >= OECTLD_SCHED_CGROUPS_MAX)
		return oe_config_error(p, "%s: more than %d cgroups", k->name,
				       OECTLD_SCHED_CGROUPS_MAX);
	memcpy(list[(*n)++], path, strlen(path) + 1);
	return 0;
}

static int add_domain(struct oe_config_parse *p, const struct oe_config_key *k,
		      struct oectld_sched_cfg *c, const char *path, int domain)
{
	for (unsigned int i = 0; i < c->ndomains; i++)
		if (!strcmp(c->domains[i].cgroup, path))
			return oe_config_error(p, "%s: %s is listed more than once",
					       k->name, path);
	if (c->ndomains >= OECTLD_SCHED_CGROUPS_MAX)
		return oe_config_error(p, "%s: more than %d cgroups", k->name,
				       OECTLD_SCHED_CGROUPS_MAX);
	memcpy(c->domains[c->ndomains].cgroup, path, strlen(path) + 1);
	c->domains[c->ndomains++].domain = domain;
	return 0;
}

/* "=DOMAIN" at the end of @tok cut off into @domain; -1 if it is bad. */
static int cut_domain(struct oe_config_parse *p, const struct oe_config_key *k,
		      char *tok, int *domain)
{
	/* a cgroup directory may contain '=', a domain never does */
	char *eq = strrchr(tok, '=');
	const char *d;
	size_t dl;

	*domain = -1;
	if (!eq)
		return 0;
	d = eq + 1;
	dl = strlen(d);
	if (!dl || dl > 2 || strspn(d, "0123456789") != dl ||
	    atoi(d) >= OECTLD_SCHED_DOMAINS)
		return oe_config_error(p,
				       "%s: bad domain '%s' in '%s' (expected PATH or PATH=DOMAIN, DOMAIN 0 to %d)",
				       k->name, d, tok, OECTLD_SCHED_DOMAINS - 1);
	*domain = atoi(d);
	*eq = '\0';
	return 0;
}

/* One cgroup word of ls_cgroups, be_cgroups or domain_cgroups. */
static int add_cgroup(struct oe_config_parse *p, const struct oe_config_key *k,
		      const char *word, size_t wlen, void *dst)
{
	bool domains = !strcmp(k->name, "domain_cgroups");
	char tok[OECTLD_SCHED_PATH_MAX + 8], path[OECTLD_SCHED_PATH_MAX];
	const char *why;
	int domain;

	if (wlen >= sizeof(tok))
		return oe_config_error(p, "%s: '%.64s...' is too long", k->name, word);
	memcpy(tok, word, wlen);
	tok[wlen] = '\0';
	if (domains && cut_domain(p, k, tok, &domain) < 0)
		return -1;
	if (oe_config_normalise_path(tok, path, sizeof(path), &why))
		return oe_config_error(p, "%s: '%s' %s", k->name, tok, why);
	if (domains)
		return add_domain(p, k, dst, path, domain);
	return add_ls_be(p, k, dst, path);
}

static int parse_cgroups(struct oe_config_parse *p, const struct oe_config_key *k,
			 const char *val, void *dst)
{
	return oe_config_each_word(p, k, val, dst, add_cgroup);
}

#define SCHED_KEY(name, parse, m, dflt) \
	OE_CONFIG_KEY(name, parse, struct oectld_sched_cfg, m, dflt)
/* the cgroup lists check each other: their key gets the whole section */
#define SCHED_LIST(name) \
	{ name, parse_cgroups, 0, sizeof(struct oectld_sched_cfg), NULL }

static const struct oe_config_key sched_keys[] = {
	/* off by default: it replaces the system's scheduler */
	SCHED_KEY("enabled", oe_config_bool, enabled, "no"),
	SCHED_KEY("policy", parse_policy, policy, NULL),
	SCHED_KEY("partial", oe_config_bool, partial, "no"),
	SCHED_KEY("timeout_ms", parse_timeout, timeout_ms, "0"),
	SCHED_KEY("bpf_dir", oe_config_abs_path_or_empty, bpf_dir, NULL),
	SCHED_LIST("ls_cgroups"),
	SCHED_LIST("be_cgroups"),
	SCHED_LIST("domain_cgroups"),
};

static bool sched_enabled(const struct oectld_config *cfg)
{
	return sched_config(cfg)->enabled;
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
	oe_module_emit(s->mi, o);
	json_object_put(o);
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

static int cmd_list(struct oe_module_inst *mi, const struct ctl_request *req,
		    struct json_object *reply, char *err, size_t errlen)
{
	struct json_object *arr = json_object_new_array();
	struct sched *s = mi->priv;

	(void)req;
	(void)err;
	(void)errlen;
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

static int cmd_load(struct oe_module_inst *mi, const struct ctl_request *req,
		    struct json_object *reply, char *err, size_t errlen)
{
	struct sched *s = mi->priv;
	char known[128];

	if (!oesched_policy_known(req->policy)) {
		policy_names(known, sizeof(known));
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

static int cmd_unload(struct oe_module_inst *mi, const struct ctl_request *req,
		      struct json_object *reply, char *err, size_t errlen)
{
	struct sched *s = mi->priv;

	(void)req;
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

static int cmd_status(struct oe_module_inst *mi, const struct ctl_request *req,
		      struct json_object *reply, char *err, size_t errlen)
{
	(void)req;
	(void)err;
	(void)errlen;
	check(mi->priv);
	add_status(mi->priv, reply);
	return 0;
}

static const struct oe_command sched_commands[] = {
	{ "list", false, 0, cmd_list },
	{ "status", false, 0, cmd_status },
	{ "load", true, CTL_ARG_POLICY, cmd_load },
	{ "unload", true, 0, cmd_unload },
};

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
	const struct oectld_sched_cfg *c = sched_config(cfg);
	bool changed = settings_differ(&s->cfg, c);

	s->cfg = *c;
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
	s->cfg = *sched_config(cfg);
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
	.keys = sched_keys,
	.nkeys = ARRAY_SIZE(sched_keys),
	.config_size = sizeof(struct oectld_sched_cfg),
	.commands = sched_commands,
	.ncommands = ARRAY_SIZE(sched_commands),
	.enabled = sched_enabled,
	.init = sched_init,
	.event = sched_event,
	.reload = sched_reload,
	.status = sched_status,
	.fini = sched_fini,
};
