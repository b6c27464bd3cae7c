// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "libmodelfs.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

struct parse_ctx {
	struct oectld_config cfg;
	const char *name;
	int line;		/* line currently being parsed (1-based) */
	bool at_line_start;
	int long_line;		/* inih's line buffer size if this line is
				 * longer, else 0 */
	int err_line;		/* first handler error, 0 if none */
	char err[256];
	/* source: exactly one of these */
	FILE *fp;
	const char *str;
};

void oectld_config_defaults(struct oectld_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->daemon.log_level = LOG_INFO;
	snprintf(cfg->daemon.socket, sizeof(cfg->daemon.socket), "%s",
		 OECTLD_DEFAULT_SOCKET);
	snprintf(cfg->daemon.admin_group, sizeof(cfg->daemon.admin_group),
		 "%s", OECTLD_DEFAULT_GROUP);
	cfg->daemon.watchdog = true;
	cfg->sentry.enabled = true;
	/* on by default: it only reads */
	cfg->gmem.enabled = true;
	/* off by default: it keeps CAP_SYS_ADMIN while enabled */
	cfg->modelfs.enabled = false;
	snprintf(cfg->modelfs.template_dir, sizeof(cfg->modelfs.template_dir),
		 "%s", MODELFS_TEMPLATE_DIR);
	/* off by default: it replaces the system's scheduler */
	cfg->sched.enabled = false;
}

const char *const oectld_sched_policies[] = {
	"oe_fifo", "oe_qos", "oe_domain", NULL
};

/*
 * ini_reader that counts lines, so the handler knows where it is (the
 * Debian libinih is built without INI_HANDLER_LINENO). inih may read a
 * long line in several chunks; only a chunk that starts a line counts.
 */
static char *counting_reader(char *buf, int num, void *stream)
{
	struct parse_ctx *ctx = stream;
	char *r;

	if (ctx->fp) {
		r = fgets(buf, num, ctx->fp);
	} else {
		size_t n = 0;

		if (!*ctx->str || num < 2)
			return NULL;
		while (ctx->str[n] && n < (size_t)num - 1) {
			n++;
			if (ctx->str[n - 1] == '\n')
				break;
		}
		memcpy(buf, ctx->str, n);
		buf[n] = '\0';
		ctx->str += n;
		r = buf;
	}
	if (!r)
		return NULL;
	if (ctx->at_line_start) {
		ctx->line++;
		ctx->long_line = 0;
	}
	ctx->at_line_start = strchr(buf, '\n') != NULL;
	/* inih parses the rest of a cut line as a line of its own */
	if (!ctx->at_line_start && strlen(buf) == (size_t)num - 1)
		ctx->long_line = num;
	return r;
}

static __attribute__((format(printf, 2, 3)))
int fail(struct parse_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->err_line)
		return 0;
	ctx->err_line = ctx->line;
	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "no")) {
		*out = false;
		return 0;
	}
	return -1;
}

static bool valid_group_name(const char *v)
{
	if (!*v || *v == '-')
		return false;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.'))
			return false;
	return true;
}

static int handle_daemon(struct parse_ctx *ctx, const char *key,
			 const char *val)
{
	struct oectld_config *c = &ctx->cfg;

	if (!strcmp(key, "log_level")) {
		int l = oe_log_level_parse(val);

		if (l < 0)
			return fail(ctx, "log_level: bad value '%s' (expected error, warning, info or debug)",
				    val);
		c->daemon.log_level = l;
	} else if (!strcmp(key, "socket")) {
		if (val[0] != '/')
			return fail(ctx, "socket: '%s' is not an absolute path",
				    val);
		if (strlen(val) >= sizeof(c->daemon.socket))
			return fail(ctx, "socket: path longer than %zu bytes",
				    sizeof(c->daemon.socket) - 1);
		snprintf(c->daemon.socket, sizeof(c->daemon.socket), "%s", val);
	} else if (!strcmp(key, "admin_group")) {
		if (strlen(val) >= sizeof(c->daemon.admin_group) ||
		    !valid_group_name(val))
			return fail(ctx, "admin_group: bad group name '%s'",
				    val);
		snprintf(c->daemon.admin_group, sizeof(c->daemon.admin_group),
			 "%s", val);
	} else if (!strcmp(key, "watchdog")) {
		if (parse_bool(val, &c->daemon.watchdog))
			return fail(ctx, "watchdog: bad value '%s' (expected yes or no)",
				    val);
	} else {
		return fail(ctx, "unknown key '%s' in section [daemon]", key);
	}
	return 1;
}

static int handle_sentry(struct parse_ctx *ctx, const char *key,
			 const char *val)
{
	if (!strcmp(key, "enabled")) {
		if (parse_bool(val, &ctx->cfg.sentry.enabled))
			return fail(ctx, "enabled: bad value '%s' (expected yes or no)",
				    val);
		return 1;
	}
	return fail(ctx, "unknown key '%s' in section [sentry]", key);
}

static int handle_gmem(struct parse_ctx *ctx, const char *key,
		       const char *val)
{
	if (!strcmp(key, "enabled")) {
		if (parse_bool(val, &ctx->cfg.gmem.enabled))
			return fail(ctx, "enabled: bad value '%s' (expected yes or no)",
				    val);
		return 1;
	}
	return fail(ctx, "unknown key '%s' in section [gmem]", key);
}

/*
 * Copy absolute path @v into @buf with repeated and trailing slashes
 * removed. -1 with a message in @why if it is not absolute, has "." or
 * ".." components or does not fit.
 */
static int normalise_path(const char *v, char *buf, size_t len,
			  const char **why)
{
	size_t o = 0;

	if (v[0] != '/') {
		*why = "is not an absolute path";
		return -1;
	}
	for (const char *p = v; *p; ) {
		const char *c;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			*why = "has a '.' or '..' component";
			return -1;
		}
		if (o + 1 + n >= len) {
			*why = "is too long";
			return -1;
		}
		buf[o++] = '/';
		memcpy(buf + o, c, n);
		o += n;
	}
	if (!o)
		buf[o++] = '/';
	buf[o] = '\0';
	return 0;
}

/* One "MOUNTPOINT:POLICY" word of [modelfs] attach. */
static int add_attach(struct parse_ctx *ctx, const char *word, size_t wlen)
{
	struct oectld_modelfs_attach a;
	char tok[OECTLD_MODELFS_PATH_MAX + OECTLD_MODELFS_POLICY_MAX + 2];
	const char *why;
	char *colon;
	char known[128];

	memset(&a, 0, sizeof(a));
	if (wlen >= sizeof(tok))
		return fail(ctx, "attach: '%.*s...' is too long", 64, word);
	memcpy(tok, word, wlen);
	tok[wlen] = '\0';
	/* a mountpoint may contain ':', a policy name never does */
	colon = strrchr(tok, ':');
	if (!colon || colon == tok || !colon[1])
		return fail(ctx, "attach: '%s' is not MOUNTPOINT:POLICY", tok);
	*colon = '\0';
	if (normalise_path(tok, a.mount, sizeof(a.mount), &why))
		return fail(ctx, "attach: '%s' %s", tok, why);
	if (!modelfs_policy_find(colon + 1)) {
		modelfs_policy_names(known, sizeof(known));
		return fail(ctx, "attach: unknown policy '%s' for %s (known: %s)",
			    colon + 1, a.mount, known);
	}
	snprintf(a.policy, sizeof(a.policy), "%s", colon + 1);
	for (unsigned int i = 0; i < ctx->cfg.modelfs.nattach; i++)
		if (!strcmp(ctx->cfg.modelfs.attach[i].mount, a.mount))
			return fail(ctx, "attach: %s is listed more than once",
				    a.mount);
	if (ctx->cfg.modelfs.nattach >= OECTLD_MODELFS_ATTACH_MAX)
		return fail(ctx, "attach: more than %d mountpoints",
			    OECTLD_MODELFS_ATTACH_MAX);
	ctx->cfg.modelfs.attach[ctx->cfg.modelfs.nattach++] = a;
	return 1;
}

static int handle_modelfs(struct parse_ctx *ctx, const char *key,
			  const char *val)
{
	struct oectld_config *c = &ctx->cfg;
	const char *why;

	if (!strcmp(key, "enabled")) {
		if (parse_bool(val, &c->modelfs.enabled))
			return fail(ctx, "enabled: bad value '%s' (expected yes or no)",
				    val);
	} else if (!strcmp(key, "template_dir")) {
		if (normalise_path(val, c->modelfs.template_dir,
				   sizeof(c->modelfs.template_dir), &why))
			return fail(ctx, "template_dir: '%s' %s", val, why);
	} else if (!strcmp(key, "attach")) {
		/* repeated keys and continuation lines add to the list */
		for (const char *p = val; *p; ) {
			size_t n;

			p += strspn(p, " \t");
			n = strcspn(p, " \t");
			if (!n)
				break;
			if (!add_attach(ctx, p, n))
				return 0;
			p += n;
		}
	} else {
		return fail(ctx, "unknown key '%s' in section [modelfs]", key);
	}
	return 1;
}

static bool sched_policy_known(const char *name)
{
	for (int i = 0; oectld_sched_policies[i]; i++)
		if (!strcmp(name, oectld_sched_policies[i]))
			return true;
	return false;
}

/* 0 to OECTLD_SCHED_TIMEOUT_MAX, decimal digits only. */
static int parse_timeout(const char *v, unsigned int *out)
{
	unsigned long n = 0;

	if (!*v || strlen(v) > 5)
		return -1;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n > OECTLD_SCHED_TIMEOUT_MAX)
		return -1;
	*out = (unsigned int)n;
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

/* One cgroup word of [sched] ls_cgroups, be_cgroups or domain_cgroups. */
static int add_sched_cgroup(struct parse_ctx *ctx, const char *key,
			    const char *word, size_t wlen)
{
	struct oectld_sched_cfg *c = &ctx->cfg.sched;
	char tok[OECTLD_SCHED_PATH_MAX + 8], path[OECTLD_SCHED_PATH_MAX];
	bool ls = !strcmp(key, "ls_cgroups"), be = !strcmp(key, "be_cgroups");
	int domain = -1;
	const char *why;
	char *eq = NULL;

	if (wlen >= sizeof(tok))
		return fail(ctx, "%s: '%.64s...' is too long", key, word);
	memcpy(tok, word, wlen);
	tok[wlen] = '\0';
	if (!ls && !be) {
		/* a cgroup directory may contain '=', a domain never does */
		eq = strrchr(tok, '=');
		if (eq) {
			const char *d = eq + 1;
			size_t dl = strlen(d);

			if (!dl || dl > 2 || strspn(d, "0123456789") != dl ||
			    atoi(d) >= OECTLD_SCHED_DOMAINS)
				return fail(ctx,
					    "%s: bad domain '%s' in '%s' (expected PATH or PATH=DOMAIN, DOMAIN 0 to %d)",
					    key, d, tok, OECTLD_SCHED_DOMAINS - 1);
			domain = atoi(d);
			*eq = '\0';
		}
	}
	if (normalise_path(tok, path, sizeof(path), &why))
		return fail(ctx, "%s: '%s' %s", key, tok, why);
	if (ls || be) {
		char (*list)[OECTLD_SCHED_PATH_MAX] = ls ? c->ls_cgroups : c->be_cgroups;
		unsigned int *n = ls ? &c->nls : &c->nbe;

		if (in_list(list, *n, path))
			return fail(ctx, "%s: %s is listed more than once", key,
				    path);
		if (in_list(ls ? c->be_cgroups : c->ls_cgroups,
			    ls ? c->nbe : c->nls, path))
			return fail(ctx,
				    "%s: %s is also in %s (a cgroup is latency-sensitive or best-effort, not both)",
				    key, path, ls ? "be_cgroups" : "ls_cgroups");
		if (*n >= OECTLD_SCHED_CGROUPS_MAX)
			return fail(ctx, "%s: more than %d cgroups", key,
				    OECTLD_SCHED_CGROUPS_MAX);
		memcpy(list[(*n)++], path, strlen(path) + 1);
		return 1;
	}
	for (unsigned int i = 0; i < c->ndomains; i++)
		if (!strcmp(c->domains[i].cgroup, path))
			return fail(ctx, "%s: %s is listed more than once", key,
				    path);
	if (c->ndomains >= OECTLD_SCHED_CGROUPS_MAX)
		return fail(ctx, "%s: more than %d cgroups", key,
			    OECTLD_SCHED_CGROUPS_MAX);
	memcpy(c->domains[c->ndomains].cgroup, path, strlen(path) + 1);
	c->domains[c->ndomains++].domain = domain;
	return 1;
}

static int handle_sched(struct parse_ctx *ctx, const char *key,
			const char *val)
{
	struct oectld_sched_cfg *c = &ctx->cfg.sched;
	const char *why;
	char known[64];

	if (!strcmp(key, "enabled")) {
		if (parse_bool(val, &c->enabled))
			return fail(ctx, "enabled: bad value '%s' (expected yes or no)",
				    val);
	} else if (!strcmp(key, "policy")) {
		if (*val && !sched_policy_known(val)) {
			known[0] = '\0';
			for (int i = 0; oectld_sched_policies[i]; i++)
				snprintf(known + strlen(known),
					 sizeof(known) - strlen(known), "%s, ",
					 oectld_sched_policies[i]);
			return fail(ctx, "policy: unknown policy '%s' (expected %sor nothing)",
				    val, known);
		}
		snprintf(c->policy, sizeof(c->policy), "%s", val);
	} else if (!strcmp(key, "partial")) {
		if (parse_bool(val, &c->partial))
			return fail(ctx, "partial: bad value '%s' (expected yes or no)",
				    val);
	} else if (!strcmp(key, "timeout_ms")) {
		if (parse_timeout(val, &c->timeout_ms))
			return fail(ctx,
				    "timeout_ms: bad value '%s' (expected 0 to %d milliseconds; 0: the kernel's default)",
				    val, OECTLD_SCHED_TIMEOUT_MAX);
	} else if (!strcmp(key, "bpf_dir")) {
		if (!*val)
			c->bpf_dir[0] = '\0';
		else if (normalise_path(val, c->bpf_dir, sizeof(c->bpf_dir),
					&why))
			return fail(ctx, "bpf_dir: '%s' %s", val, why);
	} else if (!strcmp(key, "ls_cgroups") || !strcmp(key, "be_cgroups") ||
		   !strcmp(key, "domain_cgroups")) {
		/* repeated keys and continuation lines add to the list */
		for (const char *p = val; *p; ) {
			size_t n;

			p += strspn(p, " \t");
			n = strcspn(p, " \t");
			if (!n)
				break;
			if (!add_sched_cgroup(ctx, key, p, n))
				return 0;
			p += n;
		}
	} else {
		return fail(ctx, "unknown key '%s' in section [sched]", key);
	}
	return 1;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse_ctx *ctx = user;

	/* inih calls with name == NULL for a new section (INI_CALL_HANDLER_ON_NEW_SECTION). */
	if (!name)
		return 1;
	if (ctx->long_line)
		return fail(ctx, "line longer than %d characters (continue a long value on indented lines)",
			    ctx->long_line - 3);
	if (!value)
		return fail(ctx, "key '%s' has no value", name);
	if (!*section)
		return fail(ctx, "key '%s' outside of any section", name);
	if (!strcmp(section, "daemon"))
		return handle_daemon(ctx, name, value);
	if (!strcmp(section, "sentry"))
		return handle_sentry(ctx, name, value);
	if (!strcmp(section, "gmem"))
		return handle_gmem(ctx, name, value);
	if (!strcmp(section, "modelfs"))
		return handle_modelfs(ctx, name, value);
	if (!strcmp(section, "sched"))
		return handle_sched(ctx, name, value);
	return fail(ctx, "unknown section [%s]", section);
}

/*
 * inih only calls the handler for keys, so an empty unknown section
 * ("[bogus]" with no keys) would slip through; check section headers
 * ourselves as a second pass over the text.
 */
static int check_sections(struct parse_ctx *ctx, const char *text)
{
	int line = 0;

	for (const char *p = text; *p; ) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *s = p;

		line++;
		while (s < p + len && (*s == ' ' || *s == '\t'))
			s++;
		if (s < p + len && *s == '[') {
			const char *e = memchr(s, ']', len - (size_t)(s - p));

			if (e) {
				size_t n = (size_t)(e - s - 1);

				if (!((n == 6 && !strncmp(s + 1, "daemon", 6)) ||
				      (n == 6 && !strncmp(s + 1, "sentry", 6)) ||
				      (n == 4 && !strncmp(s + 1, "gmem", 4)) ||
				      (n == 7 && !strncmp(s + 1, "modelfs", 7)) ||
				      (n == 5 && !strncmp(s + 1, "sched", 5)))) {
					if (!ctx->err_line || line < ctx->err_line) {
						ctx->err_line = line;
						snprintf(ctx->err, sizeof(ctx->err),
							 "unknown section [%.*s]",
							 (int)n, s + 1);
					}
					return -1;
				}
			}
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return 0;
}

static int finish(struct parse_ctx *ctx, int rc, const char *text,
		  struct oectld_config *out, char *err, size_t errlen)
{
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot read file", ctx->name);
		errno = EIO;
		return -1;
	}
	if (text)
		check_sections(ctx, text);
	if (rc > 0 && (!ctx->err_line || rc < ctx->err_line)) {
		ctx->err_line = rc;
		snprintf(ctx->err, sizeof(ctx->err),
			 "syntax error (expected '[section]' or 'key = value')");
	}
	if (ctx->err_line) {
		snprintf(err, errlen, "%s:%d: %s", ctx->name, ctx->err_line,
			 ctx->err);
		errno = EINVAL;
		return -1;
	}
	*out = ctx->cfg;
	return 0;
}

static int parse_text(const char *name, const char *text,
		      struct oectld_config *out, char *err, size_t errlen)
{
	struct parse_ctx ctx = { .name = name, .at_line_start = true };
	int rc;

	oectld_config_defaults(&ctx.cfg);
	ctx.str = text;
	rc = ini_parse_stream(counting_reader, &ctx, handler, &ctx);
	return finish(&ctx, rc, text, out, err, errlen);
}

int oectld_config_load_string(const char *name, const char *text,
			      struct oectld_config *out,
			      char *err, size_t errlen)
{
	return parse_text(name, text, out, err, errlen);
}

int oectld_config_load(const char *path, struct oectld_config *out,
		       char *err, size_t errlen)
{
	char *text = NULL;
	size_t size = 0;
	FILE *fp, *mem;
	char buf[4096];
	size_t n;
	int rc, saved;

	fp = fopen(path, "re");
	if (!fp) {
		saved = errno;
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(saved));
		errno = saved;
		return -1;
	}
	mem = open_memstream(&text, &size);
	if (!mem) {
		saved = errno;
		fclose(fp);
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		fwrite(buf, 1, n, mem);
	saved = ferror(fp);
	fclose(fp);
	fclose(mem);
	if (saved) {
		free(text);
		snprintf(err, errlen, "%s: read error", path);
		errno = EIO;
		return -1;
	}
	if (memchr(text, '\0', size)) {
		free(text);
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		errno = EINVAL;
		return -1;
	}
	rc = parse_text(path, text, out, err, errlen);
	saved = errno;
	free(text);
	errno = saved;
	return rc;
}
