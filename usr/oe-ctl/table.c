// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe-ctl: human tables with libsmartcols. Columns two spaces apart, as
 * wide as their widest cell, never squeezed to a terminal's width (the
 * in-guest tests read them from pipes, people from terminals: the same).
 */
#include "oe-ctl.h"

#include <stdio.h>
#include <libsmartcols.h>

struct libscols_table *table_new(const struct table_col *cols, size_t n)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		goto oom;
	scols_table_set_column_separator(tb, "  ");
	scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
	for (size_t i = 0; i < n; i++) {
		if (!scols_table_new_column(tb, cols[i].head, 0,
					    cols[i].right ? SCOLS_FL_RIGHT : 0)) {
			scols_unref_table(tb);
			goto oom;
		}
	}
	return tb;
oom:
	fprintf(stderr, "oe-ctl: out of memory\n");
	return NULL;
}

int table_row(struct libscols_table *tb, const char *const *cells, size_t n)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln)
		goto oom;
	for (size_t i = 0; i < n; i++)
		if (scols_line_set_data(ln, i, cells[i]) < 0)
			goto oom;
	return 0;
oom:
	fprintf(stderr, "oe-ctl: out of memory\n");
	return -1;
}

int table_print(struct libscols_table *tb)
{
	int rc = scols_print_table(tb);

	scols_unref_table(tb);
	return rc < 0 ? EX_DAEMON : EX_OK;
}

int table_fail(struct libscols_table *tb)
{
	scols_unref_table(tb);
	return EX_DAEMON;
}
