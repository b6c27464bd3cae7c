// SPDX-License-Identifier: GPL-2.0-only
/* oe-ctl gmem: GMem's devices, page counts and the pages of each process. */
#include "oe-ctl.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#define GMEM_DEV_COLS	9

/* MiB in @pages logical pages of @page_size bytes, as a string. */
static void pages_mib(uint64_t pages, uint64_t page_size, char *buf, size_t len)
{
	snprintf(buf, len, "%llu",
		 (unsigned long long)(pages * (page_size >> 10) >> 10));
}

static uint64_t page_size_of(struct json_object *rep)
{
	uint64_t ps = get_u64(rep, "page_size");

	return ps ? ps : 2ULL << 20;	/* GMem's logical page */
}

static int show_devices(struct json_object *rep)
{
	static const char *const head[GMEM_DEV_COLS] = {
		"HNID", "NAME", "CAPACITY-MIB", "RESIDENT-MIB", "FAULTS",
		"TO-DEV", "TO-HOST", "EVICTED", "PRESSURE",
	};
	static const char *const counter[] = {
		"faults", "to_dev", "to_host", "evicted", "pressure",
	};
	struct json_object *arr = get_array(rep, "devices"), *p;
	uint64_t ps = page_size_of(rep);
	char (*cell)[GMEM_DEV_COLS][24];
	int w[GMEM_DEV_COLS];
	size_t n;

	if (!arr)
		return EX_DAEMON;
	n = json_object_array_length(arr);
	if (!n) {
		printf("no GMem devices\n");
		return EX_OK;
	}
	cell = calloc(n, sizeof(*cell));
	if (!cell) {
		fprintf(stderr, "oe-ctl: out of memory\n");
		return EX_DAEMON;
	}
	for (int c = 0; c < GMEM_DEV_COLS; c++)
		w[c] = (int)strlen(head[c]);
	w[1] = width(arr, "name", head[1]);
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		uint64_t cap = get_u64(d, "capacity");

		snprintf(cell[i][0], sizeof(cell[i][0]), "%s", str_or_dash(d, "hnid"));
		if (cap)
			snprintf(cell[i][2], sizeof(cell[i][2]), "%llu",
				 (unsigned long long)(cap >> 20));
		else
			snprintf(cell[i][2], sizeof(cell[i][2]), "-");
		pages_mib(get_u64(d, "resident"), ps, cell[i][3], sizeof(cell[i][3]));
		for (int c = 0; c < 5; c++)
			snprintf(cell[i][4 + c], sizeof(cell[i][4 + c]), "%llu",
				 (unsigned long long)get_u64(d, counter[c]));
		for (int c = 0; c < GMEM_DEV_COLS; c++)
			if (c != 1 && (int)strlen(cell[i][c]) > w[c])
				w[c] = (int)strlen(cell[i][c]);
	}
	printf("%*s  %-*s", w[0], head[0], w[1], head[1]);
	for (int c = 2; c < GMEM_DEV_COLS; c++)
		printf("  %*s", w[c], head[c]);
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);

		printf("%*s  %-*s", w[0], cell[i][0], w[1], str_or_dash(d, "name"));
		for (int c = 2; c < GMEM_DEV_COLS; c++)
			printf("  %*s", w[c], cell[i][c]);
		printf("\n");
	}
	free(cell);
	if (json_object_object_get_ex(rep, "pressure", &p) && get_u64(p, "missed"))
		printf("note: oe-ctld missed %llu pressure events; PRESSURE counts those it received\n",
		       (unsigned long long)get_u64(p, "missed"));
	return EX_OK;
}

/* "LABEL  PAGES (MIB MiB)", or "-" for a member the reply lacks. */
static void gmem_count(struct json_object *rep, const char *label,
		       const char *key, bool mib)
{
	struct json_object *v;
	char m[24];

	if (!json_object_object_get_ex(rep, key, &v)) {
		printf("%-12s  -\n", label);
		return;
	}
	printf("%-12s  %llu", label, (unsigned long long)get_u64(rep, key));
	if (mib) {
		pages_mib(get_u64(rep, key), page_size_of(rep), m, sizeof(m));
		printf(" (%s MiB)", m);
	}
	printf("\n");
}

static int show_stats(struct json_object *rep)
{
	struct json_object *arr = get_array(rep, "per_process");
	uint64_t ps = page_size_of(rep);
	int wp, wc = (int)strlen("CPU-MIB"), wd = (int)strlen("DEVICE-MIB");
	char c[24], d[24];
	size_t n;

	if (!arr)
		return EX_DAEMON;
	gmem_count(rep, "processes", "processes", false);
	gmem_count(rep, "pages-nomap", "pages_nomap", false);
	gmem_count(rep, "pages-cpu", "pages_cpu", true);
	gmem_count(rep, "pages-device", "pages_device", true);
	gmem_count(rep, "migrating", "migrating", true);
	n = json_object_array_length(arr);
	if (!n) {
		printf("\nno process uses GMem\n");
		return EX_OK;
	}
	wp = width(arr, "pid", "PID");
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);

		pages_mib(get_u64(p, "pages_cpu"), ps, c, sizeof(c));
		pages_mib(get_u64(p, "pages_device"), ps, d, sizeof(d));
		if ((int)strlen(c) > wc)
			wc = (int)strlen(c);
		if ((int)strlen(d) > wd)
			wd = (int)strlen(d);
	}
	printf("\n%*s  %*s  %*s\n", wp, "PID", wc, "CPU-MIB", wd, "DEVICE-MIB");
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);

		pages_mib(get_u64(p, "pages_cpu"), ps, c, sizeof(c));
		pages_mib(get_u64(p, "pages_device"), ps, d, sizeof(d));
		printf("%*s  %*s  %*s\n", wp, str_or_dash(p, "pid"), wc, c, wd, d);
	}
	return EX_OK;
}

static const struct ctl_command gmem_commands[] = {
	{ .name = "devices", .help = "GMem's devices, their pages and pressure events",
	  .request = "gmem.devices", .show = show_devices },
	{ .name = "stats", .help = "GMem's page counts, and the pages of each process",
	  .request = "gmem.stats", .show = show_stats },
};

const struct ctl_object gmem_object = {
	.name = "gmem",
	.commands = gmem_commands,
	.ncommands = ARRAY_SIZE(gmem_commands),
};
