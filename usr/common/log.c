// SPDX-License-Identifier: GPL-2.0-only
#include "log.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *log_ident = "oe";
static int log_level = LOG_INFO;
static bool log_journal;

static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(2, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void oe_log_init(const char *ident)
{
	log_ident = ident;
	log_journal = stderr_is_journal();
}

void oe_log_set_level(int level)
{
	log_level = level;
}

int oe_log_get_level(void)
{
	return log_level;
}

void oe_log_set_journal(bool on)
{
	log_journal = on;
}

static const struct {
	const char *name;
	int level;
} level_names[] = {
	{ "error", LOG_ERR },
	{ "warning", LOG_WARNING },
	{ "notice", LOG_NOTICE },
	{ "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
};

int oe_log_level_parse(const char *name)
{
	/* "notice" is internal only; the config accepts the four below. */
	if (!strcmp(name, "error"))
		return LOG_ERR;
	if (!strcmp(name, "warning"))
		return LOG_WARNING;
	if (!strcmp(name, "info"))
		return LOG_INFO;
	if (!strcmp(name, "debug"))
		return LOG_DEBUG;
	return -1;
}

const char *oe_log_level_name(int level)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (level_names[i].level == level)
			return level_names[i].name;
	return "?";
}

void oe_log(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", level, buf);
	else
		fprintf(stderr, "%s: %s: %s\n", log_ident,
			oe_log_level_name(level), buf);
	fflush(stderr);
}
