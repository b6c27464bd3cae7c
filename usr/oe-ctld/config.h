/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oe-ctld configuration: INI file parsed with libinih. The [daemon]
 * section is the daemon's own; every other section belongs to the module
 * of that name, which describes it with a table of struct oe_config_key
 * and the size of the struct its keys fill. The config keeps each
 * module's struct in one arena, so a config is still a plain value that
 * can be copied, and a reload that is refused leaves the running one.
 */
#ifndef OE_CTLD_CONFIG_H
#define OE_CTLD_CONFIG_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#include "module.h"

#define OECTLD_DEFAULT_CONFIG	"/etc/oe-ctld/oe-ctld.conf"
#define OECTLD_DEFAULT_SOCKET	"/run/oe-ctld/ctl.sock"
#define OECTLD_DEFAULT_GROUP	"oe-admin"

#define OECTLD_SOCKET_MAX	(sizeof(((struct sockaddr_un *)0)->sun_path))
#define OECTLD_GROUP_MAX	64

/* Modules a config has sections for, and the bytes their structs share. */
#define OECTLD_SECTIONS_MAX	16
#define OECTLD_ARENA_SIZE	(96 * 1024)

struct oectld_config {
	struct {
		int log_level;				/* syslog LOG_* */
		char socket[OECTLD_SOCKET_MAX];
		char admin_group[OECTLD_GROUP_MAX];
		bool watchdog;
	} daemon;
	/* where each module's struct is in arena[] */
	struct {
		const struct oe_module *mod;
		size_t offset;
	} section[OECTLD_SECTIONS_MAX];
	size_t nsections;
	alignas(max_align_t) unsigned char arena[OECTLD_ARENA_SIZE];
};

/* The parser's state; key parsers only hand it to oe_config_error(). */
struct oe_config_parse;

/* One key of a section. */
struct oe_config_key {
	const char *name;
	/*
	 * Parse @val into @dst, which is the key's place in its section's
	 * struct (offset bytes in). 0, or -1 after oe_config_error().
	 */
	int (*parse)(struct oe_config_parse *p, const struct oe_config_key *k,
		     const char *val, void *dst);
	size_t offset;
	size_t size;		/* of the place (a string's buffer) */
	const char *dflt;	/* parsed before the file; NULL: zeroes */
};

/* A key filling member @m of section struct @type. */
#define OE_CONFIG_KEY(name, parse, type, m, dflt)			\
	{ name, parse, offsetof(type, m), sizeof(((type *)0)->m), dflt }

/* Record "key: message" for the current line; returns -1. */
int oe_config_error(struct oe_config_parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Key parsers for common values. */
int oe_config_bool(struct oe_config_parse *p, const struct oe_config_key *k,
		   const char *val, void *dst);		/* yes / no */
int oe_config_abs_path(struct oe_config_parse *p, const struct oe_config_key *k,
		       const char *val, void *dst);	/* normalised */
int oe_config_abs_path_or_empty(struct oe_config_parse *p,
				const struct oe_config_key *k,
				const char *val, void *dst);

/*
 * Call @word for each blank-separated word of @val: list keys, which
 * repeated keys and continuation lines add to. 0, or -1 at the first
 * word @word refuses.
 */
int oe_config_each_word(struct oe_config_parse *p, const struct oe_config_key *k,
			const char *val, void *dst,
			int (*word)(struct oe_config_parse *p,
				    const struct oe_config_key *k,
				    const char *w, size_t len, void *dst));

/*
 * Copy absolute path @v into @buf with repeated and trailing slashes
 * removed. -1 with a message in @why if it is not absolute, has "." or
 * ".." components or does not fit.
 */
int oe_config_normalise_path(const char *v, char *buf, size_t len,
			     const char **why);

/*
 * The section struct of @mod in @cfg (like strchr, const in, mutable
 * out: a module reads its own, a test may set it), NULL if @cfg was
 * not made for a table with @mod.
 */
void *oe_config_section(const struct oectld_config *cfg,
			const struct oe_module *mod);

/* Defaults of [daemon] and of the sections of the modules of @tab. */
void oectld_config_defaults(struct oectld_config *cfg,
			    const struct oe_module *const *tab, size_t n);

/*
 * Parse @path into @out with the sections of the modules of @tab. @out is
 * only written on success. On failure returns -1 and leaves
 * "file:line: message" (or "file: message" when the file cannot be read)
 * in @err; errno is ENOENT when the file is missing.
 */
int oectld_config_load(const char *path, const struct oe_module *const *tab,
		       size_t n, struct oectld_config *out,
		       char *err, size_t errlen);

/* Same, from an in-memory string; @name is used in error messages. */
int oectld_config_load_string(const char *name, const char *text,
			      const struct oe_module *const *tab, size_t n,
			      struct oectld_config *out,
			      char *err, size_t errlen);

#endif
