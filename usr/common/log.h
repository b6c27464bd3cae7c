/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal leveled logging to stderr. Under systemd (JOURNAL_STREAM names
 * our stderr) every line carries an sd-daemon "<N>" priority prefix;
 * otherwise lines read "ident: level: message".
 */
#ifndef OE_LOG_H
#define OE_LOG_H

#include <stdbool.h>
#include <syslog.h>

void oe_log_init(const char *ident);
void oe_log_set_level(int level);
int oe_log_get_level(void);
/* Force the journal prefix style on or off (for tests). */
void oe_log_set_journal(bool on);
/* Parse "error|warning|info|debug"; returns the syslog level or -1. */
int oe_log_level_parse(const char *name);
const char *oe_log_level_name(int level);

void oe_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	oe_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	oe_log(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	oe_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	oe_log(LOG_DEBUG, __VA_ARGS__)

#endif
