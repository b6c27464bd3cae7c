// SPDX-License-Identifier: GPL-2.0-only
/* oe-ctl gmem: GMem's devices, page counts and the pages of each process. */
#include "oe-ctl.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

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

/* One row of the devices table. */
static int device_row(struct libscols_table *tb, struct json_object *d,
		      uint64_t page_size)
{
	static const char *const counter[] = {
		"faults", "to_dev", "to_host", "evicted", "pressure",
	};
	char cap[24], resident[24], count[ARRAY_SIZE(counter)][24];
	const char *row[4 + ARRAY_SIZE(counter)] = {
		str_or_dash(d, "hnid"), str_or_dash(d, "name"), cap, resident,
	};

	if (get_u64(d, "capacity"))
		snprintf(cap, sizeof(cap), "%llu",
			 (unsigned long long)(get_u64(d, "capacity") >> 20));
	else
		snprintf(cap, sizeof(cap), "-");
	pages_mib(get_u64(d, "resident"), page_size, resident, sizeof(resident));
	for (size_t c = 0; c < ARRAY_SIZE(counter); c++) {
		snprintf(count[c], sizeof(count[c]), "%llu",
			 (unsigned long long)get_u64(d, counter[c]));
		row[4 + c] = count[c];
	}
	return table_row(tb, row, ARRAY_SIZE(row));
}

static int show_devices(struct json_object *rep)
{
	static const struct table_col cols[] = {
		{ "HNID", true }, { "NAME", false }, { "CAPACITY-MIB", true },
		{ "RESIDENT-MIB", true }, { "FAULTS", true }, { "TO-DEV", true },
		{ "TO-HOST", true }, { "EVICTED", true }, { "PRESSURE", true },
	};
	struct json_object *arr = get_array(rep, "devices"), *p;
	uint64_t ps = page_size_of(rep);
	struct libscols_table *tb;

	if (!arr)
		return EX_DAEMON;
	if (!json_object_array_length(arr)) {
		printf("no GMem devices\n");
		return EX_OK;
	}
	tb = table_new(cols, ARRAY_SIZE(cols));
	if (!tb)
		return EX_DAEMON;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (device_row(tb, json_object_array_get_idx(arr, i), ps) < 0)
			return table_fail(tb);
	if (table_print(tb) != EX_OK)
		return EX_DAEMON;
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
	static const struct table_col cols[] = {
		{ "PID", true }, { "CPU-MIB", true }, { "DEVICE-MIB", true },
	};
	struct json_object *arr = get_array(rep, "per_process");
	uint64_t ps = page_size_of(rep);
	struct libscols_table *tb;

	if (!arr)
		return EX_DAEMON;
	gmem_count(rep, "processes", "processes", false);
	gmem_count(rep, "pages-nomap", "pages_nomap", false);
	gmem_count(rep, "pages-cpu", "pages_cpu", true);
	gmem_count(rep, "pages-device", "pages_device", true);
	gmem_count(rep, "migrating", "migrating", true);
	if (!json_object_array_length(arr)) {
		printf("\nno process uses GMem\n");
		return EX_OK;
	}
	tb = table_new(cols, ARRAY_SIZE(cols));
	if (!tb)
		return EX_DAEMON;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);
		char c[24], d[24];
		const char *row[] = { str_or_dash(p, "pid"), c, d };

		pages_mib(get_u64(p, "pages_cpu"), ps, c, sizeof(c));
		pages_mib(get_u64(p, "pages_device"), ps, d, sizeof(d));
		if (table_row(tb, row, ARRAY_SIZE(row)) < 0)
			return table_fail(tb);
	}
	printf("\n");
	return table_print(tb);
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
