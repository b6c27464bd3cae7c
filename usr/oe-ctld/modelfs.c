// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs module: runs libmodelfs policies inside the daemon, one runtime
 * per attached ModelFS mount with its channel fd in the event loop, and
 * reads the mounts' counters from the oe_modelfs generic netlink family.
 *
 * A mount is identified by its device (st_dev): any path into it names
 * it. Attaching needs CAP_SYS_ADMIN (MODELFS_IOC_ATTACH). A channel that
 * fails, or whose mount is gone, is detached and logged once; only an
 * explicit attach or a reload of [modelfs] attach brings a policy back.
 */
#include "config.h"
#include "ctlproto.h"
#include "log.h"
#include "modelfs_mod.h"
#include "modelfs_msg.h"
#include "module.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/vfs.h>
#include <json-c/json.h>
#include <libmount.h>
#include <linux/oe_modelfs.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "libmodelfs.h"

#ifndef MODELFS_SUPER_MAGIC
#define MODELFS_SUPER_MAGIC	0x6d6f646c	/* "modl", <linux/magic.h> */
#endif

#define MFS_EVENT_BATCH		64
#define MFS_READ_ROUNDS		16	/* batches per wake-up, then others run */
#define MFS_CHECK_SEC		2	/* how often held mounts are looked for */
#define MFS_TEMPLATE_NAME_MAX	256

struct held {
	struct held *next;
	char mount[CTL_PATH_MAX];	/* the path it was attached by */
	dev_t dev;
	const struct modelfs_policy *pol;
	void *state;
	struct modelfs_rt *rt;
	int fd;
	bool from_config;		/* listed in [modelfs] attach */
	char template[MFS_TEMPLATE_NAME_MAX];	/* "" unless policy template */
};

struct mfs {
	struct oe_module_inst *mi;
	struct nl_sock *sk;		/* requests, blocking with a timeout */
	int family;			/* -1: not resolved */
	bool missing_logged;
	int timer_fd;			/* checks that held mounts still exist */
	bool timer_armed;
	char template_dir[OECTLD_MODELFS_PATH_MAX];
	struct held *held;
	unsigned int nheld;
	unsigned long long failed;	/* channels detached after failing */
	uint64_t seq;			/* of the events we emit */
	struct modelfs_event evs[MFS_EVENT_BATCH];
};

/* ---- [modelfs] ---- */

struct oectld_modelfs_cfg *modelfs_config(const struct oectld_config *cfg)
{
	return oe_config_section(cfg, &modelfs_module);
}

/* One "MOUNTPOINT:POLICY" word of [modelfs] attach. */
static int add_attach(struct oe_config_parse *p, const struct oe_config_key *k,
		      const char *word, size_t wlen, void *dst)
{
	struct oectld_modelfs_cfg *c = dst;
	struct oectld_modelfs_attach a;
	char tok[OECTLD_MODELFS_PATH_MAX + OECTLD_MODELFS_POLICY_MAX + 2];
	const char *why;
	char *colon;
	char known[128];

	memset(&a, 0, sizeof(a));
	if (wlen >= sizeof(tok))
		return oe_config_error(p, "%s: '%.*s...' is too long", k->name,
				       64, word);
	memcpy(tok, word, wlen);
	tok[wlen] = '\0';
	/* a mountpoint may contain ':', a policy name never does */
	colon = strrchr(tok, ':');
	if (!colon || colon == tok || !colon[1])
		return oe_config_error(p, "%s: '%s' is not MOUNTPOINT:POLICY",
				       k->name, tok);
	*colon = '\0';
	if (oe_config_normalise_path(tok, a.mount, sizeof(a.mount), &why))
		return oe_config_error(p, "%s: '%s' %s", k->name, tok, why);
	if (!modelfs_policy_find(colon + 1)) {
		modelfs_policy_names(known, sizeof(known));
		return oe_config_error(p, "%s: unknown policy '%s' for %s (known: %s)",
				       k->name, colon + 1, a.mount, known);
	}
	snprintf(a.policy, sizeof(a.policy), "%s", colon + 1);
	for (unsigned int i = 0; i < c->nattach; i++)
		if (!strcmp(c->attach[i].mount, a.mount))
			return oe_config_error(p, "%s: %s is listed more than once",
					       k->name, a.mount);
	if (c->nattach >= OECTLD_MODELFS_ATTACH_MAX)
		return oe_config_error(p, "%s: more than %d mountpoints", k->name,
				       OECTLD_MODELFS_ATTACH_MAX);
	c->attach[c->nattach++] = a;
	return 0;
}

static int parse_attach(struct oe_config_parse *p, const struct oe_config_key *k,
			const char *val, void *dst)
{
	return oe_config_each_word(p, k, val, dst, add_attach);
}

#define MFS_KEY(name, parse, m, dflt) \
	OE_CONFIG_KEY(name, parse, struct oectld_modelfs_cfg, m, dflt)

static const struct oe_config_key mfs_keys[] = {
	/* off by default: it keeps CAP_SYS_ADMIN while enabled */
	MFS_KEY("enabled", oe_config_bool, enabled, "no"),
	MFS_KEY("template_dir", oe_config_abs_path, template_dir,
		MODELFS_TEMPLATE_DIR),
	/* the whole section: the list and its count */
	{ "attach", parse_attach, 0, sizeof(struct oectld_modelfs_cfg), NULL },
};

static bool mfs_enabled(const struct oectld_config *cfg)
{
	return modelfs_config(cfg)->enabled;
}

/* ---- events for subscribers ---- */

static void emit(struct mfs *m, const char *event, const struct held *h,
		 const char *reason)
{
	struct json_object *o = json_object_new_object();
	char dev[32];

	if (!o)
		return;
	snprintf(dev, sizeof(dev), "%u:%u", major(h->dev), minor(h->dev));
	json_object_object_add(o, "feature", json_object_new_string("modelfs"));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "seq", json_object_new_uint64(++m->seq));
	json_object_object_add(o, "mount", json_object_new_string(h->mount));
	json_object_object_add(o, "dev", json_object_new_string(dev));
	json_object_object_add(o, "policy", json_object_new_string(h->pol->name));
	if (reason)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	oe_module_emit(m->mi, o);
	json_object_put(o);
}

/* ---- held mounts ---- */

static void arm_timer(struct mfs *m)
{
	struct itimerspec its = { 0 };
	bool want = m->nheld > 0;

	if (m->timer_fd < 0 || want == m->timer_armed)
		return;
	if (want) {
		its.it_interval.tv_sec = MFS_CHECK_SEC;
		its.it_value.tv_sec = MFS_CHECK_SEC;
	}
	if (timerfd_settime(m->timer_fd, 0, &its, NULL) == 0)
		m->timer_armed = want;
}

static struct held *find_dev(struct mfs *m, dev_t dev)
{
	for (struct held *h = m->held; h; h = h->next)
		if (h->dev == dev)
			return h;
	return NULL;
}

/* By the device @path is on, or by the path itself once it is gone. */
static struct held *find_path(struct mfs *m, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return find_dev(m, st.st_dev);
	for (struct held *h = m->held; h; h = h->next)
		if (!strcmp(h->mount, path))
			return h;
	return NULL;
}

/* Stop the policy and close the channel; the mount behaves like its lower fs. */
static void detach(struct mfs *m, struct held *h, const char *reason)
{
	const struct modelfs_stats *s = modelfs_stats(h->rt);

	for (struct held **pp = &m->held; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	m->nheld--;
	m->mi->host_ops->unwatch_fd(m->mi->host, m->mi, h->fd);
	if (h->pol->exit)
		h->pol->exit(h->state);
	log_info("modelfs: %s (%u:%u): policy %s detached (%s); events=%llu prefetch=%llu evict=%llu cmd_errors=%llu",
		 h->mount, major(h->dev), minor(h->dev), h->pol->name, reason,
		 (unsigned long long)s->events,
		 (unsigned long long)s->prefetch_cmds,
		 (unsigned long long)s->evict_cmds,
		 (unsigned long long)s->cmd_errors);
	emit(m, "detached", h, reason);
	modelfs_exit(h->rt);
	free(h);
	arm_timer(m);
}

static const struct modelfs_policy *find_policy(const char *name, char *err,
						size_t errlen)
{
	const struct modelfs_policy *pol = modelfs_policy_find(name);
	char known[128];

	if (!pol) {
		modelfs_policy_names(known, sizeof(known));
		snprintf(err, errlen, "unknown policy '%s' (known: %s)", name,
			 known);
	}
	return pol;
}

int modelfs_mod_adopt(struct oe_module_inst *mi, const char *mount, dev_t dev,
		      const char *policy, struct modelfs_rt *rt,
		      bool from_config, char *err, size_t errlen)
{
	struct mfs *m = mi->priv;
	struct modelfs_policy_opts opts = { 0 };
	const struct modelfs_policy *pol;
	struct held *h;
	int rc;

	pol = find_policy(policy, err, errlen);
	if (!pol)
		return -1;
	if (strlen(mount) >= sizeof(h->mount)) {
		snprintf(err, errlen, "mount path too long");
		return -1;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(h->mount, mount, strlen(mount) + 1);
	h->dev = dev;
	h->pol = pol;
	h->rt = rt;
	h->fd = modelfs_fd(rt);
	h->from_config = from_config;
	opts.template_dir = m->template_dir;
	if (!strcmp(pol->name, "template")) {
		/* named after the lower directory: survives remounts */
		rc = modelfs_template_name(mount, h->template, sizeof(h->template));
		if (rc < 0) {
			snprintf(err, errlen, "%s: cannot name its template: %s",
				 mount, strerror(-rc));
			free(h);
			return -1;
		}
		/* the policy creates template_dir if need be */
		opts.template_name = h->template;
	}
	if (pol->init) {
		rc = pol->init(rt, &opts, &h->state);
		if (rc < 0) {
			snprintf(err, errlen, "policy %s: cannot start: %s",
				 pol->name, strerror(-rc));
			free(h);
			return -1;
		}
	}
	rc = mi->host_ops->watch_fd(mi->host, mi, h->fd);
	if (rc < 0) {
		snprintf(err, errlen, "cannot watch the channel: %s", strerror(-rc));
		if (pol->exit)
			pol->exit(h->state);
		free(h);
		return -1;
	}
	h->next = m->held;
	m->held = h;
	m->nheld++;
	arm_timer(m);
	log_info("modelfs: %s (%u:%u): policy %s attached%s%s", mount,
		 major(dev), minor(dev), pol->name,
		 h->template[0] ? ", template " : "", h->template);
	emit(m, "attached", h, from_config ? "configuration" : "oe-ctl");
	return 0;
}

/* Attach @policy to the ModelFS mount @path is on. */
static int attach_path(struct mfs *m, const char *path, const char *policy,
		       bool from_config, char *err, size_t errlen)
{
	struct modelfs_rt *rt;
	struct statfs sfs;
	struct held *h;
	struct stat st;

	if (!find_policy(policy, err, errlen))
		return -1;
	if (stat(path, &st) < 0 || statfs(path, &sfs) < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 errno == ENOENT ? "no such file or directory" : strerror(errno));
		return -1;
	}
	h = find_dev(m, st.st_dev);
	if (h) {
		snprintf(err, errlen, "%s: a policy is already attached to this mount (EBUSY): oe-ctld runs %s there",
			 path, h->pol->name);
		return -1;
	}
	if (sfs.f_type != MODELFS_SUPER_MAGIC) {
		snprintf(err, errlen, "%s is not on a ModelFS mount", path);
		return -1;
	}
	rt = modelfs_init(path);
	if (!rt) {
		switch (errno) {
		case ENOTTY:
			snprintf(err, errlen, "%s is not on a ModelFS mount", path);
			break;
		case EBUSY:
			snprintf(err, errlen, "%s: a policy is already attached to this mount (EBUSY)",
				 path);
			break;
		case EPERM:
			snprintf(err, errlen, "%s: attaching needs CAP_SYS_ADMIN, which oe-ctld does not hold (restart it after enabling modelfs)",
				 path);
			break;
		default:
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			break;
		}
		return -1;
	}
	if (modelfs_mod_adopt(m->mi, path, st.st_dev, policy, rt, from_config,
			      err, errlen) < 0) {
		modelfs_exit(rt);
		return -1;
	}
	return 0;
}

/* Make the held mounts what [modelfs] attach lists. */
static void apply_config(struct mfs *m, const struct oectld_config *cfg)
{
	const struct oectld_modelfs_cfg *c = modelfs_config(cfg);
	const struct oectld_modelfs_attach *a;
	struct held *h, *next;
	char err[512];

	/* config-owned mounts no longer listed or with another policy */
	for (h = m->held; h; h = next) {
		const struct oectld_modelfs_attach *want = NULL;

		next = h->next;
		for (unsigned int i = 0; i < c->nattach; i++) {
			a = &c->attach[i];
			if (find_path(m, a->mount) == h) {
				want = a;
				break;
			}
		}
		if (want && strcmp(want->policy, h->pol->name))
			detach(m, h, "the configuration names another policy");
		else if (!want && h->from_config)
			detach(m, h, "no longer in the configuration");
	}
	for (unsigned int i = 0; i < c->nattach; i++) {
		a = &c->attach[i];
		h = find_path(m, a->mount);
		if (h) {
			h->from_config = true;
			continue;
		}
		if (attach_path(m, a->mount, a->policy, true, err, sizeof(err)) < 0)
			log_warn("modelfs: [modelfs] attach %s:%s: %s; tried again at the next reload",
				 a->mount, a->policy, err);
	}
}

/* ---- netlink ---- */

static int resolve(struct mfs *m)
{
	int id;

	if (!m->sk)
		return -ENOTCONN;
	id = genl_ctrl_resolve(m->sk, OE_MODELFS_FAMILY_NAME);
	if (id < 0) {
		m->family = -1;
		oe_module_set_unavailable(m->mi, "kernel has no oe_modelfs family");
		if (!m->missing_logged)
			log_warn("modelfs: kernel has no oe_modelfs family; module unavailable");
		m->missing_logged = true;
		return -ENOENT;
	}
	if (id != m->family)
		log_info("modelfs: using the oe_modelfs family (id %d)", id);
	m->family = id;
	m->missing_logged = false;
	oe_module_set_available(m->mi);
	return 0;
}

struct get_ctx {
	struct modelfs_mount_info *v;
	size_t n, cap;
	int err;		/* errno the kernel answered with */
	int bad;		/* replies that did not parse */
};

static int get_valid(struct nl_msg *msg, void *arg)
{
	struct get_ctx *g = arg;
	struct modelfs_mount_info *nv;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;

		nv = realloc(g->v, cap * sizeof(*nv));
		if (!nv)
			return NL_STOP;
		g->v = nv;
		g->cap = cap;
	}
	if (modelfs_msg_parse_mount(nlmsg_hdr(msg), &g->v[g->n]) == 0)
		g->n++;
	else
		g->bad++;
	return NL_OK;
}

static int get_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct get_ctx *g = arg;

	(void)nla;
	g->err = -e->error;
	return NL_STOP;
}

/*
 * MOUNT_GET: every mount (@dump) or @dev's. 0 with the mounts in @g
 * (caller frees g->v), or -1 with a message in @err.
 */
static int get_mounts(struct mfs *m, bool dump, dev_t dev, struct get_ctx *g,
		      char *err, size_t errlen)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int rc;

	memset(g, 0, sizeof(*g));
	if (resolve(m) < 0) {
		snprintf(err, errlen, "%s", m->mi->reason[0] ? m->mi->reason :
			 "kernel has no oe_modelfs family");
		return -1;
	}
	msg = nlmsg_alloc();
	if (!msg || modelfs_msg_build_get(msg, m->family, dump, major(dev),
					  minor(dev)) < 0) {
		nlmsg_free(msg);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = nl_send_auto(m->sk, msg);
	nlmsg_free(msg);
	if (rc < 0) {
		snprintf(err, errlen, "oe_modelfs mount-get: %s", nl_geterror(rc));
		return -1;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, get_valid, g);
	nl_cb_err(cb, NL_CB_CUSTOM, get_error, g);
	rc = nl_recvmsgs(m->sk, cb);
	nl_cb_put(cb);
	if (g->bad)
		log_warn("modelfs: %d malformed oe_modelfs replies ignored", g->bad);
	if (rc < 0 || g->err) {
		if (g->err == ENODEV || g->err == ENOENT)
			snprintf(err, errlen, "the kernel knows no ModelFS mount %u:%u",
				 major(dev), minor(dev));
		else
			snprintf(err, errlen, "oe_modelfs mount-get: %s",
				 g->err ? strerror(g->err) : nl_geterror(rc));
		free(g->v);
		g->v = NULL;
		return -1;
	}
	return 0;
}

/* The mounts of /proc/self/mountinfo, parsed by libmount; NULL if unreadable. */
static struct libmnt_table *read_mountinfo(void)
{
	return mnt_new_table_from_file("/proc/self/mountinfo");
}

/* ---- the channel and the mount check ---- */

static void read_channel(struct mfs *m, struct held *h, uint32_t events)
{
	char why[160];

	for (int round = 0; round < MFS_READ_ROUNDS; round++) {
		int n = modelfs_read_events(h->rt, m->evs, MFS_EVENT_BATCH);

		if (n < 0) {
			snprintf(why, sizeof(why), "the channel failed: %s",
				 n == -EPIPE ? "closed by the kernel" : strerror(-n));
			goto failed;
		}
		for (int i = 0; i < n; i++)
			if (modelfs_dispatch(h->rt, h->pol, h->state, &m->evs[i]) < 0)
				log_debug("modelfs: %s: event of unknown type %u ignored",
					  h->mount, m->evs[i].type);
		/* after a hang-up, read on to the end (EPIPE above) */
		if (n < MFS_EVENT_BATCH && !(events & EPOLLHUP))
			break;
	}
	if (!(events & EPOLLERR))
		return;
	snprintf(why, sizeof(why), "the channel failed: poll error");
failed:
	m->failed++;
	log_warn("modelfs: %s (%u:%u): %s; not attaching it again on my own",
		 h->mount, major(h->dev), minor(h->dev), why);
	detach(m, h, why);
}

/* Detach what is no longer mounted: the channel would pin its superblock. */
static void check_mounts(struct mfs *m)
{
	struct held *h, *next;
	struct libmnt_table *mounts;
	char mp[CTL_PATH_MAX];
	uint64_t ticks;

	if (read(m->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_debug("modelfs: timer: %s", strerror(errno));
	if (!m->held)
		return;
	mounts = read_mountinfo();
	if (!mounts)
		return;
	for (h = m->held; h; h = next) {
		next = h->next;
		if (modelfs_mountinfo_find(mounts, major(h->dev), minor(h->dev),
					   mp, sizeof(mp)) == -ENOENT)
			detach(m, h, "unmounted");
	}
	mnt_unref_table(mounts);
}

static void mfs_event(struct oe_module_inst *mi, int fd, uint32_t events)
{
	struct mfs *m = mi->priv;

	if (fd == m->timer_fd) {
		check_mounts(m);
		return;
	}
	for (struct held *h = m->held; h; h = h->next) {
		if (h->fd == fd) {
			read_channel(m, h, events);
			return;
		}
	}
}

/* ---- control commands ---- */

static void add_dev(struct json_object *o, dev_t dev)
{
	char s[32];

	snprintf(s, sizeof(s), "%u:%u", major(dev), minor(dev));
	json_object_object_add(o, "dev", json_object_new_string(s));
}

static void add_held(struct json_object *o, const struct held *h, bool stats)
{
	struct json_object *r;

	if (!h) {
		json_object_object_add(o, "oe_ctld_policy", NULL);
		return;
	}
	json_object_object_add(o, "oe_ctld_policy",
			       json_object_new_string(h->pol->name));
	if (h->template[0])
		json_object_object_add(o, "template",
				       json_object_new_string(h->template));
	json_object_object_add(o, "in_config", json_object_new_boolean(h->from_config));
	if (!stats)
		return;
	r = modelfs_rt_stats_to_json(modelfs_stats(h->rt));
	if (r)
		json_object_object_add(o, "oe_ctld", r);
}

/* mounts (@stats false) and stats: one object per mount. */
static int cmd_list(struct mfs *m, const struct ctl_request *req, bool stats,
		    struct json_object *reply, char *err, size_t errlen)
{
	struct json_object *arr;
	struct get_ctx g;
	struct statfs sfs;
	struct stat st;
	struct libmnt_table *mounts;
	bool one = stats && req->mount[0];

	if (one) {
		if (stat(req->mount, &st) < 0 || statfs(req->mount, &sfs) < 0) {
			snprintf(err, errlen, "%s: %s", req->mount,
				 errno == ENOENT ? "no such file or directory" :
				 strerror(errno));
			return -1;
		}
		if (sfs.f_type != MODELFS_SUPER_MAGIC) {
			snprintf(err, errlen, "%s is not on a ModelFS mount",
				 req->mount);
			return -1;
		}
	}
	if (get_mounts(m, !one, one ? st.st_dev : 0, &g, err, errlen) < 0)
		return -1;
	mounts = read_mountinfo();
	arr = json_object_new_array();
	for (size_t i = 0; i < g.n; i++) {
		char mp[CTL_PATH_MAX];
		struct json_object *o;
		bool have_mp = mounts && !modelfs_mountinfo_find(mounts, g.v[i].major,
								 g.v[i].minor, mp,
								 sizeof(mp));

		o = modelfs_mount_to_json(&g.v[i], have_mp ? mp : NULL, stats);
		if (!o)
			continue;
		add_held(o, find_dev(m, makedev(g.v[i].major, g.v[i].minor)),
			 stats);
		json_object_array_add(arr, o);
	}
	json_object_object_add(reply, "mounts", arr);
	mnt_unref_table(mounts);
	free(g.v);
	return 0;
}

static int cmd_attach(struct oe_module_inst *mi, const struct ctl_request *req,
		      struct json_object *reply, char *err, size_t errlen)
{
	struct mfs *m = mi->priv;
	struct held *h;

	if (attach_path(m, req->mount, req->policy, false, err, errlen) < 0)
		return -1;
	h = m->held;	/* adopt() puts it first */
	json_object_object_add(reply, "mount", json_object_new_string(h->mount));
	add_dev(reply, h->dev);
	json_object_object_add(reply, "policy", json_object_new_string(h->pol->name));
	if (h->template[0])
		json_object_object_add(reply, "template",
				       json_object_new_string(h->template));
	return 0;
}

static int cmd_detach(struct oe_module_inst *mi, const struct ctl_request *req,
		      struct json_object *reply, char *err, size_t errlen)
{
	struct mfs *m = mi->priv;
	struct held *h = find_path(m, req->mount);
	struct json_object *r;

	if (!h) {
		snprintf(err, errlen, "%s: oe-ctld runs no policy on this mount",
			 req->mount);
		return -1;
	}
	json_object_object_add(reply, "mount", json_object_new_string(h->mount));
	add_dev(reply, h->dev);
	json_object_object_add(reply, "policy", json_object_new_string(h->pol->name));
	json_object_object_add(reply, "in_config", json_object_new_boolean(h->from_config));
	r = modelfs_rt_stats_to_json(modelfs_stats(h->rt));
	if (r)
		json_object_object_add(reply, "oe_ctld", r);
	detach(m, h, "oe-ctl");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_templates(struct oe_module_inst *mi, const struct ctl_request *req,
			 struct json_object *reply, char *err, size_t errlen)
{
	struct json_object *arr = json_object_new_array();
	struct mfs *m = mi->priv;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;

	(void)req;
	json_object_object_add(reply, "dir", json_object_new_string(m->template_dir));
	json_object_object_add(reply, "templates", arr);
	dir = opendir(m->template_dir);
	if (!dir) {
		if (errno == ENOENT)
			return 0;	/* nothing recorded yet */
		snprintf(err, errlen, "template_dir %s: %s", m->template_dir,
			 strerror(errno));
		return -1;
	}
	while ((de = readdir(dir))) {
		char **nn;

		/* dot files are the policy's files being written */
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct modelfs_template_info info;
		char path[OECTLD_MODELFS_PATH_MAX + 256 + 2];
		struct stat st;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", m->template_dir, names[i]);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			memset(&info, 0, sizeof(info));
			rc = modelfs_template_info(path, &info);
			json_object_array_add(arr, modelfs_template_to_json(names[i],
									   rc, &info));
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

static int mfs_mounts(struct oe_module_inst *mi, const struct ctl_request *req,
		      struct json_object *reply, char *err, size_t errlen)
{
	return cmd_list(mi->priv, req, false, reply, err, errlen);
}

static int mfs_stats(struct oe_module_inst *mi, const struct ctl_request *req,
		     struct json_object *reply, char *err, size_t errlen)
{
	return cmd_list(mi->priv, req, true, reply, err, errlen);
}

static const struct oe_command mfs_commands[] = {
	{ "mounts", false, 0, mfs_mounts },
	{ "attach", true, CTL_ARG_MOUNT | CTL_ARG_POLICY, cmd_attach },
	{ "detach", true, CTL_ARG_MOUNT, cmd_detach },
	{ "templates", false, 0, cmd_templates },
	{ "stats", false, CTL_ARG_MOUNT_OPT, mfs_stats },
};

/* ---- module ---- */

static void mfs_fini(struct oe_module_inst *mi)
{
	struct mfs *m = mi->priv;

	if (!m)
		return;
	while (m->held)
		detach(m, m->held, "oe-ctld stopping");
	if (m->timer_fd >= 0) {
		mi->host_ops->unwatch_fd(mi->host, mi, m->timer_fd);
		close(m->timer_fd);
	}
	if (m->sk)
		nl_socket_free(m->sk);
	free(m);
	mi->priv = NULL;
}

static int mfs_init(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct timeval tv = { .tv_sec = 2 };
	struct mfs *m;
	int rc;

	m = calloc(1, sizeof(*m));
	if (!m) {
		oe_module_set_unavailable(mi, "out of memory");
		return -ENOMEM;
	}
	m->mi = mi;
	m->family = -1;
	m->timer_fd = -1;
	mi->priv = m;
	snprintf(m->template_dir, sizeof(m->template_dir), "%s",
		 modelfs_config(cfg)->template_dir);

	m->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (m->timer_fd < 0 ||
	    (rc = mi->host_ops->watch_fd(mi->host, mi, m->timer_fd)) < 0) {
		if (m->timer_fd >= 0)
			close(m->timer_fd);
		m->timer_fd = -1;
		log_warn("modelfs: no timer; unmounted mounts stay held until detached");
	}

	/* without netlink, attaching still works: no counters, though */
	m->sk = nl_socket_alloc();
	if (m->sk && (rc = genl_connect(m->sk)) < 0) {
		log_warn("modelfs: cannot open a generic netlink socket: %s",
			 nl_geterror(rc));
		nl_socket_free(m->sk);
		m->sk = NULL;
	}
	if (m->sk) {
		/*
		 * No NLM_F_ACK: the ACK that follows a do's reply would stay
		 * queued and be taken for the answer to the next request.
		 */
		nl_socket_disable_auto_ack(m->sk);
		/* never hang the event loop on a kernel that does not answer */
		setsockopt(nl_socket_get_fd(m->sk), SOL_SOCKET, SO_RCVTIMEO,
			   &tv, sizeof(tv));
		resolve(m);
	} else {
		oe_module_set_unavailable(mi, "no generic netlink socket");
	}
	apply_config(m, cfg);
	return 0;
}

static int mfs_reload(struct oe_module_inst *mi, const struct oectld_config *cfg)
{
	struct mfs *m = mi->priv;

	if (strcmp(m->template_dir, modelfs_config(cfg)->template_dir))
		log_info("modelfs: template_dir is now %s (for policies attached from now on)",
			 modelfs_config(cfg)->template_dir);
	snprintf(m->template_dir, sizeof(m->template_dir), "%s",
		 modelfs_config(cfg)->template_dir);
	if (m->sk)
		resolve(m);
	apply_config(m, cfg);
	return 0;
}

static void mfs_status(struct oe_module_inst *mi, struct json_object *d)
{
	struct mfs *m = mi->priv;
	struct get_ctx g;
	char err[256];

	if (m->sk && get_mounts(m, true, 0, &g, err, sizeof(err)) == 0) {
		json_object_object_add(d, "mounts", json_object_new_uint64(g.n));
		free(g.v);
	}
	json_object_object_add(d, "attached", json_object_new_uint64(m->nheld));
	if (m->failed)
		json_object_object_add(d, "failed", json_object_new_uint64(m->failed));
}

unsigned int modelfs_mod_held(struct oe_module_inst *mi)
{
	struct mfs *m = mi->priv;

	return m ? m->nheld : 0;
}

unsigned long long modelfs_mod_failed(struct oe_module_inst *mi)
{
	struct mfs *m = mi->priv;

	return m ? m->failed : 0;
}

const struct oe_module modelfs_module = {
	.name = "modelfs",
	/* MODELFS_IOC_ATTACH */
	.caps = OE_CAP(CAP_SYS_ADMIN),
	.keys = mfs_keys,
	.nkeys = ARRAY_SIZE(mfs_keys),
	.config_size = sizeof(struct oectld_modelfs_cfg),
	.commands = mfs_commands,
	.ncommands = ARRAY_SIZE(mfs_commands),
	.enabled = mfs_enabled,
	.init = mfs_init,
	.event = mfs_event,
	.reload = mfs_reload,
	.status = mfs_status,
	.fini = mfs_fini,
};
