// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct oe_config_parse {
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

/*
 * ini_reader that counts lines, so the handler knows where it is (the
 * Debian libinih is built without INI_HANDLER_LINENO). inih may read a
 * long line in several chunks; only a chunk that starts a line counts.
 */
static char *counting_reader(char *buf, int num, void *stream)
{
	struct oe_config_parse *ctx = stream;
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

static void verror(struct oe_config_parse *ctx, const char *fmt, va_list ap)
{
	/* the first error is the one worth reading */
	if (ctx->err_line)
		return;
	ctx->err_line = ctx->line;
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
}

int oe_config_error(struct oe_config_parse *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ctx, fmt, ap);
	va_end(ap);
	return -1;
}

/* The same for inih's handler, which stops at 0. */
static __attribute__((format(printf, 2, 3)))
int fail(struct oe_config_parse *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ctx, fmt, ap);
	va_end(ap);
	return 0;
}

/* ---- key parsers ---- */

int oe_config_bool(struct oe_config_parse *p, const struct oe_config_key *k,
		   const char *val, void *dst)
{
	bool *b = dst;

	if (!strcmp(val, "yes"))
		*b = true;
	else if (!strcmp(val, "no"))
		*b = false;
	else
		return oe_config_error(p, "%s: bad value '%s' (expected yes or no)",
				       k->name, val);
	return 0;
}

int oe_config_normalise_path(const char *v, char *buf, size_t len,
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

int oe_config_abs_path(struct oe_config_parse *p, const struct oe_config_key *k,
		       const char *val, void *dst)
{
	const char *why;

	if (oe_config_normalise_path(val, dst, k->size, &why))
		return oe_config_error(p, "%s: '%s' %s", k->name, val, why);
	return 0;
}

int oe_config_abs_path_or_empty(struct oe_config_parse *p,
				const struct oe_config_key *k,
				const char *val, void *dst)
{
	if (!*val) {
		*(char *)dst = '\0';
		return 0;
	}
	return oe_config_abs_path(p, k, val, dst);
}

int oe_config_each_word(struct oe_config_parse *p, const struct oe_config_key *k,
			const char *val, void *dst,
			int (*word)(struct oe_config_parse *p,
				    const struct oe_config_key *k,
				    const char *w, size_t len, void *dst))
{
	for (const char *c = val; *c; ) {
		size_t n;

		c += strspn(c, " \t");
		n = strcspn(c, " \t");
		if (!n)
			break;
		if (word(p, k, c, n, dst) < 0)
			return -1;
		c += n;
	}
	return 0;
}

/* ---- [daemon] ---- */

static int parse_log_level(struct oe_config_parse *p, const struct oe_config_key *k,
			   const char *val, void *dst)
{
	int l = oe_log_level_parse(val);

	if (l < 0)
		return oe_config_error(p, "%s: bad value '%s' (expected error, warning, info or debug)",
				       k->name, val);
	*(int *)dst = l;
	return 0;
}

static int parse_socket(struct oe_config_parse *p, const struct oe_config_key *k,
			const char *val, void *dst)
{
	if (val[0] != '/')
		return oe_config_error(p, "%s: '%s' is not an absolute path",
				       k->name, val);
	if (strlen(val) >= k->size)
		return oe_config_error(p, "%s: path longer than %zu bytes",
				       k->name, k->size - 1);
	memcpy(dst, val, strlen(val) + 1);
	return 0;
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

static int parse_group(struct oe_config_parse *p, const struct oe_config_key *k,
		       const char *val, void *dst)
{
	if (strlen(val) >= k->size || !valid_group_name(val))
		return oe_config_error(p, "%s: bad group name '%s'", k->name, val);
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

#define DAEMON_KEY(name, parse, m, dflt) \
	OE_CONFIG_KEY(name, parse, struct oectld_config, daemon.m, dflt)

static const struct oe_config_key daemon_keys[] = {
	DAEMON_KEY("log_level", parse_log_level, log_level, "info"),
	DAEMON_KEY("socket", parse_socket, socket, OECTLD_DEFAULT_SOCKET),
	DAEMON_KEY("admin_group", parse_group, admin_group, OECTLD_DEFAULT_GROUP),
	DAEMON_KEY("watchdog", oe_config_bool, watchdog, "yes"),
};

/* ---- sections ---- */

/* The keys of section @name and where they go, false if there is none. */
static bool find_section(struct oe_config_parse *ctx, const char *name,
			 size_t len, const struct oe_config_key **keys,
			 size_t *nkeys, void **base)
{
	if (len == 6 && !strncmp(name, "daemon", len)) {
		*keys = daemon_keys;
		*nkeys = ARRAY_SIZE(daemon_keys);
		*base = &ctx->cfg;
		return true;
	}
	for (size_t i = 0; i < ctx->cfg.nsections; i++) {
		const struct oe_module *mod = ctx->cfg.section[i].mod;

		if (strlen(mod->name) == len && !strncmp(name, mod->name, len)) {
			*keys = mod->keys;
			*nkeys = mod->nkeys;
			*base = ctx->cfg.arena + ctx->cfg.section[i].offset;
			return true;
		}
	}
	return false;
}

static int handle_key(struct oe_config_parse *ctx, const char *section,
		      const char *key, const char *val)
{
	const struct oe_config_key *keys;
	size_t nkeys;
	void *base;

	if (!find_section(ctx, section, strlen(section), &keys, &nkeys, &base))
		return fail(ctx, "unknown section [%s]", section);
	for (size_t i = 0; i < nkeys; i++)
		if (!strcmp(keys[i].name, key))
			return keys[i].parse(ctx, &keys[i], val,
					     (char *)base + keys[i].offset) == 0;
	return fail(ctx, "unknown key '%s' in section [%s]", key, section);
}

void *oe_config_section(const struct oectld_config *cfg,
			const struct oe_module *mod)
{
	for (size_t i = 0; i < cfg->nsections; i++)
		if (cfg->section[i].mod == mod)
			return (void *)(cfg->arena + cfg->section[i].offset);
	return NULL;
}

/* Parse the defaults of @keys; they are ours, so failing is a bug. */
static void apply_defaults(struct oe_config_parse *ctx, const char *section,
			   const struct oe_config_key *keys, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		if (!keys[i].dflt)
			continue;
		if (keys[i].parse(ctx, &keys[i], keys[i].dflt,
				  (char *)base + keys[i].offset) < 0) {
			log_err("[%s] %s: bad built-in default: %s", section,
				keys[i].name, ctx->err);
			abort();
		}
	}
}

/* Give each module of @tab its place in the arena, and its defaults. */
static void setup_sections(struct oe_config_parse *ctx,
			   const struct oe_module *const *tab, size_t n)
{
	struct oectld_config *cfg = &ctx->cfg;
	size_t off = 0;

	memset(cfg, 0, sizeof(*cfg));
	apply_defaults(ctx, "daemon", daemon_keys, ARRAY_SIZE(daemon_keys), cfg);
	for (size_t i = 0; i < n; i++) {
		const size_t align = alignof(max_align_t);

		if (i == OECTLD_SECTIONS_MAX ||
		    off + tab[i]->config_size > sizeof(cfg->arena)) {
			log_err("config: no room for the section of module %s",
				tab[i]->name);
			abort();
		}
		cfg->section[i].mod = tab[i];
		cfg->section[i].offset = off;
		cfg->nsections++;
		apply_defaults(ctx, tab[i]->name, tab[i]->keys, tab[i]->nkeys,
			       cfg->arena + off);
		off += (tab[i]->config_size + align - 1) / align * align;
	}
}

void oectld_config_defaults(struct oectld_config *cfg,
			    const struct oe_module *const *tab, size_t n)
{
	struct oe_config_parse ctx = { .name = "defaults" };

	setup_sections(&ctx, tab, n);
	*cfg = ctx.cfg;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct oe_config_parse *ctx = user;

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
	return handle_key(ctx, section, name, value);
}

/*
 * inih only calls the handler for keys, so an empty unknown section
 * ("[bogus]" with no keys) would slip through; check section headers
 * ourselves as a second pass over the text.
 */
static int check_sections(struct oe_config_parse *ctx, const char *text)
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

				const struct oe_config_key *keys;
				size_t nkeys;
				void *base;

				if (!find_section(ctx, s + 1, n, &keys, &nkeys,
						  &base)) {
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

static int finish(struct oe_config_parse *ctx, int rc, const char *text,
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
		      const struct oe_module *const *tab, size_t n,
		      struct oectld_config *out, char *err, size_t errlen)
{
	struct oe_config_parse ctx = { .name = name, .at_line_start = true };
	int rc;

	setup_sections(&ctx, tab, n);
	ctx.str = text;
	rc = ini_parse_stream(counting_reader, &ctx, handler, &ctx);
	return finish(&ctx, rc, text, out, err, errlen);
}

int oectld_config_load_string(const char *name, const char *text,
			      const struct oe_module *const *tab, size_t n,
			      struct oectld_config *out,
			      char *err, size_t errlen)
{
	return parse_text(name, text, tab, n, out, err, errlen);
}

int oectld_config_load(const char *path, const struct oe_module *const *tab,
		       size_t ntab, struct oectld_config *out,
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
	rc = parse_text(path, text, tab, ntab, out, err, errlen);
	saved = errno;
	free(text);
	errno = saved;
	return rc;
}
